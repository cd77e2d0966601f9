"""The build cache is correct: after each kind of change, the output equals a fresh build.

Each case edits a built copy of the fixture book, rebuilds with the cache, records which
chapters really executed, then rebuilds the same inputs with ``fresh=True`` in a second
copy and compares every output file byte for byte.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from brief.diff import file_hashes
from brief.render.build import Progress, build

pytestmark = pytest.mark.render


class Executed(Progress):
    """Records the chapters that executed rather than being served from the cache."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def chapter(self, path: str, cached: bool) -> None:
        if not cached:
            self.paths.add(path)



def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def prose(root: Path) -> None:
    replace(root / "chapters" / "01-access.qmd", "Piped coverage rose to",
            "By the latest survey piped coverage rose to")


def household_csv(root: Path) -> None:
    replace(root / "data" / "household_water.csv", "2020,1000000,350000",
            "2020,1000000,375000")


def school_csv(root: Path) -> None:
    replace(root / "data" / "school_water.csv", "water_audit,Fixture school water audit,2019,55",
            "water_audit,Fixture school water audit,2019,56")


def figures_csv(root: Path) -> None:
    # A row no indicator uses: the glossary's table shows it, chapter 1 read the table.
    replace(root / "data" / "published_figures.csv", "from wells or rivers before use,48,",
            "from wells or rivers before use,49,")


def unread_csv(root: Path) -> None:
    path = root / "data" / "tanker_deliveries.csv"
    text = path.read_text("utf-8")
    first, *rest = text.splitlines()
    path.write_text("\n".join([first, *rest[::-1]]) + "\n", "utf-8")  # same rows, new order


def new_resource(root: Path) -> None:
    # A table no page reads, listed by the glossary (which goes through every resource).
    import json

    descriptor = root / "data" / "datapackage.json"
    package = json.loads(descriptor.read_text("utf-8"))
    copy = json.loads(json.dumps(next(r for r in package["resources"]
                                      if r["name"] == "tanker_deliveries")))
    copy.update(name="tanker_deliveries_copy", title="Tanker deliveries again (fixture)",
                path="tanker_deliveries_copy.csv")
    package["resources"].append(copy)
    descriptor.write_text(json.dumps(package, ensure_ascii=False, indent=1), "utf-8")
    (root / "data" / "tanker_deliveries_copy.csv").write_bytes(
        (root / "data" / "tanker_deliveries.csv").read_bytes())


def code(root: Path) -> None:
    replace(root / "chapters" / "a1-glossary.qmd", 'table("published_figures")',
            'table("published_figures").head(3)')


def calls_yml(root: Path) -> None:
    replace(root / "chapters" / "calls-to-action.yml", "publish its results.",
            "publish every result.")


def catalogue(root: Path) -> None:
    replace(root / "indicators.py", 'formula="piped population / population x 100, latest survey"',
            'formula="piped population / all residents x 100, latest survey"')


ALL = {"index.qmd", "chapters/01-access.qmd", "chapters/a1-glossary.qmd",
       "chapters/references.qmd"}

CASES: list[tuple[str, Callable[[Path], None], set[str]]] = [
    ("prose only", prose, set()),
    ("a CSV read by two pages", household_csv, {"index.qmd", "chapters/01-access.qmd"}),
    ("a CSV read by one page", school_csv, {"chapters/01-access.qmd"}),
    ("a CSV read by a chapter and an appendix", figures_csv,
     {"chapters/01-access.qmd", "chapters/a1-glossary.qmd"}),
    ("a CSV no page reads", unread_csv, set()),
    ("a new resource", new_resource, {"chapters/a1-glossary.qmd"}),
    ("one page's code", code, {"chapters/a1-glossary.qmd"}),
    # Side files under chapters/ and the project's indicators.py are code of every page.
    ("the calls to action", calls_yml, ALL),
    ("the indicator catalogue", catalogue, ALL),
]


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_cached_rebuild_equals_fresh_build(built_mini: Path, tmp_path: Path, name: str,
                                           change: Callable[[Path], None],
                                           expected: set[str]) -> None:
    cached = tmp_path / "cached"
    shutil.copytree(built_mini, cached)
    change(cached)
    executed = Executed()
    build(cached, progress=executed)
    assert executed.paths == expected

    fresh = tmp_path / "fresh"
    shutil.copytree(cached, fresh, ignore=shutil.ignore_patterns("_book", ".brief-cache"))
    build(fresh, fresh=True)
    assert file_hashes(cached / "_book") == file_hashes(fresh / "_book")


def test_no_change_does_no_work(built_mini: Path, tmp_path: Path) -> None:
    root = tmp_path / "same"
    shutil.copytree(built_mini, root)
    before = file_hashes(root / "_book")
    assert build(root).up_to_date
    assert file_hashes(root / "_book") == before


def test_fresh_executes_everything(built_mini: Path, tmp_path: Path) -> None:
    root = tmp_path / "again"
    shutil.copytree(built_mini, root)
    executed = Executed()
    build(root, progress=executed, fresh=True)
    assert executed.paths == ALL


@pytest.mark.parametrize("target", ["notes", "index.qmd"])
def test_build_never_replaces_what_it_did_not_write(mini: Path, target: str) -> None:
    from brief.render.errors import RenderError

    if target == "notes":
        (mini / "notes").mkdir()
        (mini / "notes" / "keep.txt").write_text("mine", "utf-8")
    config = mini / "_quarto.yml"
    config.write_text(config.read_text("utf-8").replace("output-dir: _book",
                                                        f"output-dir: {target}"), "utf-8")
    before = file_hashes(mini)
    with pytest.raises(RenderError, match="refusing to replace it"):
        build(mini)
    after = {k: v for k, v in file_hashes(mini).items() if not k.startswith(".brief-cache/")
             and not k.startswith("figures/")}
    assert after == {k: v for k, v in before.items()}


def test_a_second_build_at_the_same_time_is_refused(mini: Path) -> None:
    from brief.paths import ProjectPaths
    from brief.render.build import _exclusive
    from brief.render.errors import RenderError

    with _exclusive(ProjectPaths(mini)), pytest.raises(RenderError, match="another build"):
        build(mini)


def test_a_tampered_or_emptied_entry_is_never_served(built_mini: Path, tmp_path: Path) -> None:
    """An entry edited after it was written (a flipped figure, reads emptied so that it
    would match any data) fails its seal and its page is executed again."""
    import json

    root = tmp_path / "tampered"
    shutil.copytree(built_mini, root)
    entries = sorted((root / ".brief-cache" / "execute").glob("*.json"))
    assert entries
    edited = 0
    for entry in entries:
        stored = json.loads(entry.read_text("utf-8"))
        if stored["inline_values"]:
            stored["inline_values"] = ["TAMPERED"] * len(stored["inline_values"])
            edited += 1
        stored["reads"] = {}
        entry.write_text(json.dumps(stored), "utf-8")
    assert edited
    prose(root)  # the output is out of date: the build must look at its cache
    executed = Executed()
    build(root, progress=executed)
    assert executed.paths == ALL - {"chapters/references.qmd"}  # it has no code
    for page in (root / "_book").rglob("*.html"):
        assert "TAMPERED" not in page.read_text("utf-8"), page
