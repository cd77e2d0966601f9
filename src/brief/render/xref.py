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
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from brief.render import pandoc, texmath
from brief.render.errors import SourceWarning
from brief.render.markdown import Assembled
from brief.strings import CROSSREF_NAMES, current

#: What each cross-reference prefix names, as Quarto writes it ("Theorem 2.1"): figures,
#: tables, sections, equations, code listings, the theorem kinds and the callouts.
#: brief.lua holds the same list (a test keeps the two equal).
KINDS = CROSSREF_NAMES
#: Prefixes that make a citation a cross-reference rather than a bibliography entry.
XREF_PREFIXES = tuple(f"{kind}-" for kind in KINDS)
#: Quarto's label of a display equation: `$$ ... $$ {#eq-name}` (read by pandoc as text).
EQUATION_LABEL = re.compile(r"\{#(eq-[\w.:-]+)\}")
_EQUATION_OPEN = re.compile(r"\{#(eq-[\w.:-]+)")
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
    #: Images from the chapters' Markdown to publish (see brief.render.images).
    media: list[Any] = field(default_factory=list)
    #: Files the chapters include (``{{< include >}}``), relative to the project.
    includes: list[str] = field(default_factory=list)
    #: Targets that exist in one output only (``"html"`` or ``"pdf"``): a figure inside
    #: ``.content-visible when-format="html"``. The other output names them unlinked.
    only: dict[str, str] = field(default_factory=dict)

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
    """The plain text of a pandoc JSON AST fragment (inline code and math as written)."""
    parts: list[str] = []
    for item in walk(node):
        if item["t"] == "Str":
            parts.append(item["c"])
        elif item["t"] in ("Code", "Math"):
            parts.append(item["c"][1])
        elif item["t"] in ("Space", "SoftBreak"):
            parts.append(" ")
    return "".join(parts).strip()


def parse(assembled: Assembled) -> dict[str, Any]:
    """Parse one chapter's Markdown into pandoc's JSON AST."""
    text = pandoc.convert(assembled.text, pandoc.Options(READER, "json"),
                          assembled.chapter.path)
    ast = json.loads(text)
    texmath.apply(ast)  # text with math inside a formula, as pandoc can convert it
    return ast


def line_of(source: str, needle: str) -> int | None:
    """The first line (1-based) of ``source`` that contains ``needle``."""
    for number, line in enumerate(source.split("\n"), start=1):
        if needle in line:
            return number
    return None


def equation_labels(inlines: list[dict[str, Any]]) -> list[str]:
    """The ids of the labelled display equations in a paragraph's inlines."""
    found = []
    for at, item in enumerate(inlines):
        if item["t"] != "Math" or item["c"][0]["t"] != "DisplayMath":
            continue
        following = inlines[at + 1:at + 3]
        if following and following[0]["t"] == "Space":
            following = following[1:]
        if following and following[0]["t"] == "Str":
            match = EQUATION_LABEL.fullmatch(following[0]["c"]) or \
                _EQUATION_OPEN.fullmatch(following[0]["c"])  # `{#eq-x alt="..."}`
            if match:
                found.append(match.group(1))
    return found


@dataclass
class _Numbering:
    """The figures, tables, equations, theorems... numbered so far in one chapter."""

    book: Book
    prefix: str
    page: str
    numbers: dict[str, int] = field(default_factory=dict)

    def count(self, ident: str, kind: str) -> None:
        """Give ``ident`` the next number of its kind ("2.3", or "3" unnumbered)."""
        self.numbers[kind] = self.numbers.get(kind, 0) + 1
        label = (f"{self.prefix}.{self.numbers[kind]}" if self.prefix
                 else str(self.numbers[kind]))
        self.book.targets[ident] = Target(ident, kind, label, f"{current().kind(kind)} {label}",
                                          self.page)


def _linked_figures(tree: Any) -> None:
    """A figure whose image is a link (``[![Cap](a.png){#fig-a}](url)``, which pandoc
    reads as a paragraph) becomes a figure holding the linked image, as in Quarto."""
    if isinstance(tree, dict):
        for value in tree.values():
            _linked_figures(value)
        return
    if not isinstance(tree, list):
        return
    for index, block in enumerate(tree):
        _linked_figures(block)
        if not (isinstance(block, dict) and block.get("t") == "Para"
                and len(block["c"]) == 1 and block["c"][0]["t"] == "Link"):
            continue
        link = block["c"][0]
        inner = link["c"][1]
        if len(inner) != 1 or inner[0]["t"] != "Image":
            continue
        image = inner[0]
        ident = image["c"][0][0]
        if not ident.startswith("fig-"):
            continue
        image["c"][0][0] = ""
        tree[index] = {"t": "Figure", "c": [[ident, [], []],
                                            [None, [{"t": "Plain", "c": image["c"][1]}]],
                                            [{"t": "Plain", "c": [link]}]]}


