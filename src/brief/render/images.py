"""Images that authors put in Markdown (`![caption](path)`): found, checked, published.

Quarto resolves an image path from the folder of the page that names it and copies the
file into the site. Here every image of the parsed book is looked at once, before either
output is written:

* a local file must exist and stay inside the project (symlinks resolved); it is copied
  to ``media/`` in the site under its path in the project, and the image's ``src``
  becomes that site path, which the Lua filter prefixes for each page and for Typst;
* a ``data:`` image is decoded into ``media/`` the same way (Typst cannot read one);
* a remote image (``https://...``) stays remote on the site; the PDF cannot fetch it
  (no network at build time), so there it becomes a link, with a located warning.

The cell outputs the engine writes itself (``figures/``) are left alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from brief.render.errors import RenderError, SourceWarning
from brief.render.markdown import FIGURES
from brief.render.xref import line_of, stringify, walk

#: Where copied images live in the site (beside ``figures/``, never over a page).
MEDIA = "media"
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_DATA = re.compile(r"^data:image/(?P<kind>png|jpeg|gif|svg\+xml|webp)(?P<b64>;base64)?,",
                   re.IGNORECASE)
_SUFFIX = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "svg+xml": ".svg", "webp": ".webp"}


@dataclass(frozen=True)
class Media:
    """A file to publish: its bytes' origin (a project file) or the bytes themselves,
    and its path in the site."""

    target: str
    source: Path | None = None
    data: bytes | None = None


def _located(path: str, source: str, src: str) -> str:
    line = line_of(source, src[:60])
    return f"{path}:{line}" if line else path


def _local(root: Path, page: str, src: str, where: str, extension: str = "png") -> Media:
    """The project file an image path names, checked; a path without an extension takes
    ``extension`` (Quarto's ``default-image-extension``)."""
    relative = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if relative and not Path(relative).suffix:
        relative = f"{relative}.{extension}"
    folder = (root / page).parent
    candidate = (folder / relative) if not relative.startswith("/") else root / relative[1:]
    project = root.resolve()
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise RenderError(f"{where}: image {src!r} not found (looked for "
                          f"{_shown(candidate, root)})") from None
    if not resolved.is_relative_to(project):
        raise RenderError(f"{where}: image {src!r} is outside the project (expected a "
                          "file inside the project folder)")
    if not resolved.is_file():
        raise RenderError(f"{where}: image {src!r} is not a file")
    return Media(f"{MEDIA}/{resolved.relative_to(project).as_posix()}", source=resolved)


#: Links to these are pages of the book or the web, not files to copy.
_PAGES = (".qmd", ".md", ".html", ".htm", ".ipynb")


def _linked_file(root: Path, page: str, href: str) -> Media | None:
    """A link to a file of the project (`[the cover](cover.png)`): copied to ``media/``
    like an image. Anything else (a page, an anchor, the web, a missing file, a file
    outside the project) is left as it is."""
    if not href or href.startswith(("#", "/")) or _REMOTE.match(href) or \
            href.lower().startswith(("mailto:", "data:", "tel:")):
        return None
    relative = unquote(href.split("#", 1)[0].split("?", 1)[0])
    if not relative or relative.lower().endswith(_PAGES):
        return None
    try:
        resolved = ((root / page).parent / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    project = root.resolve()
    if not resolved.is_file() or not resolved.is_relative_to(project):
        return None
    return Media(f"{MEDIA}/{resolved.relative_to(project).as_posix()}", source=resolved)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _decoded(src: str, where: str) -> Media:
    match = _DATA.match(src)
    if match is None:
        raise RenderError(f"{where}: a data: image must be PNG, JPEG, GIF, SVG or WebP "
                          f"(found {src[:40]!r})")
    payload = src[match.end():]
    try:
        blob = (base64.b64decode(payload, validate=True) if match["b64"]
                else unquote(payload).encode("utf-8"))
    except (binascii.Error, ValueError):
        raise RenderError(f"{where}: the data: image is not valid base64") from None
    name = hashlib.sha256(blob).hexdigest()[:16] + _SUFFIX[match["kind"].lower()]
    return Media(f"{MEDIA}/inline-{name}", data=blob)


def place(root: Path, pages: list[tuple[str, dict[str, Any], str]], extension: str = "png"
          ) -> tuple[list[Media], list[SourceWarning]]:
    """Find every Markdown image of ``pages`` (``(path, pandoc AST, .qmd text)``), point
    it at its published copy and return the copies to write, with a warning for each
    remote image. A missing file, or one outside the project, is a located error; a path
    without an extension takes ``extension``."""
    media: dict[str, Media] = {}
    warnings: list[SourceWarning] = []
    for page, ast, source in pages:
        for node in walk(ast["blocks"]):
            if node["t"] == "Link":
                linked = _linked_file(root, page, node["c"][2][0])
                if linked is not None:
                    media[linked.target] = linked
                    node["c"][2][0] = linked.target
                continue
            if node["t"] != "Image":
                continue
            target = node["c"][2]
            src: str = target[0]
            made = "brief-figure" in node["c"][0][1]  # a cell's figure, written by the build
            if (made and src.startswith(f"{FIGURES}/")) or src.startswith(f"{MEDIA}/"):
                continue
            where = _located(page, source, src)
            if src.lower().startswith("data:"):
                found = _decoded(src, where)
            elif _REMOTE.match(src):
                warnings.append(SourceWarning(page, line_of(source, src[:60]),
                                              f"image {src!r} is on the web: the site "
                                              "loads it from there, the PDF shows a link "
                                              "(a build never downloads)"))
                continue
            else:
                found = _local(root, page, src, where, extension)
                if found.target.lower().endswith(".pdf"):
                    warnings.append(SourceWarning(page, line_of(source, src[:60]),
                                                  f"image {src!r} is a PDF: browsers and "
                                                  "PDF/UA files cannot show it inline, so "
                                                  "both outputs link to it (an SVG or PNG "
                                                  "version would be shown)"))
            alt = dict(node["c"][0][2]).get("fig-alt") or stringify(node["c"][1])
            if not alt:
                warnings.append(SourceWarning(page, line_of(source, f"![]({src[:60]}"),
                                              f"image {src!r} has no alt text: write what "
                                              "it shows in ![...] or fig-alt=\"...\" (the "
                                              "file name stands in for it)"))
                node["c"][0][2].append(["fig-alt", Path(found.target).name])
            media[found.target] = found
            target[0] = found.target
    return list(media.values()), warnings


def write(media: list[Media], site: Path) -> None:
    """Copy or write each image into the site."""
    for item in media:
        path = site / item.target
        path.parent.mkdir(parents=True, exist_ok=True)
        if item.source is not None:
            path.write_bytes(item.source.read_bytes())
        elif item.data is not None:
            path.write_bytes(item.data)
