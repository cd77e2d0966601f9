"""CSV downloads never carry a formula a spreadsheet would run (one escaping point)."""

from __future__ import annotations

import csv
import io

from brief import spreadsheet
from brief.calls import CallToAction, csv_text
from brief.render.figures import to_csv


def test_text_that_starts_like_a_formula_is_written_as_text() -> None:
    for text in ('=HYPERLINK("http://x","y")', "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet.cell(text) == "'" + text
    assert spreadsheet.cell("Ha Noi") == "Ha Noi"
    assert spreadsheet.cell(-3.5) == -3.5 and spreadsheet.cell(None) is None  # numbers stay


def test_chart_downloads_neutralise_formulas_in_labels_and_headings() -> None:
    text = to_csv([{"province": '=HYPERLINK("http://evil","x")', "rate": -3.2},
                   {"province": "Ha Noi", "rate": 4.0}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["province", "rate"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil\",\"x\")", "-3.2"]
    assert rows[2] == ["Ha Noi", "4.0"]


def test_the_calls_to_action_csv_neutralises_formulas() -> None:
    call = CallToAction(id="cta-01-x", chapter="01-a", actor="@everyone",
                        text="=1+1 is not an action", indicators=("a_b",))
    rows = list(csv.reader(io.StringIO(csv_text([call]))))
    assert rows[1][2] == "'@everyone" and rows[1][3] == "'=1+1 is not an action"
    assert rows[1][0] == "cta-01-x"
