"""Run the pandoc binary shipped in the ``pypandoc-binary`` wheel.

Debian's pandoc (2.17) cannot write Typst, so the wheel's pandoc 3 is always used,
never whatever ``pandoc`` is first on PATH. Failures become a :class:`RenderError`
that names the chapter being converted and pandoc's own message.
"""

from __future__ import annotations

import logging
import subprocess
import time
from functools import cache
from pathlib import Path

from brief.render.errors import RenderError

FILTER = Path(__file__).with_name("assets") / "brief.lua"
log = logging.getLogger(__name__)


@cache
def pandoc_path() -> str:
    """The path of the bundled pandoc executable."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as exc:
        raise RenderError("pandoc was not found: install the package with its dependencies "
                          "(`pip install -e .`, which brings pypandoc-binary)") from exc


def run(args: list[str], text: str, what: str, cwd: Path | None = None,
        warnings: list[str] | None = None) -> str:
    """Run pandoc with ``args`` on ``text``; ``what`` names the input in errors.

    pandoc's own ``[WARNING]`` lines (a citation key missing from the bibliography,
    say) are appended to ``warnings`` when a list is given.
    """
    started = time.perf_counter()
    process = subprocess.run([pandoc_path(), *args], input=text.encode("utf-8"),
                             capture_output=True, cwd=cwd, check=False)
    log.info("pandoc %s (%s): %.2f s", " ".join(args[:4]), what, time.perf_counter() - started)
    if process.returncode != 0:
        message = process.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{what}: pandoc failed ({message or f'exit {process.returncode}'})")
    if warnings is not None:
        for line in process.stderr.decode("utf-8", "replace").splitlines():
            if line.startswith("[WARNING]"):
                warnings.append(line.removeprefix("[WARNING]").strip())
    return process.stdout.decode("utf-8")
