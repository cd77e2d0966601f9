"""The engine's words and number formats in an edition's language (brief.strings), and
the display helpers that use them on a translated page."""

from __future__ import annotations

import datetime as dt

import pytest

from brief import display, strings
from brief.strings import ENGLISH, LanguageError, Strings


def vietnamese(**words: str) -> Strings:
    return Strings("vi", {**ENGLISH, "date-format": "d 'tháng' M 'năm' y", **words})


@pytest.mark.parametrize("english, expected", [
    ("96,208,984", "96.208.984"), ("7.7", "7,7"), ("74.4", "74,4"), ("1,234.5", "1.234,5"),
    ("2019", "2019"),
])
def test_numbers_take_the_separators_of_the_language(english, expected):
    assert vietnamese().number(english) == expected
    assert Strings().number(english) == english


def test_dates_follow_the_language_file_pattern():
    assert vietnamese().date(dt.date(2026, 11, 22)) == "22 tháng 11 năm 2026"
    assert Strings().date(dt.date(2026, 11, 22)) == "22 November 2026"


def test_vega_gets_the_same_separators():
    assert vietnamese().vega_locale()["decimal"] == ","
    assert vietnamese().vega_locale()["thousands"] == "."


def test_display_helpers_write_the_page_language(monkeypatch):
    words = vietnamese(million="triệu", billion="tỷ", range="{low} đến {high}", **{
        "and": "và", "us-dollars": "{number} USD", "percentage-points": "điểm phần trăm"})
    with strings.using(words):
        assert display.format_value(7_700_000, "persons") == "7,7 triệu"
        assert display.format_value(96_208_984, "persons", digits=0) == "96 triệu"
        assert display.format_value(74.4, "percent") == "74,4%"
        assert display.format_value(19e9, "US dollars") == "19 tỷ USD"
        assert display.format_value(1.5, "percentage points") == "1,5 điểm phần trăm"
        assert display.number(25_000) == "25.000"
        assert display.listing(["A", "B", "C"]) == "A, B và C"
    assert display.format_value(7_700_000, "persons") == "7.7 million"
    assert display.listing(["A", "B", "C"]) == "A, B and C"


def test_a_language_file_with_an_unknown_key_is_refused(tmp_path):
    (tmp_path / "_language-vi.yml").write_text("download-pfd: Tải\n", encoding="utf-8")
    with pytest.raises(LanguageError, match=r"unknown key 'download-pfd'.*download-pdf"):
        strings.load(tmp_path, "vi")


def test_a_language_file_names_the_keys_it_lacks(tmp_path):
    (tmp_path / "_language-vi.yml").write_text("download-pdf: Tải PDF\n", encoding="utf-8")
    words = strings.load(tmp_path, "vi")
    assert words["download-pdf"] == "Tải PDF"
    assert words["chapters"] == "Chapters" and "chapters" in words.missing


def test_the_language_of_a_page_is_in_its_name():
    assert strings.language_of("chapters/01-x.vi.qmd") == "vi"
    assert strings.language_of("chapters/01-x.qmd") is None
    assert strings.language_of("index.vi.qmd", ("en",)) is None
