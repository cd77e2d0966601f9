"""Assemble an executed chapter into pandoc Markdown, the same text for both targets.

Outputs become Markdown the way Quarto does it: a chart is a figure whose image is
the chart's SVG (the HTML stage swaps in the interactive chart), a DataFrame is a
pipe table with its caption and ``#tbl-`` id, ``output: asis`` text and
``text/markdown`` results are spliced in as Markdown, other printed text is a code
block. Charts are collected as :class:`Chart` records for the figure export.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from brief import strings
from brief.display import escape_markdown
from brief.render import chartfacts
from brief.render.errors import SourceWarning
from brief.render.execute import Executed, ExecutedCell, traceback_text
from brief.render.project import Chapter
from brief.render.qmd import Cell, Markdown, escape_text, placeholder, unescape_shortcodes

VEGALITE = "application/vnd.vegalite.v6+json"
TABLE = "application/vnd.brief.table+json"
FIGURES = "figures"
#: Outputs that need a notebook's scripts to be seen (widgets, plotly).
INTERACTIVE = ("application/vnd.jupyter.widget-view+json", "application/vnd.plotly.v1+json",
               "application/vnd.bokehjs_exec.v0+json", "application/javascript")
#: The line display.source_line() prints under a chart, with its sources in full words.
_SOURCE_LINE = re.compile(r'\{\.chart-source plain="((?:[^"\\]|\\.)*)"\}')


@dataclass
class Chart:
    """A chart to export and embed: its name (the cell label) and Vega-Lite spec."""

    name: str
    spec: dict[str, Any]
    chapter: str
    alt: str
    #: The figure's caption, and its sources in full words (from the source line under
    #: it), for the chart's downloads.
    caption: str = ""
    source: str = ""
    line: int | None = None


@dataclass
class Picture:
    """A static image a cell produced (PNG or SVG bytes), exported as is."""

    name: str
    data: bytes
    suffix: str


@dataclass
class Assembled:
    """One chapter as pandoc Markdown plus the charts and pictures it shows."""

    chapter: Chapter
    title: str
    text: str
    charts: list[Chart]
    pictures: list[Picture]
    warnings: list[SourceWarning]
    #: The id of the page's title heading (``sec-STEM`` unless the author gave one).
    title_id: str = ""


def inline_markdown(value: str) -> str:
    """An inline expression's value as Markdown, as Quarto inserts it (``[@key]`` is
    still a citation, ``**x**`` still bold), except that it cannot open raw HTML or
    raw code: ``<`` and backticks become entities. A place name from data such as
    ``<img onerror=...>`` is then shown as text, never run in a reader's browser."""
    return value.replace("<", "&lt;").replace("`", "&#96;")


