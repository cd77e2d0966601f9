"""The compatibility corpus: Quarto's own test documents, each built as a book chapter.

Every document listed in ``tests/quarto_corpus/MANIFEST.txt`` (vendored under
``tests/quarto_corpus/docs/`` from quarto-cli, MIT; see the LICENSE there) becomes the
one chapter of a fresh book in ``tmp_path``: a ``_quarto.yml`` with ``project: {type:
book}``, a tiny ``index.qmd`` and the document with its companion files, laid out as
in quarto-cli. ``brief build`` runs in a subprocess; the test asserts that it succeeds,
that the PDF exists, that no Quarto syntax leaks into the page or the PDF, that local
images and links resolve, and the specific results listed for the document in
:data:`CASES` (read from the chapter's HTML with a real parser and from the PDF's text
with ``pdftotext``). ``tests/quarto_corpus/CHOSEN.md`` says why each document is here.

The document is chapter 1 of its book (the index page is unnumbered), so Quarto's
book numbering makes its first figure "Figure 1.1", its first equation "Equation 1.1"
and its first section "Section 1.1". Facts rest on semantics where HTML has them
(``role="tablist"``, ``<math display="block">``, ``<kbd>``, ``<details>``); a callout's
appearance may be marked with Quarto's classes (``callout-style-simple``) or brief's
(``callout-simple``); a layout may be Quarto's ``quarto-layout-cell`` elements or a CSS
grid of as many columns.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml
from htmltree import NOT_PROSE, QUOTES, Node, norm, parse_html

pytestmark = pytest.mark.render

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "quarto_corpus"
DOCS = CORPUS / "docs"
BUILD_TIMEOUT = 600


def _load_script() -> Any:
    """scripts/quarto_corpus.py, which owns the manifest's format."""
    spec = importlib.util.spec_from_file_location("quarto_corpus",
                                                  REPO / "scripts" / "quarto_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("quarto_corpus", module)
    spec.loader.exec_module(module)
    return module


MANIFEST = _load_script().read_manifest(CORPUS / "MANIFEST.txt")

# --------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------
# What one build produced, and the facts checked against it.


@dataclass
class Output:
    site: Path
    page: Path
    document: Node
    main: Node
    pdf_pages: list[str]

    @property
    def html_text(self) -> str:
        return self.main.text()

    @property
    def prose_text(self) -> str:
        return norm(self.main.raw_text(NOT_PROSE))

    @property
    def pdf_text(self) -> str:
        return norm(" ".join(self.pdf_pages))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(QUOTES))


def pdf_has(out: Output, needle: str) -> bool:
    """Whitespace-insensitive: pdftotext breaks lines wherever Typst did."""
    return _squeeze(needle) in _squeeze(out.pdf_text)


class Fact(Protocol):
    def check(self, out: Output) -> str | None:
        """None when the fact holds; otherwise what is wrong."""


def _attr_ok(node: Node, key: str, wanted: str | None) -> bool:
    op = key[-1] if key[-1] in "$^*" else ""
    name = key[:-1] if op else key
    if name not in node.attrs:
        return False
    value = node.attrs[name]
    if wanted is None:
        return True
    if op == "$":
        return value.endswith(wanted)
    if op == "^":
        return value.startswith(wanted)
    if op == "*":
        return wanted in value
    return value == wanted


@dataclass
class El:
    """An element of the chapter's ``<main>``: tag, classes, attributes (``href$``
    ends with, ``src*`` contains, ``^`` starts with, None: present), a text it contains
    (``text``) or is (``exact``), an ancestor (``inside``). ``count``: exactly that many
    match (default: at least one); ``absent``: none may match."""

    tag: str | None = None
    classes: tuple[str, ...] = ()
    attrs: dict[str, str | None] = field(default_factory=dict)
    text: str | None = None
    exact: str | None = None
    inside: El | None = None
    count: int | None = None
    absent: bool = False

    def shape_ok(self, node: Node) -> bool:
        if self.tag is not None and node.tag != self.tag:
            return False
        if not set(self.classes) <= set(node.classes):
            return False
        if not all(_attr_ok(node, k, v) for k, v in self.attrs.items()):
            return False
        return self.inside is None or any(self.inside.matches(a) for a in node.ancestors())

    def text_ok(self, node: Node) -> bool:
        if self.exact is not None and node.text() != norm(self.exact):
            return False
        return self.text is None or norm(self.text) in node.text()

    def matches(self, node: Node) -> bool:
        return self.shape_ok(node) and self.text_ok(node)

    def find(self, root: Node) -> list[Node]:
        return [n for n in root.iter() if self.matches(n)]

    def describe(self) -> str:
        parts = [self.tag or "*"]
        parts += [f".{c}" for c in self.classes]
        parts += [f"[{k}]" if v is None else f'[{k}="{v}"]' for k, v in self.attrs.items()]
        out = "".join(parts)
        if self.exact is not None:
            out += f" exactly {self.exact!r}"
        if self.text is not None:
            out += f" containing {self.text!r}"
        if self.inside is not None:
            out += f" inside {self.inside.describe()}"
        return out

    def check(self, out: Output) -> str | None:
        found = self.find(out.main)
        if self.absent:
            if found:
                return f"unexpected {self.describe()}: {found[0].text()[:80]!r}"
            return None
        if self.count is not None and len(found) != self.count:
            return f"expected {self.count} × {self.describe()}, found {len(found)}"
        if found:
            return None
        near = [n for n in out.main.iter() if self.shape_ok(n)]
        if near and (self.text is not None or self.exact is not None):
            seen = "; ".join(repr(n.text()[:60]) for n in near[:3])
            return f"no {self.describe()} (same element with other text: {seen})"
        return f"no {self.describe()}"


