"""Shared fixtures: a disposable copy of the project's data package."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder whose data/ and indicator catalogue (indicators/) are fresh copies
    of the real ones (safe to break)."""
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(REPO / "indicators", tmp_path / "indicators",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
