"""Skip work whose inputs did not change: executed chapters and whole builds.

Two keys, both SHA-256 digests kept in ``.brief-cache/``:

* a chapter's **execution key** covers what its cells can see: their code and
  options, its inline expressions, the files under ``data/``, the non-``.qmd``
  files under ``chapters/`` (YAML that chapter code reads) and the ``brief``
  package itself. Prose is not in the key, so a prose-only edit re-executes nothing.
* the **build key** covers every input of the site and the PDF; when it matches the
  last successful build and the output is still there, the build stops at once.

Data changes re-execute every chapter: ``brief.display.fmt`` computes the whole
indicator catalogue, so every chapter that states a number reads every table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import brief
from brief.render.qmd import Document

FORMAT = 1  # bump when the cached shape changes


def _digest_files(files: Iterable[Path], root: Path, digest: Any) -> None:
    for path in sorted(files):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")


def _package_files() -> list[Path]:
    package = Path(brief.__file__).parent
    return [p for p in package.rglob("*") if p.suffix in (".py", ".lua", ".typ", ".css",
                                                          ".js", ".html")]


def environment_digest(root: Path) -> str:
    """What every chapter's code can read: data/, chapters/ side files, the package."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    _digest_files((root / "data").rglob("*"), root, digest)
    _digest_files((p for p in (root / "chapters").rglob("*") if p.suffix != ".qmd"), root,
                  digest)
    package = Path(brief.__file__).parent
    _digest_files(_package_files(), package.parent, digest)
    return digest.hexdigest()


def execution_key(document: Document, environment: str, defaults: dict[str, Any]) -> str:
    """The key of one chapter's execution (its code, not its prose)."""
    payload = {
        "environment": environment,
        "defaults": defaults,
        "cells": [[c.code, c.options] for c in document.cells],
        "inlines": [i.expr for i in document.inlines],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()


def build_key(root: Path, files: Iterable[Path], environment: str) -> str:
    """The key of a whole build: the listed source files plus the environment."""
    digest = hashlib.sha256(environment.encode())
    _digest_files(files, root, digest)
    return digest.hexdigest()


class ExecutionCache:
    """Stored outputs of executed chapters, one JSON file per execution key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "execute"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, outputs: list[list[dict[str, Any]]], inline_values: list[str]
            ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"outputs": outputs, "inline_values": inline_values},
                                        ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