@dataclass
class Text:
    """A text present in the chapter page (``html``), the PDF (``pdf``) or both."""

    text: str
    where: str = "both"

    def check(self, out: Output) -> str | None:
        missing = []
        if self.where in ("both", "html") and norm(self.text) not in out.html_text:
            missing.append("page")
        if self.where in ("both", "pdf") and not pdf_has(out, self.text):
            missing.append("PDF")
        return f"{self.text!r} missing from the {' and '.join(missing)}" if missing else None


@dataclass
class NoText:
    """A text that must appear in neither the page (``html``) nor the PDF (``pdf``)."""

    text: str
    where: str = "both"

    def check(self, out: Output) -> str | None:
        present = []
        if self.where in ("both", "html") and norm(self.text) in out.html_text:
            present.append("page")
        if self.where in ("both", "pdf") and pdf_has(out, self.text):
            present.append("PDF")
        return f"{self.text!r} present in the {' and '.join(present)}" if present else None


@dataclass
class Ref:
    """A cross-reference: ``<a href="…#target">`` reading exactly ``text`` on the page,
    and ``text`` in the PDF."""

    target: str
    text: str
    inside: El | None = None

    def check(self, out: Output) -> str | None:
        problems = [El("a", attrs={"href$": f"#{self.target}"}, exact=self.text,
                       inside=self.inside).check(out),
                    Text(self.text, "pdf").check(out)]
        return "; ".join(p for p in problems if p) or None


CALLOUT_KINDS = ("note", "tip", "warning", "caution", "important")


#: How a callout's ``appearance`` shows in its classes: Quarto's names or brief's.
APPEARANCE = {"simple": ({"callout-style-simple"}, {"callout-simple"}),
              "minimal": ({"callout-style-simple", "no-icon"}, {"callout-minimal"}),
              "default": ({"callout-style-default"}, set())}


def appearance_ok(node: Node, appearance: str) -> bool:
    classes = set(node.classes)
    if appearance == "default":  # Quarto's class, or no class of another appearance
        return "callout-style-default" in classes or not classes & {
            "callout-style-simple", "callout-simple", "callout-minimal"}
    return any(names <= classes for names in APPEARANCE[appearance] if names)


def icon_free(node: Node) -> bool:
    """Quarto's ``no-icon`` class, or no element that is an icon inside the callout."""
    return "no-icon" in node.classes or not any(
        "icon" in c for n in node.iter() if n is not node for c in n.classes)


@dataclass
class Callout:
    """A callout of ``kind`` (None: the plain ``.callout``) with a body text and a
    title (an element whose class starts with ``callout-title`` or ``callout-header``,
    never a section heading); the title and body also appear in the PDF.
    ``appearance``: "simple", "minimal" or "default" (see :data:`APPEARANCE`);
    ``icon=False``: the callout shows no icon."""

    kind: str | None
    title: str | None = None
    text: str | None = None
    appearance: str | None = None
    icon: bool | None = None

    def describe(self) -> str:
        what = f"callout-{self.kind}" if self.kind else "plain callout"
        if self.title:
            what += f" titled {self.title!r}"
        if self.text:
            what += f" with {self.text!r}"
        return what

    def check(self, out: Output) -> str | None:
        boxes = [n for n in out.main.iter() if "callout" in n.classes]
        if self.kind:
            boxes = [n for n in boxes if f"callout-{self.kind}" in n.classes]
        else:
            boxes = [n for n in boxes
                     if not any(f"callout-{k}" in n.classes for k in CALLOUT_KINDS)]
        if not boxes:
            return f"no {self.describe()} (no element with that class)"
        if self.text:
            boxes = [n for n in boxes if norm(self.text) in n.text()]
            if not boxes:
                return f"no {self.describe()} (no such callout holds the text)"
        problems: list[str] = []
        if self.title:
            titled = [n for n in boxes if any(
                norm(self.title) in t.text() for t in n.iter()
                if any(c.startswith(("callout-title", "callout-header")) for c in t.classes))]
            if not titled:
                seen = [t.text()[:50] for n in boxes for t in n.iter()
                        if any(c.startswith(("callout-title", "callout-header"))
                               for c in t.classes)]
                problems.append(f"{self.describe()}: title not found (titles seen: {seen})")
            else:
                boxes = titled
            headings = [h for h in out.main.iter()
                        if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")
                        and h.text().endswith(norm(self.title))]
            if headings:
                problems.append(f"the callout title {self.title!r} is also a section "
                                f"heading <{headings[0].tag}>")
        if self.appearance and not any(appearance_ok(n, self.appearance) for n in boxes):
            problems.append(f"{self.describe()}: not marked as appearance "
                            f"{self.appearance!r} (classes {boxes[0].classes})")
        if self.icon is False and not any(icon_free(n) for n in boxes):
            problems.append(f"{self.describe()}: shows an icon despite icon=false")
        for needle in (self.title, self.text):
            if needle and not pdf_has(out, needle):
                problems.append(f"{needle!r} missing from the PDF")
        return "; ".join(problems) or None


@dataclass
class Collapsed:
    """The callout holding ``text`` is collapsed on the site: a closed ``<details>``
    or an element with class ``collapse`` (not ``show``)."""

    text: str

    def check(self, out: Output) -> str | None:
        boxes = [n for n in out.main.iter() if "callout" in n.classes
                 and norm(self.text) in n.text()]
        if not boxes:
            return f"no callout holding {self.text!r}"
        for box in boxes:
            for node in box.iter():
                if node.tag == "details" and "open" not in node.attrs:
                    return None
                if "collapse" in node.classes and "show" not in node.classes:
                    return None
        return f"the callout {self.text!r} is not collapsed (no closed <details>, no .collapse)"


