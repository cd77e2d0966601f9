"""Compare a page with its translation (its *twin*): the same computation in other words.

A translated page (``index.vi.qmd`` beside ``index.qmd``) must show the same numbers,
figures and references as its original: only prose, captions, chart titles and alt
texts differ. :func:`drift` lists what differs in the parts that must not, so that a
test and the build can say "chapters/02-x.vi.qmd has no fig-growth" before a reader of
one edition sees a figure the other lacks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from brief import strings
from brief.render import qmd

_SECTION_ID = re.compile(r"\{#(?P<id>(?:sec|tbl|fig|eq|lst)-[\w-]+)")
_REFERENCE = re.compile(r"(?<![\w@])@(?P<key>[A-Za-z][\w:.-]*[\w])")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Shape:
    """What a page computes and points at, independent of its language."""

    inlines: frozenset[str]
    labels: tuple[str, ...]
    anchors: frozenset[str]
    references: frozenset[str]
    names: frozenset[str]
    cells: int


def twin_path(page: str, language: str) -> str:
    """``chapters/01-x.qmd`` -> ``chapters/01-x.vi.qmd``."""
    stem, dot, suffix = page.rpartition(".")
    return f"{stem}.{language}.{suffix}" if dot else f"{page}.{language}"


def _string_names(code: str, known: frozenset[str] = frozenset()) -> set[str]:
    """Identifier-like string literals in ``code``: indicator ids, resources, columns.

    English prose in a literal is translated in the twin; names are not, so comparing
    the identifier-like literals catches a twin that reads another indicator.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and _NAME.fullmatch(node.value) and ("_" in node.value or node.value in known)}


def shape(text: str, path: str, known: frozenset[str] = frozenset()) -> Shape:
    """The language-free shape of the page ``text`` (read from ``path``); ``known`` are
    names to compare even without an underscore (the columns of :func:`drift`)."""
    doc = qmd.parse(text, path)
    prose = "\n".join(block.text for block in doc.parts if isinstance(block, qmd.Markdown))
    names: set[str] = set()
    for cell in doc.cells:
        names |= _string_names(cell.code, known)
    return Shape(
        inlines=frozenset(" ".join(i.expr.split()) for i in doc.inlines),
        labels=tuple(c.label or "" for c in doc.cells),
        anchors=frozenset(m["id"] for m in _SECTION_ID.finditer(prose)),
        references=frozenset(m["key"] for m in _REFERENCE.finditer(prose)),
        names=frozenset(names),
        cells=len(doc.cells),
    )


def _listed(items: set[str]) -> str:
    return ", ".join(sorted(items))


def drift(original: str, twin: str, original_path: str, twin_path: str,
          columns: Mapping[str, str] | None = None) -> list[str]:
    """What the twin lacks or adds against the original, one sentence each (empty: none).

    ``columns`` maps a column of the data to the one a translation shows instead (the
    ``columns:`` table of ``_language-vi.yml``: ``name_en: province``), so that a twin
    naming places in its own language does not count as reading other data.
    """
    known = frozenset(columns or {}) | frozenset((columns or {}).values())
    a, b = shape(original, original_path, known), shape(twin, twin_path, known)
    if columns:  # each pair is one column, whichever of the two a page reads
        a, b = ([replace(x, names=frozenset(columns.get(n, n) for n in x.names),
                         inlines=frozenset(_renamed(i, columns) for i in x.inlines))
                 for x in (a, b)])
    problems = []
    if a.cells != b.cells or a.labels != b.labels:
        problems.append(f"{twin_path}: cells differ from {original_path}: "
                        f"{a.cells} cells {list(a.labels)} there, {b.cells} {list(b.labels)} here")
    for what, mine, theirs in (("inline expressions", a.inlines, b.inlines),
                               ("heading or figure ids", a.anchors, b.anchors),
                               ("citations or cross-references", a.references, b.references),
                               ("names in code (indicators, resources, columns)",
                                a.names, b.names)):
        if missing := set(mine - theirs):
            problems.append(f"{twin_path}: lacks {what} of {original_path}: {_listed(missing)}")
        if extra := set(theirs - mine):
            problems.append(f"{twin_path}: has {what} that {original_path} lacks: "
                            f"{_listed(extra)}")
    return problems


def _renamed(expression: str, columns: Mapping[str, str]) -> str:
    for old, new in columns.items():
        expression = re.sub(rf"(['\"]){re.escape(old)}\1", rf"\g<1>{new}\g<1>", expression)
    return expression


def drift_of_files(root: Path, page: str, language: str) -> list[str]:
    """:func:`drift` for ``page`` and its twin in ``language`` under ``root``, with the
    column equivalences of the language's ``_language-xx.yml``."""
    twin = twin_path(page, language)
    columns = strings.load(root, language).tables.get("columns", {})
    return drift((root / page).read_text(encoding="utf-8"),
                 (root / twin).read_text(encoding="utf-8"), page, twin, columns)


if __name__ == "__main__":  # python -m brief.render.twins PAGE LANGUAGE
    import sys

    found = drift_of_files(Path.cwd(), sys.argv[1], sys.argv[2])
    print("\n".join(found) or "no drift")
    raise SystemExit(1 if found else 0)
