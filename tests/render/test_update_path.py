"""The data-update path of the real brief: a new year of provincial data moves the
latest-year indicators, the charts' CSVs and the text of both editions; taking it out
restores them.

The 2025 rows appended here are INVENTED for the test (the 2024 rows repeated, one rate
changed); they are never published.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from brief import display
from brief.render.build import build

pytestmark = pytest.mark.render

RATES = "province_net_migration.csv"
POPULATION = "province_population.csv"
#: The province whose invented 2025 rate makes it the top receiver.
CHANGED, INVENTED_RATE = "Bạc Liêu", 31.5


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def _invented_year(data: Path) -> tuple[int, list[float]]:
    """Append an invented year to both provincial tables; return it and its rates."""
    rates, population = _rows(data / RATES), _rows(data / POPULATION)
    last = max(int(r["year"]) for r in rates)
    new = last + 1
    added: list[float] = []
    with (data / RATES).open("a", encoding="utf-8") as file:
        for row in (r for r in rates if int(r["year"]) == last):
            rate = INVENTED_RATE if row["province"] == CHANGED else float(
                row["net_migration_rate"])
            added.append(rate)
            file.write(f"{row['province']},{new},{rate}\n")
    with (data / POPULATION).open("a", encoding="utf-8") as file:
        for row in (r for r in population if int(r["year"]) == last):
            file.write(f"{row['province']},{new},{row['population']}\n")
    return new, added


def _snapshot(root: Path) -> dict[str, bytes]:
    names = ["chapters/04-urban-planning.html", "chapters/05-migration-for-development.html",
             "index.html", "figures/fig-net-migration-map.csv",
             "vi/chapters/04-urban-planning.html", "vi/index.html"]
    return {name: (root / "_book" / name).read_bytes() for name in names}


def test_a_new_year_moves_indicators_charts_and_text_and_removing_it_restores_them(
        built_real_copy: Path, monkeypatch) -> None:
    root, data = built_real_copy, built_real_copy / "data"
    originals = {name: (data / name).read_bytes() for name in (RATES, POPULATION)}
    build(root)
    before = _snapshot(root)

    year, rates = _invented_year(data)
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(root))
    display.reset()
    try:
        assert display.get("province_max_net_migration_rate").value == INVENTED_RATE
        assert display.get("province_max_net_migration_rate").period == str(year)
        assert display.value("provinces_net_out_migration") == sum(r < 0 for r in rates)
        assert display.get("provinces_net_out_migration").period == str(year)
    finally:
        display.reset()
    build(root)
    after = _snapshot(root)
    chapter = after["chapters/04-urban-planning.html"].decode("utf-8")
    assert f"The pattern in {year} is stark" in chapter
    assert f"{INVENTED_RATE} per 1,000 population" in chapter
    rows = [line for line in after["figures/fig-net-migration-map.csv"].decode("utf-8")
            .splitlines() if not line.startswith("# ")]  # the credits block
    plotted = {r["name_en"]: float(r["net_migration_rate"]) for r in csv.DictReader(rows)}
    assert plotted["Bac Lieu"] == INVENTED_RATE
    summary = after["index.html"].decode("utf-8")
    assert f"through migration than they gained in {year}" in summary
    assert after["chapters/05-migration-for-development.html"] != before[
        "chapters/05-migration-for-development.html"]
    # The Vietnamese edition moves with the same data, in its own words and numbers.
    chapter = after["vi/chapters/04-urban-planning.html"].decode("utf-8")
    assert f"Bức tranh năm {year}" in chapter
    assert f"{str(INVENTED_RATE).replace('.', ',')} trên 1.000 dân" in chapter
    assert after["vi/index.html"] != before["vi/index.html"]

    for name, content in originals.items():
        (data / name).write_bytes(content)
    build(root)
    assert _snapshot(root) == before
