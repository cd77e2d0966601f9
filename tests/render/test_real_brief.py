"""The real brief, built end to end: its numbers come from data/ and follow a data edit.

Builds a scratch copy of this repository's book (not the fixture), so it also proves
that every chapter executes and renders to both outputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from brief import display
from brief.render.build import build

pytestmark = pytest.mark.render


def text_of(pdf: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join(text.split())


def test_the_brief_states_data_values_and_follows_an_edit(built_real_copy: Path,
                                                          monkeypatch) -> None:
    root = built_real_copy
    result = build(root)
    pages = {p.relative_to(result.output).as_posix(): p.read_text("utf-8") for p in result.pages}
    assert len(pages) == 12 and "chapters/06-return-migration.html" in pages

    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(root))
    display.reset()
    share_before = display.fmt("urban_growth_share")
    assert share_before == "74%"  # 2009-2019, from the census rows
    assert share_before in pages["index.html"]
    assert share_before in pages["chapters/04-urban-planning.html"]
    assert display.fmt("vms_reason_no_permission") in pages[
        "chapters/02-registration-reform.html"]
    before_text = text_of(result.pdf)
    assert share_before in before_text
    assert "between 1999 and 2009 the urban population grew by 7.3 million" in before_text

    # The completed 2009 census results (GSO, July 2010) in place of the preliminary ones:
    # the 1999-2009 decade the brief keeps as history moves from 7.3 to 7.4 million.
    census = root / "data" / "census_population.csv"
    census.write_text(census.read_text("utf-8").replace(
        "2009,85789573,25374262", "2009,85846997,25436896"), "utf-8")
    display.reset()
    growth_after = display.fmt("urban_population_growth_1999_2009", digits=2)
    assert growth_after == "7.36 million"
    rebuilt = build(root)
    after = (rebuilt.output / "chapters" / "04-urban-planning.html").read_text("utf-8")
    assert "grew by 7.4 million" in after and "grew by 7.3 million" not in after
    pdf_text = text_of(rebuilt.pdf)
    assert "between 1999 and 2009 the urban population grew by 7.4 million" in pdf_text
    assert "grew by 7.3 million" not in pdf_text
    display.reset()
