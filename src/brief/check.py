"""``brief check``: validate the data package and compute every indicator.

Returns a :class:`CheckReport` that the CLI prints; nothing here prints or exits,
so tests and the build can use the same function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from brief.datapackage import validate
from brief.indicators import Indicator, compute
from brief.problems import Problem


@dataclass
class TableSummary:
    name: str
    file: str
    rows: int
    sources: int


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
            return (f"OK: {len(self.tables)} tables, {rows} rows, "
                    f"{len(self.indicators)} indicators computed.")
        n = len(self.problems)
        files = len({p.file for p in self.problems})
        return (f"FAILED: {n} problem{'s' if n != 1 else ''} in {files} "
                f"file{'s' if files != 1 else ''}. Fix them and run `brief check` again.")


def check(data_dir: Path) -> CheckReport:
    """Validate ``data_dir`` and, when it is sound, compute the indicator catalogue."""
    package, problems = validate(data_dir)
    report = CheckReport(problems=list(problems))
    if package is None or problems:
        return report
    for resource in package.resources.values():
        frame = package.table(resource.name)
        report.tables.append(TableSummary(resource.name, resource.file, len(frame),
                                          len(resource.sources)))
    indicators, indicator_problems = compute(package)
    report.indicators = indicators
    report.problems += indicator_problems
    return report
