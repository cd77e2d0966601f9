"""``brief new``: the starter project is written whole, checks clean, and belongs to its
author (their indicators.py is the catalogue; the package is never touched)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brief.cli import cli
from brief.new import DEFAULT_TITLE, NewProjectError, new_project
from brief.render.project import load_project

FILES = {
    ".gitignore", "README.md", "_quarto.yml", "index.qmd", "indicators.py", "references.bib",
    "chapters/01-safe-water.qmd", "chapters/references.qmd", "chapters/calls-to-action.yml",
    "data/datapackage.json", "data/safe_water.csv",
}


@pytest.fixture(autouse=True)
def _no_project_override(monkeypatch: pytest.MonkeyPatch) -> None:
    # BRIEF_PROJECT_ROOT would win over --project and point the commands elsewhere.
    monkeypatch.delenv("BRIEF_PROJECT_ROOT", raising=False)


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A fresh project written by ``brief new`` (safe to edit)."""
    root = tmp_path / "brief"
    new_project(root, None, date="2026-01-15")
    return root


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def relative(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- what is written


def test_writes_every_file_and_reports_them(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "water"  # missing parents are created
    result = run("new", str(target))
    assert result.exit_code == 0, result.output
    assert relative(target) == FILES
    listed = {line.strip() for line in result.output.splitlines() if line.startswith("  ")}
    assert FILES <= listed
    assert f"cd {target} && brief check && brief build" in result.output


def test_gitignore_keeps_build_outputs_out(starter: Path) -> None:
    ignored = (starter / ".gitignore").read_text("utf-8").split()
    assert {"_book/", ".brief-cache/", ".brief-staging*/", "figures/", "__pycache__/"
            } <= set(ignored)


def test_default_title_and_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    root = tmp_path / "brief"
    new_project(root)
    project = load_project(root)
    assert project.title == DEFAULT_TITLE
    assert project.date == "2026-01-01"
    assert project.version == "0.1.0"
    assert [c.path for c in project.chapters] == [
        "index.qmd", "chapters/01-safe-water.qmd", "chapters/references.qmd"]


@pytest.mark.parametrize("title", [
    'Water: "safe" for all',
    "Nước sạch cho mọi hộ gia đình: đánh giá năm 2026",
    "It's #1 & 100% urgent: {act} [now] *please* @everyone",
    "- a dash, a | pipe, a > sign and a back\\slash",
    "yes",
    "2026",
    "null",
])
def test_the_title_is_written_as_given(tmp_path: Path, title: str) -> None:
    root = tmp_path / "brief"
    new_project(root, title)
    config = yaml.safe_load((root / "_quarto.yml").read_text("utf-8"))
    assert config["book"]["title"] == title
    assert load_project(root).title == title


def test_the_title_is_stripped(tmp_path: Path) -> None:
    new_project(tmp_path / "brief", "  Safe water  ")
    assert load_project(tmp_path / "brief").title == "Safe water"


@pytest.mark.parametrize(("title", "expected"), [
    ("", "the title is empty"),
    ("   ", "the title is empty"),
    ("Two\nlines", "line break or a control character"),
])
def test_an_unusable_title_is_refused_and_nothing_written(tmp_path: Path, title: str,
                                                          expected: str) -> None:
    result = run("new", str(tmp_path / "brief"), "--title", title)
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "brief").exists()


# ---------------------------------------------------------------- where it may write


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "brief"
    target.mkdir()
    (target / "notes.txt").write_text("mine", "utf-8")
    result = run("new", str(target))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a message, not a crash
    assert f"error: {target} is not empty (it holds notes.txt)" in result.output
    assert "Traceback" not in result.output
    assert relative(target) == {"notes.txt"}
    assert (target / "notes.txt").read_text("utf-8") == "mine"


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "brief"
    target.write_text("not a folder", "utf-8")
    result = run("new", str(target))
    assert result.exit_code == 1
    assert f"error: {target} exists and is not a folder" in result.output
    assert target.read_text("utf-8") == "not a folder"


@pytest.mark.parametrize("present", [[], [".git"]])
def test_an_empty_folder_is_used(tmp_path: Path, present: list[str]) -> None:
    target = tmp_path / "brief"
    target.mkdir()
    for name in present:  # `git init` before `brief new` is fine
        (target / name).mkdir()
    assert run("new", str(target)).exit_code == 0
    assert FILES <= relative(target)


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_bytes
    calls = []

    def fail_on_the_fourth(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 4:
            raise OSError(28, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail_on_the_fourth)
    target = tmp_path / "new" / "brief"
    with pytest.raises(NewProjectError, match="No space left on device"):
        new_project(target)
    assert not (tmp_path / "new").exists()


# ---------------------------------------------------------------- it works, and is theirs


def test_brief_check_passes_on_the_new_project(starter: Path) -> None:
    result = run("check", "--project", str(starter))
    assert result.exit_code == 0, result.output
    assert "data/safe_water.csv" in result.output
    assert result.output.splitlines()[-1].startswith("OK:")


def test_the_data_say_they_are_an_example(starter: Path) -> None:
    descriptor = json.loads((starter / "data" / "datapackage.json").read_text("utf-8"))
    (resource,) = descriptor["resources"]
    assert "invented" in resource["description"].lower()
    assert all("invented" in s["title"].lower() for s in resource["sources"])
    keys = {s["key"] for s in resource["sources"]}
    bibliography = (starter / "references.bib").read_text("utf-8")
    assert all(f"{{{key}," in bibliography for key in keys)
    assert "EXAMPLE" in bibliography
    rows = (starter / "data" / "safe_water.csv").read_text("utf-8").splitlines()[1:]
    assert 8 <= len(rows) <= 10  # a real series for the chart


def test_the_starter_indicators_are_listed(starter: Path) -> None:
    result = run("indicators", "--project", str(starter), "--format", "json")
    assert result.exit_code == 0, result.output
    listed = {i["id"]: i for i in json.loads(result.output)}
    assert set(listed) == {"safe_water_households_latest", "safe_water_share_latest"}
    assert listed["safe_water_households_latest"]["period"] == "2024"
    assert listed["safe_water_households_latest"]["sources"][0]["key"] == "example2025water"


NEW_INDICATOR = '''

@indicator("households_latest", label="All households, latest year", unit="households",
           resources=WATER, formula="households in the latest year's row")
def households_latest(data: DataPackage) -> Result:
    row = latest(data, WATER, by="year")
    return Result(value=row["households"], period=period_text(row["year"]))
'''


def test_an_indicator_added_to_the_project_is_listed(starter: Path) -> None:
    catalogue = starter / "indicators.py"
    catalogue.write_text(catalogue.read_text("utf-8") + NEW_INDICATOR, "utf-8")
    result = run("indicators", "--project", str(starter), "--format", "json")
    assert result.exit_code == 0, result.output
    listed = {i["id"]: i for i in json.loads(result.output)}
    csv_rows = (starter / "data" / "safe_water.csv").read_text("utf-8").splitlines()
    assert listed["households_latest"]["value"] == float(csv_rows[-1].split(",")[1])
    assert len(listed) == 3
    assert run("check", "--project", str(starter)).exit_code == 0


def _line_count(path: Path) -> int:
    return len(path.read_text("utf-8").splitlines())


@pytest.mark.parametrize(("broken", "offset", "expected"), [
    ("def broken(:\n", 1, "syntax error"),
    ("LIMIT = 1 / 0\n", 1, "ZeroDivisionError"),
    ('\n\n@indicator("broken", label="Broken", unit="households", resources=WATER,\n'
     '           formula="a column that does not exist")\n'
     "def broken(data: DataPackage) -> Result:\n"
     '    return Result(value=data.table(WATER)["no_such_column"].iloc[-1])\n',
     6, "KeyError"),
])
def test_a_broken_indicators_file_is_located(starter: Path, broken: str, offset: int,
                                             expected: str) -> None:
    catalogue = starter / "indicators.py"
    line = _line_count(catalogue) + offset
    catalogue.write_text(catalogue.read_text("utf-8") + broken, "utf-8")
    result = run("check", "--project", str(starter))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    located = [x for x in result.output.splitlines() if x.startswith(f"indicators.py:{line}: ")]
    assert located and expected in located[0], result.output
    assert result.output.splitlines()[-1].startswith("FAILED:")


def test_help_lists_every_command_on_one_line() -> None:
    group = cli
    result = CliRunner().invoke(group, ["--help"])
    lines = result.output.split("Commands:")[1].strip("\n").splitlines()
    # One line per command: no continuation line (deeper indentation), nothing cut off.
    assert all(re.match(r"^  \S", line) and not line.rstrip().endswith("...")
               for line in lines), lines
    assert sorted(line.split()[0] for line in lines) == sorted(group.commands)
