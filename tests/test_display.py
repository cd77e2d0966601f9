"""How numbers are written in prose, and escaping of data strings."""

from __future__ import annotations

import pytest

from brief import display


@pytest.mark.parametrize(
    ("x", "unit", "expected"),
    [
        (77.0878, "percent", "77%"),
        (3.8, "percent", "3.8%"),
        (42.6, "percent", "42.6%"),
        (5.0, "percent", "5%"),
        (7.2 - 1e-12, "percentage points", "7.2 percentage points"),
        (7_297_439, "persons", "7.3 million"),
        (16_000_000, "persons", "16 million"),
        (25_000, "persons", "25,000"),
        (19e9, "US dollars", "US$19 billion"),
        (2009.0, "year", "2009"),
        (30, "wards", "30"),
    ],
)
def test_format_value(x: float, unit: str, expected: str) -> None:
    assert display.format_value(x, unit) == expected


def test_digits_and_bare_override() -> None:
    assert display.format_value(29.577, "percent", digits=1) == "29.6%"
    assert display.format_value(29.577, "percent", bare=True) == "30"


def test_fmt_reads_the_catalogue() -> None:
    assert display.fmt("urban_growth_share_1999_2009") == "77%"
    assert display.fmt("uncounted_migrants") == "12 to 16 million"
    assert display.value("hcmc_kt34_share_vhlss") == 3.8


def test_unknown_id_names_similar_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown indicator 'urban_growth'.*urban_growth_share"):
        display.fmt("urban_growth")


def test_cite_collects_source_keys() -> None:
    assert display.cite("hcmc_unregistered_share", "hcmc_majority_migrant_wards") == (
        "[@levanthanh2002; @levanthanh2006]")


def test_escape_markdown() -> None:
    assert display.escape_markdown("*bold* [link](x) <b>") == r"\*bold\* \[link\](x) \<b\>"


def test_an_indicator_reads_only_its_tables(monkeypatch) -> None:
    from brief import datapackage

    display.reset()
    monkeypatch.setattr(datapackage, "READS", set())
    assert display.fmt("urban_growth_share_1999_2009") == "77%"
    assert datapackage.READS == {"census_population"}
    display.fmt("hcmc_majority_migrant_wards")
    assert datapackage.READS == {"census_population", "published_estimates"}


def test_a_broken_table_fails_only_when_served(project, monkeypatch) -> None:
    from brief.datapackage import open_package
    from brief.problems import DataError

    (project / "data" / "returns_to_viet_nam.csv").write_text("", "utf-8")
    package = open_package(project / "data")
    assert len(package.table("census_population")) == 3
    with pytest.raises(DataError, match=r"returns_to_viet_nam\.csv: file is empty"):
        package.table("returns_to_viet_nam")


def test_escape_markdown_keeps_data_inline() -> None:
    assert display.escape_markdown("Fund it.\n\n:::\n\n## Heading") == r"Fund it. ::: \#\# Heading"


def test_rates_per_thousand_keep_one_decimal() -> None:
    assert display.format_value(20.71, "per 1,000 population") == "20.7 per 1,000 population"
    assert display.format_value(-14.5, "per 1,000 population", bare=True) == "-14.5"
    assert display.format_value(48, "provinces") == "48"


def test_round_to_keeps_estimates_from_looking_precise() -> None:
    assert display.format_value(86_751.4, "persons", round_to=1000) == "87,000"
    assert display.format_value(235_085, "persons", round_to=1000) == "235,000"
    assert display.format_value(2_858_693, "persons", round_to=1000) == "2.9 million"


def test_markdown_table_formats_links_and_sorts() -> None:
    import pandas as pd

    frame = pd.DataFrame({"Area": ["Hạ Sơn", "Bến *Cầu*"], "Households": [2100, 12500],
                          "Share": [12.5, 7.0]})
    text = display.markdown_table(frame, caption="Two areas", label="tbl-areas",
                                  links={"Area": ["ha-son.html", "ben-cau.html"]},
                                  sortable=True)
    assert text.splitlines() == [
        "::: {.sortable}",
        "| Area | Households | Share |",
        "|:--|--:|--:|",
        "| [Hạ Sơn](<ha-son.html>) | 2,100 | 12.5 |",
        r"| [Bến \*Cầu\*](<ben-cau.html>) | 12,500 | 7.0 |",
        "",
        ": Two areas {#tbl-areas}",
        ":::",
    ]


def test_markdown_table_refuses_links_that_do_not_fit() -> None:
    import pandas as pd

    frame = pd.DataFrame({"Area": ["A", "B"]})
    with pytest.raises(ValueError, match="one target per row"):
        display.markdown_table(frame, links={"Area": ["a.html"]})
    with pytest.raises(ValueError, match="'Place'"):
        display.markdown_table(frame, links={"Place": ["a.html", "b.html"]})


def test_a_line_chart_colours_series_in_the_order_given() -> None:
    """A template draws the same three series on every page: the order fixes the colours
    and the legend, whatever the names sort to."""
    import pandas as pd

    from brief import charts

    frame = pd.DataFrame({"year": [2020, 2021] * 3, "rate": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                          "area": ["Yên Bái"] * 2 + ["Northern Midlands"] * 2 + ["All"] * 2})
    order = ["Yên Bái", "Northern Midlands", "All"]
    spec = charts.line(frame, x="year", value="rate", unit="per 1,000 population", title="T",
                       series="area", order=order).to_dict()
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == order
    plain = charts.line(frame, x="year", value="rate", unit="per 1,000 population",
                        title="T", series="area").to_dict()
    assert "scale" not in plain["layer"][0]["encoding"]["color"]
