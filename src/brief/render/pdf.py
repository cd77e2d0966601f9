"""Write the PDF: the whole book as one pandoc -> Typst document, compiled by ``typst``.

All chapters' ASTs are joined into one document, so cross-references become internal
links and citeproc writes the reference list where the references chapter puts its
``#refs`` div. :file:`assets/template.typ` supplies the cover, contents, footer
(title, version, date, page number), callout boxes and fonts; the PDF metadata
(title, author, subject, language, date) is set there too. A factsheet gets a PDF of
its own from the same template's compact ``factsheet`` layout: no cover and no
contents, its title, its content, and the edition and data fingerprint in the footer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

from brief.render import pandoc, xref
from brief.render.errors import RenderError
from brief.render.fonts import font_dirs
from brief.render.project import Project

TEMPLATE = Path(__file__).with_name("assets") / "template.typ"


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _date(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return "none"  # never "auto": Typst would stamp the clock into the PDF
    return f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"


#: Points per CSS pixel of a chart's SVG in the PDF: 11 px chart labels print at 8.8 pt.
CHART_SCALE = 0.8
#: The text width of the A4 page in points (210 mm less 2 x 22 mm margins).
TEXT_WIDTH = 470


def chart_widths(widths: dict[str, float]) -> dict[str, str]:
    """The printed width of each chart: one scale for all, never wider than the text."""
    return {name: f"{min(TEXT_WIDTH, round(px * CHART_SCALE)) if px else TEXT_WIDTH}pt"
            for name, px in widths.items()}


def _body(project: Project, book: xref.Book, work: Path, site_dir: str,
          widths: dict[str, float] | None, name: str, what: str, citeproc: bool = True
          ) -> str:
    """pandoc's Typst for every page of ``book``, through the Lua filter and citeproc
    (unless the citations were resolved already); ``name`` names the filter's metadata
    file in ``work``, ``what`` the input in errors."""
    meta_file = work / f"xref-{name}.json"
    names = [c.name for a in book.chapters for c in a.charts]
    meta_file.write_text(json.dumps({
        "targets": xref.metadata(book, None),
        "charts": names,
        "widths": chart_widths({n: (widths or {}).get(n, 0.0) for n in names}),
        "root": f"{site_dir}/",
    }, ensure_ascii=False), encoding="utf-8")
    blocks: list[Any] = []
    appendices = False
    for assembled, ast in zip(book.chapters, book.asts, strict=True):
        if assembled.chapter.kind == "appendix" and not appendices:
            blocks.append({"t": "RawBlock", "c": ["typst", "#appendices-part()"]})
            appendices = True
        blocks += ast["blocks"]
    document = {**book.asts[0], "blocks": blocks,
                "meta": {"brief-xref-file": {"t": "MetaString", "c": str(meta_file)}}}
    # Citations carry their text (from citeproc, here or earlier): write it, never
    # Typst's own #cite (the Typst document has no bibliography of its own).
    bibliography = (project.root / project.bibliography
                    if project.bibliography and citeproc else None)
    options = pandoc.Options("json", "typst-citations", wrap="preserve", brief_filter=True,
                             bibliography=bibliography)
    return pandoc.convert(json.dumps(document), options, what)


def _common(project: Project) -> list[str]:
    """The Typst arguments every PDF of the project shares (edition and metadata)."""
    return [
        f"author: {typst_string(project.author)}",
        f"version: {typst_string(project.version_text)}",
        f"date: {_date(project.date)}",
        f"date-text: {typst_string(project.date_text)}",
        f"fingerprint: {typst_string(project.fingerprint)}",
        f"lang: {typst_string(project.lang)}",
        "keywords: (" + "".join(f"{typst_string(k)}, " for k in project.keywords) + ")",
    ]


def _template(project: Project) -> str:
    accent = f"#let accent = rgb({typst_string(project.settings.style.accent)})\n"
    return accent + TEMPLATE.read_text(encoding="utf-8")


def typst_source(project: Project, book: xref.Book, work: Path, site_dir: str,
                 widths: dict[str, float] | None = None) -> str:
    """The complete ``.typ`` text: template, book settings, then pandoc's Typst body."""
    body = _body(project, book, work, site_dir, widths, "pdf", "PDF (all chapters)")
    settings = ", ".join([
        f"title: {typst_string(project.title)}",
        f"subtitle: {typst_string(project.subtitle)}",
        *_common(project),
        f"citation: {typst_string(project.citation)}",
        "description: " + typst_string(
            f"{project.subtitle or project.description}. Version {project.version_text}, "
            f"{project.date_text}, data {project.fingerprint}."),
    ])
    return f"{_template(project)}\n#show: book.with({settings})\n\n{body}\n"


