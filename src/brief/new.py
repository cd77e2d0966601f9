"""``brief new``: start a brief of one's own from a small, complete, working example.

The example, the *starter*, is package data under ``brief/starter/``: a Quarto book with
a summary and one chapter (key findings, numbers stated and cited from the data, a chart,
a footnote, a call to action), a data package with one table of invented numbers, the
project's ``indicators.py``, its calls to action and its bibliography, a README saying
what to replace first, and a ``.gitignore``. Everything specific to a brief lives in
those files and none in the engine, so a team that starts with ``brief new`` never needs
to touch, or fork, the package.

Two values are filled in when the files are written: the book's title and its date, in
``_quarto.yml``. Nothing is ever overwritten: the target must be new or empty.
"""

from __future__ import annotations

import json
import unicodedata
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

DEFAULT_TITLE = "My policy brief"

#: Where the starter files live inside the ``brief`` package.
STARTER = "starter"
#: Files stored in the package under another name: a dot file would be hidden from
#: readers of the source tree and skipped by some packaging tools.
RENAMED = {"gitignore": ".gitignore"}
#: The one file with values filled in, and its placeholders.
CONFIG = "_quarto.yml"
TITLE_PLACEHOLDER = "__TITLE__"
DATE_PLACEHOLDER = "__DATE__"
#: What an otherwise empty target may already hold: running ``git init`` first is common.
ALLOWED_EXISTING = frozenset({".git"})


class NewProjectError(Exception):
    """The project cannot be written (the folder is in use, the title unusable, the disk
    refuses); the message says why and what to do."""


def starter_files() -> list[tuple[str, Traversable]]:
    """Every starter file as ``(path in the new project, packaged file)``, sorted by path.

    Caches (``__pycache__``, ``.pyc``) that an editable install may have left beside the
    files are not part of the starter.
    """
    found: list[tuple[str, Traversable]] = []

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.name == "__pycache__" or entry.name.endswith(".pyc"):
                continue
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            else:
                found.append((prefix + RENAMED.get(entry.name, entry.name), entry))

    walk(files("brief") / STARTER, "")
    return sorted(found, key=lambda item: item[0])


def yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar.

    A JSON string is a valid YAML double-quoted scalar, so quotes, backslashes, colons,
    ``#`` and any letter (Vietnamese included) survive as they are.
    """
    return json.dumps(text, ensure_ascii=False)


def clean_title(title: str | None) -> str:
    """The title to write: :data:`DEFAULT_TITLE` when none is given, else ``title``
    stripped; an empty title or one of several lines is refused."""
    if title is None:
        return DEFAULT_TITLE
    text = title.strip()
    if not text:
        raise NewProjectError('the title is empty (expected a few words, e.g. --title '
                              '"Safe water for every household")')
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")
           for c in text):
        raise NewProjectError("the title contains a line break or a control character "
                              "(expected one line of text)")
    return text


def today() -> str:
    """The date for a new project: today, or ``SOURCE_DATE_EPOCH``'s date when set, as
    a release would stamp it."""
    from brief.release import release_date

    return release_date()


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise NewProjectError(f"{target} exists and is not a folder (expected a new or empty "
                              "folder for the brief)")
    if target.is_dir():
        try:
            present = sorted(p.name for p in target.iterdir() if p.name not in ALLOWED_EXISTING)
        except OSError as exc:
            raise NewProjectError(f"cannot read {target} ({exc.strerror or exc})") from None
        if present:
            shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
            raise NewProjectError(f"{target} is not empty (it holds {shown}); brief new "
                                  "only writes into a new or empty folder, so that it never "
                                  "overwrites a file: choose another folder name")


def _render(relative: str, content: bytes, title: str, date: str) -> bytes:
    if relative != CONFIG:
        return content
    text = content.decode("utf-8")
    text = text.replace(TITLE_PLACEHOLDER, yaml_string(title), 1)
    text = text.replace(DATE_PLACEHOLDER, date, 1)
    return text.encode("utf-8")


def new_project(target: Path, title: str | None = None, *, date: str | None = None
                ) -> list[Path]:
    """Write the starter brief into ``target`` and return the files written, in order.

    ``target`` must not exist, or be an empty folder (one holding only ``.git`` is fine);
    missing parent folders are created. ``title`` defaults to :data:`DEFAULT_TITLE` and
    ``date`` (``YYYY-MM-DD``) to today. Raises :class:`NewProjectError` when the target
    is in use or the title unusable; when writing fails half-way, what was written is
    removed again, so a failed ``brief new`` leaves nothing behind.
    """
    text = clean_title(title)
    stamp = date or today()
    _check_target(target)
    created: list[Path] = []
    written: list[Path] = []
    try:
        missing = [p for p in (target, *target.parents) if not p.exists()]
        target.mkdir(parents=True, exist_ok=True)
        created += missing  # deepest first, the order to remove them in
        for relative, source in starter_files():
            path = target / relative
            for folder in reversed(path.relative_to(target).parents[:-1]):
                if not (target / folder).exists():
                    (target / folder).mkdir()
                    created.insert(0, target / folder)
            path.write_bytes(_render(relative, source.read_bytes(), text, stamp))
            written.append(path)
    except OSError as exc:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in created:
            try:
                folder.rmdir()
            except OSError:
                break  # not empty or not ours to remove: leave it and everything above
        reason = exc.strerror or str(exc)
        where = exc.filename or target
        raise NewProjectError(f"cannot write {where} ({reason}); the files written before "
                              "it were removed again") from None
    return written