@dataclass
class PageOrder:
    """In the PDF, the last occurrence of ``first`` is on an earlier page than the last
    occurrence of ``second`` (a page break between them)."""

    first: str
    second: str

    def check(self, out: Output) -> str | None:
        def page(needle: str) -> int | None:
            hits = [i for i, p in enumerate(out.pdf_pages) if _squeeze(needle) in _squeeze(p)]
            return hits[-1] if hits else None

        a, b = page(self.first), page(self.second)
        if a is None or b is None:
            return f"PDF: {self.first!r} or {self.second!r} not found"
        if a >= b:
            return f"PDF: {self.first!r} and {self.second!r} are both on page {b + 1}"
        return None


@dataclass
class PdfImages:
    """The PDF embeds at least ``count`` raster images (``pdfimages -list``)."""

    count: int

    def check(self, out: Output) -> str | None:
        pdf = next(out.site.glob("*.pdf"))
        listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                                 text=True, check=True).stdout.splitlines()[2:]
        found = len([line for line in listing if line.strip()])
        if found < self.count:
            return f"PDF embeds {found} images, expected at least {self.count}"
        return None


@dataclass
class PdfCount:
    """``text`` occurs at least ``count`` times in the PDF."""

    text: str
    count: int

    def check(self, out: Output) -> str | None:
        found = _squeeze(out.pdf_text).count(_squeeze(self.text))
        if found < self.count:
            return f"{self.text!r} occurs {found} times in the PDF, expected {self.count}+"
        return None


@dataclass
class Before:
    """Within an element matching ``within``, ``first`` comes before ``second``."""

    within: El
    first: str
    second: str

    def check(self, out: Output) -> str | None:
        nodes = self.within.find(out.main)
        if not nodes:
            return f"no {self.within.describe()}"
        for node in nodes:
            text = node.text()
            a, b = text.find(norm(self.first)), text.find(norm(self.second))
            if a >= 0 and b >= 0 and a < b:
                return None
        return (f"{self.first!r} does not come before {self.second!r} in "
                f"{self.within.describe()} ({nodes[0].text()[:80]!r})")


@dataclass
class Columns:
    """A layout of ``ncol`` columns whose cells hold ``cells`` (one each): Quarto's
    ``quarto-layout-cell`` elements, or the children of an element styled as a grid of
    ``ncol`` columns (``grid-template-columns: repeat(ncol, ...)``)."""

    ncol: int
    cells: tuple[str, ...]

    def _separate(self, boxes: list[Node]) -> bool:
        used: set[int] = set()
        for needle in self.cells:
            hit = next((i for i, b in enumerate(boxes)
                        if i not in used and norm(needle) in b.text()), None)
            if hit is None:
                return False
            used.add(hit)
        return True

    def check(self, out: Output) -> str | None:
        cells = [n for n in out.main.iter() if "quarto-layout-cell" in n.classes]
        if cells and self._separate(cells):
            return None
        grid = re.compile(rf"grid-template-columns:\s*repeat\(\s*{self.ncol}\s*,")
        for node in out.main.iter():
            if grid.search(node.attrs.get("style", "")):
                children = [c for c in node.children if isinstance(c, Node)]
                if self._separate(children):
                    return None
        return (f"no {self.ncol}-column layout with a cell for each of {self.cells} (no "
                ".quarto-layout-cell, no grid of that many columns)")


@dataclass
class Diagram:
    """A drawn diagram on the site (within the element with id ``within``, if given): an
    inline ``<svg>`` (holding ``label``, if given) or an SVG/PNG image; or, drawn in the
    reader's browser, an element of class ``mermaid`` on a page that loads a local
    mermaid script. Source code shown as a code block is not a diagram."""

    label: str | None = None
    within: str | None = None

    def check(self, out: Output) -> str | None:
        scope = El(attrs={"id": self.within}) if self.within else None
        drawn = [El("svg", text=self.label, inside=scope),
                 El("img", attrs={"src$": ".svg"}, inside=scope),
                 El("img", attrs={"src$": ".png"}, inside=scope)]
        if any(fact.check(out) is None for fact in drawn):
            return None
        scripts = [n for n in out.document.iter() if n.tag == "script"
                   and "mermaid" in n.attrs.get("src", "")
                   and not re.match(r"^([a-z]+:)?//", n.attrs.get("src", ""))]
        browser = El(classes=("mermaid",), text=self.label, inside=scope).find(out.main)
        if browser and scripts:
            return None
        where = f" in #{self.within}" if self.within else ""
        shown = El("code", text=self.label, inside=scope).find(out.main)
        return (f"no drawn diagram{where} (no <svg>, no diagram image, no mermaid script)"
                + (" - its source is shown as code" if shown else ""))


@dataclass
class AnyOf:
    """At least one of the facts holds."""

    facts: tuple[Fact, ...]

    def check(self, out: Output) -> str | None:
        problems = [f.check(out) for f in self.facts]
        if any(p is None for p in problems):
            return None
        return "none of: " + " | ".join(str(p) for p in problems)


def any_of(*facts: Fact) -> AnyOf:
    return AnyOf(facts)


# --------------------------------------------------------------------------------------
# Quarto syntax that must never reach a reader (prose of the page; all of the PDF).

LEAKS = {
    "shortcode": re.compile(r"\{\{<|>\}\}"),
    "div fence": re.compile(r":::"),
    "cell option": re.compile(r"#\s?\|"),
    "display math": re.compile(r"\$\$"),
    "cross-reference": re.compile(
        r"\?@|(?<![\w.])@(fig|tbl|sec|eq|thm|lem|cor|prp|cnj|def|exm|exr|alg|lst|nte|tip|"
        r"wrn|imp|cau|rem|sol|prf)-", re.IGNORECASE),
    "inline code cell": re.compile(r"\{python\}"),
    "citation": re.compile(r"\[@\w"),
    "attributes": re.compile(r"\{#[A-Za-z][\w-]*"),
}


