"""Content shown or hidden by the page's metadata: Quarto's ``when-meta`` and
``unless-meta`` on ``.content-visible`` and ``.content-hidden`` blocks and spans.

The condition is a dotted path into the page's front matter (``when-meta="a.b"``): true
when it names a value that is true. Decided here, on the parsed page, where the front
matter is known; the conditions on the output format (``when-format``) are left to the
Lua filter, which knows the format.
"""

from __future__ import annotations

from typing import Any

_CLASSES = {"content-visible", "content-hidden"}


def _truthy(meta: dict[str, Any], path: str) -> bool:
    value: Any = meta
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return bool(value) and value not in ("false", "no")


def _shown(attrs: list[Any], classes: list[str], meta: dict[str, Any]) -> bool | None:
    """Whether a block with these attributes is shown (None: no metadata condition)."""
    pairs = dict(attrs)
    when, unless = pairs.get("when-meta"), pairs.get("unless-meta")
    if when is None and unless is None:
        return None
    shown = _truthy(meta, when) if when is not None else not _truthy(meta, unless)
    return shown if "content-visible" in classes else not shown


def apply(tree: Any, meta: dict[str, Any]) -> None:
    """Keep or drop each block and span of ``tree`` (a pandoc JSON AST fragment) that
    depends on the page's metadata ``meta``; a kept one loses its condition (and, when
    it had no format condition, its class)."""
    if isinstance(tree, dict):
        for value in tree.values():
            apply(value, meta)
        return
    if not isinstance(tree, list):
        return
    index = 0
    while index < len(tree):
        item = tree[index]
        apply(item, meta)
        if isinstance(item, dict) and item.get("t") in ("Div", "Span"):
            ident, classes, attrs = item["c"][0]
            shown = _shown(attrs, classes, meta) if _CLASSES & set(classes) else None
            if shown is False:
                del tree[index]
                continue
            if shown is True:
                rest = [a for a in attrs if a[0] not in ("when-meta", "unless-meta")]
                if not any(a[0] in ("when-format", "unless-format") for a in rest):
                    tree[index:index + 1] = item["c"][1]
                    index += len(item["c"][1])
                    continue
                item["c"][0] = [ident, classes, rest]
        index += 1
