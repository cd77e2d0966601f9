"""Read, validate and load the project's Frictionless Data Package (``data/``).

The descriptor ``data/datapackage.json`` is parsed once into typed objects; every
CSV is then checked in three passes, each of which only runs when the one before it
left the file readable:

1. the file itself: inside ``data/``, present, UTF-8, not empty, the expected header;
2. the cells, with the ``frictionless`` library: types, constraints, primary keys;
3. domain rules declared on the resource (``brief:rules``), such as
   "urban population is not greater than total population".

Problems are collected, never raised one at a time, so an author sees all of them.
Validated tables are served as pandas DataFrames by :class:`DataPackage`, which also
records which resources were read (the build cache keys chapters on that).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, ItemsView, Iterator, KeysView, ValuesView
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from brief.problems import DataError, Problem

DESCRIPTOR = "datapackage.json"

#: What a source may be to a table (see :class:`Source`).
SOURCE_ROLES = ("origin", "route", "check")
#: What a source key (a BibTeX key, cited as ``[@key]``) may look like.
SOURCE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.-]*")

#: Names of the resources served in this process, by any package. A chapter's kernel
#: reports them after execution, so the build cache knows which tables it depends on.
READS: set[str] = set()
#: The read recorded when a page lists the package's resources (rather than reading one
#: table): its cache entry then depends on the list, and a new resource updates it.
LIST_READ = "(resource list)"


class ResourceList(dict[str, "Resource"]):
    """The package's resources by name; going through them all records
    :data:`LIST_READ`, looking one up by name does not."""

    def __iter__(self) -> Iterator[str]:
        READS.add(LIST_READ)
        return super().__iter__()

    def __len__(self) -> int:
        READS.add(LIST_READ)
        return super().__len__()

    def keys(self) -> KeysView[str]:
        READS.add(LIST_READ)
        return super().keys()

    def values(self) -> ValuesView[Resource]:
        READS.add(LIST_READ)
        return super().values()

    def items(self) -> ItemsView[str, Resource]:
        READS.add(LIST_READ)
        return super().items()


FIELD_TYPES = {"string", "integer", "number", "year", "boolean", "date"}
RULE_TYPES = {
    "not-greater", "sum-at-most", "low-not-above-high", "value-or-range", "source-key",
    "percent-bounds", "values-in", "complete",
}
#: Rules that compare a table with another resource (checked once both are valid):
#: ``values-in``: every value of ``column`` is a value of ``resource``'s column ``in``;
#: ``complete``: each value of ``by`` has a row for every value of ``resource``'s ``in``.
CROSS_RULES = {"values-in": ("column", "resource", "in"),
               "complete": ("column", "by", "resource", "in")}


@dataclass(frozen=True)
class Source:
    """Where a table's figures were published."""

    title: str
    publisher: str
    year: int
    locator: str = ""
    key: str = ""
    path: str = ""
    #: ``origin``: the publisher of the figures (cited wherever they are stated);
    #: ``route``: the copy they came through (a mirror, a republished file);
    #: ``check``: a publication a sample of the values was checked against.
    role: str = "origin"

    def citation(self) -> str:
        """A one-line human citation: publisher (year), title, locator."""
        where = f", {self.locator}" if self.locator else ""
        return f"{self.publisher} ({self.year}), {self.title}{where}"


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table, as the schema declares it."""

    name: str
    type: str
    unit: str = ""
    description: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Resource:
    """One published table: its CSV, schema, provenance and domain rules."""

    name: str
    path: str
    title: str
    description: str
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    sources: tuple[Source, ...]
    licenses: tuple[str, ...]
    rules: tuple[dict[str, Any], ...]
    raw: dict[str, Any]

    @property
    def file(self) -> str:
        """The CSV's path relative to the project root, for messages."""
        return f"data/{self.path}"

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass
class DataPackage:
    """A validated data package whose tables load lazily, once each."""

    directory: Path
    name: str
    title: str
    resources: dict[str, Resource]
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    #: Called with a resource name whenever a table is served (the cache records reads).
    read_hooks: list[Callable[[str], None]] = field(default_factory=list, repr=False)

    def resource(self, name: str) -> Resource:
        try:
            return self.resources[name]
        except KeyError:
            known = ", ".join(sorted(self.resources))
            raise KeyError(f"no resource named {name!r} in the data package ({known})") from None

    def table(self, name: str) -> pd.DataFrame:
        """The rows of resource ``name`` as a DataFrame typed by its schema (a copy)."""
        resource = self.resource(name)
        READS.add(name)
        for hook in self.read_hooks:
            hook(name)
        if name not in self._frames:
            frame, problems = validate_resource(self.directory, resource)
            if frame is None:
                raise DataError(problems)
            self._frames[name] = frame
        return self._frames[name].copy()


