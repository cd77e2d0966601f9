"""The project owns its indicator catalogue: loading it, locating its errors, and the
guarantee that the engine holds no brief's content."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brief.catalogue import compute_indicators, load_catalogue
from brief.cli import cli
from brief.datapackage import read_descriptor
from brief.problems import DataError
from brief.render.cache import code_digest

REPO = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((Path(__file__).parent / "cases" / "bad_indicators.yml")
                       .read_text("utf-8"))


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"crashed: {result.exception!r}")
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_broken_catalogue_gives_a_located_message(project: Path, case: dict) -> None:
    # The real brief's catalogue is a package; a project's indicators.py takes precedence.
    if "indicators" in case:
        (project / "indicators.py").write_text(case["indicators"], "utf-8")
    else:
        shutil.rmtree(project / "indicators")
    for name, text in case.get("files", {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, "utf-8")
    result = _run("check", "--project", str(project))
    assert result.exit_code == 1, result.output
    for expected in [case["expect"]] if isinstance(case["expect"], str) else case["expect"]:
        assert expected in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("FAILED:")
    # The other commands that read the catalogue fail the same way, without a traceback.
    if " cites " not in case["name"]:
        listed = _run("indicators", "--project", str(project))
        assert listed.exit_code == 1


def test_a_project_without_indicators_py_is_valid_and_has_none(project: Path) -> None:
    shutil.rmtree(project / "indicators")
    result = _run("check", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("0 indicators computed.")
    listed = _run("indicators", "--format", "json", "--project", str(project))
    assert listed.exit_code == 0 and json.loads(listed.output) == []
    assert _run("indicators", "--format", "csv", "--project", str(project)).output == (
        "id,value,unit,period,label,sources\n")


def test_a_new_indicator_appears_without_touching_the_package(project: Path) -> None:
    before = {i["id"] for i in json.loads(
        _run("indicators", "--format", "json", "--project", str(project)).output)}
    with (project / "indicators" / "census.py").open("a", encoding="utf-8") as file:
        file.write('''

@indicator("rural_population_latest", label="Rural population at the latest census",
           unit="persons", resources="census_population",
           formula="total population minus urban population, latest census")
def rural_population_latest(data: DataPackage) -> Result:
    _, last = latest_two(data, "census_population")
    return Result(value=last["total_population"] - last["urban_population"],
                  period=period_text(last["year"]))
''')
    items = {i["id"]: i for i in json.loads(
        _run("indicators", "--format", "json", "--project", str(project)).output)}
    assert set(items) - before == {"rural_population_latest"}
    with (project / "data" / "census_population.csv").open(encoding="utf-8") as file:
        last = max(csv.DictReader(file), key=lambda r: int(r["year"]))
    assert items["rural_population_latest"]["value"] == (
        int(last["total_population"]) - int(last["urban_population"]))
    assert items["rural_population_latest"]["period"] == last["year"]
    assert [s["publisher"] for s in items["rural_population_latest"]["sources"]]


def test_the_catalogue_is_imported_again_when_it_changes(project: Path) -> None:
    first = load_catalogue(project)
    assert load_catalogue(project) is first  # cached while unchanged
    path = project / "indicators" / "surveys.py"
    path.write_text(path.read_text("utf-8").replace('"wards"', '"city wards"'), "utf-8")
    second = load_catalogue(project)
    assert second is not first
    assert second.definitions["hcmc_majority_migrant_wards"].unit == "city wards"


def test_two_projects_in_one_process_keep_their_own_catalogues(project: Path,
                                                               tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "data").mkdir(parents=True)
    (other / "indicators.py").write_text(
        "from brief import Result, indicator\n\n"
        '@indicator("only_here", label="A", unit="persons", resources=(), formula="a")\n'
        "def only_here(data):\n    return Result(value=1)\n", "utf-8")
    assert load_catalogue(other).ids() == ["only_here"]
    assert "only_here" not in load_catalogue(project)
    assert "urban_growth_share" in load_catalogue(project)


def test_errors_of_the_catalogue_are_data_errors_for_the_library(project: Path) -> None:
    (project / "indicators.py").write_text("x = (\n", "utf-8")
    with pytest.raises(DataError) as error:
        compute_indicators(project)
    assert str(error.value.problems[0]).startswith("indicators.py:1: syntax error:")


def test_the_build_cache_keys_on_the_catalogue_and_the_settings(project: Path) -> None:
    (project / "_quarto.yml").write_text("book:\n  title: T\n", "utf-8")
    before = code_digest(project)
    path = project / "indicators" / "provinces.py"
    path.write_text(path.read_text("utf-8") + "\n# a comment\n", "utf-8")
    after_catalogue = code_digest(project)
    assert after_catalogue != before
    (project / "_quarto.yml").write_text(
        'book:\n  title: T\nbrief:\n  style:\n    palette: ["#112233"]\n', "utf-8")
    assert code_digest(project) != after_catalogue


def test_the_brief_gives_the_values_of_release_0_1_0_where_its_data_are_unchanged() -> None:
    """The catalogue moved out of the package without changing a value: every indicator of
    release 0.1.0 whose data files still have the archived SHA-256 has the same value."""
    import hashlib

    folder = REPO / "releases" / "0.1.0"
    archived = {i["id"]: i for i in json.loads((folder / "indicators.json").read_text("utf-8"))}
    inputs = json.loads((folder / "manifest.json").read_text("utf-8"))["inputs"]
    now = compute_indicators(REPO)
    assert set(archived) <= set(now), "an indicator of the release has disappeared"
    compared = 0
    for id, old in archived.items():
        files = [f"data/{name}.csv" for name in old["resources"]]
        if any(hashlib.sha256((REPO / f).read_bytes()).hexdigest() != inputs.get(f)
               for f in files):
            continue  # its data changed since the release: a new value is expected
        new = now[id].to_dict()
        for key in ("value", "low", "high", "unit", "period", "label"):
            assert new.get(key) == old.get(key), (id, key)
        compared += 1
    assert compared >= 1


#: Where this brief's content must never appear.
ENGINE = REPO / "src" / "brief"


def _engine_text() -> dict[str, str]:
    return {str(p.relative_to(REPO)): p.read_text("utf-8") for p in ENGINE.rglob("*")
            if p.is_file() and p.suffix in {".py", ".lua", ".typ", ".css", ".js", ".html",
                                            ".yml", ".yaml", ".json", ".qmd", ".md", ".csv",
                                            ".bib", ""}
            and "__pycache__" not in p.parts}


def test_the_engine_names_none_of_this_briefs_indicators_resources_or_country() -> None:
    ids = load_catalogue(REPO).ids()
    package, problems = read_descriptor(REPO / "data")
    assert package is not None and not problems
    names = [*ids, *package.resources, "Viet Nam", "Vietnam", "hcmc", "vms20"]
    assert len(ids) > 10 and len(package.resources) >= 5
    found = [f"{file}: {name}" for file, text in _engine_text().items() for name in names
             if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text,
                          flags=re.IGNORECASE if " " in name else 0)]
    assert not found, "the engine names this brief's content:\n" + "\n".join(found)


def test_the_engine_check_itself_can_fail(tmp_path: Path) -> None:
    """The scan above would see an id in the engine's files (it is not vacuous)."""
    text = "x = fmt('urban_growth_share')\n"
    assert re.search(r"(?<![A-Za-z0-9_])urban_growth_share(?![A-Za-z0-9_])", text)
    assert "src/brief/indicators.py" in _engine_text()


def test_preview_rebuilds_when_the_catalogue_changes(project: Path) -> None:
    from brief.preview import watched_files

    assert project / "indicators" / "census.py" in set(watched_files(project))


def test_preview_watches_the_factsheet_index_page() -> None:
    from brief.preview import watched_files

    assert REPO / "provinces" / "index.qmd" in set(watched_files(REPO))


def test_check_finds_an_undefined_id_in_the_factsheet_template(tmp_path: Path,
                                                               monkeypatch) -> None:
    """The template and the index page of factsheets cite indicators like chapters do."""
    root = tmp_path / "mini"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", root,
                    ignore=shutil.ignore_patterns("_book", ".brief-*", "figures"))
    template = root / "chapters" / "area.qmd"
    text = template.read_text("utf-8")
    template.write_text(text.replace('fmt("piped_share_latest")', 'fmt("piped_share_lastest")'),
                        "utf-8")
    line = next(n for n, row in enumerate(template.read_text("utf-8").splitlines(), start=1)
                if "piped_share_lastest" in row)
    monkeypatch.chdir(root)
    result = _run("check")
    assert result.exit_code == 1
    assert f"chapters/area.qmd:{line}" in result.output
    assert "'piped_share_lastest' is cited but not defined" in result.output