def leaks(text: str, allowed: tuple[str, ...]) -> list[str]:
    found = []
    for name, pattern in LEAKS.items():
        if name in allowed:
            continue
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - 30)
            found.append(f"{name} {match.group(0)!r} in …{text[start:match.end() + 30]}…")
    return found


# --------------------------------------------------------------------------------------
# The documents and what each must produce.


@dataclass
class Case:
    facts: list[Fact]
    #: Keys added to the test book's _quarto.yml.
    config: dict[str, Any] = field(default_factory=dict)
    #: LEAKS names that the PDF may show (they are in code the document displays).
    pdf_allows: tuple[str, ...] = ()


def callout_in(kind: str) -> El:
    return El(classes=("callout", f"callout-{kind}"))


def table_for(ident: str, parent: str | None = None) -> AnyOf:
    """A ``<table>`` that carries the id ``ident`` or sits inside the element that does
    (inside the element with id ``parent``, for a subtable)."""
    outer = El(attrs={"id": parent}) if parent else None
    return any_of(El("table", attrs={"id": ident}, inside=outer),
                  El("table", inside=El(attrs={"id": ident}, inside=outer)))


FORMATS = ["REVEALJS", "LATEX", "PDF", "DOCX", "PPTX", "EPUB", "MARKDOWN", "GFM",
           "COMMONMARK", "ASCIIDOC", "DOCUSAURUS", "DOCUSAURUSMD", "HUGO", "HUGOMD",
           "CONFLUENCE", "DASHBOARD", "EMAIL", "IPYNB", "BEAMER"]

