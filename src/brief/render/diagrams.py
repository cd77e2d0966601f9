"""Diagram cells (```` ```{dot} ```` and ```` ```{mermaid} ````), drawn at build time.

A Graphviz diagram is drawn to SVG by the ``dot`` program (the Debian package
``graphviz``), published in ``media/`` and shown as an image, as a numbered figure when
its ``//| label: fig-...`` or ``//| fig-cap:`` says so, in both outputs. Mermaid needs a
browser engine to lay out, which a build does not run: the diagram stays as its source
code, with a warning. So does a Graphviz diagram when ``dot`` is missing or refuses it.

This runs on the parsed chapters, before the book is numbered, so a diagram figure is
numbered with the others.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from typing import Any

import yaml

from brief import safeyaml
from brief.render.errors import SourceWarning
from brief.render.images import MEDIA, Media
from brief.render.xref import line_of

#: The class the parser gives a diagram cell's code block.
DIAGRAM = "brief-diagram"
#: How each language writes its cell options (`//| x`, or `// | x` as Quarto allows).
OPTION_MARKS = {"dot": re.compile(r"^\s*//\s*\|\s?"), "mermaid": re.compile(r"^\s*%%\s*\|\s?")}
TIMEOUT = 30


def _options(code: str, mark: re.Pattern[str]) -> tuple[dict[str, Any], str]:
    """The cell options at the top of a diagram (``//| fig-cap: ...``) and the rest."""
    lines = code.split("\n")
    count = 0
    while count < len(lines) and mark.match(lines[count]):
        count += 1
    raw = "\n".join(mark.sub("", line, count=1) for line in lines[:count])
    try:
        options = safeyaml.load(raw) if raw else {}
    except yaml.YAMLError:
        options = {}
    return (options if isinstance(options, dict) else {}), "\n".join(lines[count:])


def _words(text: str) -> list[dict[str, Any]]:
    inlines: list[dict[str, Any]] = []
    for word in text.split():
        if inlines:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return inlines


def _figure(options: dict[str, Any], src: str | None,
            source: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pandoc Figure (or a bare block) showing the drawn diagram at ``src``, or, when
    it could not be drawn, its ``source`` code block, with the caption and label of
    its options."""
    caption = str(options.get("fig-cap") or "")
    alt = str(options.get("fig-alt") or caption or "Diagram")
    label = str(options.get("label") or "")
    if src is not None:
        content: dict[str, Any] = {"t": "Plain", "c": [
            {"t": "Image", "c": [["", [], [["fig-alt", alt]]], _words(caption), [src, ""]]}]}
    else:
        assert source is not None
        content = source
    if not caption and not label.startswith("fig-"):
        return content if src is None else {"t": "Para", "c": content["c"]}
    return {"t": "Figure", "c": [[label if label.startswith("fig-") else "", [], []],
                                 [None, [{"t": "Plain", "c": _words(caption)}]],
                                 [content]]}


def _draw(code: str) -> tuple[bytes | None, str]:
    """The SVG that ``dot`` draws from ``code``, or None and why not."""
    program = shutil.which("dot")
    if program is None:
        return None, ("Graphviz is not installed, so the diagram is shown as its source "
                      "(install it: `apt-get install graphviz`)")
    try:
        done = subprocess.run([program, "-Tsvg"], input=code.encode("utf-8"),
                              capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return None, f"Graphviz took more than {TIMEOUT} s; the diagram is shown as source"
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]
        return None, f"Graphviz refused the diagram ({message}); shown as its source"
    return done.stdout, ""


def _lists(tree: Any) -> list[list[Any]]:
    """Every list in a pandoc JSON AST (block lists among them), outermost first."""
    found: list[list[Any]] = []
    if isinstance(tree, list):
        found.append(tree)
        for item in tree:
            found += _lists(item)
    elif isinstance(tree, dict):
        for value in tree.values():
            found += _lists(value)
    return found


def draw(pages: list[tuple[str, dict[str, Any], str]]
         ) -> tuple[list[Media], list[SourceWarning]]:
    """Replace each diagram cell of ``pages`` (``(path, pandoc AST, .qmd text)``) by its
    drawing; return the drawings to publish and a warning for each one left as code."""
    media: list[Media] = []
    warnings: list[SourceWarning] = []
    for page, ast, source in pages:
        for blocks in _lists(ast["blocks"]):
            shown: list[tuple[int, str]] = []  # `echo: fenced`: the source to show
            for index, block in enumerate(blocks):
                if not (isinstance(block, dict) and block.get("t") == "CodeBlock"):
                    continue
                classes, code = block["c"][0][1], block["c"][1]
                if DIAGRAM not in classes:
                    continue
                language = next((c for c in classes if c in OPTION_MARKS), "dot")
                classes.remove(DIAGRAM)
                first = next((line for line in code.split("\n") if line.strip()), "")
                line = line_of(source, first) if first else None
                options, body = _options(code, OPTION_MARKS[language])
                if options.get("echo") == "fenced":
                    shown.append((index, f"```{{{language}}}\n{code.strip()}\n```"))
                if language == "mermaid":
                    warnings.append(SourceWarning(page, line, "mermaid diagrams need a "
                                                  "browser engine to draw, which a build "
                                                  "does not run: shown as its source"))
                    block["c"][1] = body.strip("\n")  # the source, without its options
                    blocks[index] = _figure(options, None, block)
                    continue
                svg, why = _draw(body)
                if svg is None:
                    warnings.append(SourceWarning(page, line, why))
                    continue
                name = f"{MEDIA}/diagram-{hashlib.sha256(svg).hexdigest()[:16]}.svg"
                media.append(Media(name, data=svg))
                blocks[index] = _figure(options, name)
            for index, fenced in reversed(shown):
                blocks.insert(index, {"t": "CodeBlock", "c": [["", ["markdown"], []],
                                                             fenced]})
    return media, warnings
