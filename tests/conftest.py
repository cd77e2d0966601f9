"""Shared fixtures (a disposable copy of the project's data package) and the fuzz tests'
hypothesis profile."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the fuzz tests draw the same inputs on every run (a landing never fails on a
# new random draw); elsewhere each run draws new ones, and a failure prints the input.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
