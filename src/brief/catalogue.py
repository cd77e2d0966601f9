"""Load a project's indicator catalogue from its ``indicators.py`` (or ``indicators/``).

The catalogue is project content: this module only imports the project's file inside
:func:`brief.indicators.collect` and turns whatever goes wrong there (a syntax error,
an exception, a duplicate id) into a located :class:`~brief.problems.Problem`, so that
``brief check`` prints ``indicators.py:LINE: ...`` instead of a traceback. A project
without the file simply has no indicators.

It also finds the indicator ids that chapters cite (in ``fmt("id")``, ``cite("id")``
and the other display helpers) so that a citation of an id nobody defines is reported
with its chapter and line before anything is executed.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
import traceback
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from brief.indicators import Catalogue, DefinitionError, Indicator, collect
from brief.problems import DataError, Problem

#: The project's catalogue: a module beside ``_quarto.yml``, or a package of that name.
MODULE = "indicators"
#: Display helpers whose string arguments are indicator ids.
CITING_FUNCTIONS = {"fmt", "cite", "get", "value"}


def catalogue_files(root: Path) -> list[Path]:
    """The project's catalogue sources (for cache keys): ``indicators.py`` or every
    ``.py`` file of the ``indicators/`` package."""
    single = root / f"{MODULE}.py"
    if single.is_file():
        return [single]
    package = root / MODULE
    if (package / "__init__.py").is_file():
        return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    return []


def _entry(root: Path) -> tuple[Path, list[str] | None] | None:
    single = root / f"{MODULE}.py"
    if single.is_file():
        return single, None
    package = root / MODULE
    if (package / "__init__.py").is_file():
        return package / "__init__.py", [str(package)]
    return None


def _relative(path: str, root: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _located(exc: BaseException, root: Path, entry: str) -> Problem:
    """Where in the project's files ``exc`` arose, and what it was."""
    if isinstance(exc, DefinitionError):
        file, _, line = exc.where.rpartition(":")
        if file and line.isdigit():
            return Problem(file, exc.message, row=int(line))
        return Problem(entry, exc.message)
    if isinstance(exc, SyntaxError):
        file = _relative(exc.filename or "", root) or entry
        return Problem(file, f"syntax error: {exc.msg} (fix the Python syntax of the "
                             "indicator catalogue)", row=exc.lineno)
    file, line = entry, None
    for frame in traceback.extract_tb(exc.__traceback__):
        relative = _relative(frame.filename, root)
        if relative is not None:
            file, line = relative, frame.lineno
    return Problem(file, f"{type(exc).__name__} while loading the indicator catalogue: {exc}",
                   row=line)


def _import(root: Path) -> Catalogue:
    entry = _entry(root)
    if entry is None:
        return Catalogue()
    path, search = entry
    # A fresh module name per project, so that two projects in one process (tests, a
    # preview) never share a module; relative imports inside a package still work.
    name = "_brief_project_" + hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=search)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    display = _relative(str(path), root) or path.name
    try:
        with collect(root) as found:
            spec.loader.exec_module(module)
    except Exception as exc:  # the project's code: every failure becomes a located message
        sys.modules.pop(name, None)
        raise DataError([_located(exc, root, display)]) from None
    return found


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in catalogue_files(root):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _cached(root: Path, fingerprint: str) -> Catalogue:
    del fingerprint  # part of the cache key only: an edited file is imported again
    return _import(root)


def load_catalogue(root: Path) -> Catalogue:
    """The indicators of the project at ``root``; raise :class:`DataError` with a located
    problem when its ``indicators.py`` cannot be imported."""
    root = root.resolve()
    return _cached(root, _fingerprint(root))


# ---------------------------------------------------------------- citations in chapters


def _cited_in_code(code: str) -> list[tuple[str, int]]:
    """Indicator ids passed as string literals to the display helpers, with the line of
    each within ``code``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []  # the build reports the cell's own error
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        if name not in CITING_FUNCTIONS:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((arg.value, node.lineno))
    return found


def cited_ids(root: Path, files: Iterable[str]) -> list[tuple[str, str, int]]:
    """Every indicator id cited in the given chapter files: ``(id, file, line)``."""
    from brief.render.errors import RenderError
    from brief.render.qmd import parse

    out: list[tuple[str, str, int]] = []
    for file in files:
        try:
            document = parse((root / file).read_text(encoding="utf-8"), file)
        except (OSError, UnicodeDecodeError, RenderError):
            continue  # unreadable chapters are reported by the build
        for cell in document.runnable_cells():
            out += [(id, file, cell.line + line - 1) for id, line in _cited_in_code(cell.code)]
        for inline in document.inlines:
            out += [(id, file, inline.line) for id, _ in _cited_in_code(inline.expr)]
    return out


def undefined_citations(root: Path, catalogue: Catalogue, files: Iterable[str]
                        ) -> list[Problem]:
    """A located problem for each id that a chapter cites but the catalogue lacks."""
    problems: list[Problem] = []
    for id, file, line in cited_ids(root, files):
        if id in catalogue:
            continue
        stem = id.split("_")[0]
        near = [k for k in catalogue if stem and stem in k][:3]
        hint = f"; similar ids: {', '.join(near)}" if near else ""
        problems.append(Problem(file, f"indicator {id!r} is cited but not defined in "
                                      f"{MODULE}.py (define it there, or fix the id{hint})",
                                row=line))
    return problems


def compute_indicators(root: Path) -> dict[str, Indicator]:
    """Validate the project's ``data/`` and compute its whole catalogue, or raise
    :class:`DataError` with every problem."""
    from brief.datapackage import load

    catalogue = load_catalogue(root)
    values, problems = catalogue.compute(load(root / "data"))
    if problems:
        raise DataError(problems)
    return values