# ---------------------------------------------------------------- descriptor


def _where(index: int, raw: Any) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f'resources[{index}] "{name}"' if isinstance(name, str) else f"resources[{index}]"


def _parse_source(raw: Any, where: str, file: str, problems: list[Problem]) -> Source | None:
    if not isinstance(raw, dict):
        problems.append(Problem(file, f"{where}: a source must be an object (expected title, "
                                      "publisher and year)"))
        return None
    missing = [k for k in ("title", "publisher", "year") if not raw.get(k)]
    if missing:
        problems.append(Problem(file, f"{where}: source is missing {', '.join(missing)} "
                                      "(expected title, publisher and year)"))
        return None
    key = str(raw.get("key", ""))
    if key and not SOURCE_KEY.fullmatch(key):
        problems.append(Problem(file, f"{where}: source key {key!r} is not a citation key "
                                      "(expected letters, digits, _ : . -, as in references.bib)"))
        return None
    year = raw["year"]
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        problems.append(Problem(file, f"{where}: source year {year!r} is not a year "
                                      "(expected an integer such as 2009)"))
        return None
    role = raw.get("role", "origin")
    if role not in SOURCE_ROLES:
        problems.append(Problem(file, f"{where}: source role {role!r} is not known (expected "
                                      f"one of {', '.join(SOURCE_ROLES)})"))
        return None
    return Source(
        title=str(raw["title"]),
        publisher=str(raw["publisher"]),
        year=year,
        locator=str(raw.get("locator", "")),
        key=str(raw.get("key", "")),
        path=str(raw.get("path", "")),
        role=role,
    )


def _parse_fields(raw: Any, where: str, file: str, problems: list[Problem]) -> list[FieldSpec]:
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list) or not raw["fields"]:
        problems.append(Problem(file, f"{where}: schema.fields is missing or empty "
                                      "(expected a Table Schema with at least one field)"))
        return []
    fields: list[FieldSpec] = []
    for j, spec in enumerate(raw["fields"]):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            problems.append(Problem(file, f"{where}: schema.fields[{j}] has no name "
                                          "(expected an object with name and type)"))
            continue
        kind = spec.get("type", "string")
        if not isinstance(kind, str) or kind not in FIELD_TYPES:
            problems.append(Problem(file, f"{where}: field {spec['name']} has type {kind!r} "
                                          f"(expected one of {', '.join(sorted(FIELD_TYPES))})"))
            continue
        constraints = spec.get("constraints") or {}
        wrong = _wrong_constraints(constraints, kind)
        if wrong:
            problems.append(Problem(file, f"{where}: field {spec['name']}: {wrong}"))
            continue
        unit = str(spec.get("unit", ""))
        if kind in ("integer", "number") and unit and unit != "year" and \
                "minimum" not in constraints:
            # A count of people, places or money is never negative; a column that may be
            # (a net balance, a change) says so with its own constraints.minimum.
            constraints = {**constraints, "minimum": 0}
        fields.append(FieldSpec(
            name=spec["name"],
            type=kind,
            unit=unit,
            description=str(spec.get("description", "")),
            constraints=dict(constraints),
        ))
    return fields


#: What each Table Schema constraint may hold, and how to say it.
_CONSTRAINTS: dict[str, tuple[tuple[type, ...], str]] = {
    "required": ((bool,), "true or false"), "unique": ((bool,), "true or false"),
    "minimum": ((int, float), "a number"), "maximum": ((int, float), "a number"),
    "minLength": ((int,), "a whole number"), "maxLength": ((int,), "a whole number"),
    "pattern": ((str,), "text"), "enum": ((list,), "a list of values"),
}


