"""Indicators match what their sources publish, and follow the data when it changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief.catalogue import compute_indicators
from brief.cli import cli

REPO = Path(__file__).resolve().parents[1]

# Values as the sources state them (UN Viet Nam 2010 advocacy brief; the return-migration
# article), with the rounding the source used.
PUBLISHED = {
    "urban_population_growth": (7.3e6, 0.05e6),
    "urban_growth_share": (77, 0.5),
    "hcmc_kt34_share_intercensal": (20, 0),
    "hcmc_kt34_share_vhlss": (3.8, 0),
    "vhlss_coverage_share": (19, 0.5),
    "vms_registration_difficulty_share": (42, 0),
    "vms_reason_no_permission": (48, 0),
    "vms_reason_not_necessary": (22, 0),
    "vms_reason_did_not_know_how": (9, 0),
    "long_term_migrant_share": (7.7, 0),
    "max_province_migrant_household_share": (42, 0),
    "hcmc_unregistered_share": (15, 0),
    "hcmc_majority_migrant_wards": (30, 0),
    "urban_household_deprivation_share": (41, 0),
    "annual_returns": (500_000, 0),
    "permanent_returnees": (25_000, 0),
    "permanent_return_share": (5, 0),
    "diaspora_return_intent_share": (71, 0),
    # 2009 census, preliminary results: 29.6% urban (GSO, August 2009).
    "urban_share_latest": (29.6, 0.05),
}


@pytest.fixture(scope="module")
def indicators() -> dict:
    return compute_indicators(REPO)


@pytest.mark.parametrize("id", sorted(PUBLISHED))
def test_indicator_matches_published_value(indicators: dict, id: str) -> None:
    expected, tolerance = PUBLISHED[id]
    assert indicators[id].value == pytest.approx(expected, abs=tolerance)


def test_uncounted_migrants_is_a_range(indicators: dict) -> None:
    item = indicators["uncounted_migrants"]
    assert (item.value, item.low, item.high) == (None, 12e6, 16e6)
    assert item.to_dict()["low"] == 12e6 and item.to_dict()["high"] == 16e6


def test_every_indicator_has_a_source_and_label(indicators: dict) -> None:
    for item in indicators.values():
        assert item.label, item.id
        assert item.sources, item.id
        assert all(s.publisher and s.title and s.year for s in item.sources), item.id


def test_published_figures_cite_only_their_own_row_source(indicators: dict) -> None:
    assert [s.key for s in indicators["hcmc_majority_migrant_wards"].sources] == [
        "levanthanh2006"]


def test_adding_a_census_moves_the_growth_indicators(project: Path) -> None:
    before = compute_indicators(project)
    # 2019 census, preliminary results (GSO, July 2019): 96,208,984 persons, 33,059,735 urban.
    with (project / "data" / "census_population.csv").open("a", encoding="utf-8") as f:
        f.write("2019,96208984,33059735\n")
    after = compute_indicators(project)
    assert after["latest_census_year"].value == 2019
    assert after["previous_census_year"].value == 2009
    assert after["urban_population_growth"].value == 33_059_735 - 25_374_262
    assert after["urban_growth_share"].value == pytest.approx(
        100 * (33_059_735 - 25_374_262) / (96_208_984 - 85_789_573))
    assert after["urban_growth_share"].value != before["urban_growth_share"].value
    assert after["urban_growth_share"].period == "2009-2019"


def test_row_order_does_not_matter(project: Path) -> None:
    path = project / "data" / "census_population.csv"
    header, *rows = path.read_text("utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", "utf-8")
    assert compute_indicators(project)["urban_population_growth"].value == pytest.approx(7297439)


def test_cli_json_lists_required_ids_with_values() -> None:
    result = CliRunner().invoke(cli, ["indicators", "--format", "json", "--project", str(REPO)])
    assert result.exit_code == 0, result.output
    items = {item["id"]: item for item in json.loads(result.output)}
    for id, (expected, tolerance) in PUBLISHED.items():
        assert items[id]["value"] == pytest.approx(expected, abs=tolerance)
        assert {"id", "label", "value", "unit", "sources"} <= set(items[id])
    assert items["uncounted_migrants"]["low"] == 12e6
    assert "low" not in items["urban_growth_share"]


def test_cli_csv_and_table_formats() -> None:
    csv_out = CliRunner().invoke(cli, ["indicators", "--format", "csv", "--project", str(REPO)])
    assert csv_out.exit_code == 0
    assert csv_out.output.splitlines()[0] == "id,value,unit,period,label,sources"
    assert any(line.startswith("urban_growth_share,77.09,percent") for line in
               csv_out.output.splitlines())
    table = CliRunner().invoke(cli, ["indicators", "--project", str(REPO)])
    assert table.exit_code == 0 and "urban_growth_share" in table.output


def test_cli_indicators_fails_cleanly_on_bad_data(project: Path) -> None:
    (project / "data" / "census_population.csv").write_text("", "utf-8")
    result = CliRunner().invoke(cli, ["indicators", "--project", str(project)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1
    assert "data/census_population.csv: file is empty" in result.output
