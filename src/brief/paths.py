"""One place for the project's paths.

Every module asks this one for where the data, chapters, figures and outputs live,
so that moving a folder means changing a single line. Nothing here writes into
``data/``: raw data is read-only for the whole package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Files whose presence marks the root of a brief project.
ROOT_MARKERS = ("_quarto.yml", "data/datapackage.json")

#: Environment variable that overrides the project root (used by chapters run in a kernel).
ROOT_ENV = "BRIEF_PROJECT_ROOT"


class ProjectNotFound(Exception):
    """Raised when no brief project encloses the starting directory."""


@dataclass(frozen=True)
class ProjectPaths:
    """The folders and files of one brief project, resolved from its root."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def datapackage(self) -> Path:
        return self.data / "datapackage.json"

    @property
    def chapters(self) -> Path:
        return self.root / "chapters"

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def book(self) -> Path:
        return self.root / "_book"

    @property
    def cache(self) -> Path:
        return self.root / ".brief-cache"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def quarto_config(self) -> Path:
        return self.root / "_quarto.yml"

    @property
    def references(self) -> Path:
        return self.root / "references.bib"

    @property
    def calls_to_action(self) -> Path:
        return self.chapters / "calls-to-action.yml"


def find_root(start: Path | None = None) -> Path:
    """Return the nearest directory at or above ``start`` that holds a brief project.

    ``BRIEF_PROJECT_ROOT`` wins when set, so that chapter code executed in a
    kernel finds the project whatever its working directory.
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if any((candidate / marker).is_file() for marker in ROOT_MARKERS):
            return candidate
    raise ProjectNotFound(
        f"No brief project found at or above {here}: expected a folder with "
        "_quarto.yml or data/datapackage.json. Run the command from the project folder "
        "or pass --project PATH."
    )


def project_paths(start: Path | None = None) -> ProjectPaths:
    """Resolve the project enclosing ``start`` (default: the working directory)."""
    return ProjectPaths(find_root(start))
