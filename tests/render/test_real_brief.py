"""The real brief, built end to end: its numbers come from data/ and follow a data edit.

Builds a scratch copy of this repository's book (not the fixture), so it also proves
that every chapter executes and renders to both outputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from brief import display
from brief.render.build import build

pytestmark = pytest.mark.render

REPO = Path(__file__).resolve().parents[2]
KEEP = ("_quarto.yml", "index.qmd", "references.bib", "chapters", "data", "releases")


def copy_book(target: Path) -> Path:
    target.mkdir()
    for name in KEEP:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy(source, target / name)
    return target


def text_of(pdf: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join(text.split())


def test_the_brief_states_data_values_and_follows_an_edit(tmp_path: Path, monkeypatch) -> None:
    root = copy_book(tmp_path / "brief")
    result = build(root)
    pages = {p.relative_to(result.output).as_posix(): p.read_text("utf-8") for p in result.pages}
    assert len(pages) == 12 and "chapters/06-return-migration.html" in pages

    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(root))
    display.reset()
    share_before = display.fmt("urban_growth_share")
    assert share_before in pages["index.html"]
    assert share_before in pages["chapters/04-urban-planning.html"]
    assert display.fmt("vms_reason_no_permission") in pages[
        "chapters/02-registration-reform.html"]
    before_text = text_of(result.pdf)
    assert share_before in before_text
    assert "urban population grew by 7.3 million" in before_text

    # The completed 2009 census results (GSO, July 2010) in place of the preliminary ones.
    census = root / "data" / "census_population.csv"
    census.write_text(census.read_text("utf-8").replace(
        "2009,85789573,25374262", "2009,85846997,25436896"), "utf-8")
    display.reset()
    growth_after = display.fmt("urban_population_growth", digits=2)
    assert growth_after == "7.36 million"
    rebuilt = build(root)
    after = (rebuilt.output / "chapters" / "04-urban-planning.html").read_text("utf-8")
    assert display.fmt("total_population_growth") == "9.5 million"
    assert "7.4 million" in after and "7.3 million" not in after
    pdf_text = text_of(rebuilt.pdf)
    # Chapter 4's key finding, as the PDF prints it after the edit.
    assert "urban population grew by 7.4 million" in pdf_text
    assert "urban population grew by 7.3 million" not in pdf_text
    display.reset()
