"""Located problems: the one shape in which bad input is reported.

Every check in the package returns :class:`Problem` objects rather than raising, so
that ``brief check`` can list every problem at once, one per line, in the form
``data/FILE.csv:ROW: column COL: what is wrong (expected ...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from brief.terminal import safe


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    ``file`` is relative to the project root (``data/population.csv``);
    ``row`` is the physical line number in that file (the header is line 1);
    ``column`` names a CSV column or, for the descriptor, a place in the JSON.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        column = f" column {self.column}:" if self.column else ""
        return safe(f"{where}:{column} {self.message}")


class DataError(Exception):
    """Raised when the data package cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
