"""The derivation helpers that projects' indicators.py files use (brief.derive).

The tables here are invented for the tests (a yearly series and a table of published
figures); nothing in them is a real statistic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brief import (
    IndicatorError,
    Result,
    growth,
    latest,
    latest_rows,
    latest_two,
    period_text,
    published,
    row,
    share,
    value_at,
    value_range,
)
from brief.datapackage import DataPackage, load

SOURCE = {"title": "Invented numbers for the tests", "publisher": "Test suite", "year": 2026,
          "key": "testsuite2026"}


def _resource(name: str, fields: list[tuple[str, str]], key: list[str]) -> dict:
    return {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
            "schema": {"fields": [{"name": n, "type": t} for n, t in fields],
                       "primaryKey": key},
            "sources": [SOURCE], "licenses": [{"name": "CC0-1.0"}]}


@pytest.fixture
def data(tmp_path: Path) -> DataPackage:
    folder = tmp_path / "data"
    folder.mkdir()
    resources = [
        _resource("series", [("year", "integer"), ("total", "integer"), ("part", "integer")],
                  ["year"]),
        _resource("regions", [("region", "string"), ("year", "integer"), ("rate", "number")],
                  ["region", "year"]),
        _resource("figures", [("id", "string"), ("label", "string"), ("value", "number"),
                              ("low", "number"), ("high", "number"),
                              ("reference_year", "integer"), ("source", "string")], ["id"]),
    ]
    (folder / "datapackage.json").write_text(json.dumps(
        {"name": "test", "title": "Test", "resources": resources}), "utf-8")
    # Rows deliberately out of order: "latest" must not depend on the order in the file.
    (folder / "series.csv").write_text(
        "year,total,part\n2010,200,50\n2000,100,20\n2020,260,91\n", "utf-8")
    (folder / "regions.csv").write_text(
        "region,year,rate\nnorth,2023,1.5\nsouth,2023,-2.0\nnorth,2024,2.5\nsouth,2024,-1.0\n",
        "utf-8")
    (folder / "figures.csv").write_text(
        "id,label,value,low,high,reference_year,source\n"
        "single,A single figure,42.5,,,2015,testsuite2026\n"
        "ranged,A range,,12,16,2009,testsuite2026\n"
        "empty,Neither,,,,2009,testsuite2026\n", "utf-8")
    return load(folder)


def test_row_and_value_at_select_by_columns(data: DataPackage) -> None:
    assert row(data, "series", year=2010)["total"] == 200
    assert value_at(data, "regions", "rate", region="south", year=2024) == -1.0


def test_a_missing_row_names_the_file_and_column(data: DataPackage) -> None:
    with pytest.raises(IndicatorError) as error:
        value_at(data, "series", "total", year=1990)
    problem = error.value.problem
    assert str(problem) == ("data/series.csv: column year: no row with year 1990 (expected "
                            "one: an indicator is computed from it)")


def test_a_missing_column_lists_the_columns(data: DataPackage) -> None:
    with pytest.raises(IndicatorError, match=r"no column 'rural' \(expected one of: year, "
                                             r"total, part\)"):
        value_at(data, "series", "rural", year=2010)


def test_latest_and_latest_two_go_by_the_period_not_the_file_order(data: DataPackage) -> None:
    assert latest(data, "series")["year"] == 2020
    previous, last = latest_two(data, "series")
    assert (previous["year"], last["year"]) == (2010, 2020)


def test_latest_two_needs_two_periods_and_one_row_each(data: DataPackage) -> None:
    with pytest.raises(IndicatorError, match="several rows share a 'year'"):
        latest_two(data, "regions")
    with pytest.raises(IndicatorError, match="no column 'month'"):
        latest_two(data, "series", by="month")


def test_latest_rows_returns_every_row_of_the_latest_period(data: DataPackage) -> None:
    period, rows = latest_rows(data, "regions")
    assert period == 2024
    assert sorted(rows["region"]) == ["north", "south"]
    assert list(rows["rate"].sort_values()) == [-1.0, 2.5]


def test_growth_between_the_two_latest_periods(data: DataPackage) -> None:
    assert growth(data, "series", "total") == Result(value=60.0, period="2010-2020")


def test_share_in_percent_and_its_errors() -> None:
    assert share(91, 260) == pytest.approx(35.0)
    with pytest.raises(IndicatorError, match="the households is 0 "):
        share(1, 0, "the households")
    with pytest.raises(IndicatorError, match="expected numbers"):
        share("x", 2)


def test_published_reads_a_value_or_a_range_with_its_row_metadata(data: DataPackage) -> None:
    single = published(data, "figures", "single")
    assert single == Result(value=42.5, period="2015", source_keys=("testsuite2026",),
                            label="A single figure")
    ranged = published(data, "figures", "ranged")
    assert (ranged.value, ranged.low, ranged.high, ranged.period) == (None, 12.0, 16.0, "2009")
    with pytest.raises(IndicatorError, match="neither a 'value' nor a 'low'-'high' range"):
        published(data, "figures", "empty")


def test_value_range_refuses_an_inverted_range() -> None:
    assert value_range(1, 2, "2009") == Result(low=1.0, high=2.0, period="2009")
    with pytest.raises(IndicatorError, match="is not valid"):
        value_range(3, 2)


def test_result_stores_floats_and_period_text() -> None:
    import numpy as np

    result = Result(value=np.int64(7), period=2019)  # type: ignore[arg-type]
    assert isinstance(result.value, float) and result.period == "2019"
    assert period_text(2019.0) == "2019" and period_text("2009-2019") == "2009-2019"


def test_earliest_is_where_the_series_starts(data: DataPackage) -> None:
    from brief import earliest

    assert earliest(data, "series")["year"] == 2000
    with pytest.raises(IndicatorError, match="no column 'month'"):
        earliest(data, "series", by="month")