def _wrong_constraints(constraints: Any, kind: str) -> str:
    """What is wrong with a field's ``constraints`` ("" when nothing is)."""
    del kind  # every type takes the same constraints here; frictionless checks the rest
    if not isinstance(constraints, dict):
        return (f"constraints is {type(constraints).__name__} (expected an object such as "
                '{"required": true, "minimum": 0})')
    for key, value in constraints.items():
        if key not in _CONSTRAINTS:
            return f"unknown constraint {key!r} (expected one of {', '.join(_CONSTRAINTS)})"
        types, said = _CONSTRAINTS[key]
        is_flag = isinstance(value, bool)
        if (is_flag and bool not in types) or not isinstance(value, types) or \
                (isinstance(value, float) and not math.isfinite(value)):
            return f"constraint {key} is {value!r} (expected {said})"
    return ""


#: A folder or file name in a resource's path.
_SAFE_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def _check_path(path: Any, where: str, data_dir: Path, file: str,
                problems: list[Problem]) -> str | None:
    if not isinstance(path, str) or not path.strip():
        problems.append(Problem(file, f"{where}: path is missing (expected a CSV file name "
                                      "inside data/, such as population.csv)"))
        return None
    if "://" in path or path.startswith(("/", "\\")) or ":" in path:
        problems.append(Problem(file, f"{where}: path {path!r} refused: resources must be local "
                                      "files inside data/ (expected a relative path)"))
        return None
    if ".." in path.split("/"):
        problems.append(Problem(file, f"{where}: path {path!r} refused: it leaves data/ "
                                      "(expected a file inside data/)"))
        return None
    if not all(_SAFE_PART.fullmatch(part) for part in path.split("/")):
        problems.append(Problem(file, f"{where}: path {path[:120]!r} refused: expected a "
                                      "relative path of folder and file names made of "
                                      "letters, digits, '-', '_' and '.' (at most 100 "
                                      "characters each, not starting with '.')"))
        return None
    try:
        target = (data_dir / path).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name the system refuses
        problems.append(Problem(file, f"{where}: path {path!r} cannot be followed ({exc})"))
        return None
    if not target.is_relative_to(data_dir.resolve()):
        problems.append(Problem(file, f"{where}: path {path!r} refused: it leaves data/ "
                                      "(expected a file inside data/)"))
        return None
    if not path.endswith(".csv"):
        problems.append(Problem(file, f"{where}: path {path!r} is not a .csv file "
                                      "(expected one CSV per table)"))
        return None
    return path


#: What each rule needs: its keys that name a column of the resource, keys that name
#: several columns, and other keys with the kind of value they take.
_RULE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]] = {
    "not-greater": (("column", "than"), (), {}),
    "low-not-above-high": (("low", "high"), (), {}),
    "value-or-range": (("value", "low", "high"), (), {}),
    "sum-at-most": (("column",), ("group-by",), {"limit": "number"}),
    "source-key": (("column",), (), {}),
    "percent-bounds": (("unit",), ("columns",), {}),
    "values-in": (("column",), (), {"resource": "name", "in": "name"}),
    "complete": (("column", "by"), (), {"resource": "name", "in": "name"}),
}


#: The rules that compare or add values: the columns they name must hold numbers.
_NUMERIC_RULES = ("not-greater", "low-not-above-high", "value-or-range", "sum-at-most")
_NUMERIC_TYPES = ("integer", "number", "year")