def factsheet_source(project: Project, book: xref.Book, work: Path, site_dir: str,
                     widths: dict[str, float] | None, name: str) -> str:
    """The ``.typ`` text of one factsheet: the compact layout (no cover, no contents;
    its title, then its content; the edition and data fingerprint in the footer). Its
    citations were resolved already (:func:`brief.render.html.resolve_citations`)."""
    page = book.chapters[0]
    body = _body(project, book, work, site_dir, widths, name,
                 f"{page.chapter.path} (PDF of {page.chapter.html_name})", citeproc=False)
    settings = ", ".join([
        f"title: {typst_string(page.title)}",
        f"book-title: {typst_string(project.title)}",
        *_common(project),
        "description: " + typst_string(
            f"{page.title}: a factsheet of {project.title}. Version {project.version_text}, "
            f"{project.date_text}, data {project.fingerprint}."),
    ])
    return f"{_template(project)}\n#show: factsheet.with({settings})\n\n{body}\n"


def write_pdf(project: Project, book: xref.Book, work: Path, site: Path,
              widths: dict[str, float] | None = None) -> Path:
    """Compile the book to ``site/<pdf name>``; ``work`` and ``site`` share a parent."""
    source = work / "book.typ"
    site_dir = Path(os.path.relpath(site, work)).as_posix()
    source.write_text(typst_source(project, book, work, site_dir, widths), encoding="utf-8")
    output = site / project.pdf_name
    try:
        _compile(source, output, root=work.parent)
    except Exception as exc:  # typst raises TypstError (a RuntimeError) with its diagnostic
        hints = "; ".join(getattr(exc, "hints", None) or [])
        message = " ".join(str(exc).split()) + (f"; hint: {hints}" if hints else "")
        culprit = _culprit(project, book, work, site_dir, widths)
        where = f"{culprit}: " if culprit else ""
        raise RenderError(f"{where}PDF: Typst could not compile the book ({message})"
                          ) from None
    return output


def write_factsheet_pdf(project: Project, book: xref.Book, work: Path, site: Path,
                        widths: dict[str, float] | None, target: str) -> Path:
    """Compile the one-page ``book`` (a factsheet) to ``site/target``."""
    name = target.removesuffix(".pdf").replace("/", "--")
    source = work / f"{name}.typ"
    site_dir = Path(os.path.relpath(site, work)).as_posix()
    source.write_text(factsheet_source(project, book, work, site_dir, widths, name),
                      encoding="utf-8")
    output = site / target
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        _compile(source, output, root=work.parent)
    except Exception as exc:  # typst raises TypstError (a RuntimeError) with its diagnostic
        hints = "; ".join(getattr(exc, "hints", None) or [])
        message = " ".join(str(exc).split()) + (f"; hint: {hints}" if hints else "")
        raise RenderError(f"{book.chapters[0].chapter.path}: PDF of "
                          f"{book.chapters[0].chapter.html_name}: Typst could not compile it "
                          f"({message})") from None
    return output


_compilers = threading.local()


def _compiler(root: Path) -> Any:
    """This thread's Typst compiler for ``root``: it reads the fonts once, not once per
    PDF (a factsheet compiles in a fraction of the time the font scan takes)."""
    import typst

    if getattr(_compilers, "root", None) != root:
        _compilers.compiler = typst.Compiler(root=str(root), ignore_system_fonts=True,
                                             font_paths=[str(d) for d in font_dirs()])
        _compilers.root = root
    return _compilers.compiler


def _compile(source: Path, output: Path, root: Path) -> None:
    _compiler(root).compile(input=str(source), output=str(output))


def _culprit(project: Project, book: xref.Book, work: Path, site_dir: str,
             widths: dict[str, float] | None) -> str | None:
    """The first chapter that fails to compile on its own (Typst errors carry no source
    position we could map back, and a chapter compiles in a few milliseconds)."""
    trial = work / "trial"
    trial.mkdir(exist_ok=True)
    for assembled, ast in zip(book.chapters, book.asts, strict=True):
        page = assembled.chapter.html_name
        alone = xref.Book([assembled], [ast], {k: t for k, t in book.targets.items()
                                               if t.page == page})
        source = trial / "chapter.typ"
        source.write_text(typst_source(project, alone, trial, f"../{site_dir}", widths),
                          encoding="utf-8")
        try:
            _compile(source, trial / "chapter.pdf", root=work.parent)
        except Exception:  # the same TypstError as above, now located
            return assembled.chapter.path
    return None