def _attr_value(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


_CLASS = re.compile(r"-?[A-Za-z_][\w-]*")


def _classes(value: Any) -> str:
    """A cell's ``classes:`` option (``"a b"`` or a list) as div attributes (``.a .b``);
    what is not a class name is left out."""
    names = value.split() if isinstance(value, str) else value if isinstance(value, list) \
        else []
    return " ".join(f".{n}" for n in map(str, names) if _CLASS.fullmatch(n))


def _picture(output: dict[str, Any]) -> bool:
    """Whether an output is shown as a picture (PNG or SVG, not a chart or a table)."""
    data = output.get("data", {})
    return bool({"image/svg+xml", "image/png"} & set(data)) and not \
        ({VEGALITE, TABLE, "text/markdown"} & set(data))


def _nth(value: Any, number: int) -> str:
    """The ``number``-th (1-based) of a list option such as ``fig-subcap``, or ""."""
    if isinstance(value, list):
        return str(value[number - 1]) if number <= len(value) else ""
    return str(value) if value and number == 1 else ""


def _columns(options: dict[str, Any], panels: int) -> int:
    """How many panels a row: ``layout-ncol``, ``layout-nrow``, or ``layout``'s widest row."""
    for key in ("layout-ncol", "layout-nrow"):
        value = options.get(key)
        value = int(value) if isinstance(value, str) and value.isdigit() else value
        if isinstance(value, int) and value > 0:
            return value if key == "layout-ncol" else max(1, -(-panels // value))
    layout = options.get("layout")
    if isinstance(layout, str):
        try:
            layout = json.loads(layout)
        except ValueError:
            layout = None
    if isinstance(layout, list) and all(isinstance(row, list) for row in layout) and layout:
        return max(len(row) for row in layout) or 1
    return 1


def _fenced(text: str, cls: str) -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks} {{.{cls}}}\n{text.rstrip()}\n{ticks}"


def _pipe_table(data: dict[str, Any], caption: str | None, label: str | None) -> str:
    def cell(text: str) -> str:
        return escape_markdown(" ".join(str(text).split())) or " "

    columns = data.get("columns", [])
    numeric = data.get("numeric", [False] * len(columns))
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |",
             "|" + "|".join("--:" if n else ":--" for n in numeric) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in data.get("rows", [])]
    if caption or label:
        ident = f" {{#{label}}}" if label and label.startswith("tbl-") else ""
        lines += ["", f": {caption or ''}{ident}"]
    return "\n".join(lines)


class _Assembler:
    def __init__(self, executed: Executed, chapter: Chapter, defaults: dict[str, Any],
                 figures: str = "") -> None:
        self.executed = executed
        self.chapter = chapter
        self.defaults = defaults
        #: Prefix of this page's figure files (a factsheet's ``districts/north-hill/``).
        self.prefix = figures
        self.path = executed.document.path
        self.charts: list[Chart] = []
        self.pictures: list[Picture] = []
        self.warnings: list[SourceWarning] = []
        #: The panels of the cell being assembled, when its pictures are subfigures.
        self.panels: list[str] | None = None

    def option(self, cell: Cell, name: str, fallback: Any) -> Any:
        """A cell option: the cell's own, else the page's and project's ``execute:``,
        else (for ``code-fold`` and ``code-summary``) the page's front matter, at the top
        or under ``format: html:``, where Quarto reads them."""
        if name in cell.options:
            return cell.options[name]
        if name in self.defaults:
            return self.defaults[name]
        if name in ("code-fold", "code-summary"):
            meta = self.executed.document.meta
            html_format = (meta.get("format") or {}) if isinstance(meta.get("format"),
                                                                   dict) else {}
            html_options = html_format.get("html")
            if isinstance(html_options, dict) and name in html_options:
                return html_options[name]
            return meta.get(name, fallback)
        return fallback

    def name_for(self, cell: Cell, count: int) -> str:
        base = cell.label or f"{self.chapter.stem}-cell-{cell.line}"
        return base if count == 0 else f"{base}-{count + 1}"

    def caption(self, cell: Cell) -> str:
        """The cell's ``fig-cap``, with a warning when a figure has none (unless it sits
        in a figure div, whose caption is its own)."""
        caption = str(cell.options.get("fig-cap") or "")
        if not caption and not cell.in_figure:
            self.warnings.append(SourceWarning(self.path, cell.line, f"{cell.where()}: the "
                                               "figure has no fig-cap; add one so readers "
                                               "and the PDF can refer to it"))
        return caption

    def figure(self, cell: Cell, name: str, suffix: str, alt: str) -> str:
        """The figure ``name`` (its id when it is ``fig-...``), drawn from its file; or,
        while the cell's pictures are subfigures, its next panel (kept for :meth:`cell`)."""
        file = self.prefix + name
        src = f"{FIGURES}/{file}{suffix}"
        if self.panels is not None:  # Quarto's ids: fig-x-1, fig-x-2, ...
            number = len(self.panels) + 1
            subcaption = _nth(cell.options.get("fig-subcap"), number)
            alt = subcaption or alt or f"Panel {number} of {cell.where()} of {self.path}"
            self.panels.append(f"![{subcaption}]({src}){{#{cell.label}-{number} .brief-figure "
                               f"name={_attr_value(file)} fig-alt={_attr_value(alt)}}}")
            return ""
        caption = self.caption(cell)
        ident = f"#{name} " if name.startswith("fig-") else ""
        if not alt:  # screen readers, and the PDF/UA file, need some text for the image
            alt = f"Figure made by {cell.where()} of {self.path} (no description given)"
        attrs = f"{{{ident}.brief-figure name={_attr_value(file)} fig-alt={_attr_value(alt)}}}"
        return f"![{caption}]({src}){attrs}"

    def output(self, run: ExecutedCell, output: dict[str, Any], count: int) -> str | None:
        cell = run.cell
        kind = output.get("output_type")
        asis = self.option(cell, "output", True) == "asis"
        if kind == "stream":
            text = output.get("text", "")
            if output.get("name") != "stdout":  # shown as Quarto does, and a build warning
                return None if self.option(cell, "warning", True) is False else \
                    _fenced(text, "cell-output .cell-output-stderr")
            if asis:
                self.note_sources(text)
            return text if asis else _fenced(text, "cell-output")
        if kind == "error":  # a cell with error: true (any other error stops the build)
            return _fenced(traceback_text(output), "cell-output .cell-error")
        data = output.get("data", {})
        alt = str(cell.options.get("fig-alt") or cell.options.get("fig-cap") or "")
        if VEGALITE in data:
            name = self.name_for(cell, count)
            raw = data[VEGALITE]
            spec = raw if isinstance(raw, dict) else json.loads(raw)
            # The alt text states the numbers, read from the data the chart draws.
            alt = " ".join(p for p in (alt, chartfacts.key_numbers(spec)) if p)
            self.charts.append(Chart(self.prefix + name, spec, self.chapter.path, alt,
                                     caption=str(cell.options.get("fig-cap") or ""),
                                     line=cell.line))
            figure = self.figure(cell, name, ".svg", alt)
            table = chartfacts.data_table(spec)
            # The same numbers as a table under the chart (folded on the site, left out
            # of the PDF, which prints the chart with its labels).
            return figure + (f"\n\n::: {{.chart-data}}\n{_pipe_table(table, None, None)}\n:::\n"
                             if table else "")
        if TABLE in data:
            return _pipe_table(data[TABLE], cell.options.get("tbl-cap"), cell.label)
        if "text/markdown" in data:
            self.note_sources(str(data["text/markdown"]))
            return str(data["text/markdown"])
        for mime, suffix in (("image/svg+xml", ".svg"), ("image/png", ".png")):
            if mime in data:
                name = self.name_for(cell, count)
                raw = data[mime]
                blob = raw.encode("utf-8") if suffix == ".svg" else base64.b64decode(raw)
                self.pictures.append(Picture(self.prefix + name, blob, suffix))
                return self.figure(cell, name, suffix, alt)
        if "text/html" in data or any(m in data for m in INTERACTIVE):
            shown = self.web_output(cell, data)
            label, caption = cell.label or "", str(cell.options.get("fig-cap") or "")
            if count == 0 and label.startswith("fig-"):  # still Figure N, with its caption
                return f"::::::::: {{#{label}}}\n{shown}\n\n{caption}\n:::::::::"
            return shown
        if "text/plain" in data:
            text = str(data["text/plain"])
            return text if asis else _fenced(text, "cell-output")
        self.warnings.append(SourceWarning(self.path, cell.line, f"{cell.where()}: output of "
                                           f"type {', '.join(data) or kind} cannot be shown "
                                           "in both the site and the PDF; left out"))
        return None

    def web_output(self, cell: Cell, data: dict[str, Any]) -> str:
        """HTML a cell displayed (``HTML()``, a styled table) or an interactive widget
        (plotly, ipywidgets): static HTML goes on the site as it is; the PDF, and the
        site when the output needs scripts (which the site never loads from the web),
        show a note in its place, with a warning naming the cell."""
        markup = str(data.get("text/html", ""))
        interactive = any(m in data for m in INTERACTIVE) or "<script" in markup.lower()
        kinds = ", ".join(m for m in data if m != "text/plain")
        note = (f"::: {{.output-note}}\n*This output of {escape_text(cell.where())} "
                f"({escape_text(kinds)}) WHERE.*\n:::")
        if interactive:
            self.warnings.append(SourceWarning(
                self.path, cell.line, f"{cell.where()}: interactive output ({kinds}) needs "
                "scripts from the web, which the site never loads, and cannot be printed; "
                "a note stands in for it (draw it with brief.charts, or save an image)"))
            return note.replace("WHERE", "is interactive and needs scripts from the web; "
                                         "it is not shown in this offline edition")
        self.warnings.append(SourceWarning(
            self.path, cell.line, f"{cell.where()}: HTML output is shown on the site; the "
            "PDF has a note in its place (return a DataFrame or a chart to have it in both)"))
        pdf_note = note.replace("WHERE", "is shown on the website")
        return (f"::: {{.content-visible when-format=\"html\"}}\n```{{=html}}\n"
                f"{markup.strip()}\n```\n:::\n\n::: {{.content-visible when-format=\"pdf\"}}\n"
                f"{pdf_note}\n:::")

    def note_sources(self, text: str) -> None:
        """Give the chart above a source line (display.source_line) its sources."""
        found = _SOURCE_LINE.search(text)
        if found and self.charts and not self.charts[-1].source:
            self.charts[-1].source = re.sub(r"\\(.)", r"\1", found.group(1))

    def unsourced(self) -> list[SourceWarning]:
        """A warning for each chart with no source line under it."""
        return [SourceWarning(self.path, chart.line,
                              f"chart {chart.name} has no source line: print "
                              "display.source_line(...) from an `output: asis` cell right "
                              "after the chart, naming the tables it plots")
                for chart in self.charts if not chart.source]

    def code(self, cell: Cell) -> str:
        """The cell's code as a block: a listing when it has ``lst-label`` (with
        ``lst-cap``), folded on the site under ``code-summary`` with ``code-fold``."""
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", cell.code)),
                                     default=0))
        label = str(self.option(cell, "lst-label", "") or cell.label or "")
        caption = str(self.option(cell, "lst-cap", "") or "")
        if label.startswith("lst-"):
            attrs = f"{{#{label} .python" + (f" lst-cap={_attr_value(caption)}" if caption
                                             else "") + "}"
        else:
            attrs = "python"
        block = f"{fence}{attrs}\n{cell.code}\n{fence}"
        if self.option(cell, "code-fold", False) not in (True, "true", "show"):
            return block
        summary = str(self.option(cell, "code-summary", "") or strings.current()["code"])
        opened = " open=\"true\"" if self.option(cell, "code-fold", False) == "show" else ""
        return (f"::: {{.code-fold summary={_attr_value(summary)}{opened}}}\n{block}\n:::")

    def subfigures(self, cell: Cell, panels: list[str]) -> str:
        """The cell's pictures as one figure of panels (a), (b), ... side by side:
        ``layout-ncol``, else ``layout-nrow``, else the widest row of ``layout``, else
        one a row. The figure's caption is ``fig-cap``."""
        ncol = _columns(cell.options, len(panels))
        caption = self.caption(cell)
        body = "\n\n".join(panels)
        return f"::: {{#{cell.label} layout-ncol={ncol}}}\n{body}\n\n{caption}\n:::"

    def cell(self, run: ExecutedCell) -> str:
        cell = run.cell
        if self.option(cell, "include", True) is False:
            return ""
        pieces: list[str] = []
        if self.option(cell, "echo", True) is True:  # Quarto shows code unless told not to
            pieces.append(self.code(cell))
        if self.option(cell, "output", True) is not False:
            pictures = sum(1 for o in run.outputs if _picture(o))
            label = cell.label or ""
            if label.startswith("fig-") and pictures and \
                    (pictures > 1 or cell.options.get("fig-subcap")):
                self.panels = []  # one figure of subfigures, as Quarto makes it
            count = 0
            for output in run.outputs:
                text = self.output(run, output, count)
                if text is not None:
                    if output.get("output_type") in ("display_data", "execute_result"):
                        count += 1
                    pieces.append(text)
            if self.panels is not None:
                pieces.append(self.subfigures(cell, self.panels))
                self.panels = None
        text = "\n\n".join(p.strip("\n") for p in pieces if p.strip())
        if self.option(cell, "panel", None) == "tabset" and text:  # its outputs as tabs
            text = f"::::::: {{.panel-tabset}}\n{text}\n:::::::"
        classes = _classes(cell.options.get("classes"))
        if classes and text:  # Quarto puts them on the cell's block, for the book's CSS
            text = f":::::::: {{{classes}}}\n{text}\n::::::::"
        return text