def _wrong_rule(rule: Any, columns: dict[str, str] | None) -> str:
    """What is wrong with one of a resource's ``brief:rules`` ("" when nothing is);
    ``columns`` maps the resource's fields to their types (None when its schema is
    broken)."""
    if not isinstance(rule, dict) or not isinstance(rule.get("type"), str) or \
            rule["type"] not in _RULE_KEYS:
        shown = repr(rule)[:80]
        return f"unknown rule {shown} (expected type one of {', '.join(sorted(_RULE_KEYS))})"
    kind = rule["type"]
    single, several, others = _RULE_KEYS[kind]
    for key in single:
        if not isinstance(rule.get(key), str):
            return f"rule {kind!r} needs {key}, the name of a column"
    for key in several:
        value = rule.get(key, [] if key == "group-by" else None)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"rule {kind!r}: {key} must be a list of column names"
    for key, kind_of in others.items():
        value = rule.get(key)
        if kind_of == "number" and (isinstance(value, bool) or
                                    not isinstance(value, int | float) or
                                    not math.isfinite(value)):
            return f"rule {kind!r}: {key} must be a number (found {value!r})"
        if kind_of == "name" and not isinstance(value, str):
            return f"rule {kind!r} needs {key}, a name"
    named = [rule[k] for k in single] + [v for k in several for v in rule.get(k, [])]
    unknown = [c for c in named if columns is not None and c not in columns]
    if unknown:
        return (f"rule {kind!r} names {unknown[0]!r}, which is not a field (expected fields "
                "of this resource)")
    if kind in _NUMERIC_RULES and columns is not None:
        for column in [rule[k] for k in single]:
            if columns[column] not in _NUMERIC_TYPES:
                return (f"rule {kind!r} compares {column!r}, a field of type "
                        f"{columns[column]!r} (expected a field of type integer or number)")
    return ""


def _parse_resource(index: int, raw: Any, data_dir: Path, file: str,
                    problems: list[Problem]) -> Resource | None:
    where = _where(index, raw)
    if not isinstance(raw, dict):
        problems.append(Problem(file, f"{where}: a resource must be an object"))
        return None
    before = len(problems)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problems.append(Problem(file, f"{where}: name is missing (expected a lower-case name "
                                      "such as population)"))
    path = _check_path(raw.get("path"), where, data_dir, file, problems)
    fields = _parse_fields(raw.get("schema"), where, file, problems)
    raw_sources = raw.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        problems.append(Problem(file, f"{where}: no sources (expected at least one source with "
                                      "title, publisher, year and the table or page)"))
        raw_sources = []
    sources = [_parse_source(s, where, file, problems) for s in raw_sources]
    raw_licenses = raw.get("licenses")
    if not isinstance(raw_licenses, list) or not raw_licenses:
        problems.append(Problem(file, f"{where}: no licenses (expected at least one license "
                                      "with a name or title)"))
        raw_licenses = []
    licenses = [str(x.get("name") or x.get("title")) for x in raw_licenses if isinstance(x, dict)]
    schema = raw.get("schema") if isinstance(raw.get("schema"), dict) else {}
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    names = {f.name for f in fields}
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        problems.append(Problem(file, f"{where}: primaryKey must be a field name or a list of "
                                      "field names"))
        key = []
    for column in key:
        if fields and column not in names:
            problems.append(Problem(file, f"{where}: primaryKey names {column!r}, which is not a "
                                          "field (expected one of the schema's fields)"))
    rules = raw.get("brief:rules", [])
    if not isinstance(rules, list):
        problems.append(Problem(file, f"{where}: brief:rules must be a list"))
        rules = []
    for rule in rules:
        wrong = _wrong_rule(rule, {f.name: f.type for f in fields} if fields else None)
        if wrong:
            problems.append(Problem(file, f"{where}: {wrong}"))
    if len(problems) > before or name is None or path is None:
        return None
    return Resource(
        name=name,
        path=path,
        title=str(raw.get("title", name)),
        description=str(raw.get("description", "")),
        fields=tuple(fields),
        primary_key=tuple(key),
        sources=tuple(s for s in sources if s is not None),
        licenses=tuple(licenses),
        rules=tuple(rules),
        raw=raw,
    )


