"""Number the book and resolve cross-references before either target is written.

Each chapter's Markdown is parsed once by pandoc into its JSON AST. One walk over
the whole book then numbers chapters (1, 2, ...), appendices (A, B, ...), their
sections, figures and tables, and records where each ``#sec-``/``#fig-``/``#tbl-``
id lives. The Lua filter uses this map to write "Figure 2.1" in captions and in
``@fig-`` references, identically on the site and in the PDF; doing the numbering
here rather than in Typst keeps both outputs in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from brief.render import pandoc
from brief.render.errors import RenderError, SourceWarning
from brief.render.markdown import Assembled

#: Prefixes that make a citation a cross-reference rather than a bibliography entry.
XREF_PREFIXES = ("fig-", "tbl-", "sec-")
READER = "markdown-implicit_header_references"


@dataclass(frozen=True)
class Target:
    """Something that can be referred to: its label text and where it is."""

    id: str
    kind: str
    number: str
    text: str
    page: str


@dataclass
class Book:
    """Every chapter's AST, the numbering and the bibliography keys cited anywhere."""

    chapters: list[Assembled]
    asts: list[dict[str, Any]]
    targets: dict[str, Target] = field(default_factory=dict)
    citations: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)

    def titles(self) -> list[str]:
        return [a.title for a in self.chapters]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every element (a dict with "t") in a pandoc JSON AST fragment, depth first."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def stringify(node: Any) -> str:
    """The plain text of a pandoc JSON AST fragment."""
    parts: list[str] = []
    for item in walk(node):
        if item["t"] == "Str":
            parts.append(item["c"])
        elif item["t"] in ("Space", "SoftBreak"):
            parts.append(" ")
    return "".join(parts).strip()


def parse(assembled: Assembled) -> dict[str, Any]:
    """Parse one chapter's Markdown into pandoc's JSON AST."""
    text = pandoc.convert(assembled.text, pandoc.Options(READER, "json"),
                          assembled.chapter.path)
    return json.loads(text)


def line_of(source: str, needle: str) -> int | None:
    """The first line (1-based) of ``source`` that contains ``needle``."""
    for number, line in enumerate(source.split("\n"), start=1):
        if needle in line:
            return number
    return None


def number(chapters: list[Assembled], asts: list[dict[str, Any]], sources: dict[str, str]
           ) -> Book:
    """Number every heading, figure and table of the book and collect citations.

    ``sources`` maps a chapter path to its ``.qmd`` text, to locate unresolved refs.
    Headings whose automatic id repeats another chapter's are renamed (the PDF is one
    document and needs unique labels); a repeated explicit id is an error.
    """
    book = Book(chapters, asts)
    seen: dict[str, str] = {}
    refs: list[tuple[str, str]] = []
    for assembled, ast in zip(chapters, asts, strict=True):
        chapter = assembled.chapter
        page = chapter.html_name
        prefix = chapter.number if chapter.kind != "unnumbered" else ""
        counters = [0, 0, 0, 0, 0, 0]
        figures = tables = 0
        for node in walk(ast["blocks"]):
            kind = node["t"]
            if kind == "Cite":
                for citation in node["c"][0]:
                    key = citation["citationId"]
                    if key.startswith(XREF_PREFIXES):
                        refs.append((key, chapter.path))
                    elif key not in book.citations:
                        book.citations.append(key)
                continue
            if kind not in ("Header", "Figure", "Table"):
                continue
            attr = node["c"][1] if kind == "Header" else node["c"][0]
            ident, classes = attr[0], attr[1]
            if not ident:
                continue
            if ident in seen:
                if ident.startswith(XREF_PREFIXES):
                    raise RenderError(f"{chapter.path}: the id #{ident} is also used in "
                                      f"{seen[ident]} (expected ids to be unique in the book)")
                ident = attr[0] = f"{chapter.stem}-{ident}"
            seen[ident] = chapter.path
            if kind == "Header":
                level = node["c"][0]
                title = stringify(node["c"][2])
                numbered = bool(prefix) and not ({"unnumbered", "-"} & set(classes))
                if level == 1:
                    label = prefix if numbered else ""
                    counters = [0] * 6
                    what = {"chapter": "Chapter", "appendix": "Appendix"}.get(chapter.kind)
                    text = f"{what} {prefix}" if numbered and what else title
                else:
                    counters[level - 2] += 1
                    counters[level - 1:] = [0] * (6 - level + 1)
                    label = (".".join([prefix, *(str(c) for c in counters[:level - 1])])
                             if numbered else "")
                    text = f"Section {label}" if label else title
                book.targets[ident] = Target(ident, "sec", label, text, page)
            elif kind == "Figure":
                figures += 1
                label = f"{prefix}.{figures}" if prefix else str(figures)
                book.targets[ident] = Target(ident, "fig", label, f"Figure {label}", page)
            elif ident.startswith("tbl-"):
                tables += 1
                label = f"{prefix}.{tables}" if prefix else str(tables)
                book.targets[ident] = Target(ident, "tbl", label, f"Table {label}", page)
    for key, path in refs:
        if key not in book.targets:
            line = line_of(sources.get(path, ""), f"@{key}")
            book.warnings.append(SourceWarning(path, line, f"@{key} refers to nothing: no "
                                               f"heading, figure or table has the id #{key}"))
    return book


def metadata(book: Book, page: str | None) -> dict[str, Any]:
    """The metadata the Lua filter reads: targets with links relative to ``page``.

    ``page`` is the HTML page being written, or None for the single Typst document,
    where every link is internal (``#id``).
    """
    up = "../" * (page.count("/") if page else 0)
    titles = {f"sec-{a.chapter.stem}" for a in book.chapters}
    out: dict[str, Any] = {}
    for ident, target in book.targets.items():
        if page is None or target.page == page:
            href = f"#{ident}"
        elif ident in titles:  # a chapter: link to the top of its page
            href = f"{up}{target.page}"
        else:
            href = f"{up}{target.page}#{ident}"
        out[ident] = {"text": target.text, "number": target.number, "kind": target.kind,
                      "href": href}
    return out