def _panels(div: dict[str, Any], kind: str) -> list[str]:
    """The ids of the figures (``fig-...``) inside a figure div, or of the tables
    (``tbl-...``) inside a table div: its panels."""
    element = {"fig": "Figure", "tbl": "Table"}[kind]
    return [node["c"][0][0] for node in walk(div["c"][1])
            if node["t"] == element and node["c"][0][0].startswith(f"{kind}-")]


def _kind_of(ident: str) -> str | None:
    """The cross-reference kind an id names by its prefix (``thm-x``: "thm"), if any."""
    head, dash, _ = ident.partition("-")
    return head if dash and head in KINDS else None


#: The kinds whose div takes its title from a heading inside it (a theorem's name).
TITLED = ("thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "sol", "rem", "alg")


def _callout_titles(ast: dict[str, Any]) -> None:
    """Mark a heading that opens a callout or a theorem-like div (Quarto's way to title
    one), and the headings of a tab set, as unnumbered: they become titles and tab
    names, not sections."""
    for node in walk(ast["blocks"]):
        if node["t"] != "Div":
            continue
        (ident, classes, _), blocks = node["c"]
        if "panel-tabset" in classes:  # its headings name tabs
            for block in blocks:
                if block["t"] == "Header" and "unnumbered" not in block["c"][1][1]:
                    block["c"][1][1].append("unnumbered")
            continue
        if _titled(ident, classes) and blocks and \
                blocks[0]["t"] == "Header" and "unnumbered" not in blocks[0]["c"][1][1]:
            blocks[0]["c"][1][1].append("unnumbered")


def _titled(ident: str, classes: list[str]) -> bool:
    """Whether a div takes its title from a heading that opens it: a callout, a theorem
    kind, a proof, remark or solution."""
    return (any(c == "callout" or c.startswith("callout-") for c in classes)
            or _kind_of(ident) in TITLED
            or bool({"proof", "remark", "solution"} & set(classes)))


def _levels_in_order(blocks: list[dict[str, Any]], last: list[int],
                     skipped: list[tuple[str, int, int]]) -> None:
    """Raise each heading that skips levels (``####`` after ``##``) to one below the
    heading before it, in the order of the book, and note ``(text, written, shown)``.

    Screen readers use the levels as an outline, and a PDF/UA file may not skip one
    (Typst refuses to write it). Headings that title a callout or a theorem, and a tab
    set's tab names, are not section headings and are left as they are.
    """
    for block in blocks:
        if block["t"] == "Header":
            level = block["c"][0]
            if level > last[0] + 1:
                skipped.append((stringify(block["c"][2]), level, last[0] + 1))
                level = block["c"][0] = last[0] + 1
            last[0] = level
        elif block["t"] == "Div":
            (ident, classes, _), inner = block["c"]
            if "panel-tabset" in classes:
                continue
            if _titled(ident, classes) and inner and inner[0]["t"] == "Header":
                inner = inner[1:]
            _levels_in_order(inner, last, skipped)


def _headings_in_order(chapters: list[Assembled], asts: list[dict[str, Any]],
                       sources: dict[str, str], book: Book) -> None:
    """:func:`_levels_in_order` over the book (one document in the PDF), with a located
    warning for each heading it raises."""
    last = [0]
    for assembled, ast in zip(chapters, asts, strict=True):
        skipped: list[tuple[str, int, int]] = []
        _levels_in_order(ast["blocks"], last, skipped)
        path = assembled.chapter.path
        for text, written, shown in skipped:
            line = line_of(sources.get(path, ""), text) if text else None
            book.warnings.append(SourceWarning(
                path, line, f"heading {text[:60]!r} is level {written} right after level "
                f"{shown - 1}; shown as level {shown} (levels go down one at a time, for "
                "screen readers and the PDF's outline)"))


_FORMAT_KEYS = ("when-format", "unless-format")


def _format_alternatives(blocks: Any) -> dict[str, set[str]]:
    """For each id defined inside a ``.content-visible``/``.content-hidden`` div that
    names a format, the conditions it is shown under (``content-visible when-format=html``).

    Quarto lets one id appear once per output (a figure for the site, its twin for the
    PDF); an id found under two different conditions is one target, not a clash.
    """
    found: dict[str, set[str]] = {}
    for node in walk(blocks):
        if node["t"] != "Div":
            continue
        (_, classes, attributes), content = node["c"]
        shown = [c for c in classes if c in ("content-visible", "content-hidden")]
        condition = [f"{k}={v}" for k, v in attributes if k in _FORMAT_KEYS]
        if not shown or not condition:
            continue
        signature = " ".join([*shown, *condition])
        for inner in walk(content):
            attr = inner["c"][1] if inner["t"] == "Header" else inner["c"][0] \
                if inner["t"] in ("Figure", "Table", "Div", "CodeBlock") else None
            if attr and attr[0]:
                found.setdefault(attr[0], set()).add(signature)
    return found


def _outputs(signatures: set[str]) -> set[str]:
    """The outputs (``html``, ``pdf``) in which an id under these conditions (from
    :func:`_format_alternatives`) is shown: the PDF is brief's ``pdf`` and ``typst``."""
    def matches(output: str, named: str) -> bool:
        return named in (("pdf", "typst") if output == "pdf" else ("html", "html:js"))

    shown: set[str] = set()
    for signature in signatures:
        words = dict(w.split("=", 1) for w in signature.split() if "=" in w)
        for output in ("html", "pdf"):
            if "when-format" in words:
                visible = matches(output, words["when-format"])
            else:
                visible = not matches(output, words.get("unless-format", ""))
            if signature.startswith("content-hidden"):
                visible = not visible
            if visible:
                shown.add(output)
    return shown


def _renamed(ident: str, path: str, seen: dict[str, str], book: Book,
             source: str) -> str:
    """A new id for a second ``#ident`` (the PDF is one document: each label once), and a
    warning that says so; references to ``#ident`` keep leading to the first, as in
    Quarto, which warns of a duplicate label and carries on."""
    new = next(f"{ident}-{n}" for n in range(2, 10_000) if f"{ident}-{n}" not in seen)
    lines = [n for n, text in enumerate(source.split("\n"), start=1) if f"#{ident}" in text]
    line = lines[-1] if lines else None
    book.warnings.append(SourceWarning(path, line, f"the id #{ident} is also used in "
                                       f"{seen[ident]}; this one is renamed #{new}, and "
                                       f"@{ident} leads to the first (make ids unique)"))
    return new


def number(chapters: list[Assembled], asts: list[dict[str, Any]], sources: dict[str, str]
           ) -> Book:
    """Number every heading, figure and table of the book and collect citations.

    ``sources`` maps a chapter path to its ``.qmd`` text, to locate unresolved refs.
    Headings whose automatic id repeats another chapter's are renamed (the PDF is one
    document and needs unique labels); a repeated cross-reference id is renamed too,
    with a warning.
    """
    book = Book(chapters, asts)
    for ast in asts:
        _callout_titles(ast)
        _linked_figures(ast["blocks"])
    _headings_in_order(chapters, asts, sources, book)
    seen: dict[str, str] = {}
    refs: list[tuple[str, str]] = []
    for assembled, ast in zip(chapters, asts, strict=True):
        chapter = assembled.chapter
        page = chapter.html_name
        prefix = chapter.number if chapter.kind != "unnumbered" else ""
        counters = [0, 0, 0, 0, 0, 0]
        count = _Numbering(book, prefix, page).count
        panels: set[str] = set()  # subfigures: numbered with the figure that holds them
        alternatives = _format_alternatives(ast["blocks"])
        for ident, signatures in alternatives.items():
            shown = _outputs(signatures)
            if len(shown) == 1:
                book.only[ident] = next(iter(shown))
        for node in walk(ast["blocks"]):
            kind = node["t"]
            if kind in ("Para", "Plain"):
                for ident in equation_labels(node["c"]):
                    if ident in seen:
                        new = _renamed(ident, chapter.path, seen, book,
                                       sources.get(chapter.path, ""))
                        for item in node["c"]:
                            if item["t"] == "Str" and item["c"].startswith("{#" + ident):
                                item["c"] = "{#" + new + item["c"][len(ident) + 2:]
                        ident = new
                    seen[ident] = chapter.path
                    count(ident, "eq")
                continue
            if kind == "Cite":
                for citation in node["c"][0]:
                    key = citation["citationId"]
                    key = key[:1].lower() + key[1:] if key[:1].isupper() and \
                        (key[:1].lower() + key[1:]).startswith(XREF_PREFIXES) else key
                    if key.startswith(XREF_PREFIXES):
                        refs.append((key, chapter.path))
                    elif key not in book.citations:
                        book.citations.append(key)
                continue
            if kind not in ("Header", "Figure", "Table", "Div", "CodeBlock"):
                continue
            attr = node["c"][1] if kind == "Header" else node["c"][0]
            ident, classes = attr[0], attr[1]
            if not ident:
                continue
            if kind in ("Div", "CodeBlock") and _kind_of(ident) is None:
                continue  # a div or code block with an id of its own, not a target
            if ident in seen and len(alternatives.get(ident, ())) > 1 \
                    and seen[ident] == chapter.path:
                continue  # the same target for another output (see _format_alternatives)
            if ident in seen:
                ident = attr[0] = (
                    _renamed(ident, chapter.path, seen, book, sources.get(chapter.path, ""))
                    if ident.startswith(XREF_PREFIXES) else f"{chapter.stem}-{ident}")
            seen[ident] = chapter.path
            if kind == "Header":
                level = node["c"][0]
                title = stringify(node["c"][2])
                numbered = bool(prefix) and not ({"unnumbered", "-"} & set(classes))
                if level == 1:
                    label = prefix if numbered else ""
                    if numbered:  # not a theorem's or callout's title (# Factorial)
                        counters = [0] * 6
                    what = {"chapter": current()["chapter"],
                            "appendix": current()["appendix"]}.get(chapter.kind)
                    text = f"{what} {prefix}" if numbered and what else title
                elif numbered:
                    counters[level - 2] += 1
                    counters[level - 1:] = [0] * (6 - level + 1)
                    label = ".".join([prefix, *(str(c) for c in counters[:level - 1])])
                    text = f"{current()['section']} {label}"
                else:  # an unnumbered heading takes no number from those after it
                    label, text = "", title
                book.targets[ident] = Target(ident, "sec", label, text, page)
            elif kind == "Figure":
                if ident not in panels:
                    count(ident, "fig")
            elif kind == "Table":
                if ident.startswith("tbl-") and ident not in panels:
                    count(ident, "tbl")
            elif (found := _kind_of(ident)) is not None and found != "sec":
                count(ident, found)
                if found in ("fig", "tbl"):  # its panels are figure 2.1 (a), (b)...
                    parent = book.targets[ident]
                    for letter, panel in zip("abcdefghijklmnopqrstuvwxyz",
                                             _panels(node, found), strict=False):
                        panels.add(panel)
                        book.targets[panel] = Target(panel, found, f"{parent.number}{letter}",
                                                     f"{parent.text} ({letter})", page)
    for key, path in refs:
        if key not in book.targets:
            line = line_of(sources.get(path, ""), f"@{key}")
            book.warnings.append(SourceWarning(path, line, f"@{key} refers to nothing: no "
                                               f"heading, figure or table has the id #{key}"))
    for key in sorted({k for k, _ in refs if k in book.only and k in book.targets}):
        path = next(p for k, p in refs if k == key)
        shown, other = (("on the site", "the PDF") if book.only[key] == "html"
                        else ("in the PDF", "the site"))
        book.warnings.append(SourceWarning(
            path, line_of(sources.get(path, ""), f"@{key}"), f"@{key} refers to something "
            f"shown only {shown}; {other} names it ({book.targets[key].text}) without a link"))
    return book


def metadata(book: Book, page: str | None) -> dict[str, Any]:
    """The metadata the Lua filter reads: targets with links relative to ``page``.

    ``page`` is the HTML page being written, or None for the single Typst document,
    where every link is internal (``#id``).
    """
    up = "../" * (page.count("/") if page else 0)
    titles = {a.title_id or f"sec-{a.chapter.stem}" for a in book.chapters}
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
        if book.only.get(ident, "html" if page is not None else "pdf") != (
                "html" if page is not None else "pdf"):
            out[ident]["absent"] = True  # not in this output: named, not linked
    return out
