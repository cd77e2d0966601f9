"""The brief's 63 province factsheets, built from this repository: their figures are the
data's, each PDF names its province, and the index sorts and links in a browser.

Expected values are computed here from the CSV files with pandas, not through the
brief's indicators or display helpers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.render


def _text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).replace("&nbsp;", " ").split())


def _expected(root: Path, slug: str) -> dict[str, str]:
    data = root / "data"
    provinces = pd.read_csv(data / "provinces.csv")
    rates = pd.read_csv(data / "province_net_migration.csv")
    population = pd.read_csv(data / "province_population.csv")
    year = int(rates["year"].max())
    latest = rates[rates["year"] == year].merge(population, on=["province", "year"])
    place = provinces[provinces["slug"] == slug].iloc[0]
    mine = latest[latest["province"] == place["province"]].iloc[0]
    rate = float(mine["net_migration_rate"])
    rank = int((latest["net_migration_rate"] > rate).sum()) + 1
    # Net migrants: the rate per 1,000 applied to the population in thousands, to 100.
    people = round(abs(rate * float(mine["population"])), -2)
    return {"name_en": place["name_en"], "name": place["province"], "year": str(year),
            "rate": f"{abs(rate):.1f} per 1,000 population", "people": f"{people:,.0f}",
            "rank": f"{rank} of {len(latest)}",
            "direction": "gained" if rate > 0 else "lost"}


def test_every_province_has_a_page_and_a_pdf(built_real_book: Path) -> None:
    folder = built_real_book / "_book" / "provinces"
    slugs = set(pd.read_csv(built_real_book / "data" / "provinces.csv")["slug"])
    assert len(slugs) == 63
    assert {p.stem for p in folder.glob("*.html")} == slugs | {"index"}
    assert {p.stem for p in folder.glob("*.pdf")} == slugs


@pytest.mark.parametrize("slug", ["binh-duong", "soc-trang"])
def test_a_factsheet_states_its_provinces_figures(built_real_book: Path, slug: str) -> None:
    expected = _expected(built_real_book, slug)
    page = _text((built_real_book / "_book" / "provinces" / f"{slug}.html").read_text("utf-8"))
    assert expected["name"] in page and expected["name_en"] in page
    assert (f"In {expected['year']}, {expected['name_en']} {expected['direction']} about "
            f"{expected['people']} people through migration within Viet Nam, "
            f"{expected['rate']}") in page
    assert f"Rank by net migration rate: {expected['rank']} provinces" in page
    pdf = PdfReader(built_real_book / "_book" / "provinces" / f"{slug}.pdf")
    first = " ".join(pdf.pages[0].extract_text().split())
    assert expected["name_en"] in first and expected["people"] in first
    assert len(pdf.pages) <= 2


def test_the_two_provinces_differ(built_real_book: Path) -> None:
    """A guard against a template that ignores its parameter."""
    one, other = (_expected(built_real_book, s) for s in ("binh-duong", "soc-trang"))
    assert one["people"] != other["people"] and one["direction"] != other["direction"]


@pytest.mark.browser
def test_the_index_sorts_and_links_to_factsheets(built_real_book: Path, browser,
                                                 serve) -> None:
    with serve(built_real_book / "_book") as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "provinces/index.html")
        table = page.locator(".sortable table")
        first_column = table.locator("tbody tr td:nth-child(1)")
        by_rate = first_column.all_inner_texts()
        heading = table.locator("thead th").filter(has_text="Population")
        heading.locator("button").click()
        assert heading.get_attribute("aria-sort") == "ascending"
        populations = [float(t.replace(",", "")) for t in
                       table.locator("tbody tr td:nth-child(5)").all_inner_texts()]
        assert populations == sorted(populations) and len(populations) == 63
        assert first_column.all_inner_texts() != by_rate
        heading.locator("button").click()
        assert heading.get_attribute("aria-sort") == "descending"
        for name in ("Binh Duong", "Soc Trang", "Ha Noi"):
            page.goto(base + "provinces/index.html")
            page.locator(".sortable table a", has_text=name).click()
            page.locator(".chart[data-chart]").first.hover()
            page.wait_for_selector(".chart-live svg")
            # Names are kept on one line (brief: keep-together): a non-breaking space.
            assert page.locator("h1").inner_text().replace("\u00a0", " ").startswith(name)
        page.close()
        assert errors == []
