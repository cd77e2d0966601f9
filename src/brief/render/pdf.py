"""Write the PDF: the whole book as one pandoc -> Typst document, compiled by ``typst``.

All chapters' ASTs are joined into one document, so cross-references become internal
links and citeproc writes the reference list where the references chapter puts its
``#refs`` div; every citation links to its entry there. :file:`assets/template.typ`
supplies the cover (with the key message), its back (citation, licence, edition),
contents, footer (title, version, date, page number), callout and key-figure boxes and
fonts; the PDF metadata (title, author, subject, language, date) is set there too. A
factsheet gets a PDF of its own from the same template's compact ``factsheet`` layout:
no cover and no contents, its title, its content, and the edition and data fingerprint
in the footer.

Every PDF is PDF/UA-1 (Typst's own standard support): tagged, with the document title
shown by viewers, and refused by Typst when an image lacks alt text or the document a
title; those refusals become a :class:`RenderError` naming the chapter and the image.
Typst writes the page labels (front matter i, ii...; the body 1, 2... as printed), but
not the page mode, so the book is finished by an incremental update with pypdf that
opens the viewer's outline (bookmarks) and leaves every byte Typst wrote, tags
included, as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any

from brief.render import pandoc, xref
from brief.render.errors import RenderError, SourceWarning
from brief.render.fonts import pdf_font_dirs
from brief.render.project import Project
from brief.settings import License
from brief.strings import Strings

TEMPLATE = Path(__file__).with_name("assets") / "template.typ"
#: The PDF standard every PDF of the brief meets (Typst checks it while compiling).
STANDARDS = ["ua-1"]
#: A Typst comment put before each chapter's part of the body, so that a Typst error
#: located in the ``.typ`` file can be traced back to the chapter it came from.
SOURCE_MARK = "// brief-source: "


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def keep_together(text: str, phrases: tuple[str, ...]) -> str:
    """``text`` with the spaces inside each of ``phrases`` made non-breaking (U+00A0), so
    that a place name never breaks across lines; a phrase matches whole words only, with
    any run of whitespace between its words."""
    for phrase in phrases:
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)"
        text = re.sub(pattern, lambda match: "\u00a0".join(match.group().split()), text)
    return text


def _license(value: License | None) -> str:
    """The licence as a Typst dictionary (or ``none``) for the template's colophon."""
    if value is None:
        return "none"
    return (f"(name: {typst_string(value.name)}, title: {typst_string(value.title)}, "
            f"path: {typst_string(value.path)})")


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
        # Phrases the filter joins with non-breaking spaces in the body text.
        "keep": list(project.settings.keep_together),
        "callouts": project.strings.callout_titles(),
    }, ensure_ascii=False), encoding="utf-8")
    blocks: list[Any] = []
    appendices = False
    for assembled, ast in zip(book.chapters, book.asts, strict=True):
        if assembled.chapter.kind == "appendix" and not appendices:
            blocks.append({"t": "RawBlock", "c": ["typst", "#appendices-part()"]})
            appendices = True
        if assembled.chapter.part and not assembled.chapter.part_page:
            # a part's title before its first chapter (a part's own page has its title)
            blocks.append({"t": "RawBlock", "c": ["typst", "#part-title("
                                                  + typst_string(assembled.chapter.part)
                                                  + ")"]})
        blocks.append({"t": "RawBlock",
                       "c": ["typst", SOURCE_MARK + assembled.chapter.path]})
        blocks += ast["blocks"]
    # link-citations: each author-year citation links to its entry in the reference list.
    document = {**book.asts[0], "blocks": blocks,
                "meta": {"brief-xref-file": {"t": "MetaString", "c": str(meta_file)},
                         "link-citations": {"t": "MetaBool", "c": True},
                         "lang": {"t": "MetaString", "c": project.lang}}}
    # Citations carry their text (from citeproc, here or earlier): write it, never
    # Typst's own #cite (the Typst document has no bibliography of its own).
    bibliography = (project.root / project.bibliography
                    if project.bibliography and citeproc else None)
    options = pandoc.Options("json", "typst-citations", wrap="preserve", brief_filter=True,
                             bibliography=bibliography)
    return current_symbols(pandoc.convert(json.dumps(document), options, what))


