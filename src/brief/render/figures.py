"""Export every chart as SVG, PNG and the CSV of its plotted data.

The SVG shown in the site and printed in the PDF has the chart alone (its source line
is printed under it). The downloads carry their own credits, because a file travels
without the page: the CSV opens with a block of ``# `` lines (title, source, unit,
licence, version), and the PNG and a second SVG (``NAME-with-source.svg``) have them
as a footer.

The book's charts are exported here; the factsheets' (often many) by worker processes
while the pages are written (:class:`Background`).

One :class:`Exporter` serves a whole build: vl_convert's first conversion costs
about 0.8 s and later ones about 0.06 s, and its fonts are registered once per
process, before any conversion, or chart text would be missing. Files are named by
the chart's cell label (``fig-urban-growth.svg``), a factsheet's under its own folder
(``districts/north-hill/fig-water.svg``); the SVG also goes into the PDF.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from brief import spreadsheet
from brief.render.chart_worker import stable_ids, with_footer
from brief.render.chartfacts import plotted_rows, plotted_rows_raw  # noqa: F401 (API)
from brief.render.errors import RenderError
from brief.render.fonts import chart_font_dir
from brief.render.markdown import Chart, Picture

WORKER = Path(__file__).with_name("chart_worker.py")
#: Charts worth a worker process of their own (starting one costs about a second).
PER_WORKER = 16

_REGISTERED = False
_SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)"')


def _converter() -> Any:
    global _REGISTERED
    import vl_convert

    if not _REGISTERED:
        vl_convert.register_font_directory(str(chart_font_dir()))
        _REGISTERED = True
    return vl_convert


#: The downloadable SVG of chart NAME (with its credits as a footer).
DOWNLOAD_SVG = "{}-with-source.svg"


@dataclass(frozen=True)
class Credits:
    """What every downloaded chart says besides its own title and source."""

    #: The brief's title and version ("... , version 1.2.0").
    book: str
    version: str
    #: The licence of the text and data ("" when the project names none).
    license: str = ""


def _unit(chart: Chart) -> str:
    unit = ((chart.spec.get("usermeta") or {}).get("brief") or {}).get("unit", "")
    return str(unit)


def credit_lines(chart: Chart, credits: Credits) -> list[str]:
    """The lines that name a downloaded chart's title, source, unit, licence and
    version: the CSV's header block and the PNG/SVG footer."""
    lines = []
    if chart.caption:
        lines.append(f"Title: {chart.caption}")
    lines.append(f"Source: {chart.source or 'not stated by the brief'}")
    if _unit(chart):
        lines.append(f"Unit: {_unit(chart)}")
    if credits.license:
        lines.append(f"Licence: {credits.license}")
    lines.append(f"From: {credits.book}, version {credits.version}")
    return lines