def read_descriptor(data_dir: Path) -> tuple[DataPackage | None, list[Problem]]:
    """Parse ``data/datapackage.json`` into a :class:`DataPackage` (tables not yet read)."""
    file = f"data/{DESCRIPTOR}"
    path = data_dir / DESCRIPTOR
    if not path.is_file():
        return None, [Problem(file, "file not found (expected the data package descriptor; "
                                    "see README, 'Updating the data')")]
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, [Problem(file, f"not valid UTF-8 at byte {exc.start} (expected UTF-8 JSON)")]
    except json.JSONDecodeError as exc:
        return None, [Problem(file, f"malformed JSON: {exc.msg} at column {exc.colno} "
                                    "(expected a JSON object; check commas and quotes)",
                              row=exc.lineno)]
    except RecursionError:
        return None, [Problem(file, "nested too deeply to read (expected a data package "
                                    "descriptor a few levels deep)")]
    if not isinstance(raw, dict) or not isinstance(raw.get("resources"), list):
        return None, [Problem(file, "malformed descriptor: no resources list (expected "
                                    '{"name": ..., "resources": [...]})')]
    problems: list[Problem] = []
    resources: dict[str, Resource] = {}
    for index, entry in enumerate(raw["resources"]):
        resource = _parse_resource(index, entry, data_dir, file, problems)
        if resource is None:
            continue
        if resource.name in resources:
            problems.append(Problem(file, f"{_where(index, entry)}: duplicate resource name "
                                          "(expected each name once)"))
            continue
        resources[resource.name] = resource
    if not raw["resources"]:
        problems.append(Problem(file, "no resources (expected at least one table)"))
    package = DataPackage(
        directory=data_dir,
        name=str(raw.get("name", "")),
        title=str(raw.get("title", "")),
        resources=resources,
    )
    return package, problems


# ---------------------------------------------------------------- files and cells


def _read_text(data_dir: Path, resource: Resource) -> tuple[str | None, list[Problem]]:
    file = resource.file
    path = data_dir / resource.path
    if not path.is_file():
        return None, [Problem(file, f'file not found (expected the CSV of resource '
                                    f'"{resource.name}" named in data/{DESCRIPTOR})')]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        return None, [Problem(file, f"not valid UTF-8 (byte 0x{byte}; expected UTF-8 text: "
                                    "re-save the file with UTF-8 encoding)", row=line)]
    if not text.strip():
        return None, [Problem(file, "file is empty (expected a header row: "
                                    f"{', '.join(resource.field_names)})")]
    return text.removeprefix("\ufeff"), []


def _check_header(text: str, resource: Resource) -> list[Problem]:
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as exc:
        return [Problem(resource.file, f"header cannot be read ({exc}; expected a CSV header)",
                        row=1)]
    header = [h.strip() for h in header]
    expected = resource.field_names
    problems = []
    for column in expected:
        if column not in header:
            problems.append(Problem(resource.file, "missing column (expected the columns "
                                                   f"{', '.join(expected)})", 1, column))
    for column in header:
        if column not in expected:
            label = column or "(blank)"
            problems.append(Problem(resource.file, "unknown column (expected only "
                                                   f"{', '.join(expected)})", 1, label))
    if not problems and header != expected:
        problems.append(Problem(resource.file, f"columns are in the order {', '.join(header)} "
                                               f"(expected {', '.join(expected)})", 1))
    return problems


def _frictionless_schema(resource: Resource) -> dict[str, Any]:
    fields = []
    for spec in resource.fields:
        entry: dict[str, Any] = {"name": spec.name, "type": spec.type}
        if spec.constraints:
            entry["constraints"] = spec.constraints
        fields.append(entry)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if resource.primary_key:
        schema["primaryKey"] = list(resource.primary_key)
    return schema


def _describe_constraint(spec: FieldSpec | None) -> str:
    """Say in words what a valid cell of ``spec`` looks like: 'a number (percent), 0 to 100'."""
    if spec is None:
        return "a valid value"
    article = "an" if spec.type[0] in "aeiou" else "a"
    unit = f" ({spec.unit})" if spec.unit and spec.unit != "year" else ""
    c = spec.constraints
    parts = [f"{article} {spec.type}{unit}"]
    if "minimum" in c and "maximum" in c:
        parts.append(f"between {c['minimum']} and {c['maximum']}")
    elif "minimum" in c:
        parts.append(f"at least {c['minimum']}")
    elif "maximum" in c:
        parts.append(f"at most {c['maximum']}")
    if "enum" in c:
        parts.append("one of " + ", ".join(str(x) for x in c["enum"]))
    if "pattern" in c:
        parts.append(f"matching {c['pattern']}")
    if c.get("required"):
        parts.append("not blank")
    return ", ".join(parts)


