"""Helpers that chapters call to state numbers in prose and to cite them.

Inline expressions in the chapters look like `` `{python} fmt("population_latest")` ``:
every number a reader sees goes through :func:`fmt`, so it comes from ``data/``
through the project's indicator catalogue (its ``indicators.py``), and rounds the same
way everywhere. Strings that
come from data are escaped with :func:`escape_markdown` before they reach pandoc.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache

import pandas as pd

from brief import safeyaml
from brief.catalogue import load_catalogue
from brief.datapackage import DataPackage, Source, open_package
from brief.indicators import Catalogue, Indicator
from brief.paths import project_paths
from brief.strings import current as _words

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|@$~^])")


@cache
def package() -> DataPackage:
    """The project's data package, opened once per process (a kernel runs one chapter).

    Tables are validated and read only when asked for, so a chapter depends on the
    tables its indicators and charts use, and on no others.
    """
    return open_package(project_paths().data)


@cache
def catalogue() -> Catalogue:
    """The project's indicator catalogue (its ``indicators.py``), imported once."""
    return load_catalogue(project_paths().root)


def get(id: str) -> Indicator:
    """The indicator ``id``; an unknown id is a KeyError that suggests similar ones.

    On a translated page its label is the translation (``indicators/labels.vi.yml``)."""
    return _get(id, _words().language)


@cache
def _get(id: str, language: str) -> Indicator:
    known = catalogue()
    if id not in known:
        stem = id.split("_")[0]
        near = [k for k in known if stem in k][:5]
        hint = f"; similar ids: {', '.join(near)}" if near else ""
        raise KeyError(f"unknown indicator {id!r}{hint} (run `brief indicators` for the list)")
    indicator = known.compute_one(package(), id)
    label = _labels(language).get(id)
    return replace(indicator, label=label) if label else indicator


@cache
def _labels(language: str) -> dict[str, str]:
    """The indicators' labels in ``language`` (``indicators/labels.vi.yml``, id: label);
    the catalogue's own labels are the main language's."""
    if language == "en":
        return {}
    path = project_paths().root / "indicators" / f"labels.{language}.yml"
    if not path.is_file():
        return {}
    raw = safeyaml.load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: expected a mapping of indicator id to label")
    return {str(k): str(v) for k, v in raw.items()}


def indicators() -> dict[str, Indicator]:
    """Every indicator in catalogue order (the data-and-methods annex lists them all)."""
    return {id: get(id) for id in catalogue()}


def reset() -> None:
    """Forget the opened package, the catalogue and computed indicators (after a change)."""
    package.cache_clear()
    catalogue.cache_clear()
    _get.cache_clear()
    _labels.cache_clear()


def table(name: str) -> pd.DataFrame:
    """The rows of data resource ``name``, for charts and tables in chapters."""
    return package().table(name)


def value(id: str) -> float:
    """The raw value of a single-valued indicator (for arithmetic in chapter code)."""
    indicator = get(id)
    if indicator.value is None:
        raise ValueError(f"indicator {id!r} is a range; use low()/high() or fmt()")
    return indicator.value


def _decimals(x: float, digits: int | None) -> int:
    if digits is not None:
        return digits
    if math.isclose(x, round(x, 1), abs_tol=1e-9):
        # As published (at most one decimal): show it as the source did.
        return 0 if math.isclose(x, round(x), abs_tol=1e-9) else 1
    return 0 if abs(x) >= 10 else 1


def number(x: float, digits: int | None = None) -> str:
    """A plain number with thousands separators, e.g. ``25,000`` or ``3.8`` (in the page's
    language: ``25.000``, ``3,8`` on a Vietnamese page)."""
    return _words().number(f"{x:,.{_decimals(x, digits)}f}")


def _scaled(x: float, digits: int | None) -> tuple[str, str]:
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            text = f"{x / size:,.{1 if digits is None else digits}f}".removesuffix(".0")
            return _words().number(text), _words()[word]
    return number(x, digits), ""


