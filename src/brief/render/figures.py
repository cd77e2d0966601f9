"""Export every chart as SVG, PNG and the CSV of its plotted data.

One :class:`Exporter` serves a whole build: vl_convert's first conversion costs
about 0.8 s and later ones about 0.06 s, and its fonts are registered once per
process, before any conversion, or chart text would be missing. Files are named by
the chart's cell label (``fig-urban-growth.svg``); the SVG also goes into the PDF.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from brief.render.errors import RenderError
from brief.render.fonts import font_dirs
from brief.render.markdown import Chart, Picture

_REGISTERED = False
_SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)"')


def _converter() -> Any:
    global _REGISTERED
    import vl_convert

    if not _REGISTERED:
        for folder in font_dirs():
            vl_convert.register_font_directory(str(folder))
        _REGISTERED = True
    return vl_convert


def plotted_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a chart plots: its top-level named or inline dataset.

    Columns whose name starts with ``_`` are helpers (bar labels) and are dropped.
    """
    data = spec.get("data") or {}
    rows: list[dict[str, Any]] = []
    if isinstance(data, dict) and "values" in data:
        rows = data["values"]
    elif isinstance(data, dict) and data.get("name") in spec.get("datasets", {}):
        rows = spec["datasets"][data["name"]]
    elif spec.get("datasets"):
        rows = next(iter(spec["datasets"].values()))
    return [{k: v for k, v in row.items() if not str(k).startswith("_")}
            for row in rows if isinstance(row, dict)]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of ``rows`` with the union of their keys as header, in first-seen order."""
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


class Exporter:
    """Writes chart files into one folder (the staging site's ``figures/``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def chart(self, chart: Chart) -> float:
        """Write ``NAME.svg``, ``NAME.png`` (2x) and ``NAME.csv``; return the SVG's width.

        The width (in CSS pixels) lets the PDF print every chart at one scale, so
        chart text is the same size in every figure.
        """
        converter = _converter()
        spec = dict(chart.spec)
        if chart.alt:
            spec["description"] = chart.alt
        try:
            svg = converter.vegalite_to_svg(spec)
            png = converter.vegalite_to_png(spec, scale=2)
        except Exception as exc:  # vl_convert raises plain ValueError/RuntimeError
            raise RenderError(f"{chart.chapter}: chart {chart.name} cannot be drawn: {exc}"
                              ) from None
        (self.folder / f"{chart.name}.svg").write_text(svg, encoding="utf-8")
        (self.folder / f"{chart.name}.png").write_bytes(png)
        (self.folder / f"{chart.name}.csv").write_text(to_csv(plotted_rows(spec)),
                                                       encoding="utf-8")
        match = _SVG_WIDTH.search(svg)
        return float(match.group(1)) if match else 0.0

    def picture(self, picture: Picture) -> None:
        """Write a static image a cell displayed."""
        (self.folder / f"{picture.name}{picture.suffix}").write_bytes(picture.data)