def _cells(text: str, resource: Resource) -> list[Problem]:
    """Type, constraint and key errors for every cell, via frictionless."""
    import frictionless  # deferred: a half-second import that only `check` and `build` need

    by_name = {f.name: f for f in resource.fields}
    try:
        report = frictionless.validate(
            frictionless.Resource(
                data=text.encode("utf-8"),
                format="csv",
                encoding="utf-8",
                schema=frictionless.Schema.from_descriptor(_frictionless_schema(resource)),
            ),
            limit_errors=200,
        )
    except Exception as exc:  # frictionless may raise on pathological input: report, never crash
        return [Problem(resource.file, f"cannot be read as CSV ({type(exc).__name__}: {exc}; "
                                       "expected comma-separated UTF-8 text)")]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            problems.append(_translate(error, resource, by_name))
    for error in report.errors:
        problems.append(Problem(resource.file, f"{error.message} (expected a readable CSV)"))
    return problems


def _translate(error: Any, resource: Resource, by_name: dict[str, FieldSpec]) -> Problem:
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    spec = by_name.get(column) if column else None
    kind = error.type
    file = resource.file
    if kind == "type-error":
        kind_name = f"{'an' if spec.type[0] in 'aeiou' else 'a'} {spec.type}" if spec else "valid"
        return Problem(file, f"{cell!r} is not {kind_name} (expected "
                             f"{_describe_constraint(spec)})", row, column)
    if kind == "constraint-error":
        shown = "blank" if cell in (None, "") else repr(cell)
        return Problem(file, f"{shown} is out of range (expected {_describe_constraint(spec)})",
                       row, column)
    if kind == "unique-error" and column:
        return Problem(file, f"duplicate value {cell!r}: an earlier row has it (expected each "
                             f"{column} once)", row, column)
    if kind in ("primary-key", "unique-error"):
        key = ", ".join(resource.primary_key)
        return Problem(file, f"duplicate key: this row repeats the {key} of an earlier row "
                             f"(expected each {key} once)", row, key)
    if kind == "blank-row":
        return Problem(file, "blank row (expected a data row; delete the empty line)", row)
    if kind == "extra-cell":
        return Problem(file, f"extra cell {cell!r} (expected {len(resource.fields)} cells: "
                             f"{', '.join(resource.field_names)})", row)
    if kind == "missing-cell":
        return Problem(file, f"missing cell (expected {len(resource.fields)} cells: "
                             f"{', '.join(resource.field_names)})", row, column)
    note = getattr(error, "note", "") or error.message
    return Problem(file, f"{note} (expected a valid {error.title.lower()})", row, column)


# ---------------------------------------------------------------- loading and rules


_PANDAS_TYPES = {"integer": "Int64", "year": "Int64", "number": "float64",
                 "string": "string", "boolean": "boolean", "date": "string"}


def _read_frame(data_dir: Path, resource: Resource) -> pd.DataFrame:
    dtypes = {f.name: _PANDAS_TYPES[f.type] for f in resource.fields if f.type != "boolean"}
    frame = pd.read_csv(
        data_dir / resource.path,
        dtype=dtypes,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
    )
    return frame


