"""Factsheets: one page and one PDF per row of a data resource, from one template.

``brief: factsheets:`` in ``_quarto.yml`` names a template (a ``.qmd`` whose front
matter declares one parameter, Quarto style: ``params: {district: north-hill}``), the data
resource whose rows give the parameter's values, the column of those values (slugs,
which name the pages), the site folder of the pages, and optionally a column of page
titles and an index page. :func:`plan` checks all of it against the files and the
data before anything executes, and says where a problem is.

A factsheet is not a chapter: it is not numbered, not in the chapter list and not in
the book's PDF. Its instances execute together (see :mod:`brief.render.execute`);
each is then assembled and numbered as a book of one page (:func:`page_book`), so
``@fig-`` references resolve within the page, and written by :mod:`.html` (the site's
page template) and :mod:`.pdf` (a compact PDF of its own).
"""

from __future__ import annotations

import keyword
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from brief import strings
from brief.datapackage import open_package
from brief.problems import DataError
from brief.render import qmd, xref
from brief.render.errors import RenderError
from brief.render.execute import Executed, Instance
from brief.render.markdown import assemble
from brief.render.project import CONFIG, Chapter, Project
from brief.settings import SLUG, Factsheets

WHERE = f"{CONFIG}: brief.factsheets"
#: The index page's name in the factsheets' folder (no row may take it).
INDEX = "index"


@dataclass(frozen=True)
class Sheet:
    """One factsheet: a row of the resource."""

    #: The row's key: the parameter's value and the page's name.
    value: str
    title: str
    #: The row's line in the CSV (the header is line 1), for messages.
    line: int


@dataclass
class Plan:
    """What the factsheets of a project are: the template, its parameter, the pages."""

    config: Factsheets
    template: qmd.Document
    parameter: str
    sheets: list[Sheet]
    #: The index page's source, when ``index:`` names one.
    index: qmd.Document | None = None

    def page(self, sheet: Sheet) -> str:
        """``districts/north-hill.html``: the page, relative to the site root."""
        return f"{self.config.output}/{sheet.value}.html"

    def pdf(self, sheet: Sheet) -> str:
        """``districts/north-hill.pdf``: the factsheet's own PDF, beside its page."""
        return f"{self.config.output}/{sheet.value}.pdf"

    def figures(self, sheet: Sheet) -> str:
        """``districts/north-hill/``: the folder of its figures under ``figures/``."""
        return f"{self.config.output}/{sheet.value}/"

    def chapter(self, sheet: Sheet) -> Chapter:
        return Chapter(self.template.path, "unnumbered", page=self.page(sheet))

    @property
    def index_chapter(self) -> Chapter | None:
        if self.index is None:
            return None
        return Chapter(self.index.path, "unnumbered",
                       page=f"{self.config.output}/{INDEX}.html")

    def instances(self) -> list[Instance]:
        return [Instance(self.template, self.parameter, s.value) for s in self.sheets]


def _parameter(document: qmd.Document, text: str, key: str) -> tuple[str, Any]:
    """The template's one parameter and its default, from ``params:`` in its front matter."""
    raw = document.meta.get("params")
    line = xref.line_of(text, "params:") or 1
    example = f"params: {{district: north-hill}}, set to each row's {key} by the build"
    if not isinstance(raw, dict) or len(raw) != 1:
        raise RenderError(f"{document.path}:{line}: params: expected one parameter with its "
                          f"default in the front matter ({example})")
    name, default = next(iter(raw.items()))
    if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
            or name == "params"):
        raise RenderError(f"{document.path}:{line}: params: {name!r} cannot be a Python "
                          f"variable name (expected a name such as district: {example})")
    return name, default


