"""Fixtures of the render tests: copies of the miniature fixture book, one built once."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
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
REAL_BOOK = ("_quarto.yml", "_language-vi.yml", "index.qmd", "index.vi.qmd", "references.bib",
             "indicators.py", "indicators",
             "provinces", "chapters", "data", "releases")


@pytest.fixture
def real_book(tmp_path: Path) -> Path:
    """A fresh, unbuilt copy of this repository's brief (safe to edit)."""
    return copy_real_book(tmp_path / "brief")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    """Chromium drops connections when a page navigates away mid-request; that is fine."""

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def _serving(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def serve() -> Callable[[Path], AbstractContextManager[str]]:
    """``with serve(folder) as base:`` serves ``folder`` on 127.0.0.1 (``base`` is its URL)."""
    return _serving


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never Playwright's own browsers). Module
    scope: while Playwright runs, its event loop occupies the thread, and a build (which
    runs its own) cannot start; request the built project before the browser."""
    assert CHROMIUM.is_file(), ("Debian's Chromium is missing: apt-get install -y chromium "
                                "(the browser tests need it and do not skip)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def copy_real_book(target: Path) -> Path:
    """A copy of this repository's brief in ``target`` (made here)."""
    target.mkdir(parents=True)
    for name in REAL_BOOK:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy(source, target / name)
    return target


@pytest.fixture(scope="session")
def built_real_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's brief after one successful build; treat it as read-only."""
    from brief.render.build import build

    root = copy_real_book(tmp_path_factory.mktemp("real") / "brief")
    build(root)
    return root


@pytest.fixture
def built_real_copy(built_real_book: Path, tmp_path: Path) -> Path:
    """A copy of :func:`built_real_book` with its output and caches (safe to edit): a
    build right after is up to date, so a test of a change builds only once more."""
    target = tmp_path / "brief"
    shutil.copytree(built_real_book, target, symlinks=True)
    return target
