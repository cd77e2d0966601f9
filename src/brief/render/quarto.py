"""``brief build --engine quarto``: let the Quarto CLI render the same project.

Quarto cannot be installed by pip here, so this engine is optional: when ``quarto``
is not on PATH the build stops with a message saying how to get it. The render goes
to a staging folder and is swapped into place like the native build.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from brief.render.build import swap_into_place
from brief.render.errors import RenderError
from brief.render.project import load_project

INSTALL_HINT = ("Quarto is not installed (no `quarto` on PATH). Download the Linux .deb or "
                "tarball from https://quarto.org/docs/get-started/, install it, and run the "
                "command again; or build with the default engine: `brief build`.")


def render_with_quarto(root: Path) -> Path:
    """Run ``quarto render`` for the project at ``root``; return the output folder."""
    executable = shutil.which("quarto")
    if executable is None:
        raise RenderError(INSTALL_HINT)
    project = load_project(root.resolve())
    output = project.root / project.output_dir
    staging = Path(tempfile.mkdtemp(prefix=".brief-staging-", dir=project.root))
    try:
        site = staging / "site"
        process = subprocess.run([executable, "render", "--output-dir", str(site)],
                                 cwd=project.root, capture_output=True, text=True, check=False)
        if process.returncode != 0:
            tail = "\n".join((process.stderr or process.stdout).strip().splitlines()[-15:])
            raise RenderError(f"quarto render failed (exit {process.returncode}):\n{tail}")
        swap_into_place(site, output, staging / "previous")
        # The native engine's "nothing changed" record no longer describes the output.
        (root / ".brief-cache" / "last-build.json").unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output
