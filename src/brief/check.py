"""``brief check``: validate the data package, load the project's indicator catalogue,
compute every indicator and check that the chapters and calls to action cite only
indicators that exist.

Returns a :class:`CheckReport` that the CLI prints; nothing here prints or exits,
so tests and the build can use the same function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from brief.catalogue import load_catalogue, undefined_citations
from brief.datapackage import validate
from brief.diff import file_key, inside
from brief.indicators import Catalogue, Indicator
from brief.problems import DataError, Problem


@dataclass
class TableSummary:
    name: str
    file: str
    rows: int
    sources: int


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass
class CheckReport:
    """Everything ``brief check`` found: problems, or what a clean package holds."""

    problems: list[Problem] = field(default_factory=list)
    tables: list[TableSummary] = field(default_factory=list)
    indicators: dict[str, Indicator] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def verdict(self) -> str:
        """The one-line verdict that closes the report."""
        if self.ok:
            rows = sum(t.rows for t in self.tables)
            return (f"OK: {_count(len(self.tables), 'table')}, {_count(rows, 'row')}, "
                    f"{_count(len(self.indicators), 'indicator')} computed.")
        n = len(self.problems)
        files = len({p.file for p in self.problems})
        return (f"FAILED: {n} problem{'s' if n != 1 else ''} in {files} "
                f"file{'s' if files != 1 else ''}. Fix them and run `brief check` again.")


def chapter_files(root: Path) -> list[str]:
    """The book's pages, from ``_quarto.yml`` when it can be read (the chapters, then
    the factsheet template and index, which cite indicators too), else every ``.qmd``
    file at the root and under ``chapters/``."""
    from brief.render.errors import RenderError
    from brief.render.project import load_project

    if (root / "_quarto.yml").is_file():
        try:
            project = load_project(root)
        except RenderError:
            pass  # the build reports the configuration; check what can be found
        else:
            sheets = project.factsheets
            pages = [sheets.template, sheets.index] if sheets is not None else []
            return [c.path for c in project.chapters] + [p for p in pages if p is not None]
    found = [*root.glob("*.qmd"), *(root / "chapters").rglob("*.qmd")]
    return sorted(p.relative_to(root).as_posix() for p in found)


def _calls_problems(root: Path, catalogue: Catalogue) -> list[Problem]:
    from brief import calls
    from brief.settings import SettingsError

    path = root / "chapters" / "calls-to-action.yml"
    if not path.is_file():
        return []
    try:
        calls.load(path, indicators=catalogue.ids())
    except calls.CallsError as exc:
        return [calls.as_problem(message) for message in exc.problems]
    except SettingsError as exc:
        return [Problem("_quarto.yml", str(exc).removeprefix("_quarto.yml: "))]
    return []


def _foreign_files(data: Path) -> list[Problem]:
    """Files in ``data/`` that are links out of the project, or whose names are not
    UTF-8: neither is read, hashed or published."""
    problems: list[Problem] = []
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        shown = f"data/{file_key(path.relative_to(data))}"
        if path.is_symlink() and not inside(path, data):
            problems.append(Problem(shown, "is a link to a file outside data/ (expected the "
                                           "file itself, inside the project)"))
        elif not shown.isprintable() or "\\x" in shown:
            problems.append(Problem(shown, "has a file name that is not UTF-8 text (expected "
                                           "a name such as notes.txt)"))
    return problems


def check(root: Path) -> CheckReport:
    """Check the project at ``root``: its ``data/``, its ``indicators.py``, and the ids
    its chapters and calls to action cite. Indicators are computed only when the data
    and the catalogue are sound."""
    package, problems = validate(root / "data")
    report = CheckReport(problems=_foreign_files(root / "data") + list(problems))
    try:
        catalogue = load_catalogue(root)
    except DataError as exc:
        report.problems += exc.problems
        return report
    report.problems += undefined_citations(root, catalogue, chapter_files(root))
    report.problems += _calls_problems(root, catalogue)
    if package is None or problems:
        return report
    for resource in package.resources.values():
        frame = package.table(resource.name)
        report.tables.append(TableSummary(resource.name, resource.file, len(frame),
                                          len(resource.sources)))
    indicators, indicator_problems = catalogue.compute(package)
    report.indicators = indicators
    report.problems += indicator_problems
    return report
