"""Shared fixtures: a built copy of the miniature fixture project (one build per run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "mini"


def copy_fixture(target: Path) -> Path:
    """Copy the fixture project (without any previous output) into ``target``."""
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("_book", "figures",
                                                                   ".brief-*"))
    return target


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project after one successful native build; treat it as read-only."""
    from brief.render.build import build

    root = copy_fixture(tmp_path_factory.mktemp("built") / "mini")
    build(root)
    return root
