"""Attack tests with a fixed budget: any descriptor, CSV or chapter source gives a
located problem or success, never an exception (the hardening issue's fuzzing, in CI).

Each input is made by hypothesis from the real data package and a real chapter, so the
mutations land where a hurried author or a hostile file would put them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brief.datapackage import read_descriptor, validate, validate_resource
from brief.render.errors import RenderError
from brief.render.qmd import parse

REPO = Path(__file__).resolve().parents[1]
DESCRIPTOR = json.loads((REPO / "data" / "datapackage.json").read_text("utf-8"))


def budget(examples: int) -> settings:
    """A fixed number of inputs for one test. The budgets of this file and of
    ``test_safeyaml.py`` add up to the issue's 3,000 inputs: cells 1,200, damaged CSV
    files 600, descriptors 500, chapters 400, YAML 400 (3,100)."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


#: Values that break descriptors in practice: wrong kinds, paths that leave data/,
#: NUL, very long names, non-finite numbers, deep nesting.
ODD = st.sampled_from([None, True, 0, -1, 1.5, "", "x", "../../etc/passwd", "a\x00b",
                       "x" * 300, [], {}, [1], {"a": 1}, ["year"], "inf", 1e308,
                       float("inf"), {"type": "complete"}, [[[[[]]]]]])


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(DESCRIPTOR)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(REPO / "data", folder)
    return folder


@budget(500)
@given(st.lists(st.tuples(st.sampled_from(PATHS), ODD, st.booleans()), min_size=1,
                max_size=3))
def test_any_mutated_descriptor_is_a_problem_or_a_package(data: Path, edits) -> None:
    tree = json.loads(json.dumps(DESCRIPTOR))
    for path, value, delete in edits:
        parent = tree
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    (data / "datapackage.json").write_text(json.dumps(tree), "utf-8")
    try:
        package, problems = validate(data)
    finally:
        (data / "datapackage.json").write_text(json.dumps(DESCRIPTOR), "utf-8")
    assert package is not None or problems
    for problem in problems:
        assert str(problem).startswith("data/")


def test_a_descriptor_nested_100000_deep_is_a_problem(data: Path) -> None:
    (data / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    try:
        package, problems = read_descriptor(data)
    finally:
        (data / "datapackage.json").write_text(json.dumps(DESCRIPTOR), "utf-8")
    assert package is None and "nested too deeply" in str(problems[0])


#: Any text; text made of digits, signs and the other characters Python reads as
#: digits or blanks (Arabic-Indic and full-width digits, no-break spaces); known traps.
CELL = (st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                max_size=12)
        | st.text(alphabet=st.characters(categories=("Nd", "No", "Zs", "Pd"))
                  | st.sampled_from("0123456789+-._e"), min_size=1, max_size=8)
        | st.sampled_from(["inf", "-inf", "1e309", "NaN", "\t3", "3\u00a0", "\u0663",
                           "\uff15", "1_000", "0x10", "9223372036854775808", '"', "1,000",
                           "=HYPERLINK(1)"]))
#: What an integer cell may be: the census table has only integer columns.
INTEGER = re.compile(r"[+-]?[0-9]+")


@budget(1200)
@given(st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=2), CELL)
def test_any_cell_in_a_table_is_a_located_problem_or_a_value(data: Path, row: int,
                                                             column: int, cell: str) -> None:
    """Never an exception; and a cell that is not an integer is never accepted."""
    package, _ = read_descriptor(data)
    assert package is not None
    resource = package.resource("census_population")
    lines = (REPO / "data" / "census_population.csv").read_text("utf-8").splitlines()
    cells = lines[row + 1].split(",")
    cells[column] = '"' + cell.replace('"', '""') + '"'
    lines[row + 1] = ",".join(cells)
    (data / "census_population.csv").write_text("\n".join(lines) + "\n", "utf-8")
    try:
        frame, problems = validate_resource(data, resource)
    finally:
        shutil.copy(REPO / "data" / "census_population.csv", data / "census_population.csv")
    assert frame is not None or problems
    for problem in problems:
        assert str(problem).startswith("data/census_population.csv")
    if not INTEGER.fullmatch(cell):
        assert problems, f"{cell!r} accepted as an integer"


@budget(600)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=200),
                          st.integers(min_value=0, max_value=6),
                          st.binary(max_size=4) | st.sampled_from(
                              [b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf",
                               b"\xc3", b"\t"])),
                min_size=1, max_size=4),
       st.none() | st.integers(min_value=0, max_value=200))
def test_any_damaged_csv_file_is_a_located_problem_or_a_table(data: Path, edits,
                                                             cut: int | None) -> None:
    """Bytes inserted or deleted anywhere in a table, or the file cut short (inside a
    quote, a character, a line): a problem naming the file, or a valid table."""
    raw = bytearray((REPO / "data" / "census_population.csv").read_bytes())
    for at, drop, insert in edits:
        at = min(at, len(raw))
        raw[at:at + drop] = insert
    if cut is not None:
        del raw[cut:]
    (data / "census_population.csv").write_bytes(bytes(raw))
    package, _ = read_descriptor(data)
    assert package is not None
    try:
        frame, problems = validate_resource(data, package.resource("census_population"))
    finally:
        shutil.copy(REPO / "data" / "census_population.csv", data / "census_population.csv")
    assert frame is not None or problems
    for problem in problems:
        assert str(problem).startswith("data/census_population.csv")


CHAPTER = (REPO / "chapters" / "02-registration-reform.qmd").read_text("utf-8")


@budget(400)
@given(st.integers(min_value=0, max_value=len(CHAPTER)),
       st.sampled_from(["```{python}\n", "```\n", "---\n", "#| ", "#| eval: [\n",
                        "`{python} ", "`", ":::", "{#", "\x00", "\ufeff", "\n#| label: x\n"]))
def test_any_damaged_chapter_is_a_located_error_or_a_document(at: int, insert: str) -> None:
    text = CHAPTER[:at] + insert + CHAPTER[at:]
    try:
        parse(text, "chapters/02-registration-reform.qmd")
    except RenderError as error:
        assert str(error).startswith("chapters/02-registration-reform.qmd")
