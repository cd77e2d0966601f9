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


REPO = Path(__file__).resolve().parents[2]
#: What a copy of this repository's own book needs (not the engine, not the tests).
REAL_BOOK = ("_quarto.yml", "index.qmd", "references.bib", "indicators.py", "indicators",
             "provinces", "chapters", "data", "releases")


@pytest.fixture
def real_book(tmp_path: Path) -> Path:
    """A fresh, unbuilt copy of this repository's brief (safe to edit)."""
    target = tmp_path / "brief"
    target.mkdir()
    for name in REAL_BOOK:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy(source, target / name)
    return target