#: Symbols pandoc still writes by their names from before Typst 0.14, which removed them:
#: circled operators (``\otimes`` is ``times.circle``, now ``times.o``). Such a name is
#: never prose, so it is replaced wherever it is.
_RENAMED = re.compile(r"(?<![\w.])(plus|minus|times|div|dot|convolve|ast|eq)\.circle\b")


def current_symbols(typst: str) -> str:
    r"""``typst`` with the old symbol names in its formulas replaced by today's, so a
    formula with ``\otimes`` compiles ("unknown symbol modifier" otherwise)."""
    return _RENAMED.sub(r"\1.o", typst)


def _common(project: Project) -> list[str]:
    """The Typst arguments every PDF of the project shares (edition and metadata)."""
    return [
        f"author: {_shown(project, project.author)}",
        f"version: {typst_string(project.version_text)}",
        f"date: {_date(project.date)}",
        f"date-text: {typst_string(project.date_text)}",
        f"fingerprint: {typst_string(project.fingerprint)}",
        f"lang: {typst_string(project.lang)}",
        "keywords: (" + "".join(f"{typst_string(k)}, " for k in project.keywords) + ")",
    ]


def _shown(project: Project, text: str) -> str:
    """``text`` as a Typst string literal, as the reader sees it: the project's
    keep-together phrases joined by non-breaking spaces."""
    return typst_string(keep_together(text, project.settings.keep_together))


def _template(project: Project) -> str:
    accent = f"#let accent = rgb({typst_string(project.settings.style.accent)})\n"
    return accent + template_words(project.strings) + TEMPLATE.read_text(encoding="utf-8")


#: The template's words (Typst name: key of :data:`brief.strings.ENGLISH`).
_TEMPLATE_WORDS = {"appendices": "appendices", "version": "version", "cite": "cite-this-brief",
                   "licence": "licence", "licence-before": "licence-before",
                   "licence-after": "licence-after", "edition": "edition",
                   "data-fingerprint": "data-fingerprint", "contents": "contents",
                   "data": "data"}


def template_words(words: Strings) -> str:
    """An edition's words for the cover, the contents and the footers, as the Typst
    dictionary ``words`` that the template expects defined before it."""
    pairs = ", ".join(f"{typst_string(name)}: {typst_string(words[key])}"
                      for name, key in _TEMPLATE_WORDS.items())
    return f"#let words = ({pairs})\n"


def typst_source(project: Project, book: xref.Book, work: Path, site_dir: str,
                 widths: dict[str, float] | None = None) -> str:
    """The complete ``.typ`` text: template, book settings, then pandoc's Typst body."""
    body = _body(project, book, work, site_dir, widths, "pdf", "PDF (all chapters)")
    message = project.settings.key_message
    settings = ", ".join([
        f"title: {_shown(project, project.title)}",
        f"subtitle: {_shown(project, project.subtitle)}",
        *_common(project),
        f"citation: {_shown(project, project.citation)}",
        f"key-message: {_shown(project, message) if message else 'none'}",
        f"license: {_license(project.settings.license)}",
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
        f"title: {_shown(project, page.title)}",
        f"book-title: {_shown(project, project.title)}",
        *_common(project),
        "description: " + typst_string(
            f"{page.title}: a factsheet of {project.title}. Version {project.version_text}, "
            f"{project.date_text}, data {project.fingerprint}."),
    ])
    return f"{_template(project)}\n#show: factsheet.with({settings})\n\n{body}\n"


#: Typst's error for text that no font of the PDF can draw (PDF/UA forbids missing glyphs).
_UNDRAWN = re.compile(r'the text `"(?P<text>(?:[^"\\]|\\.)+)"` could not be displayed')


def _stand_in(text: str) -> str:
    """What the PDF prints for characters no font has: each one's Unicode name, in
    brackets (``🐛``: ``[bug]``), so the reader still learns what stood there."""
    return "".join(c if c.isascii() else
                   f"[{unicodedata.name(c, f'U+{ord(c):04X}').lower()}]" for c in text)