CASES: dict[str, Case] = {
    # ---------------------------------------------------------------- callouts
    "callouts.qmd": Case([
        Callout("warning", "Warning", "Callouts provide a simple way to attract attention"),
        Callout("important", "This is Important", "Danger, callouts will really improve"),
        Callout("note", "Note", "Note that there are five types of callouts"),
        Callout("tip", "Tip With Caption", "This is an example of a callout with a caption."),
        Callout("tip", "Caption with formatted text, like function_name()"),
        El("strong", exact="formatted", inside=callout_in("tip")),
        El("code", exact="function_name()", inside=callout_in("tip")),
        Callout("caution", "Expand To Learn About Collapse"),
        Collapsed("Expand To Learn About Collapse"),
        Text("that can be expanded by the user", "pdf"),
        Callout(None, "Exercise", "You can also use a plain"),
        Callout("caution", text="A simple callout with no title", appearance="simple"),
        Callout("caution", text="A default callout with no title or icon",
                appearance="default", icon=False),
        Callout("caution", text="A simple callout with no title or icon",
                appearance="simple", icon=False),
        Callout("caution", text="A minimal callout with no title", appearance="minimal"),
    ]),
    "smoke-all/2023/05/25/callout-missing-title.qmd": Case([
        Callout("note", "Note", "Hello."),
    ]),
    "smoke-all/callouts/a11y/issue-726.qmd": Case([
        Callout("note", "Title", "This is a callout."),
    ]),
    "smoke-all/typst/callout-no-icon.qmd": Case([
        Callout("note", "Note without icon", icon=False),
        Callout("warning", "Warning without icon", icon=False),
        Callout("tip", text="A tip without a title and without an icon.", icon=False),
        Callout("important", "Important with icon"),
        El(attrs={"id": "tip-example"}, text="A tip without a title"),
        Ref("tip-example", "Tip 1.1"),
        El("h2", attrs={"id": "no-icon-notes"}),
    ]),
    "crossrefs/callouts.qmd": Case([
        Callout("note", "response", "some text", icon=False),
        El("img", inside=El(attrs={"id": "fig-elephant"})),
        El("img", inside=El(attrs={"id": "fig-elephant-callout"}, inside=callout_in("note"))),
        Text("Figure 1.1: It's an ele bro"),
        Text("Figure 1.2: Another ele"),
        PdfImages(2),
    ]),
    # ---------------------------------------------------------------- footnotes
    "smoke-all/2023/03/07/callout-footnote.qmd": Case([
        Callout(None, "Still not visible in PDF output", "A footnote"),
        Callout(None, "Not visible in PDF output", "Some text without a footnote."),
        El("a", attrs={"role": "doc-noteref"}, count=2),
        Text("which is inside the callout instead of outside."),
        Text("Here is the footnote."),
        Text("Subsequent paragraphs are indented to show that they belong to the previous "
             "footnote."),
        El("code", exact="test 123"),
        El("math", attrs={"display": "block"}),
    ]),
    "smoke-all/2023/11/13/7534.qmd": Case([
        El("a", attrs={"role": "doc-noteref"}, count=1),
        Text("The first paragraph."),
        Text("The second paragraph."),
    ]),
    "smoke-all/article-layout/margin-location/reference-location-margin.qmd": Case([
        Callout("tip", text="blah 2"),
        El("a", attrs={"role": "doc-noteref"}, count=2),
        El("blockquote", text="text"),
        Text("Sidenote for numbered list inside callout"),
        Text("Footnote."),
    ]),
    # ---------------------------------------------------------------- figures
    "crossrefs/figure-syntax-img.qmd": Case([
        El("img", inside=El(attrs={"id": "fig-foo"})),
        Text("Figure 1.1: This is the figure"),
        Ref("fig-foo", "Figure 1.1"),
        PdfImages(1),
    ]),
    "crossrefs/figure-syntax-div.qmd": Case([
        El("img", inside=El(attrs={"id": "fig-foo"})),
        Text("Figure 1.1: This is the figure"),
        Ref("fig-foo", "Figure 1.1"),
        PdfImages(1),
    ]),
    "crossrefs/figure-syntax-link.qmd": Case([
        El("img", inside=El("a", attrs={"href": "https://www.example.com/"})),
        Text("Figure 1.1: This is the figure"),
        Ref("fig-foo", "Figure 1.1"),
        PdfImages(1),
    ]),
    "crossrefs/simple.qmd": Case([
        Text("Figure 1.1: Elephant"),
        Ref("fig-elephant", "Figure 1.1"),
        El("img", inside=El(attrs={"id": "fig-surus"}, inside=El(attrs={"id": "fig-elephants"}))),
        El("img", inside=El(attrs={"id": "fig-abbas"}, inside=El(attrs={"id": "fig-elephants"}))),
        Text("(a) Surus"),
        Text("(b) Abbas"),
        Text("Figure 1.2: Famous Elephants"),
        Ref("fig-elephants", "Figure 1.2"),
        Ref("fig-abbas", "Figure 1.2 (b)"),
        PdfImages(3),
    ]),
    "crossrefs/syntax.qmd": Case([
        Text("Figure 1.1: Elephant"),
        Ref("fig-elephant", "Figure 1.1", inside=El(classes=("figtest-default",))),
        Ref("fig-elephant", "Figure 1.1", inside=El(classes=("figtest-capitalized",))),
        Ref("fig-elephant", "Figure 1.1", inside=El(classes=("figtest-prefix",))),
        El("a", attrs={"href$": "#fig-elephant"}, exact="1.1",
           inside=El(classes=("figtest-noprefix",))),
        NoText("Figure Figure"),
    ]),
    "smoke-all/crossrefs/float/html/html-float-1.qmd": Case([
        El(classes=("figure-content",), text="This is the figure content.",
           inside=El(attrs={"id": "fig-1"})),
        El(classes=("table-content",), text="This is the table content.",
           inside=El(attrs={"id": "tbl-1"})),
        Text("Figure 1.1: This is a caption."),
        Text("Table 1.1: This is a table."),
        Ref("fig-1", "Figure 1.1"),
        Ref("tbl-1", "Table 1.1"),
    ]),
    # ---------------------------------------------------------------- math, theorems
    "crossrefs/equations.qmd": Case([
        El("math", attrs={"display": "block"}, inside=El(attrs={"id": "eq-black-scholes"})),
        Ref("eq-black-scholes", "Equation 1.1"),
        Text("(1.1)"),
    ]),
    "smoke-all/crossrefs/equations/equations-alt.qmd": Case([
        El("math", attrs={"display": "inline"}),
        El("math", attrs={"display": "block"}, count=8),
        Ref("eq-display-math", "Equation 1.1"),
        Ref("eq-display-alt", "Equation 1.2"),
        Ref("eq-display-alt-spaces", "Equation 1.3"),
        Ref("eq-single-quote", "Equation 1.4"),
        Ref("eq-double-quote", "Equation 1.5"),
        Ref("eq-mixed-quotes", "Equation 1.6"),
        Ref("eq-single-quote-alt", "Equation 1.7"),
        NoText("alt="),
    ]),
    "crossrefs/theorems.qmd": Case([
        El("math", attrs={"display": "block"}, inside=El(attrs={"id": "thm-line"})),
        Text("Theorem 1.1 (Line)"),
        Ref("thm-line", "Theorem 1.1"),
        El("h2", exact="Line", absent=True),
    ]),
    "crossrefs/theorem-types.qmd": Case([
        Ref("lem-test", "Lemma 1.1"),
        Ref("cor-test", "Corollary 1.1"),
        Ref("prp-test", "Proposition 1.1"),
        Ref("cnj-test", "Conjecture 1.1"),
        Ref("def-test", "Definition 1.1"),
        Ref("exm-test", "Example 1.1"),
        Ref("exr-test", "Exercise 1.1"),
        Text("Lemma 1.1 (Lemma)"),
        Text("Definition 1.1 (Definition)"),
        El("math", attrs={"display": "block"}, count=7),
    ]),
    "smoke-all/2023/10/18/7259c.qmd": Case([
        Ref("thm-line", "Theorem 1.1"),
        El(attrs={"id": "thm-line"}, text="Theorem 1.1"),
        El(attrs={"id": "exr-a-b"}, text="Exercise 1.1"),
        NoText("()"),
    ]),
    "crossrefs/v1.4/remarks-solutions.qmd": Case([
        Ref("rem-1", "Remark 1.1"),
        Ref("rem-2", "Remark 1.2"),
        Ref("sol-1", "Solution 1.1"),
        Ref("sol-2", "Solution 1.2"),
        Text("Here's a named unreferenceable remark."),
        Text("Here's an unnamed unreferenceable solution."),
        Text("Remark (Name)"),
        Text("Solution (Name)"),
        El("h2", text="Name", absent=True),
    ]),
    "smoke-all/crossrefs/theorem/proof-rendering-html.qmd": Case([
        El(classes=("proof",), text="This is a proof with content."),
        El(classes=("proof",), text="Proof (Of the main theorem)"),
        El(classes=("proof",), text="Named proof body."),
        El(classes=("remark",), text="This is a remark."),
        El(classes=("remark",), text="Remark"),
        Text("Proof (Of the main theorem)", "pdf"),
        Text("Remark", "pdf"),
    ]),
    # ---------------------------------------------------------------- listings, sections, tables
    "crossrefs/listings.qmd": Case([
        El(attrs={"id": "lst-customers"}, text="SELECT * FROM Customers"),
        Text("Listing 1.1: Customers Query"),
        Ref("lst-customers", "Listing 1.1"),
    ]),
    "smoke-all/crossrefs/float/html/html-lst-cap-location-1.qmd": Case([
        El("em", exact="query", inside=El(attrs={"id": "lst-customers"})),
        Before(El(attrs={"id": "lst-customers"}), "Listing 1.1: Customers query",
               "SELECT * FROM Customers"),
        Before(El(attrs={"id": "lst-customers-2"}), "SELECT * FROM Customers",
               "Listing 1.2: Customers query"),
        Ref("lst-customers", "Listing 1.1"),
        Ref("lst-customers-2", "Listing 1.2"),
    ]),
    "crossrefs/sections.qmd": Case([
        El("h2", attrs={"id": "sec-introduction"}, text="1.1"),
        Ref("sec-introduction", "Section 1.1"),
    ]),
    "smoke-all/crossrefs/tables/simple.qmd": Case([
        table_for("tbl-letters"),
        table_for("tbl-first", "tbl-panel"),
        table_for("tbl-second", "tbl-panel"),
        any_of(El("td", exact="Row 2, Col 3", inside=El("table", attrs={"id": "tbl-list"})),
               El("td", exact="Row 2, Col 3", inside=El(attrs={"id": "tbl-list"}))),
        any_of(El("td", exact="Row 1, Col 1", inside=El("table", attrs={"id": "tbl-list-2"})),
               El("td", exact="Row 1, Col 1", inside=El(attrs={"id": "tbl-list-2"}))),
        Text("Table 1.1: My Caption"),
        Text("(a) First Table"),
        Text("(b) Second Table"),
        Text("Table 1.2: Main Caption"),
        Text("Table 1.3: This is a table caption."),
        Ref("tbl-letters", "Table 1.1"),
        Ref("tbl-panel", "Table 1.2"),
        Ref("tbl-second", "Table 1.2 (b)"),
        Ref("tbl-list", "Table 1.3"),
        Ref("tbl-list-2", "Table 1.4"),
        NoText("tbl-colwidths"),
    ]),
    # ---------------------------------------------------------------- layout, tabsets
    "smoke-all/2023/11/20/layout-ncol.qmd": Case([
        Columns(2, ("1. Quarto", "2. Contributors", "3. Passion", "4. Regrets")),
        Text("Regrets:"),
    ]),
    "smoke-all/2025/01/08/7260.qmd": Case([
        El(attrs={"role": "tablist"}, count=1),
        El(attrs={"role": "tab"}, exact="Tab A"),
        El(attrs={"role": "tab", "aria-selected": "true"}, exact="Tab B"),
        El(attrs={"role": "tabpanel"}, count=2),
        El(attrs={"role": "tabpanel"}, text="Content for Tab A"),
        El("h3", exact="Tab A", absent=True),
        Text("Content for Tab A", "pdf"),
        Text("Content for Tab B", "pdf"),
    ]),
    "smoke-all/2025/05/13/issue-12727.qmd": Case([
        El(attrs={"role": "tablist"}, count=2),
        El(attrs={"role": "tab"}, exact="Python", count=2),
        El(attrs={"role": "tab"}, exact="R", count=2),
        El("code", text="Missing the headers here", inside=El(attrs={"role": "tabpanel"})),
        Text("Missing the headers here but we shouldn't crash", "pdf"),
    ]),
    "smoke-all/2023/12/06/7607.qmd": Case([
        El(attrs={"role": "tablist"}, count=1),
        El(attrs={"role": "tab"}, exact="Heading a"),
        El(attrs={"role": "tab"}, exact="Heading c"),
        El(attrs={"role": "tabpanel"}, text="content b"),
        Text("content c", "pdf"),
    ]),
    # ---------------------------------------------------------------- shortcodes
    "shortcodes/metadata.qmd": Case([
        El("h2", text="Hello World"),
        El("math"),
        Text("Subkey Value"),
        Text("Hello World", "pdf"),
    ]),
    "shortcodes/vars-simple.qmd": Case([
        Text("Variable 2 Sub Sub VALUE"),
    ]),
    "smoke-all/shortcodes/shortcode-math.qmd": Case([
        El("annotation", text="5 + 5", inside=El("math", attrs={"display": "inline"})),
        El("annotation", text="5 + 5", inside=El("math", attrs={"display": "block"})),
        El("p", exact="Plain: 5"),
        NoText("?meta"),
        NoText("meta five"),
    ]),
    "smoke-all/2024/11/14/issue-11441.qmd": Case([
        El("p", exact="1 world 3"),
        Text("1 world 3", "pdf"),
    ]),
    "directives/pagebreak/minimal.qmd": Case([
        PageOrder("A short page.", "Some more stuff"),
        NoText("{{< pagebreak"),
        NoText("\\pagebreak"),
        Text("Hi!"),
    ]),
    "smoke-all/2023/01/18/3159.qmd": Case([
        El("p", exact="This is some content"),
        Text("This is some content", "pdf"),
        NoText("_file with spaces"),
    ]),
    "smoke-all/2024/02/21/8779/subdir/test.qmd": Case([
        El("p", exact="Content."),
        Text("Content.", "pdf"),
        NoText("_in.qmd"),
    ]),
    # brief's site loads nothing from other hosts: a video is a link (Quarto: an iframe).
    "smoke-all/2022/11/14/3310.qmd": Case([
        El("a", attrs={"href*": "youtube.com/embed/wo9vZccmqwc"}),
        El("iframe", absent=True),
        Text("youtube.com/embed/wo9vZccmqwc", "pdf"),
    ]),
    "smoke-all/2024/12/17/issue-11699.qmd": Case([
        El("iframe", absent=True),
        NoText("Sq1QZB5baNw"),
        NoText("Figure Status Update"),
    ]),
    "smoke-all/2023/05/11/5507.qmd": Case([
        El("code", text="{{< meta somevalue >}}"),
        Text("{{< meta somevalue >}}", "pdf"),
    ], pdf_allows=("shortcode",)),
    "smoke-all/2023/05/25/escaped-shortcode-in-code.qmd": Case([
        El("code", exact="{{< video >}}"),
        NoText("{{{<"),
        Text("{{< video >}}", "pdf"),
    ], pdf_allows=("shortcode",)),
    "smoke-all/shortcodes/kbd-plain.qmd": Case([
        El("kbd", exact="Shift-Ctrl-K"),
        El("kbd", exact="Command-Shift-K"),
        Text("Shift-Ctrl-K", "pdf"),
        NoText("mode=plain"),
    ]),
    # ---------------------------------------------------------------- conditional content
    "smoke-all/2023/01/05/content-hidden.qmd": Case([
        El(classes=("be-here",), count=2),
        El(classes=("do-not-be-here",), absent=True),
    ]),
    "smoke-all/2023/10/04/content-hidden.qmd": Case([
        El("code", text="2+2", inside=El(classes=("be-here",))),
        El("span", classes=("be-here",), exact="Hi!"),
        El(classes=("do-not-be-here",), absent=True),
        PdfCount("2+2", 1),
    ]),
    "smoke-all/conditional-content/when-format.qmd": Case([
        Text("Only visible in HTML", "html"),
        Text("Only visible in HTMLJS", "html"),
        Text("Only visible in TYPST", "pdf"),
        NoText("Only visible in TYPST", "html"),
        NoText("Only visible in HTML", "pdf"),
        # brief's PDF is its `pdf` format (made with Typst): "pdf" content is printed
        # there, never on the site (Quarto's "pdf" is its LaTeX output only).
        Text("Only visible in PDF", "pdf"),
        NoText("Only visible in PDF", "html"),
        *[NoText(f"Only visible in {name}") for name in FORMATS if name != "PDF"],
    ]),
    "smoke-all/conditional-content/meta.qmd": Case([
        El(attrs={"id": "MustBeHere"}),
        El(attrs={"id": "MustBeHereToo"}),
        El(attrs={"id": "MustBeHereFalse"}),
        El(attrs={"id": "MustBeHereTooFalse"}),
        El(attrs={"id": "CannotBeHere"}, absent=True),
        El(attrs={"id": "CannotBeHereEither"}, absent=True),
        El(attrs={"id": "CannotBeHereEitherFalse"}, absent=True),
    ]),
    "smoke-all/2026/02/04/issue-13992-plain.qmd": Case([
        NoText("Plain div content visible.", "html"),
        Text("Plain div content visible.", "pdf"),
    ]),
    # ---------------------------------------------------------------- python cells
    "smoke-all/inline-execution/inline-jupyter.qmd": Case([
        El("li", exact="1", count=2),
        El("li", exact="foo"),
        El("li", exact="False"),
        El("li", exact="True"),
        El("li", exact="None"),
        # brief reads an inline value as Markdown (its cite() returns "[@key]"), so the
        # strings '*foo*' and "*foo*" are emphasis, like Markdown("*foo*"); Quarto
        # escapes strings and writes "*foo*".
        El("em", exact="foo", inside=El("li"), count=3),
        El("code", text="{python}", absent=True),
        NoText("IPython.core.display.Markdown object"),
    ]),
    "smoke-all/2023/10/10/issue-7187-jupyter.qmd": Case([
        El("td", exact="Adam", inside=El("table")),
        El("td", exact="Mike", inside=El("table")),
        NoText("import pandas"),
        Text("Mike", "pdf"),
    ]),
    "jupyter/parameters/issue-11990.qmd": Case([
        Text("Hello, None!"),
        El("code", text='print(f"Hello, {username}!")'),
        NoText("password = None"),
    ]),
    "smoke-all/typst/margin-layout/margin-listing-cell-option.qmd": Case([
        El("code", text="def greet(name):", inside=El(attrs={"id": "lst-margin-cell"})),
        Text("Listing 1.1: MARGIN-CELL-OPTION-CODE"),
        Ref("lst-margin-cell", "Listing 1.1"),
        NoText("Hello, World!"),
    ]),
    "smoke-all/2026/07/18/issue-13583.qmd": Case([
        El("code", text='print("visible, folded code")', inside=El("details")),
        Text("hidden code"),
        NoText('print("hidden code")'),
        Text('print("visible, folded code")', "pdf"),
    ]),
    "smoke-all/crossrefs/float/lst-cap-in-jupyter-cells.qmd": Case([
        El(attrs={"id": "lst-code-source"}, text="1 + 1"),
        Text("Listing 1.1: Some code source"),
        Ref("lst-code-source", "Listing 1.1"),
    ]),
    "smoke-all/2023/09/30/_pdf-marginfloats.qmd": Case([
        El("img", inside=El(attrs={"id": "fig-test"})),
        Text("Figure 1.1: Beautiful blue bars."),
        Text("Figure 1.2: Causal graph for observational analysis."),
        Ref("fig-test", "Figure 1.1"),
        Ref("fig-causal-graph-3", "Figure 1.4"),
        NoText("import matplotlib"),
        NoText("digraph D"),
    ]),
    # ---------------------------------------------------------------- citations
    "smoke-all/2023/11/20/7632.qmd": Case([
        Text("Foo (Knuth 1984)."),
        Text("Bar (Wickham 2015)."),
        Callout("important", text="Bar (Wickham 2015)."),
        # The default style (Chicago author-date, Quarto's too) writes titles in
        # title case.
        El(attrs={"id": "ref-knuth1984"}, text="Literate Programming",
           inside=El(attrs={"id": "refs"})),
        El(attrs={"id": "ref-wickham2015"}, text="R Packages", inside=El(attrs={"id": "refs"})),
        Text("Literate Programming", "pdf"),
    ]),
    "project/book/intro.qmd": Case([
        El("h1", text="Introduction"),
        El("span", attrs={"data-cites": "afzal2020"}, text="Afzal"),
        Text("2020", "pdf"),
        El("a", attrs={"href$": "cover.png"}, exact="A figure"),
        El("code", text='print("Hello, world")'),
        Text("Hello, world"),
        NoText("_include.qmd"),
    ], config={"bibliography": "references.bib"}),
    # ---------------------------------------------------------------- diagrams
    # Mermaid needs a browser engine to lay out, which brief's build does not run: the
    # source is kept as code (without its %%| options), captioned when it is a figure,
    # and the build warns (the second choice; Quarto draws it).
    "smoke-all/2023/12/11/4376.qmd": Case([
        El("code", text="flowchart TB", inside=El(attrs={"id": "fig-1"})),
        Text("Figure 1.1: A caption"),
        Text("flowchart TB", "pdf"),
        NoText("fig-align"),
    ]),
    "smoke-all/2025/11/10/13661.qmd": Case([
        El("code", text="Decision"),
        Text("Decision", "pdf"),
    ]),
    "smoke-all/2023/02/13/dot-bug.qmd": Case([
        El("code", text="```{dot}"),
        Diagram("zombie"),
        any_of(PdfCount("zombie", 2), PdfImages(1)),
    ]),
}


