"""Fixtures of the render tests: copies of the miniature fixture book, one built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def _copy(target: Path) -> Path:
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("_book", "figures",
                                                                   ".brief-*"))
    return target


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, unbuilt copy of the fixture project (safe to break)."""
    return _copy(tmp_path / "mini")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project after one successful native build; treat it as read-only."""
    from brief.render.build import build

    root = _copy(tmp_path_factory.mktemp("built") / "mini")
    build(root)
    return root