def _compile_drawable(source: Path, output: Path, root: Path, text: str,
                      warnings: list[SourceWarning] | None) -> str:
    """Compile ``source`` (whose text is ``text``); where Typst finds text that none of
    the PDF's fonts can draw (an emoji, a script Noto Sans and Serif lack), print it as
    :func:`_stand_in` instead, with a warning naming the chapter, and compile again.
    Returns the source as finally compiled."""
    done: set[str] = set()
    while True:
        try:
            _compile(source, output, root=root)
            return text
        except Exception as exc:  # TypstError; anything else is raised again below
            diagnostic = getattr(exc, "diagnostic", None) or ""
            undrawn = [t.replace('\\"', '"').replace("\\\\", "\\")
                       for t in _UNDRAWN.findall(diagnostic)]
            new = [t for t in dict.fromkeys(undrawn) if t not in done and t in text]
            if not new:
                raise
            lines = text.splitlines()
            for found in new:
                done.add(found)
                at = next((n for n, line in enumerate(lines, 1) if found in line), 0)
                if warnings is not None:
                    warnings.append(SourceWarning(
                        _chapter_at(lines, at) or source.name, None,
                        f"the PDF's fonts cannot draw {found!r}; the PDF prints "
                        f"{_stand_in(found)!r} instead (the site shows it as written)"))
                text = text.replace(found, _stand_in(found))
            source.write_text(text, encoding="utf-8")


def write_pdf(project: Project, book: xref.Book, work: Path, site: Path,
              widths: dict[str, float] | None = None,
              warnings: list[SourceWarning] | None = None) -> Path:
    """Compile the book to ``site/<pdf name>``; ``work`` and ``site`` share a parent.
    What the PDF cannot print as written is added to ``warnings``."""
    source = work / "book.typ"
    site_dir = Path(os.path.relpath(site, work)).as_posix()
    text = typst_source(project, book, work, site_dir, widths)
    source.write_text(text, encoding="utf-8")
    output = site / project.pdf_name
    try:
        text = _compile_drawable(source, output, work.parent, text, warnings)
    except Exception as exc:  # typst raises TypstError (a RuntimeError) with its diagnostic
        problems = _problems(exc, text, site_dir, title_key="_quarto.yml: book.title")
        if problems:
            raise RenderError("\n".join(problems)) from None
        culprit = _culprit(project, book, work, site_dir, widths)
        where = f"{culprit}: " if culprit else ""
        raise RenderError(f"{where}PDF: Typst could not compile the book "
                          f"({_message(exc)})") from None
    open_outline(output)
    return output


def write_factsheet_pdf(project: Project, book: xref.Book, work: Path, site: Path,
                        widths: dict[str, float] | None, target: str,
                        warnings: list[SourceWarning] | None = None) -> Path:
    """Compile the one-page ``book`` (a factsheet) to ``site/target``."""
    name = target.removesuffix(".pdf").replace("/", "--")
    source = work / f"{name}.typ"
    site_dir = Path(os.path.relpath(site, work)).as_posix()
    text = factsheet_source(project, book, work, site_dir, widths, name)
    source.write_text(text, encoding="utf-8")
    output = site / target
    output.parent.mkdir(parents=True, exist_ok=True)
    page = book.chapters[0].chapter
    try:
        text = _compile_drawable(source, output, work.parent, text, warnings)
    except Exception as exc:  # typst raises TypstError (a RuntimeError) with its diagnostic
        what = f"PDF of {page.html_name}"
        problems = _problems(exc, text, site_dir, title_key=f"{page.path}: {what}: the title",
                             what=what, failed="Typst could not compile it")
        if problems:
            raise RenderError("\n".join(problems)) from None
        raise RenderError(f"{page.path}: {what}: Typst could not compile it "
                          f"({_message(exc)})") from None
    return output


_compilers = threading.local()


def _compiler(root: Path) -> Any:
    """This thread's Typst compiler for ``root``: it reads the fonts once, not once per
    PDF (a factsheet compiles in a fraction of the time the font scan takes)."""
    import typst

    if getattr(_compilers, "root", None) != root:
        _compilers.compiler = typst.Compiler(root=str(root), ignore_system_fonts=True,
                                             font_paths=[str(d) for d in pdf_font_dirs()])
        _compilers.root = root
    return _compilers.compiler