def format_value(x: float, unit: str, digits: int | None = None, bare: bool = False,
                 round_to: int | None = None) -> str:
    """Format ``x`` in ``unit`` the way the brief writes numbers in prose.

    ``round_to`` rounds to a multiple first (1000: "87,000"), for figures that are
    estimates and should not look more precise than they are.
    """
    if round_to:
        x = round(x / round_to) * round_to
    if unit == "year":
        return str(round(x))
    if unit == "percent":
        text = number(x, digits)
        return text if bare else f"{text}%"
    if unit == "percentage points":
        text = number(x, digits)
        return text if bare else f"{text} {_words()['percentage-points']}"
    if unit in ("persons", "persons per year"):
        text, word = _scaled(x, digits)
        return f"{text} {word}".strip()
    if unit.startswith("per "):
        # A rate such as "per 1,000 population": one decimal, as rates are published.
        text = number(x, 1 if digits is None else digits)
        return text if bare else f"{text} {_words().term('units', unit)}"
    if unit == "US dollars":
        text, word = _scaled(x, digits)
        amount = f"{text} {word}".strip()
        return amount if bare else _words().fill("us-dollars", number=amount)
    return number(x, digits)


def fmt(id: str, digits: int | None = None, bare: bool = False,
        round_to: int | None = None) -> str:
    """The indicator ``id`` as prose: ``77%``, ``7.3 million``, ``12 to 16 million``.

    ``digits`` overrides the rounding; ``bare`` drops the unit sign or word; ``round_to``
    rounds to a multiple first (``round_to=1000``: ``87,000``).
    """
    indicator = get(id)
    if indicator.is_range:
        assert indicator.low is not None and indicator.high is not None
        low = format_value(indicator.low, indicator.unit, digits, bare=True, round_to=round_to)
        high = format_value(indicator.high, indicator.unit, digits, bare, round_to=round_to)
        low_text, _, low_word = low.partition(" ")
        if low_word and high.endswith(low_word):
            low = low_text
        return _words().fill("range", low=low, high=high)
    assert indicator.value is not None
    return format_value(indicator.value, indicator.unit, digits, bare, round_to=round_to)


