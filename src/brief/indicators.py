"""The indicator framework: how a brief declares the numbers it states.

A brief's catalogue lives in its own project (``indicators.py`` beside
``_quarto.yml``), never in this package. There, each indicator is a small pure function
over the validated tables, registered with the :func:`indicator` decorator::

    from brief import DataPackage, Result, indicator, latest

    @indicator("population_latest", label="Population at the latest census",
               unit="persons", resources="census", formula="population, latest census row")
    def population_latest(data: DataPackage) -> Result:
        row = latest(data, "census", by="year")
        return Result(value=row["population"], period=str(row["year"]))

:mod:`brief.catalogue` imports the project's file inside :func:`collect`, which gathers
the registrations into a :class:`Catalogue`; ``brief check``, ``brief indicators``, the
chapters and the releases all compute from that catalogue. Helpers for the derivations
briefs keep needing (latest rows, growth, shares, published figures) are in
:mod:`brief.derive`.
"""

from __future__ import annotations

import contextvars
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brief.datapackage import DataPackage, Source
from brief.problems import DataError, Problem


@dataclass(frozen=True)
class Indicator:
    """One computed figure with everything needed to state and cite it."""

    id: str
    label: str
    unit: str
    value: float | None
    resources: tuple[str, ...]
    sources: tuple[Source, ...]
    formula: str
    low: float | None = None
    high: float | None = None
    period: str = ""

    @property
    def is_range(self) -> bool:
        return self.value is None and self.low is not None and self.high is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; ``low``/``high`` only where the source gives a range."""
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
        }
        if self.is_range:
            out["low"], out["high"] = self.low, self.high
        out["period"] = self.period
        out["formula"] = self.formula
        out["resources"] = list(self.resources)
        out["sources"] = [
            {"title": s.title, "publisher": s.publisher, "year": s.year, "locator": s.locator,
             "key": s.key}
            for s in self.sources
        ]
        return out


@dataclass(frozen=True)
class Result:
    """What an indicator function returns: a value or a range, and optional narrowing.

    Numbers may be any real type (a pandas or numpy scalar included); they are stored
    as ``float`` so that every indicator serialises the same way.
    """

    value: float | None = None
    low: float | None = None
    high: float | None = None
    #: The period the figure describes, as readers should see it ("2019", "2009-2019").
    period: str = ""
    #: Source keys to cite, when only some of the resources' sources apply.
    source_keys: tuple[str, ...] = ()
    #: A label taken from the data (published figures carry their own).
    label: str = ""

    def __post_init__(self) -> None:
        for name in ("value", "low", "high"):
            number = getattr(self, name)
            if number is not None:
                object.__setattr__(self, name, float(number))
        object.__setattr__(self, "period", str(self.period))
        object.__setattr__(self, "source_keys", tuple(self.source_keys))


class IndicatorError(Exception):
    """The tables are valid but cannot produce an indicator (a row is missing, say).

    Raise it from an indicator function with a :class:`~brief.problems.Problem` that
    points at the data, or with a plain message: the message is then located at the
    indicator's definition in the project's ``indicators.py``.
    """

    def __init__(self, problem: Problem | str) -> None:
        self.problem = problem
        super().__init__(str(problem))


class DefinitionError(Exception):
    """An indicator is declared wrongly (a duplicate id, a bad argument); ``where`` is
    ``file:line`` of the declaration when known."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


Compute = Callable[[DataPackage], Result]


@dataclass(frozen=True)
class Definition:
    """A registered indicator: its metadata, its function and where it was declared."""

    id: str
    label: str
    unit: str
    resources: tuple[str, ...]
    formula: str
    compute: Compute = field(repr=False)
    #: The declaring file (relative to the project) and the line of the declaration.
    file: str = ""
    line: int | None = None
    #: The project folder, to locate errors raised while computing.
    root: Path | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


class Catalogue:
    """One project's indicators, in the order they were declared."""

    def __init__(self, definitions: dict[str, Definition] | None = None) -> None:
        self.definitions: dict[str, Definition] = dict(definitions or {})

    def __contains__(self, id: object) -> bool:
        return id in self.definitions

    def __iter__(self) -> Iterator[str]:
        return iter(self.definitions)

    def __len__(self) -> int:
        return len(self.definitions)

    def ids(self) -> list[str]:
        """Every indicator id, in declaration order."""
        return list(self.definitions)

    def add(self, definition: Definition) -> None:
        """Register ``definition``; a second indicator with the same id is refused."""
        first = self.definitions.get(definition.id)
        if first is not None:
            at = f" (first at line {first.line})" if first.line else ""
            raise DefinitionError(f"indicator {definition.id!r} is defined twice{at}; ids "
                                  "must be unique, since chapters cite them",
                                  definition.where)
        self.definitions[definition.id] = definition

    def compute_one(self, package: DataPackage, id: str) -> Indicator:
        """Compute the single indicator ``id``, reading only the tables it needs.

        Raises ``KeyError`` for an unknown id and :class:`DataError` when it fails.
        """
        definition = self.definitions[id]
        try:
            return _build(definition, package)
        except Exception as exc:  # located for the author, whatever the function raised
            raise DataError([_problem(definition, exc)]) from None

    def compute(self, package: DataPackage) -> tuple[dict[str, Indicator], list[Problem]]:
        """Compute every indicator; collect problems instead of stopping at the first."""
        values: dict[str, Indicator] = {}
        problems: list[Problem] = []
        for definition in self.definitions.values():
            try:
                values[definition.id] = _build(definition, package)
            except Exception as exc:  # each failure becomes a located problem
                problem = _problem(definition, exc)
                if problem not in problems:
                    problems.append(problem)
        return values, problems


