"""What a chart states in words and as a table, read from its spec (brief.charts)."""

from __future__ import annotations

import pandas as pd

from brief import charts
from brief.render import chartfacts


def test_a_long_bar_chart_names_its_extremes_as_the_chart_labels_them() -> None:
    frame = pd.DataFrame({"province": list("ABCDEFGH"),
                          "share": [1.5, 2, 3, 4, 5, 6, 7, -8]})
    spec = charts.bar(frame, category="province", value="share", unit="percent",
                      title="T").to_dict()
    assert chartfacts.key_numbers(spec) == (
        "Values: highest G 7%, F 6%, E 5%; lowest B 2%, A 1.5%, H -8% (8 in all).")


def test_a_line_chart_gives_first_last_and_peak_per_series() -> None:
    frame = pd.DataFrame({"year": [2000, 2001, 2002] * 2, "v": [1, 5, 3, 2, 2, 2],
                          "place": ["A"] * 3 + ["B"] * 3})
    spec = charts.line(frame, x="year", value="v", unit="persons", title="T",
                       series="place").to_dict()
    assert chartfacts.key_numbers(spec) == (
        "Values: A: 1 in 2000, 3 in 2002; highest 5 in 2001; B: 2 in 2000, 2 in 2002.")


def test_the_table_titles_columns_and_shows_values_as_labelled() -> None:
    frame = pd.DataFrame({"census_year": ["1999", "2009"], "share": [4.5, 6.46]})
    spec = charts.bar(frame, category="census_year", value="share", unit="percent",
                      title="T", value_title="Percent of people").to_dict()
    table = chartfacts.data_table(spec)
    assert table == {"columns": ["Census year", "Percent of people"],
                     "numeric": [False, True],
                     "rows": [["1999", "4.5%"], ["2009", "6.5%"]]}
    assert chartfacts.data_table({"mark": "bar"}) is None
    assert chartfacts.key_numbers({"mark": "bar"}) == ""