# --------------------------------------------------------------------------------------
# Building one document as a book.

INDEX = """---
title: "About this book"
---

This book holds one document of Quarto's test suite as its only chapter.
"""


def make_book(root: Path, document: Any, config: dict[str, Any]) -> str:
    """Lay out the book in ``root``; return the chapter's path in it."""
    root.mkdir(parents=True)
    for file in document.files:
        target = root / document.relative(file)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DOCS / file, target)
    chapter = document.relative(document.path)
    settings = {"project": {"type": "book"},
                "book": {"title": "Quarto corpus", "chapters": ["index.qmd", chapter]},
                **config}
    (root / "_quarto.yml").write_text(yaml.safe_dump(settings, sort_keys=False),
                                      encoding="utf-8")
    (root / "index.qmd").write_text(INDEX, encoding="utf-8")
    return chapter


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "brief.cli", "build", "--project", str(root)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          cwd=root, check=False)


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def local_targets(main: Node) -> Iterator[tuple[str, str]]:
    """(tag, url) of every image source and link to a file of the site."""
    for node in main.iter():
        for name in ("src", "href"):
            url = node.attrs.get(name, "")
            if (url and not url.startswith(("#", "data:", "mailto:", "javascript:"))
                    and not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url)):
                yield node.tag, url


# --------------------------------------------------------------------------------------
# The tests.