def _sheets(project: Project, config: Factsheets) -> tuple[list[Sheet], str]:
    """The rows of the resource as sheets, and the CSV's path; located errors."""
    try:
        package = open_package(project.root / "data")
    except DataError:
        raise RenderError(f"{WHERE}.resource: the project has no readable "
                          "data/datapackage.json to take the rows from") from None
    try:
        resource = package.resource(config.resource)
    except KeyError:
        known = ", ".join(sorted(package.resources))
        raise RenderError(f"{WHERE}.resource: no resource named {config.resource!r} in "
                          f"data/datapackage.json (expected one of: {known})") from None
    frame = package.table(config.resource)
    for field, column in (("key", config.key), ("title", config.title)):
        if column is not None and column not in frame.columns:
            raise RenderError(f"{WHERE}.{field}: no column {column!r} in resource "
                              f"{resource.name} ({resource.file}; columns: "
                              f"{', '.join(map(str, frame.columns))})")
    if frame.empty:
        raise RenderError(f"{WHERE}.resource: {resource.file} has no rows (expected one row "
                          "per factsheet)")
    sheets: list[Sheet] = []
    first: dict[str, int] = {}
    for position, row in enumerate(frame.to_dict("records")):
        line = position + 2
        raw = row[config.key]
        value = "" if pd.isna(raw) else str(raw)
        where = f"{WHERE}.key: {resource.file}:{line}: column {config.key}"
        if not SLUG.match(value):
            raise RenderError(f"{where}: {value!r} is not a page name (expected lowercase "
                              "ASCII letters and digits joined by single hyphens, such as "
                              "north-hill)")
        if value in first:
            raise RenderError(f"{where}: {value!r} also names the page of line "
                              f"{first[value]} (expected each value once)")
        if value == INDEX and config.index is not None:
            raise RenderError(f"{where}: 'index' is the name of the index page (choose "
                              "another value)")
        first[value] = line
        title = row.get(config.title) if config.title is not None else None
        title_text = "" if title is None or pd.isna(title) else " ".join(str(title).split())
        # As the edition writes the name (the language file's `names:`, if any).
        title_text = strings.current().term("names", title_text)
        sheets.append(Sheet(value, title_text or value, line))
    return sheets, resource.file


def plan(project: Project) -> Plan | None:
    """The factsheets of ``project`` checked against its files and data, or None.

    Raises :class:`RenderError` naming the key of ``_quarto.yml`` (and the row of the
    data, or the line of the template) when the template, the resource, a column or a
    value cannot make the pages.
    """
    config = project.factsheets
    if config is None:
        return None
    template = qmd.read(project.root, config.template)
    text = (project.root / config.template).read_text(encoding="utf-8")
    parameter, default = _parameter(template, text, config.key)
    sheets, file = _sheets(project, config)
    if str(default) not in {s.value for s in sheets}:
        line = xref.line_of(text, "params:") or 1
        raise RenderError(f"{config.template}:{line}: params: the default {parameter} "
                          f"{default!r} is not a value of column {config.key} in {file} "
                          f"(expected one of its rows, such as {sheets[0].value})")
    index = qmd.read(project.root, config.index) if config.index is not None else None
    return Plan(config, template, parameter, sheets, index)


def _references() -> list[dict[str, Any]]:
    """pandoc JSON for the short reference list at the end of a factsheet."""
    return [
        {"t": "Header", "c": [2, ["references", ["unnumbered"], []],
                              [{"t": "Str", "c": strings.current()["references"]}]]},
        {"t": "Div", "c": [["refs", [], []], []]},
    ]


def page_book(executed: Executed, chapter: Chapter, defaults: dict[str, Any],
              sources: dict[str, str], title: str | None = None, figures: str = "",
              references: bool = False) -> xref.Book:
    """One page (a factsheet or the index) assembled and numbered on its own.

    With ``references`` (and citations on the page), a "References" section listing the
    works the page cites is added at its end, for the site and the PDF alike.
    """
    assembled = assemble(executed, chapter, defaults, title=title, figures=figures)
    ast = xref.parse(assembled)
    book = xref.number([assembled], [ast], sources)
    book.warnings = assembled.warnings + book.warnings
    if references and book.citations:
        ast["blocks"] = ast["blocks"] + _references()
    return book


def sheet_books(plan: Plan, executed: list[Executed], project: Project,
                sources: dict[str, str]) -> list[xref.Book]:
    """Every factsheet as its own numbered page, in the order of the resource's rows."""
    defaults = plan.template.execute_options(project.execute)
    references = project.bibliography is not None

    def one(pair: tuple[Sheet, Executed]) -> xref.Book:
        sheet, result = pair
        return page_book(result, plan.chapter(sheet), defaults, sources, sheet.title,
                         plan.figures(sheet), references)

    with ThreadPoolExecutor() as pool:
        return list(pool.map(one, zip(plan.sheets, executed, strict=True)))


def site_paths(output: Path, plan: Plan) -> tuple[list[Path], list[Path]]:
    """The factsheets' pages and PDFs under the site folder ``output``."""
    return ([output / plan.page(s) for s in plan.sheets],
            [output / plan.pdf(s) for s in plan.sheets])