def escape_markdown(text: str) -> str:
    """Escape characters that pandoc's Markdown reader would interpret.

    Line breaks are folded into spaces: a string from data must stay inline, never
    open a block (a heading, a fence, the end of a callout).
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def cite_sources(sources: Iterable[Source]) -> str:
    """A pandoc citation for data sources: ``[@a; @b]`` (each key once, in order)."""
    keys = list(dict.fromkeys(s.key for s in sources if s.key))
    return "[" + "; ".join(f"@{k}" for k in keys) + "]" if keys else ""


def cite(*ids: str) -> str:
    """A pandoc citation for the sources of the given indicators: ``[@a; @b]``."""
    return cite_sources(s for id in ids for s in get(id).sources)


def key_figures(items: Sequence[tuple[str, str]]) -> str:
    """Markdown for a row of key-figure boxes, for an ``output: asis`` cell: for each
    ``(indicator id, meaning)``, the indicator's value in large type, ``meaning`` (one
    line of Markdown saying what the number is) and the indicator's sources.

    The site lays the boxes out in a grid; the PDF in rows of three, never split across
    pages. Four to six boxes read best; the value is always the indicator's, so it moves
    with the data.
    """
    if not items:
        raise ValueError("key_figures() needs at least one (indicator id, meaning) pair")
    boxes = []
    for id, meaning in items:
        sources = list(dict.fromkeys(s.key for s in get(id).sources if s.key))
        source = "; ".join(f"@{k}" for k in sources) or _words()["source-not-stated"]
        said = f"[{_words()['source']}: {source}]{{.source}}"
        boxes.append(f"::: {{.key-figure}}\n[{escape_markdown(fmt(id))}]{{.number}}\n\n"
                     f"{' '.join(meaning.split())}\n\n{said}\n:::\n")
    return "::: {.key-figures}\n" + "\n".join(boxes) + ":::\n"


def term(table: str, text: str) -> str:
    """``text`` (a word from the data, such as a region's name) in the page's language:
    its translation in the table ``table`` of the language file (``_language-vi.yml``,
    ``regions: {Red River Delta: Đồng bằng sông Hồng}``), or ``text`` itself."""
    return _words().term(table, str(text))


def listing(names: Iterable[str]) -> str:
    """Names as prose: "A", "A and B", "A, B and C" (for names computed from data)."""
    items = [str(n) for n in names]
    if not items:
        raise ValueError("listing() needs at least one name")
    joined = ", ".join(items[:-1]) + f" {_words()['and']} " + items[-1]
    return items[0] if len(items) == 1 else joined


def _cell(value: object, decimals: int) -> str:
    """A table cell's text: numbers with thousands separators and ``decimals`` places,
    missing values empty, text escaped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return escape_markdown(str(value))
    return _words().number(f"{float(value):,.{decimals}f}")


def _decimals_of(column: pd.Series) -> int:
    """One decimal for a column of numbers with fractions, none otherwise: a column
    reads best with one number of places throughout."""
    if not pd.api.types.is_float_dtype(column):
        return 0
    values = column.dropna()
    return 1 if bool((values != values.round()).any()) else 0


def markdown_table(frame: pd.DataFrame, *, caption: str = "", label: str | None = None,
                   links: dict[str, Sequence[str]] | None = None, sortable: bool = False
                   ) -> str:
    """``frame`` as a Markdown pipe table, for an ``output: asis`` cell: numbers with
    thousands separators (one decimal in a column with fractions) and right-aligned,
    text escaped.

    ``links`` maps a column to the link target of each of its cells (a list or a
    column of the same length), so that, for example, a place name opens the place's
    page. With ``sortable`` the site lets readers sort the table by any column (the
    PDF prints it as it is). ``label`` (``tbl-...``) makes it a numbered table.
    """
    links = links or {}
    for column, targets in links.items():
        if column not in frame.columns or len(targets) != len(frame):
            raise ValueError(f"markdown_table(): links for {column!r} need a column of "
                             f"the table and one target per row ({len(frame)})")
    numeric = [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
               for t in frame.dtypes]
    lines = ["| " + " | ".join(escape_markdown(str(c)) for c in frame.columns) + " |",
             "|" + "|".join("--:" if n else ":--" for n in numeric) + "|"]
    targets = {c: [str(t) for t in links[c]] for c in links}
    decimals = [_decimals_of(frame[c]) for c in frame.columns]
    for position, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for column, value, places in zip(frame.columns, row, decimals, strict=True):
            text = _cell(value, places) or " "
            if column in targets:
                text = f"[{text}](<{targets[column][position]}>)"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    if caption or label:
        ident = f" {{#{label}}}" if label else ""
        lines += ["", f": {escape_markdown(caption)}{ident}"]
    table = "\n".join(lines) + "\n"
    return f"::: {{.sortable}}\n{table}:::\n" if sortable else table


def source_line(*resources: str, indicators: Iterable[str] = (), note: str = "") -> str:
    """Markdown for the line under a chart: "Source: Publisher (year); ..." naming the
    sources that published the figures plotted, each a citation linked to the reference
    list, then ``note``.

    Name the data ``resources`` the chart draws (their origin sources are cited, not the
    copies the data came through), or, for a chart of single published figures, the
    ``indicators`` it shows (only their own sources are cited). Print it from an
    ``output: asis`` cell right after the chart's cell.
    """
    sources: list[Source] = [s for name in resources for s in package().resource(name).sources
                             if s.role == "origin"]
    sources += [s for id in indicators for s in get(id).sources]
    if not sources:
        raise ValueError("source_line() needs the resources or indicators the chart plots")
    cited = {(s.key or s.title): s for s in sources}
    parts = [f"@{s.key}" if s.key else f"{escape_markdown(s.publisher)} ({s.year})"
             for s in cited.values()]
    text = f"{_words()['source']}: " + "; ".join(parts) + "."
    # The same in full words, for the chart's downloads, which travel without the page.
    plain = "; ".join(s.citation() for s in cited.values()) + "."
    if note:
        text += f" {escape_markdown(note)}"
        plain += f" {' '.join(note.split())}"
    quoted = '"' + " ".join(plain.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"::: {{.chart-source plain={quoted}}}\n{text}\n:::\n"