def _rule_problems(frame: pd.DataFrame, resource: Resource) -> list[Problem]:
    problems: list[Problem] = []
    file = resource.file
    for rule in resource.rules:
        kind = rule["type"]
        if kind == "not-greater":
            column, than = rule["column"], rule["than"]
            for index, row in frame.iterrows():
                a, b = row[column], row[than]
                if pd.notna(a) and pd.notna(b) and a > b:
                    problems.append(Problem(file, f"{a} is greater than {than} {b} (expected "
                                                  f"{column} <= {than})", int(index) + 2, column))
        elif kind == "low-not-above-high":
            low, high = rule["low"], rule["high"]
            for index, row in frame.iterrows():
                if pd.notna(row[low]) and pd.notna(row[high]) and row[low] > row[high]:
                    problems.append(Problem(file, f"{row[low]} is above {high} {row[high]} "
                                                  f"(expected {low} <= {high})", int(index) + 2,
                                            low))
        elif kind == "value-or-range":
            value, low, high = rule["value"], rule["low"], rule["high"]
            for index, row in frame.iterrows():
                has_value = pd.notna(row[value])
                has_range = pd.notna(row[low]) and pd.notna(row[high])
                if has_value == has_range:
                    problems.append(Problem(file, f"give either {value} or both {low} and {high} "
                                                  "(expected exactly one of a value or a range)",
                                            int(index) + 2, value))
        elif kind == "sum-at-most":
            column, limit = rule["column"], float(rule["limit"])
            groups = rule.get("group-by") or []
            grouped = frame.groupby(groups) if groups else [((), frame)]
            for label, group in grouped:
                total = float(group[column].sum())
                if total > limit + 1e-9:
                    last = int(group.index.max()) + 2
                    values = label if isinstance(label, tuple) else (label,)
                    scope = f" for {', '.join(str(v) for v in values)}" if groups else ""
                    problems.append(Problem(file, f"shares add up to {total:g}{scope} (expected "
                                                  f"a total of at most {limit:g})", last, column))
        elif kind == "source-key":
            column = rule["column"]
            keys = sorted(s.key for s in resource.sources if s.key)
            for index, value in frame[column].items():
                if pd.notna(value) and value not in keys:
                    problems.append(Problem(file, f"{value!r} is not a source of this resource "
                                                  f"(expected one of {', '.join(keys)}; add the "
                                                  "source to datapackage.json first)",
                                            int(index) + 2, column))
        elif kind == "percent-bounds":
            unit = rule["unit"]
            for index, row in frame.iterrows():
                if row[unit] != "percent":
                    continue
                for column in rule["columns"]:
                    value = row[column]
                    if pd.notna(value) and not 0 <= value <= 100:
                        problems.append(Problem(file, f"{value:g} is not a percentage (expected "
                                                      "0 to 100 when unit is percent)",
                                                int(index) + 2, column))
    return problems


#: Control characters a text cell may not hold (tab and line breaks are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INT64 = 2**63


def _sane_cells(text: str, resource: Resource) -> list[Problem]:
    """What frictionless accepts but a brief must not: control characters in text,
    numbers that are not finite or carry blanks around them, integers pandas cannot
    hold. Each is a located problem."""
    problems: list[Problem] = []
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    next(rows, None)  # the header was checked before
    for number, row in enumerate(rows, start=2):
        for spec, cell in zip(resource.fields, row, strict=False):
            found = _cell_problem(spec, cell)
            if found:
                problems.append(Problem(resource.file, found, number, spec.name))
        if len(problems) >= 200:
            break
    return problems


def _cell_problem(spec: FieldSpec, cell: str) -> str:
    """What is wrong with one cell that frictionless accepted ("" when nothing is)."""
    if spec.type == "string":
        bad = _CONTROL.search(cell)
        return (f"control character U+{ord(bad.group()):04X} in the text (expected printable "
                "text; tab and line breaks are allowed)") if bad else ""
    if spec.type not in ("integer", "number", "year") or cell == "":
        return ""
    if cell != cell.strip():
        return f"{cell!r} has blanks around the number (expected the number alone)"
    if not cell.isascii():  # Python reads "٣" or "５" as 3 or 5; pandas, rightly, not
        return (f"{cell!r} is written with characters other than 0-9 (expected a number in "
                "ASCII digits, like 1234 or 12.5)")
    try:
        value = float(cell)
    except ValueError:
        return ""  # frictionless reported the type already
    if not math.isfinite(value):
        return f"{cell!r} is not a finite number (expected {_describe_constraint(spec)})"
    if spec.type != "number" and abs(value) >= _INT64:
        return f"{cell!r} is too large (expected {_describe_constraint(spec)}, below 2^63)"
    return ""


