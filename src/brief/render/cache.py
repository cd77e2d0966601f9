"""Skip work whose inputs did not change: executed chapters and whole builds.

Kept in ``.brief-cache/``, keyed by SHA-256 digests:

* a chapter's **execution key** covers its code: its cells and their options, its
  inline expressions, the non-``.qmd`` files under ``chapters/`` (YAML that chapter
  code reads), the project's indicator catalogue (``indicators.py``) and its
  ``brief:`` settings (actors, house style), the ``brief`` package itself (which
  carries the engine version).
  Prose is not in the key, so a prose-only edit re-executes nothing. A factsheet (a
  template run with one parameter value) is stored under its own name with the
  template's key plus its parameter and value.
* with the stored outputs, each chapter keeps the **data resources it read** while
  it ran (recorded by the data layer, ``brief.datapackage.READS``) and the digest of
  each. The outputs are reused only while the code key and every one of those
  digests still match: a changed CSV re-executes exactly the chapters that read it.
* the **build key** covers every input of the site and the PDF; when it matches the
  last successful build and the output is still there, the build stops at once.

Chapters must read data through the data layer (``brief.display``,
``brief.datapackage``), never by opening files in ``data/`` themselves; otherwise the
cache cannot see the dependency.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import brief
from brief.catalogue import catalogue_files
from brief.datapackage import LIST_READ
from brief.diff import inside
from brief.render.qmd import Document
from brief.settings import SettingsError, load_settings

FORMAT = 1  # bump when the cached shape changes


def _digest_files(files: Iterable[Path], root: Path, digest: Any) -> None:
    for path in sorted(files):
        if path.is_file() and "__pycache__" not in path.parts and inside(path, root):
            digest.update(os.fsencode(path.relative_to(root)))
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")


def _package_files() -> list[Path]:
    package = Path(brief.__file__).parent
    return [p for p in package.rglob("*") if p.suffix in (".py", ".lua", ".typ", ".css",
                                                          ".js", ".html")]


#: Libraries whose version changes what a build produces.
TOOLS = ("altair", "vl-convert-python", "pandas", "pypandoc-binary", "typst", "pagefind",
         "nbclient", "ipykernel", "frictionless", "fontpkg-noto-sans", "fontpkg-noto-serif")


def tool_versions() -> str:
    """Python's and the rendering libraries' versions, as one line for the cache keys."""
    versions = [f"python {sys.version.split()[0]}"]
    for name in TOOLS:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    return "; ".join(versions)


def _settings_text(root: Path) -> str:
    """The project's ``brief:`` settings as canonical text ("" when unreadable: the build
    reports that itself). The ``factsheets`` block is left out: it says which pages to
    make, and a factsheet's own key carries its template and parameter value."""
    try:
        return repr(replace(load_settings(root), factsheets=None))
    except SettingsError:
        return ""


def code_digest(root: Path) -> str:
    """What every chapter's code runs with, data aside: chapters/ side files, the project's
    indicator catalogue and settings, the language files, the package, the libraries'
    versions."""
    digest = hashlib.sha256(f"format {FORMAT} brief {brief.__version__} "
                            f"{tool_versions()}\n{_settings_text(root)}".encode())
    _digest_files((p for p in (root / "chapters").rglob("*") if p.suffix != ".qmd"), root,
                  digest)
    _digest_files(catalogue_files(root), root, digest)
    # The words of each edition's language and the indicators' translated labels, which
    # a translated page's output contains.
    _digest_files(sorted([*root.glob("_language-*.yml"), *root.glob("*/labels.*.yml")]),
                  root, digest)
    package = Path(brief.__file__).parent
    _digest_files(_package_files(), package.parent, digest)
    return digest.hexdigest()


def environment_digest(root: Path) -> str:
    """Everything chapter code can see: :func:`code_digest` plus all of ``data/``."""
    digest = hashlib.sha256(code_digest(root).encode())
    _digest_files((root / "data").rglob("*"), root, digest)
    return digest.hexdigest()


