"""The fonts of the brief: Noto Sans and Noto Serif, installed by pip.

Typst's and Chromium's defaults here lack full Vietnamese coverage in charts, so the
build pins these two families everywhere: Typst gets their folders as ``font_paths``,
vl_convert registers them before drawing SVG and PNG, and the site serves the files.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from brief.render.errors import RenderError

PACKAGES = ("fontpkg_noto_sans", "fontpkg_noto_serif")


@cache
def font_dirs() -> tuple[Path, ...]:
    """The folders holding the pinned font files."""
    dirs: list[Path] = []
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise RenderError(f"font package {name.replace('_', '-')} is missing: "
                              "run `pip install -e .` in the project folder") from None
        folder = Path(module.__file__).parent / "files"
        if not any(folder.glob("*.ttf")):
            raise RenderError(f"font package {name} has no .ttf files in {folder}")
        dirs.append(folder)
    return tuple(dirs)


def font_files() -> list[Path]:
    """Every pinned font file (variable TTFs, upright and italic)."""
    return sorted(f for d in font_dirs() for f in d.glob("*.ttf"))
