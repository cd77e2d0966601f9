"""TeX in math that pandoc's converter (texmath) cannot read, rewritten so that it can.

Authors write text inside formulas the LaTeX way: ``\\text{if $x > 0$ then \\emph{all}}``.
texmath reads ``\\text{...}`` only as plain text, so math or emphasis inside it makes the
whole formula unreadable: the site shows raw TeX and the PDF fails to compile (the raw
TeX reaches Typst). The same formula written as texmath reads it means the same:
``\\text{if }x > 0\\text{ then }\\textit{all}``. :func:`apply` rewrites every formula of a
page's AST so before either output is written.
"""

from __future__ import annotations

from typing import Any

#: Text commands whose argument is text: the argument may hold math and emphasis.
_TEXT = ("\\text", "\\textrm", "\\mbox")
#: Emphasis inside text, as texmath reads it in math.
_EMPHASIS = {"\\emph": "\\textit", "\\textit": "\\textit", "\\textbf": "\\textbf"}


def _argument(tex: str, start: int) -> int | None:
    """The index just after the ``{...}`` group that opens at ``start`` (None: unclosed)."""
    depth = 0
    for at in range(start, len(tex)):
        char = tex[at]
        if char == "\\":
            continue
        if char == "{" and (at == 0 or tex[at - 1] != "\\"):
            depth += 1
        elif char == "}" and tex[at - 1] != "\\":
            depth -= 1
            if depth == 0:
                return at + 1
    return None


def _text_parts(command: str, body: str) -> str:
    """``command{body}`` with the math and emphasis of ``body`` moved out of the text."""
    out: list[str] = []
    plain: list[str] = []

    def flush() -> None:
        if plain:
            out.append(f"{command}{{{''.join(plain)}}}")
            plain.clear()

    at = 0
    depth = 0
    while at < len(body):
        if body[at] in "{}" and (at == 0 or body[at - 1] != "\\"):
            depth += 1 if body[at] == "{" else -1
        if body[at] == "$" and depth:  # math inside a group of the text: left as it is
            return f"{command}{{{body}}}"
        if body[at] == "$" and (at == 0 or body[at - 1] != "\\"):
            end = body.find("$", at + 1)
            if end < 0:
                plain.append(body[at:])
                break
            flush()
            out.append(body[at + 1:end])
            at = end + 1
            continue
        emphasis = next((name for name in _EMPHASIS if body.startswith(name + "{", at)), None)
        if emphasis is not None:
            end = _argument(body, at + len(emphasis))
            if end is not None:
                flush()
                inner = body[at + len(emphasis) + 1:end - 1]
                out.append(f"{_EMPHASIS[emphasis]}{{{inner}}}")
                at = end
                continue
        plain.append(body[at])
        at += 1
    flush()
    return "".join(out)


def normalise(tex: str) -> str:
    """``tex`` with every ``\\text{...}`` that holds math or emphasis rewritten as texmath
    reads it; any other formula is returned unchanged."""
    if "\\text" not in tex and "\\mbox" not in tex:
        return tex
    out: list[str] = []
    at = 0
    while at < len(tex):
        command = next((c for c in _TEXT if tex.startswith(c + "{", at)), None)
        end = _argument(tex, at + len(command)) if command else None
        if command is None or end is None:
            out.append(tex[at])
            at += 1
            continue
        body = tex[at + len(command) + 1:end - 1]
        if "$" in body or any(name + "{" in body for name in _EMPHASIS):
            out.append(_text_parts(command, body))
        else:
            out.append(tex[at:end])
        at = end
    return "".join(out)


def apply(node: Any) -> None:
    """Rewrite, in place, every formula (pandoc ``Math``) under ``node``."""
    if isinstance(node, dict):
        if node.get("t") == "Math":
            node["c"][1] = normalise(node["c"][1])
            return
        for value in node.values():
            apply(value)
    elif isinstance(node, list):
        for item in node:
            apply(item)