#: The catalogue that :func:`indicator` registers into while :func:`collect` runs, and
#: the project folder whose files locate the declarations.
_COLLECTING: contextvars.ContextVar[tuple[Catalogue, Path] | None] = contextvars.ContextVar(
    "brief_collecting", default=None)


@contextmanager
def collect(root: Path) -> Iterator[Catalogue]:
    """Gather every :func:`indicator` declared inside the block into a new catalogue.

    ``root`` is the project folder: declarations in its files are located by file
    (relative to it) and line in messages.
    """
    catalogue = Catalogue()
    token = _COLLECTING.set((catalogue, root.resolve()))
    try:
        yield catalogue
    finally:
        _COLLECTING.reset(token)


def _in_project(filename: str, root: Path) -> str | None:
    """``filename`` relative to ``root`` (POSIX form), or None when it lies outside."""
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None


def _declared_at(root: Path) -> tuple[str, int | None]:
    """Where the declaration being registered stands: the innermost module-level line
    of a project file on the stack (a factory's call site, not its body)."""
    for frame in reversed(traceback.extract_stack()):
        file = _in_project(frame.filename, root)
        if file is not None and frame.name == "<module>":
            return file, frame.lineno
    return "", None


def indicator(id: str, *, label: str, unit: str, resources: tuple[str, ...] | str,
              formula: str) -> Callable[[Compute], Compute]:
    """Declare the function below as indicator ``id`` (ids are stable: chapters cite them).

    ``label`` is the reader's name for it (may be "" when the result carries one),
    ``unit`` how :func:`brief.display.fmt` writes it (``percent``, ``persons``, ``year``,
    ``percentage points``, ``US dollars`` or any word), ``resources`` the data tables it
    reads (their sources are its sources) and ``formula`` how it is computed, in words,
    for the data-and-methods annex. The function takes the :class:`DataPackage` and
    returns a :class:`Result`; it is returned unchanged, so it can be called directly.
    """
    names = (resources,) if isinstance(resources, str) else tuple(resources)

    def register(func: Compute) -> Compute:
        active = _COLLECTING.get()
        if active is None:
            # Imported outside a project load (a notebook, a test): nothing to register in.
            return func
        catalogue, root = active
        file, line = _declared_at(root)
        if not isinstance(id, str) or not id.isidentifier() or not id.islower():
            raise DefinitionError(f"indicator id {id!r} is not allowed (expected lower-case "
                                  "letters, digits and underscores, e.g. population_share_latest)",
                                  f"{file}:{line}" if file else "")
        catalogue.add(Definition(id, label, unit, names, formula, func, file, line, root))
        return func

    return register


# ---------------------------------------------------------------- computing


def _build(definition: Definition, package: DataPackage) -> Indicator:
    result = definition.compute(package)
    if not isinstance(result, Result):
        raise IndicatorError(f"returned {type(result).__name__} (expected a brief.Result)")
    if result.value is None and (result.low is None or result.high is None):
        raise IndicatorError("returned no value (expected Result(value=...) or "
                             "Result(low=..., high=...))")
    # An indicator cites the publishers of its figures, not the copies they came through
    # or the publications used to check them.
    sources = [s for name in definition.resources for s in package.resource(name).sources
               if s.role == "origin"]
    if result.source_keys:
        sources = [s for s in sources if s.key in result.source_keys]
    # One entry per cited work: two tables from one publication share its key.
    unique = tuple({(s.key or s): s for s in sources}.values())
    return Indicator(
        id=definition.id,
        label=definition.label or result.label,
        unit=definition.unit,
        value=result.value,
        low=result.low,
        high=result.high,
        resources=definition.resources,
        sources=unique,
        formula=definition.formula,
        period=result.period,
    )


def _failing_line(exc: BaseException, definition: Definition) -> tuple[str, int | None]:
    """The deepest line of a project file in the traceback of ``exc``, else the
    definition's own place."""
    found: tuple[str, int | None] = (definition.file, definition.line)
    if definition.root is None:
        return found
    for frame in traceback.extract_tb(exc.__traceback__):
        file = _in_project(frame.filename, definition.root)
        if file is not None:
            found = (file, frame.lineno)
    return found


def _problem(definition: Definition, exc: Exception) -> Problem:
    """A located problem for a failed indicator: the data when the error names it, else
    the line of the project's ``indicators.py`` where the function failed."""
    if isinstance(exc, IndicatorError) and isinstance(exc.problem, Problem):
        return exc.problem
    if isinstance(exc, DataError) and exc.problems:
        return exc.problems[0]
    if isinstance(exc, IndicatorError):
        message = str(exc.problem)
    else:
        detail: object = exc
        if isinstance(exc, KeyError) and exc.args:
            # KeyError's str() quotes its key; keep the quotes for a key, not for a sentence.
            key = exc.args[0]
            detail = key if isinstance(key, str) and " " in key else repr(key)
        message = f"{type(exc).__name__}: {detail}"
    file, line = _failing_line(exc, definition)
    return Problem(file or "indicators.py",
                   f"indicator {definition.id!r} cannot be computed: {message}", row=line)