def validate_resource(data_dir: Path, resource: Resource
                      ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check one table (file, header, cells, domain rules); return its rows when usable."""
    text, problems = _read_text(data_dir, resource)
    if text is None:
        return None, problems
    problems = _check_header(text, resource)
    if problems:
        return None, problems
    problems = _cells(text, resource) or _sane_cells(text, resource)
    if problems:
        return None, problems
    try:
        frame = _read_frame(data_dir, resource)
    except (ValueError, OverflowError) as exc:  # a cell pandas refuses after all checks
        return None, [Problem(resource.file, f"could not be read as typed columns ({exc}); "
                                             "expected numbers in plain digits")]
    if frame.empty:
        return None, [Problem(resource.file, "no data rows (expected at least one row under "
                                             "the header)")]
    problems = _rule_problems(frame, resource)
    return (None if problems else frame), problems


def _cross_problems(package: DataPackage) -> list[Problem]:
    """The rules that compare a valid table with another valid table of the package."""
    problems: list[Problem] = []
    for resource in package.resources.values():
        frame = package._frames.get(resource.name)
        for rule in (r for r in resource.rules if r["type"] in CROSS_RULES):
            other = package.resources.get(rule["resource"])
            if other is None:
                problems.append(Problem(f"data/{DESCRIPTOR}", f"resource {resource.name!r}: rule "
                                f"{rule['type']!r} names resource {rule['resource']!r}, which "
                                "is not in the package (expected a resource name)"))
                continue
            reference = package._frames.get(other.name)
            if frame is None or reference is None:
                continue  # the invalid table has been reported already
            if rule["in"] not in reference.columns:
                problems.append(Problem(f"data/{DESCRIPTOR}", f"resource {resource.name!r}: rule "
                                f"{rule['type']!r} names column {rule['in']!r} of "
                                f"{other.name!r}, which has no such field"))
                continue
            allowed = list(dict.fromkeys(reference[rule["in"]].dropna()))
            column = rule["column"]
            if rule["type"] == "values-in":
                known = set(allowed)
                for index, value in frame[column].items():
                    if pd.notna(value) and value not in known:
                        problems.append(Problem(resource.file, f"{value!r} is not in "
                                        f"{other.file} (expected a value of its column "
                                        f"{rule['in']})", int(index) + 2, column))
                continue
            by = rule["by"]
            for period, group in frame.groupby(by, sort=True):
                absent = [v for v in allowed if v not in set(group[column])]
                if absent:
                    shown = ", ".join(map(repr, absent[:3])) + (", ..." if len(absent) > 3
                                                                 else "")
                    problems.append(Problem(resource.file, f"{by} {period} has no row for "
                                    f"{shown} (expected a row for every {rule['in']} of "
                                    f"{other.file} in each {by})", int(group.index.max()) + 2,
                                    column))
    return problems


def validate(data_dir: Path) -> tuple[DataPackage | None, list[Problem]]:
    """Check the whole package; return it (when the descriptor parsed) and every problem."""
    package, problems = read_descriptor(data_dir)
    if package is None:
        return None, problems
    for resource in package.resources.values():
        frame, resource_problems = validate_resource(data_dir, resource)
        problems += resource_problems
        if frame is not None:
            package._frames[resource.name] = frame
    problems += _cross_problems(package)
    return package, problems


def load(data_dir: Path) -> DataPackage:
    """Validate every table of ``data_dir`` and return the package, or raise DataError."""
    package, problems = validate(data_dir)
    if problems or package is None:
        raise DataError(problems)
    return package


def open_package(data_dir: Path) -> DataPackage:
    """Open ``data_dir`` reading only the descriptor; each table is validated when served.

    Chapters use this: a chapter then reads (and depends on) only the tables it asks
    for, which is what the build cache records.
    """
    package, problems = read_descriptor(data_dir)
    if problems or package is None:
        raise DataError(problems)
    # A chapter that goes through every resource (a data annex) depends on the list.
    package.resources = ResourceList(package.resources)
    return package


def is_number(value: Any) -> bool:
    """True for a real, finite number (not NA, not NaN)."""
    try:
        return value is not None and not pd.isna(value) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
