"""Helpers for the derivations that briefs keep needing, for projects' ``indicators.py``.

Each helper reads the tables through the :class:`~brief.datapackage.DataPackage` (so
the build cache sees the dependency) and reports what it cannot do as an
:class:`~brief.indicators.IndicatorError` that names the data file and column, so that
``brief check`` can say exactly which row is missing. "Latest" always means the latest
period present in the table: appending a year of data moves every indicator built on it.

* :func:`row`: the one row whose key columns have the given values;
* :func:`latest`, :func:`earliest`, :func:`latest_two`, :func:`latest_rows`: rows by a
  period column;
* :func:`growth`: the change of a column between the two latest periods;
* :func:`share`: a part of a total, in percent;
* :func:`published`: a figure (a value or a range) as a source published it, from a row;
* :func:`value_range`: a range from two numbers, checked.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from brief.datapackage import DataPackage, is_number
from brief.indicators import IndicatorError, Result
from brief.problems import Problem


def _missing(package: DataPackage, resource: str, message: str,
             column: str | None = None) -> IndicatorError:
    return IndicatorError(Problem(package.resource(resource).file, message, column=column))


def _column(package: DataPackage, resource: str, frame: pd.DataFrame, column: str) -> None:
    if column not in frame.columns:
        known = ", ".join(map(str, frame.columns))
        raise _missing(package, resource, f"no column {column!r} (expected one of: {known})",
                       column=column)


def row(package: DataPackage, resource: str, **match: Any) -> pd.Series:
    """The first row of ``resource`` whose columns equal ``match``
    (``row(data, "estimates", id="households_total")``)."""
    frame = package.table(resource)
    selected = frame
    for column, wanted in match.items():
        _column(package, resource, frame, column)
        selected = selected[selected[column] == wanted]
    if selected.empty:
        wanted_text = ", ".join(f"{c} {v!r}" for c, v in match.items())
        raise _missing(package, resource, f"no row with {wanted_text} (expected one: an "
                       "indicator is computed from it)", column=next(iter(match), None))
    return selected.iloc[0]


def value_at(package: DataPackage, resource: str, column: str, **match: Any) -> float:
    """The number in ``column`` of the row that ``match`` selects (see :func:`row`)."""
    found = row(package, resource, **match)
    _column(package, resource, found.to_frame().T, column)
    if not is_number(found[column]):
        raise _missing(package, resource, f"the row with {match} has no number in {column!r} "
                       "(expected a number)", column=column)
    return float(found[column])


def latest_rows(package: DataPackage, resource: str, by: str = "year"
                ) -> tuple[Any, pd.DataFrame]:
    """The latest value of the period column ``by`` and every row that has it
    (for tables with many rows per period, such as one row per province and year)."""
    frame = package.table(resource)
    _column(package, resource, frame, by)
    frame = frame[frame[by].notna()]
    if frame.empty:
        raise _missing(package, resource, f"no rows with a {by!r} (expected at least one)",
                       column=by)
    period = frame[by].max()
    return period, frame[frame[by] == period].reset_index(drop=True)


def latest_two(package: DataPackage, resource: str, by: str = "year"
               ) -> tuple[pd.Series, pd.Series]:
    """The rows of the two latest periods, ``(previous, latest)``, one row per period."""
    frame = package.table(resource)
    _column(package, resource, frame, by)
    frame = frame[frame[by].notna()].sort_values(by, kind="stable")
    if len(frame) < 2:
        raise _missing(package, resource, f"{len(frame)} row(s) (expected at least two "
                       f"values of {by!r} to compare)", column=by)
    if frame[by].duplicated().any():
        raise _missing(package, resource, f"several rows share a {by!r} (expected one row "
                       "per period; use latest_rows for tables with several)", column=by)
    return frame.iloc[-2], frame.iloc[-1]


def _by_period(package: DataPackage, resource: str, by: str) -> pd.DataFrame:
    frame = package.table(resource)
    _column(package, resource, frame, by)
    frame = frame[frame[by].notna()].sort_values(by, kind="stable")
    if frame.empty:
        raise _missing(package, resource, f"no rows with a {by!r} (expected at least one)",
                       column=by)
    return frame


def latest(package: DataPackage, resource: str, by: str = "year") -> pd.Series:
    """The row with the latest value of the period column ``by``."""
    return _by_period(package, resource, by).iloc[-1]


def earliest(package: DataPackage, resource: str, by: str = "year") -> pd.Series:
    """The row with the earliest value of the period column ``by`` (where a series starts)."""
    return _by_period(package, resource, by).iloc[0]


def period_text(value: Any) -> str:
    """A period as readers see it: ``2019`` rather than ``2019.0``."""
    if is_number(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def growth(package: DataPackage, resource: str, column: str, by: str = "year") -> Result:
    """The change in ``column`` from the previous to the latest period
    (period ``"2009-2019"``)."""
    previous, last = latest_two(package, resource, by)
    _column(package, resource, previous.to_frame().T, column)
    return Result(value=float(last[column]) - float(previous[column]),
                  period=f"{period_text(previous[by])}-{period_text(last[by])}")


def share(part: float, total: float, what: str = "the total") -> float:
    """``part`` as a percentage of ``total``; a total of zero or less is an error that
    names ``what`` it is (located by ``brief check`` at the calling line)."""
    if not is_number(part) or not is_number(total):
        raise IndicatorError(f"cannot take a share of {part!r} in {total!r} (expected numbers)")
    if float(total) <= 0:
        raise IndicatorError(f"{what} is {float(total):g} (expected a positive number to "
                             "divide by)")
    return 100 * float(part) / float(total)


def value_range(low: float, high: float, period: str = "") -> Result:
    """A range ``low`` to ``high`` (as a source states "12 to 16 million")."""
    if not (is_number(low) and is_number(high)) or float(low) > float(high):
        raise IndicatorError(f"the range {low!r} to {high!r} is not valid (expected two "
                             "numbers, the first not above the second)")
    return Result(low=float(low), high=float(high), period=period)


def published(package: DataPackage, resource: str, id: str, *, key: str = "id",
              value: str = "value", low: str = "low", high: str = "high",
              period: str = "reference_year", source: str = "source",
              label: str = "label") -> Result:
    """A figure as its source published it, read from the row of ``resource`` whose
    ``key`` column is ``id``: its value (or its ``low``-``high`` range when the value is
    blank), its period, and, when the table has them, the row's own source key and label.
    """
    found = row(package, resource, **{key: id})
    columns = set(found.index)
    common: dict[str, Any] = {
        "period": period_text(found[period]) if period in columns else "",
        "source_keys": (str(found[source]),) if source in columns and found[source] else (),
        "label": str(found[label]) if label in columns and pd.notna(found[label]) else "",
    }
    if value in columns and is_number(found[value]):
        return Result(value=float(found[value]), **common)
    if {low, high} <= columns and is_number(found[low]) and is_number(found[high]):
        ranged = value_range(found[low], found[high])
        return Result(low=ranged.low, high=ranged.high, **common)
    raise _missing(package, resource, f"the row with {key} {id!r} has neither a {value!r} nor "
                   f"a {low!r}-{high!r} range (expected one of them)", column=value)