def resource_digests(root: Path) -> dict[str, str]:
    """One digest per data resource: its descriptor entry plus its file's bytes.

    A resource whose descriptor or file cannot be read gets no digest, so a chapter
    that depended on it is re-executed (and then reports the problem).
    """
    try:
        descriptor = json.loads((root / "data" / "datapackage.json").read_text("utf-8"))
        entries = [e for e in descriptor.get("resources", []) if isinstance(e, dict)]
    except (OSError, ValueError, AttributeError):
        return {}
    out: dict[str, str] = {}
    for entry in entries:
        name, path = entry.get("name"), entry.get("path")
        if not isinstance(name, str) or not isinstance(path, str):
            continue
        digest = hashlib.sha256(json.dumps(entry, sort_keys=True).encode())
        try:
            digest.update((root / "data" / path).read_bytes())
        except OSError:
            continue
        out[name] = digest.hexdigest()
    # What a page that lists the resources depends on: their descriptor entries.
    listing = json.dumps(sorted((e for e in entries if isinstance(e.get("name"), str)),
                                key=lambda e: e["name"]), sort_keys=True)
    out[LIST_READ] = hashlib.sha256(listing.encode()).hexdigest()
    return out


def execution_key(document: Document, code: str, defaults: dict[str, Any]) -> str:
    """The key of one chapter's code (not its prose, not the data: reads are kept apart)."""
    payload = {
        "code": code,
        "defaults": defaults,
        "cells": [[c.code, c.options] for c in document.cells],
        "inlines": [i.expr for i in document.inlines],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()


def instance_key(key: str, parameter: str, value: str) -> str:
    """The key of one factsheet: its template's :func:`execution_key` and its parameter."""
    return hashlib.sha256(f"{key}\0{parameter}={value}".encode()).hexdigest()


def build_key(root: Path, files: Iterable[Path], environment: str) -> str:
    """The key of a whole build: the listed source files plus the environment."""
    digest = hashlib.sha256(environment.encode())
    _digest_files(files, root, digest)
    return digest.hexdigest()


def _seal(entry: dict[str, Any]) -> str:
    """A digest of everything an entry holds but its seal: an entry whose seal does not
    match was damaged or edited (one flipped byte could turn "77%" into "97%"), and is
    never served."""
    body = {k: v for k, v in entry.items() if k != "seal"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


class ExecutionCache:
    """Stored outputs of executed chapters: one JSON file per chapter, with its reads."""

    def __init__(self, folder: Path, reuse: bool = True) -> None:
        self.folder = folder / "execute"
        #: False for a fresh build: nothing is reused, but new outputs are still stored.
        self.reuse = reuse

    def _path(self, chapter: str) -> Path:
        return self.folder / (hashlib.sha256(chapter.encode()).hexdigest()[:24] + ".json")

    def get(self, chapter: str, key: str, resources: dict[str, str]) -> dict[str, Any] | None:
        """The stored outputs of ``chapter`` if its code key and every data read match."""
        if not self.reuse:
            return None
        try:
            stored = json.loads(self._path(chapter).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("seal") != _seal(stored) or \
                stored.get("key") != key or stored.get("chapter") != chapter:
            return None  # damaged, tampered with, or another chapter's
        reads = stored.get("reads", {})
        if any(resources.get(name) != digest for name, digest in reads.items()):
            return None
        return stored

    def put(self, chapter: str, key: str, reads: dict[str, str],
            outputs: list[list[dict[str, Any]]], inline_values: list[str]) -> None:
        """Store a chapter's outputs with its code key and the digests of what it read."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(chapter)
        temporary = path.with_suffix(".tmp")
        entry = {"chapter": chapter, "key": key, "reads": reads, "outputs": outputs,
                 "inline_values": inline_values}
        entry["seal"] = _seal(entry)
        temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
