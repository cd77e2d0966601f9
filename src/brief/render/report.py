"""Show a build's progress on the terminal with rich: one line per stage and chapter.

Kept apart from :mod:`brief.render.build` so the pipeline never prints and tests
can run it silently; the CLI calls :func:`run_build`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from brief.render.build import Progress, build
from brief.render.errors import SourceWarning
from brief.terminal import safe


class ConsoleProgress(Progress):
    """Prints each stage with its elapsed time, each executed chapter, and warnings."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.perf_counter()
        #: Factsheets finished since the last stage: executed and unchanged.
        self.sheets = [0, 0]

    def _elapsed(self) -> str:
        return f"[dim]{time.perf_counter() - self.started:5.1f}s[/dim]"

    def stage(self, name: str) -> None:
        executed, unchanged = self.sheets
        if executed or unchanged:  # one line for all of them, not one per factsheet
            self.console.print(f"{self._elapsed()}   factsheets: {executed} executed, "
                               f"{unchanged} unchanged", highlight=False)
            self.sheets = [0, 0]
        self.console.print(f"{self._elapsed()} [bold]{name}[/bold]")

    def factsheet(self, page: str, cached: bool) -> None:
        self.sheets[1 if cached else 0] += 1

    def chapter(self, path: str, cached: bool) -> None:
        what = "unchanged" if cached else "executed "
        self.console.print(f"{self._elapsed()}   {what} {escape(safe(path))}", highlight=False)

    def warning(self, warning: SourceWarning) -> None:
        self.console.print(str(warning), style="yellow", highlight=False, markup=False)


def run_build(root: Path, engine: str = "native", verbose: bool = False,
              fresh: bool = False) -> None:
    """Build the project at ``root`` with ``engine`` and report progress and the result."""
    console = Console(stderr=True, soft_wrap=True)  # a warning is one line, for grep
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    if engine == "quarto":
        from brief.render.quarto import render_with_quarto

        output = render_with_quarto(root)
        console.print(f"Built {output} with Quarto.", highlight=False)
        return
    result = build(root, ConsoleProgress(console), fresh=fresh)
    if result.up_to_date:
        noted = (f"; its {len(result.warnings)} warning"
                 f"{'s are' if len(result.warnings) != 1 else ' is'} above"
                 if result.warnings else "")
        console.print(f"Up to date: nothing changed since the last build of {result.output}"
                      f"{noted} (use --fresh to rebuild anyway).", highlight=False)
        return
    where = result.output.relative_to(root) if result.output.is_relative_to(root) \
        else result.output
    sheets = (f"{len(result.factsheets)} factsheets (page and PDF each), "
              if result.factsheets else "")
    console.print(
        f"OK: {len(result.pages)} pages, {sheets}{result.charts} charts and "
        f"{result.pdf.name} in {where}/ ({result.seconds:.1f} s, "
        f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}).",
        highlight=False)
    for pdf in result.editions:  # the translations, each a site of the same pages
        console.print(f"   {pdf.parent.name} edition: the same pages and {pdf.name} in "
                      f"{where}/{pdf.parent.name}/.", highlight=False)
