"""What a chart shows, in words and as a table, read from its Vega-Lite spec.

A chart's alt text, written by the author, says what the chart is; readers who cannot
see it also need its numbers. This module reads the plotted rows and the encodings of
a spec and states the key numbers (:func:`key_numbers`): every value of a short
series, the highest and lowest of a long one, the first and last point of a line. The
same reading gives the table that the site offers under every chart
(:func:`data_table`), with the axis titles as column headings. Both come from the
data the chart draws, so they change with it.

Charts made by :mod:`brief.charts` carry their unit and their value labels (``_label``,
rounded as the prose rounds); other Vega-Lite specs are read from their encodings, with
plain numbers.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from brief.display import number
from brief.strings import current

#: Above this many rows, the alt text names the extremes rather than every value.
ALL_VALUES = 6
#: How many of the highest and of the lowest a long series names.
EXTREMES = 3


@dataclass(frozen=True)
class Reading:
    """How a spec's rows map to what a reader sees: the value, what it is of (the
    category or the period), the series (colour) and their titles."""

    value: str
    category: str | None
    series: str | None
    #: True when the category is a period on a continuous axis (a line chart).
    temporal: bool
    titles: dict[str, str]
    unit: str


def _encodings(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The encodings of the spec and of its layers (the first layer has the marks)."""
    found = [spec.get("encoding") or {}]
    for layer in spec.get("layer") or []:
        if isinstance(layer, dict):
            found += _encodings(layer)
    return [e for e in found if isinstance(e, dict)]


def _field(channel: Any) -> tuple[str | None, str | None, str | None]:
    if not isinstance(channel, dict) or "field" not in channel:
        return None, None, None
    title = channel.get("title")
    return str(channel["field"]), channel.get("type"), title if isinstance(title, str) else None


def reading(spec: dict[str, Any]) -> Reading | None:
    """How to read ``spec``, or None when it has no quantitative value to state."""
    value = category = series = None
    temporal = False
    titles: dict[str, str] = {}
    for encoding in _encodings(spec):
        fields = {name: _field(encoding.get(name)) for name in ("x", "y", "color", "text")}
        for field, _kind, title in fields.values():
            if field and title and title.strip():
                titles.setdefault(field, title.strip())
        (xf, xt, _), (yf, yt, _), (cf, ct, _) = fields["x"], fields["y"], fields["color"]
        if value is None:
            if xt == "quantitative" and yt == "quantitative":
                value, category, temporal = yf, xf, True
            elif xt == "quantitative" and yf:
                value, category = xf, yf
            elif yt == "quantitative" and xf:
                value, category = yf, xf
            elif ct == "quantitative":  # a map: the colour is the value
                value = cf
        if cf and ct in ("nominal", "ordinal") and cf != category:
            series = series or cf
        if category is None and value is not None:
            for tip in encoding.get("tooltip") or []:
                field, kind, _ = _field(tip)
                if field and kind in ("nominal", "ordinal") and field != value:
                    category = field
                    break
    if value is None:
        return None
    unit = ((spec.get("usermeta") or {}).get("brief") or {}).get("unit", "")
    return Reading(value, category, series, temporal, titles, str(unit))


def plotted_rows_raw(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a chart plots, helper columns included (see :func:`plotted_rows`)."""
    data = spec.get("data") or {}
    rows: list[dict[str, Any]] = []
    if isinstance(data, dict) and "values" in data:
        rows = data["values"]
    elif isinstance(data, dict) and data.get("name") in spec.get("datasets", {}):
        rows = spec["datasets"][data["name"]]
    elif spec.get("datasets"):
        rows = next(iter(spec["datasets"].values()))
    return [row for row in rows if isinstance(row, dict)]


def plotted_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a chart plots: its top-level named or inline dataset.

    Columns whose name starts with ``_`` are helpers (bar labels) and are dropped.
    """
    return [{k: v for k, v in row.items() if not str(k).startswith("_")}
            for row in plotted_rows_raw(spec)]


def _shown(row: dict[str, Any], field: str, unit: str) -> str:
    """A row's value as the chart labels it: its ``_label`` when the chart has one."""
    label = row.get("_label")
    if isinstance(label, str) and label.strip():
        return label.strip()
    value = row.get(field)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return number(float(value)) + ("%" if unit == "percent" else "")
    return str(value)


def _name(row: dict[str, Any], field: str | None) -> str:
    value = row.get(field) if field else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if value is not None else ""


def _numeric(rows: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    return [r for r in rows if isinstance(r.get(field), numbers.Real)
            and not isinstance(r.get(field), bool) and r[field] == r[field]]


def _one_series(rows: list[dict[str, Any]], read: Reading) -> str:
    if read.temporal and read.category:
        ordered = sorted(rows, key=lambda r: r[read.category])
        first, last = ordered[0], ordered[-1]
        words = current()

        def at(row: dict[str, Any]) -> str:
            return words.fill("value-in", value=_shown(row, read.value, read.unit),
                              when=_name(row, read.category))

        text = f"{at(first)}, {at(last)}"
        peak = max(ordered, key=lambda r: r[read.value])
        if peak is not first and peak is not last:
            text += f"; {words['highest']} {at(peak)}"
        return text
    ordered = sorted(rows, key=lambda r: r[read.value], reverse=True)
    pairs = [f"{_name(r, read.category)} {_shown(r, read.value, read.unit)}".strip()
             for r in ordered]
    if len(pairs) <= ALL_VALUES:
        return ", ".join(pairs)
    words = current()
    return (f"{words['highest']} {', '.join(pairs[:EXTREMES])}; {words['lowest']} "
            f"{', '.join(pairs[-EXTREMES:])} ({words.fill('in-all', count=len(pairs))})")


def key_numbers(spec: dict[str, Any]) -> str:
    """A sentence stating the key numbers the chart plots ("" when it has none)."""
    read = reading(spec)
    if read is None:
        return ""
    rows = _numeric(plotted_rows_raw(spec), read.value)
    if not rows:
        return ""
    if not read.series:
        return f"{current()['values']}: " + _one_series(rows, read) + "."
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(_name(row, read.series), []).append(row)
    if len(groups) > ALL_VALUES:
        return ""
    parts = [f"{name}: {_one_series(group, read)}" for name, group in groups.items()]
    return f"{current()['values']}: " + "; ".join(parts) + "."


def data_table(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The plotted rows as a table (``columns``, ``numeric``, ``rows`` of plain text, the
    shape of a cell's table output), columns titled as the chart titles them, values as
    the chart labels them; None when the chart has no rows."""
    rows = plotted_rows(spec)
    if not rows:
        return None
    read = reading(spec)
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    titles = read.titles if read else {}
    value = read.value if read else None
    unit = read.unit if read else ""

    def cell(row: dict[str, Any], raw_row: dict[str, Any], column: str) -> str:
        if column == value:
            return _shown(raw_row, column, unit)
        item = row.get(column)
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if isinstance(item, numbers.Real) and not isinstance(item, bool):
            return number(float(item)) if not float(item).is_integer() or abs(item) >= 10000 \
                else str(item)
        return "" if item is None else str(item)

    return {
        "columns": [titles.get(c) or c.replace("_", " ").strip().capitalize() for c in header],
        "numeric": [all(isinstance(r.get(c), numbers.Real) for r in rows
                        if r.get(c) is not None) for c in header],
        "rows": [[cell(row, raw_row, c) for c in header]
                 for row, raw_row in zip(rows, plotted_rows_raw(spec), strict=False)],
    }