def _csv_with_credits(chart: Chart, credits: Credits) -> str:
    block = "".join(f"# {' '.join(line.split())}\n" for line in credit_lines(chart, credits))
    return block + to_csv(plotted_rows(chart.spec))


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of ``rows`` with the union of their keys as header, in first-seen order."""
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spreadsheet.row(list(header)))
    for item in rows:
        writer.writerow(spreadsheet.row([item.get(k, "") for k in header]))
    return buffer.getvalue()


def _described(chart: Chart) -> dict[str, Any]:
    spec = dict(chart.spec)
    if chart.alt:
        spec["description"] = chart.alt
    return spec


class Exporter:
    """Writes chart files into one folder (the staging site's ``figures/``)."""

    def __init__(self, folder: Path, credits: Credits) -> None:
        self.folder = folder
        self.credits = credits
        folder.mkdir(parents=True, exist_ok=True)

    def chart(self, chart: Chart) -> float:
        """Write ``NAME.svg``, and the downloads ``NAME.png`` (2x),
        ``NAME-with-source.svg`` and ``NAME.csv``; return the SVG's width.

        The width (in CSS pixels) lets the PDF print every chart at one scale, so
        chart text is the same size in every figure.
        """
        converter = _converter()
        spec = _described(chart)
        try:
            svg = stable_ids(converter.vegalite_to_svg(spec), chart.name)
            download = with_footer(svg, credit_lines(chart, self.credits))
            # The PNG from the SVG: the same pixels as vegalite_to_png, without running
            # Vega a second time.
            png = converter.svg_to_png(download, scale=2)
        except Exception as exc:  # vl_convert raises plain ValueError/RuntimeError
            raise RenderError(f"{chart.chapter}: chart {chart.name} cannot be drawn: {exc}"
                              ) from None
        base = self.folder / chart.name
        base.parent.mkdir(parents=True, exist_ok=True)  # a factsheet's charts: a subfolder
        base.with_name(f"{base.name}.svg").write_text(svg, encoding="utf-8")
        base.with_name(DOWNLOAD_SVG.format(base.name)).write_text(download, encoding="utf-8")
        base.with_name(f"{base.name}.png").write_bytes(png)
        base.with_name(f"{base.name}.csv").write_text(_csv_with_credits(chart, self.credits),
                                                      encoding="utf-8")
        match = _SVG_WIDTH.search(svg)
        return float(match.group(1)) if match else 0.0

    def picture(self, picture: Picture) -> None:
        """Write a static image a cell displayed."""
        target = self.folder / f"{picture.name}{picture.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(picture.data)


class Background:
    """Charts exported by worker processes (:mod:`chart_worker`) while the build goes on.

    For the many charts of factsheets: one worker per :data:`PER_WORKER` charts, at most
    one per core. The CSVs are written here at once; :meth:`wait` returns the SVG widths.
    Use it as a context manager: leaving the block stops workers still running.
    """

    def __init__(self, folder: Path, charts: list[Chart], work: Path, credits: Credits,
                 workers: int | None = None) -> None:
        self.charts = {c.name: c for c in charts}
        self.processes: list[subprocess.Popen[str]] = []
        if not charts:
            return
        cores = workers or os.cpu_count() or 2
        count = max(1, min(cores, -(-len(charts) // PER_WORKER)))
        fonts = [str(chart_font_dir())]
        for n in range(count):
            job = work / f"charts-{n}.json"
            job.write_text(json.dumps([
                {"name": c.name, "spec": _described(c), "svg": str(folder / f"{c.name}.svg"),
                 "png": str(folder / f"{c.name}.png"),
                 "download": str(folder / DOWNLOAD_SVG.format(c.name)),
                 "footer": credit_lines(c, credits)} for c in charts[n::count]],
                ensure_ascii=False), encoding="utf-8")
            self.processes.append(subprocess.Popen(
                [sys.executable, str(WORKER), str(job), *fonts],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for chart in charts:
            target = folder / f"{chart.name}.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_csv_with_credits(chart, credits), encoding="utf-8")

    def wait(self) -> dict[str, float]:
        """The SVG width of every chart once all are written; a chart that cannot be
        drawn is a :class:`RenderError` naming its source and its name."""
        widths: dict[str, float] = {}
        for process in self.processes:
            out, err = process.communicate()
            try:
                reply = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
            except ValueError:
                reply = {}
            if process.returncode != 0 or "error" in reply:
                name = str(reply.get("name", ""))
                chapter = self.charts[name].chapter if name in self.charts else "a factsheet"
                # vl_convert's message ends with a JavaScript stack: keep its first lines.
                detail = " ".join(str(reply.get("error") or "").splitlines()[:2]) or \
                    " ".join(err.strip().splitlines()[-2:])
                raise RenderError(f"{chapter}: chart {name or '?'} cannot be drawn: {detail}")
            widths.update(reply)
        return widths

    def __enter__(self) -> Background:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for process in self.processes:
            if process.returncode is None:  # not waited for: a failure elsewhere
                if process.poll() is None:
                    process.kill()
                process.communicate()  # also closes its pipes
