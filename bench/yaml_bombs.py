"""How fast and how small `brief build` refuses a YAML bomb, wherever it is put.

Usage: ``python bench/yaml_bombs.py [--runs N]``

A new brief (``brief new``) gets the 0.5 KB bomb of ``tests/test_safeyaml.py`` (nine
levels of nine aliases, 387 million strings once expanded) in ``_quarto.yml``, in a
page's front matter or as ``chapters/calls-to-action.yml``; each case runs
``brief build`` in a process of its own and reports the wall time and the peak
resident memory (``ru_maxrss``) next to the baseline: ``brief build`` of the same brief
with a YAML syntax error in the same file, refused at the same step. The hardening
issue asks for a refusal within 5 s and 500 MB; the ratio shows what the budget check
costs over an ordinary refusal, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brief.new import new_project

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from test_safeyaml import BOMB, _bombed  # noqa: E402  (the same bomb as the tests)

BROKEN = "a: [unclosed\n"


def _broken(root: Path, where: str) -> None:
    """The baseline: a plain YAML syntax error where the bomb would be."""
    if where == "_quarto.yml":
        path = root / "_quarto.yml"
        path.write_text(path.read_text("utf-8") + BROKEN, "utf-8")
    elif where == "front matter":
        path = root / "index.qmd"
        path.write_text("---\n" + BROKEN + path.read_text("utf-8").removeprefix("---\n"),
                        "utf-8")
    else:
        (root / "chapters" / "calls-to-action.yml").write_text(BROKEN, "utf-8")


def _refusal(root: Path) -> tuple[float, float]:
    """Seconds and peak MB of one failing `brief build` of ``root``."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "brief.cli", "build", "--project",
                                str(root)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 1:
        raise SystemExit(f"{root}: expected a refusal (exit 1), got {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    assert BOMB  # the bomb is the tests' own
    print(f"{'bomb in':<14} {'seconds':>8} {'baseline':>9} {'ratio':>6} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for where in ("_quarto.yml", "front matter", "calls"):
            bombed, plain = Path(scratch) / f"bomb-{where}", Path(scratch) / f"plain-{where}"
            for root, damage in ((bombed, _bombed), (plain, _broken)):
                new_project(root, None)
                damage(root, where)
            times, base, peaks = [], [], []
            for _ in range(runs):
                seconds, peak = _refusal(bombed)
                times.append(seconds)
                peaks.append(peak)
                base.append(_refusal(plain)[0])
            median, baseline = statistics.median(times), statistics.median(base)
            verdict = "ok" if median < 5 and max(peaks) < 500 else "OVER BUDGET"
            print(f"{where:<14} {median:>8.2f} {baseline:>9.2f} {median / baseline:>6.2f} "
                  f"{max(peaks):>8.0f}  {verdict}")


if __name__ == "__main__":
    main()
