"""The one exception the render stages raise, and the warnings they collect.

A :class:`RenderError` carries a message that already says where the problem is
(``chapters/02-x.qmd:41: cell fig-growth: ZeroDivisionError: ...``), so the CLI
prints it as is and exits 1, with no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class RenderError(Exception):
    """A build cannot go on; the message names the file and place to fix."""


@dataclass(frozen=True)
class SourceWarning:
    """Something the build could not render faithfully, located in a source file."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: warning: {self.message}"