def test_every_document_has_its_expected_results_and_files():
    documents = [d.path for d in MANIFEST.documents]
    assert len(documents) == len(set(documents)), "a document is listed twice"
    assert sorted(documents) == sorted(CASES), (
        f"only in MANIFEST.txt: {sorted(set(documents) - set(CASES))}; "
        f"only in CASES: {sorted(set(CASES) - set(documents))}")
    for file in MANIFEST.files:
        assert (DOCS / file).is_file(), f"{file} is not vendored: run scripts/quarto_corpus.py"
    vendored = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*") if p.is_file()}
    assert vendored == set(MANIFEST.files), sorted(vendored ^ set(MANIFEST.files))
    assert MANIFEST.commit in (CORPUS / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("document", MANIFEST.documents, ids=lambda d: d.path)
def test_quarto_document_builds_as_a_chapter(document, tmp_path):
    case = CASES[document.path]
    root = tmp_path / "book"
    chapter = make_book(root, document, case.config)
    result = build(root)
    tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-12:])
    assert result.returncode == 0, f"brief build exited {result.returncode}:\n{tail}"
    site = root / "_book"
    pdfs = sorted(site.glob("*.pdf"))
    assert len(pdfs) == 1, f"expected one PDF in _book/, found {pdfs}"
    page = site / Path(chapter).with_suffix(".html")
    assert page.is_file(), f"no page {page.relative_to(root)}"

    html = parse_html(page.read_text(encoding="utf-8"))
    main = next((n for n in html.iter() if n.tag == "main"), None)
    main = main or next(n for n in html.iter() if n.tag == "body")
    out = Output(site, page, html, main, pdf_pages(pdfs[0]))

    problems: list[str] = []
    problems += [f"page: {leak}" for leak in leaks(out.prose_text, ())]
    problems += [f"PDF: {leak}" for leak in leaks(out.pdf_text, case.pdf_allows)]
    for tag, url in local_targets(main):
        target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
        if not target.exists():
            problems.append(f"<{tag}> {url} does not resolve to a file of the site")
    for fact in case.facts:
        problem = fact.check(out)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


