"""Compare two sets of indicators: what moved between a release and the working tree.

Used by ``brief diff`` and by ``brief release`` (which writes the diff into the
CHANGELOG). The legend follows owid/etl's datadiff: ``+`` new, ``~`` changed,
``-`` removed.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEGEND = "+ new  ~ changed  - removed"


@dataclass(frozen=True)
class Change:
    """One indicator that differs: its id, the kind of change, old and new values."""

    kind: str  # "+", "~" or "-"
    id: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        if self.kind == "+":
            return f"+ {self.id}: {self.new}  ({self.label})"
        if self.kind == "-":
            return f"- {self.id}: {self.old}  ({self.label})"
        return f"~ {self.id}: {self.old} -> {self.new}  ({self.label})"


def _shown(item: Mapping[str, Any]) -> str:
    """A value as the diff prints it: ``77.0878 percent``, ``12,000,000-16,000,000 persons``."""
    def number(x: Any) -> str:
        if x is None:
            return "null"
        x = float(x)
        return f"{int(x):,}" if x.is_integer() else f"{x:,.4f}".rstrip("0").rstrip(".")

    if item.get("value") is None and "low" in item:
        text = f"{number(item['low'])}-{number(item['high'])}"
    else:
        text = number(item.get("value"))
    unit = item.get("unit", "")
    return f"{text} {unit}".strip()


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    for key in ("value", "low", "high"):
        x, y = a.get(key), b.get(key)
        if (x is None) != (y is None):
            return False
        if x is not None and not math.isclose(float(x), float(y), rel_tol=1e-12, abs_tol=1e-12):
            return False
    return a.get("unit") == b.get("unit")


def diff_indicators(old: list[Mapping[str, Any]], new: list[Mapping[str, Any]]) -> list[Change]:
    """Changes from ``old`` to ``new`` (lists as written by ``brief indicators --format json``)."""
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    changes: list[Change] = []
    for id, item in after.items():
        if id not in before:
            changes.append(Change("+", id, item.get("label", ""), "", _shown(item)))
        elif not _same(before[id], item):
            changes.append(Change("~", id, item.get("label", ""), _shown(before[id]),
                                  _shown(item)))
    for id, item in before.items():
        if id not in after:
            changes.append(Change("-", id, item.get("label", ""), _shown(item), ""))
    return changes


def sha256_file(path: Path) -> str:
    """SHA-256 of one file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, keyed by its path relative to ``folder``."""
    if not folder.is_dir():
        return {}
    return {
        file_key(path.relative_to(folder)): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and inside(path, folder)
    }


def file_key(relative: Path) -> str:
    """A relative path as text, even when its name is not UTF-8 (bytes shown escaped)."""
    return os.fsencode(relative.as_posix()).decode("utf-8", "backslashreplace")


def inside(path: Path, folder: Path) -> bool:
    """True when ``path``, links followed, is inside ``folder``: a link out of the
    project is never read, hashed or copied."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def data_fingerprint(data_dir: Path) -> str:
    """A short hash of everything in ``data/``: stamped on every page and in the PDF."""
    digest = hashlib.sha256()
    for name, sha in file_hashes(data_dir).items():
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()[:12]


def changed_files(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """Data files that differ between two hash maps, marked with the diff legend."""
    lines = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            lines.append(f"+ data/{name}")
        elif name not in new:
            lines.append(f"- data/{name}")
        elif old[name] != new[name]:
            lines.append(f"~ data/{name}")
    return lines
