"""A newcomer's first five minutes: ``brief new`` then ``brief build`` gives a site and a
PDF whose numbers are the data's."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from brief.cli import cli

pytestmark = pytest.mark.render

CHAPTER = "chapters/01-safe-water.html"


def latest_row(csv_path: Path) -> dict[str, str]:
    """The CSV's row for the latest year, read without brief."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return max(csv.DictReader(handle), key=lambda row: int(row["year"]))


def words(text: str) -> str:
    return " ".join(text.split())


def test_brief_new_then_brief_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEF_PROJECT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    created = runner.invoke(cli, ["new", "water-brief", "--title", 'Nước sạch: "an example"'])
    assert created.exit_code == 0, created.output
    root = tmp_path / "water-brief"
    monkeypatch.chdir(root)
    built = runner.invoke(cli, ["build"])
    assert built.exit_code == 0, built.output

    site = root / "_book"
    assert (site / "index.html").is_file()
    assert (site / CHAPTER).is_file()
    pdfs = list(site.glob("brief-*.pdf"))
    assert len(pdfs) == 1

    # The inline numbers, formatted here from the CSV, not by brief's formatter.
    row = latest_row(root / "data" / "safe_water.csv")
    count = f"{int(row['households_safe_water']):,}"
    percent = f"{100 * int(row['households_safe_water']) / int(row['households']):.0f}%"
    chapter = (site / CHAPTER).read_text("utf-8")
    assert f"In {row['year']}, {count} households" in words(chapter)
    assert f"That is {percent} of all households" in words(chapter)
    assert percent in (site / "index.html").read_text("utf-8")

    # The chart: a labelled figure with its alt text, and the data it plots.
    assert '<figure id="fig-safe-water">' in chapter
    assert re.search(r'data-chart="fig-safe-water" role="img" tabindex="0" '
                     r'aria-label="[^"]{40,}"', chapter)
    spec_text = re.search(r'data-chart-spec="fig-safe-water">(.*?)</script>', chapter, re.S)
    assert spec_text is not None
    spec = json.loads(spec_text.group(1))
    (plotted,) = spec["datasets"].values()
    with (root / "data" / "safe_water.csv").open(encoding="utf-8") as handle:
        years = [r["year"] for r in csv.DictReader(handle)]
    assert [point["year"] for point in plotted] == years
    assert (root / "figures" / "fig-safe-water.svg").is_file()

    # The PDF carries the title as given and the same number.
    text = words(" ".join(page.extract_text() for page in PdfReader(pdfs[0]).pages))
    assert 'Nước sạch: "an example"' in text
    assert f"{count} households" in text
