"""Ctrl-C during `brief build` and `brief release`: one line, exit status 130, no
traceback, no kernel left running, and the previous output exactly as it was.

A terminal sends SIGINT to the whole foreground process group; these tests do the same
to a command started in a group of its own, at the moment a given progress line appears.
"""

from __future__ import annotations

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
INTERRUPTED = "Interrupted: nothing was changed; the previous output is as it was."
#: A cell that keeps a kernel busy long enough to be interrupted in the middle of it.
SLOW_CELL = "\n```{python}\nimport time\ntime.sleep(60)\n```\n"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}


def _kernels_in(root: Path) -> list[int]:
    """Process ids of Python kernels whose working folder is ``root``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            folder = os.readlink(entry / "cwd")
        except OSError:
            continue
        if b"ipykernel" in command and Path(folder) == root:
            found.append(int(entry.name))
    return found


def _interrupted(root: Path, marker: str, *args: str) -> tuple[int, str]:
    """Run ``brief ARGS``, press Ctrl-C when a progress line (on standard error, with
    everything else the command writes) contains ``marker``; return the exit status and
    the command's output."""
    process = subprocess.Popen([*BRIEF, *args, "--project", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if marker in line:
            time.sleep(0.3)  # into the step the line announces
            os.killpg(process.pid, signal.SIGINT)
            break
    rest, _ = process.communicate(timeout=120)
    return process.returncode, "".join(lines) + rest


@pytest.fixture
def slow_project(built_mini: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built_mini, root)
    chapter = root / "chapters" / "01-access.qmd"
    chapter.write_text(chapter.read_text("utf-8") + SLOW_CELL, "utf-8")
    return root


@pytest.mark.parametrize("marker", ["execute", "executed", "unchanged"])
def test_ctrl_c_in_a_build_prints_one_line_and_keeps_the_site(slow_project: Path,
                                                              marker: str) -> None:
    before = _hashes(slow_project / "_book")
    status, out = _interrupted(slow_project, marker, "build")
    assert status == 130, out
    assert "Traceback" not in out
    # Progress lines, then the one line, and nothing from the stopped kernels after it.
    assert out.rstrip().endswith(f"\n{INTERRUPTED}"), out
    assert out.count("Interrupted") == 1
    assert _hashes(slow_project / "_book") == before
    assert not list(slow_project.glob(".brief-staging-*"))
    time.sleep(1)  # a kernel that survived would still be there now
    assert _kernels_in(slow_project) == []


@pytest.mark.parametrize("stage", ["figures", "html", "pdf"])
def test_ctrl_c_while_pages_are_written_keeps_the_site(built_mini: Path, tmp_path: Path,
                                                       stage: str) -> None:
    root = tmp_path / "project"
    shutil.copytree(built_mini, root)
    chapter = root / "chapters" / "01-access.qmd"
    chapter.write_text(chapter.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    before = _hashes(root / "_book")
    status, out = _interrupted(root, f"s {stage}", "build")
    assert "Traceback" not in out
    if status == 0:  # the build was quicker than the key
        assert _hashes(root / "_book") != before
    else:
        assert status == 130, out
        assert _hashes(root / "_book") == before
    assert not list(root.glob(".brief-staging-*"))


def test_ctrl_c_in_a_release_changes_nothing(slow_project: Path) -> None:
    files = ("_quarto.yml", "CHANGELOG.md")
    before = {f: (slow_project / f).read_bytes() for f in files
              if (slow_project / f).exists()}
    releases = _hashes(slow_project / "releases")
    status, out = _interrupted(slow_project, "executed", "release", "9.9.10")
    assert status == 130, out
    assert "Traceback" not in out
    assert out.rstrip().endswith(f"\n{INTERRUPTED}"), out
    assert {f: (slow_project / f).read_bytes() for f in before} == before
    assert _hashes(slow_project / "releases") == releases
    assert _kernels_in(slow_project) == []