def assemble(executed: Executed, chapter: Chapter, defaults: dict[str, Any],
             title: str | None = None, figures: str = "") -> Assembled:
    """Turn an executed chapter into Markdown with a level-1 heading for its title.

    A factsheet passes its own ``title`` (plain text from data, escaped here) instead
    of the template's, and ``figures``, the folder prefix of its figure files.
    """
    document = executed.document
    assembler = _Assembler(executed, chapter, defaults, figures)
    runs = {id(r.cell): r for r in executed.cells}
    blocks: list[str] = []
    heading = escape_markdown(title) if title is not None else document.title
    title_id = document.title_id or f"sec-{chapter.stem}"
    title = title if title is not None else document.title
    if title:
        classes = " .unnumbered" if chapter.kind == "unnumbered" else ""
        blocks.append(f"# {heading} {{#{title_id}{classes}}}")
    for part in document.parts:
        if isinstance(part, Markdown):
            blocks.append(unescape_shortcodes(part.text))
        elif id(part) in runs:
            blocks.append(assembler.cell(runs[id(part)]))
        else:  # eval: false: Quarto still shows the code, unless told not to
            blocks.append(assembler.cell(ExecutedCell(part, [])))
    text = "\n\n".join(b for b in blocks if b.strip()) + "\n"
    for inline in document.inlines:
        value = (executed.inline_values[inline.index]
                 if inline.index < len(executed.inline_values) else "")
        text = text.replace(placeholder(inline.index), inline_markdown(value))
    return Assembled(chapter, title, text, assembler.charts, assembler.pictures,
                     executed.warnings + assembler.warnings + assembler.unsourced(),
                     title_id)
