"""The long-lived pandoc workers: same output as the pandoc command, clear failures."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from brief.render import pandoc
from brief.render.errors import RenderError

SAMPLE = """# Residence {#sec-residence}

Law No. 81/2006/QH11 took effect in 2007 [@cited]; Dr. Lan said "soon"...
See also [@missing].
"""

BIB = """@book{cited,
  author = {{General Statistics Office}},
  title = {Migration survey},
  year = {2016},
  publisher = {GSO},
}
"""


def _command(text: str, *args: str) -> str:
    done = subprocess.run([pandoc.pandoc_path(), *args], input=text.encode(), check=True,
                          capture_output=True)
    return done.stdout.decode()


@pytest.mark.parametrize("target", ["html5", "typst", "json"])
def test_a_worker_writes_what_the_pandoc_command_writes(tmp_path: Path, target: str) -> None:
    """Including the non-breaking space after "No." and "Dr." (pandoc's abbreviations)
    and citeproc's text."""
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    options = pandoc.Options("markdown", target if target != "typst" else "typst-citations",
                             wrap="none", bibliography=bib)
    ours = pandoc.convert(SAMPLE, options, "sample")
    theirs = _command(SAMPLE, "-f", "markdown", "-t", options.target, "--wrap=none",
                      "--citeproc", "--bibliography", str(bib))
    assert ours == theirs
    if target == "html5":
        assert "No.\u00a081" in ours and "General Statistics Office 2016" in ours


def test_warnings_come_back_with_the_output(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    found: list[str] = []
    pandoc.convert(SAMPLE, pandoc.Options("markdown", "html5", bibliography=bib), "sample",
                   warnings=found)
    assert found == ["Citeproc: citation missing not found"]


def test_a_failed_conversion_names_the_input() -> None:
    with pytest.raises(RenderError, match=r"^chapters/x.qmd: pandoc failed \(.*format"):
        pandoc.convert("text", pandoc.Options("markdown", "no-such-format"), "chapters/x.qmd")
    # The worker survives a failed job.
    assert pandoc.convert("*a*", pandoc.Options("markdown", "html5"), "x") == \
        "<p><em>a</em></p>\n"


def test_a_worker_that_dies_is_replaced() -> None:
    """Each dead worker fails the one conversion that finds it (naming the input), is
    dropped, and a new worker takes its place."""
    pandoc.convert("warm up", pandoc.Options("markdown", "html5"), "x")
    killed = list(pandoc._POOL.all)
    for worker in killed:
        worker.process.kill()
        worker.process.wait()
    failures = []
    for attempt in range(len(killed) + 1):
        try:
            text = pandoc.convert("*b*", pandoc.Options("markdown", "html5"), f"y{attempt}")
        except RenderError as exc:
            failures.append(str(exc))
        else:
            break
    assert 1 <= len(failures) <= len(killed)
    assert all(re.match(r"^y\d: pandoc failed \(pandoc stopped", f) for f in failures)
    assert text == "<p><em>b</em></p>\n"
    assert not set(killed) & set(pandoc._POOL.all)
