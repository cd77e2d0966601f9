"""`kill -9` at several moments of `brief build` and `brief release`: the output folder,
the releases and `_quarto.yml` are each entirely old or entirely new, and the next
command leaves no staging folder behind."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.render

BRIEF = [sys.executable, "-m", "brief.cli"]
#: Seconds after the start at which the command is killed (a build of the fixture takes
#: about five: these fall in parsing, executing, writing pages and the PDF, the swap).
MOMENTS = (0.4, 1.2, 2.5, 4.0)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BRIEF, *args, "--project", str(root)], capture_output=True,
                          text=True, timeout=300, check=False)


def _killed(root: Path, seconds: float, *args: str) -> None:
    """Start ``brief ARGS`` in a process group of its own and kill it all after
    ``seconds`` (its kernels and workers too, as a crash or an OOM kill would)."""
    process = subprocess.Popen([*BRIEF, *args, "--project", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    time.sleep(seconds)
    with contextlib.suppress(ProcessLookupError):  # it had finished
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _edit(root: Path) -> None:
    chapter = root / "chapters" / "01-access.qmd"
    chapter.write_text(chapter.read_text("utf-8").replace(
        "Piped coverage rose to", "After the kill test, piped coverage rose to"), "utf-8")


@pytest.fixture(scope="module")
def states(built_mini: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The built fixture, its output (old) and the output after the edit (new)."""
    base = tmp_path_factory.mktemp("kill") / "base"
    shutil.copytree(built_mini, base)
    old = _hashes(base / "_book")
    finished = base.parent / "finished"
    shutil.copytree(base, finished)
    _edit(finished)
    assert _run(finished, "build").returncode == 0
    return base, old, _hashes(finished / "_book")


@pytest.mark.parametrize("seconds", MOMENTS)
def test_a_killed_build_leaves_the_old_or_the_new_site(states, tmp_path: Path,
                                                       seconds: float) -> None:
    base, old, new = states
    root = tmp_path / "project"
    shutil.copytree(base, root)
    _edit(root)
    _killed(root, seconds, "build")
    assert _hashes(root / "_book") in (old, new)
    done = _run(root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _hashes(root / "_book") == new
    assert list(root.glob(".brief-staging-*")) == []


@pytest.mark.parametrize("seconds", MOMENTS)
def test_a_killed_release_changes_everything_or_nothing(states, tmp_path: Path,
                                                        seconds: float) -> None:
    base, _, _ = states
    root = tmp_path / "project"
    shutil.copytree(base, root)
    config = (root / "_quarto.yml").read_text("utf-8")
    _killed(root, seconds, "release", "10.0.0")
    released = (root / "releases" / "10.0.0" / "manifest.json").is_file()
    now = (root / "_quarto.yml").read_text("utf-8")
    assert (now == config) or ('version: "10.0.0"' in now and released)
    assert not (root / "releases" / "10.0.0").exists() or released
    assert (root / "_book" / "index.html").is_file()
    done = _run(root, "release", "10.0.0") if not released else _run(root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'version: "10.0.0"' in (root / "_quarto.yml").read_text("utf-8")
    assert (root / "releases" / "10.0.0" / "manifest.json").is_file()
    assert list(root.glob(".brief-staging-*")) == []
    assert list((root / "releases").glob(".staging-*")) == []