def _compile(source: Path, output: Path, root: Path) -> None:
    _compiler(root).compile(input=str(source), output=str(output),
                            pdf_standards=STANDARDS)


def open_outline(pdf: Path) -> None:
    """Make viewers open ``pdf`` with its outline (bookmarks) shown: ``/PageMode
    /UseOutlines`` in the catalogue, which Typst does not write. An incremental update
    (a new catalogue appended to the file), so the tags, the page labels and the
    PDF/UA identification Typst wrote stay exactly as they were."""
    from pypdf import PdfWriter

    writer = PdfWriter(pdf, incremental=True)
    writer.page_mode = "/UseOutlines"
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf.write_bytes(buffer.getvalue())


def _message(exc: Exception) -> str:
    """Typst's message and hints on one line."""
    hints = "; ".join(getattr(exc, "hints", None) or [])
    return " ".join(str(exc).split()) + (f"; hint: {hints}" if hints else "")


#: Where one error of a Typst diagnostic points (when Typst knows): file, line, column.
_LOCATION = re.compile(r"┌─ [^\n]*?:(?P<line>\d+):\d+")
_HINT = re.compile(r"^\s*= hint: (?P<hint>.+)$", re.MULTILINE)
_IMAGE = re.compile(r'image\(\s*"(?P<path>(?:[^"\\]|\\.)*)"')


def _problems(exc: Exception, text: str, site_dir: str, title_key: str,
              what: str = "PDF", failed: str = "Typst could not compile the book"
              ) -> list[str]:
    """Typst's errors about ``text`` (the ``.typ`` source), one located line each: an
    image without alt text names its chapter and file, a missing title the setting to
    fill (``title_key``), any other error the chapter holding the line Typst points at.
    ``what`` names the PDF, ``failed`` says what went wrong with it. Empty when some
    error cannot be placed that way (the caller then finds the chapter by compiling
    each alone)."""
    lines = text.splitlines()
    diagnostic = getattr(exc, "diagnostic", None) or ""
    problems: list[str] = []
    for part in re.split(r"^error: ", diagnostic, flags=re.MULTILINE)[1:]:
        message = part.splitlines()[0].strip()
        hints = "; ".join(m["hint"].strip() for m in _HINT.finditer(part))
        if "missing document title" in message:
            problems.append(f"{title_key}: the PDF has no title, which PDF/UA-1 requires "
                            "(PDF readers announce it first; set one)")
            continue
        located = _LOCATION.search(part)
        number = int(located["line"]) if located else 0
        chapter = _chapter_at(lines, number) if 0 < number <= len(lines) else None
        if chapter is None:
            return []
        if "missing alt text" in message:
            image = _IMAGE.search(lines[number - 1])
            name = (image["path"].removeprefix(f"{site_dir}/") if image
                    else f"an image (line {number} of the Typst source)")
            problems.append(
                f"{chapter}: {what}: {name} has no alt text, which PDF/UA-1 requires (screen "
                "readers read it out instead of the image): give its chart cell a "
                "`#| fig-alt:` option, or the Markdown image a fig-alt=\"...\" attribute")
        else:
            problems.append(f"{chapter}: {what}: {failed} ({message}"
                            + (f"; hint: {hints}" if hints else "") + ")")
    return list(dict.fromkeys(problems))


def _chapter_at(lines: list[str], number: int) -> str | None:
    """The chapter whose part of the ``.typ`` source holds line ``number`` (1-based)."""
    for line in reversed(lines[:number]):
        if line.startswith(SOURCE_MARK):
            return line.removeprefix(SOURCE_MARK).strip()
    return None


def _culprit(project: Project, book: xref.Book, work: Path, site_dir: str,
             widths: dict[str, float] | None) -> str | None:
    """The first chapter that fails to compile on its own (most Typst errors carry no
    source position we could map back, and a chapter compiles in a few milliseconds)."""
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