def test_a_whole_book_written_by_others_builds_as_it_is(tmp_path: Path) -> None:
    """quarto-cli's own small book (tests/docs/project/book: its _quarto.yml, a preface,
    a chapter with a citation, a link to a file and an include, a summary that refers
    to an id that is not a figure, the references), built untouched."""
    root = tmp_path / "book"
    shutil.copytree(DOCS / "project" / "book", root)
    done = build(root)
    assert done.returncode == 0, done.stdout + done.stderr
    site = root / "_book"
    intro = parse_html((site / "intro.html").read_text("utf-8"))
    text = intro.text()
    assert "1 Introduction" in text and "Hello, world" in text  # the included cell ran
    assert "Afzal" in text and "[@afzal2020]" not in text
    [link] = [n for n in intro.iter() if n.tag == "a" and n.text() == "A figure"]
    assert (site / link.attrs["href"]).is_file()  # the linked cover, copied
    nav = [n.text() for n in parse_html((site / "index.html").read_text("utf-8")).iter()
           if n.tag == "a" and n.attrs.get("href", "").endswith(".html")]
    assert {"Preface", "1Introduction", "2Summary", "References"} <= set(nav), nav
    # `[A figure](./cover.png){#fig-1}` is a link, not a figure: @fig-1 refers to
    # nothing, which Quarto shows as ?@fig-1 too; the build says where.
    assert "summary.qmd:3: warning: @fig-1 refers to nothing" in norm(done.stderr)
    pdf = norm("\n".join(pdf_pages(next(site.glob("*.pdf")))))
    assert "Jane Smith" in pdf and "Hello, world" in pdf and "Afzal" in pdf
