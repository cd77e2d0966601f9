"""The Vietnamese edition: every page has a twin that computes the same things, the
recurring terms are translated one way, and every table of words is complete.

The build itself (both sites, both PDFs, the switcher) is tested in
tests/render/test_editions.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brief import calls, strings
from brief.render import twins
from brief.render.project import edition, load_project
from brief.safeyaml import load as load_yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = load_project(ROOT)
LANGUAGE = "vi"
#: Every page the book publishes: chapters, the factsheet template and its index.
PAGES = [c.path for c in PROJECT.chapters] + [
    p for p in (PROJECT.factsheets.template, PROJECT.factsheets.index) if p]
TERMS = load_yaml((ROOT / "chapters" / "terms.vi.yml").read_text("utf-8"))
CELL = re.compile(r"^```\{python\}[^\n]*\n.*?^```[ \t]*$", re.S | re.M)


def test_the_brief_has_a_vietnamese_edition():
    assert PROJECT.languages == ("en", "vi")


@pytest.mark.parametrize("page", PAGES)
def test_each_page_has_a_twin_that_computes_the_same(page):
    assert (ROOT / twins.twin_path(page, LANGUAGE)).is_file()
    assert twins.drift_of_files(ROOT, page, LANGUAGE) == []


def test_the_edition_uses_every_twin_and_warns_of_none_missing():
    translation, lacking = edition(PROJECT, LANGUAGE)
    assert lacking == []
    assert all(c.path.endswith(".vi.qmd") for c in translation.chapters)
    assert [c.html_name for c in translation.chapters] == [c.html_name for c in
                                                             PROJECT.chapters]


def test_a_missing_twin_is_a_warning_and_the_page_stays(tmp_path):
    (tmp_path / "_quarto.yml").write_text(
        "book:\n  title: T\n  chapters: [index.qmd, a.qmd]\n"
        "brief:\n  languages: [en, vi]\n", encoding="utf-8")
    for name in ("index.qmd", "index.vi.qmd", "a.qmd"):
        (tmp_path / name).write_text("---\ntitle: X\n---\n\nText.\n", encoding="utf-8")
    translation, lacking = edition(load_project(tmp_path), LANGUAGE)
    assert [c.path for c in translation.chapters] == ["index.vi.qmd", "a.qmd"]
    assert any(line.startswith("a.qmd: no vi translation (a.vi.qmd)") for line in lacking)
    # And the engine's words: no _language-vi.yml at all is said too.
    assert any(line.startswith("_language-vi.yml: no translation for") for line in lacking)


CHAPTER = """---
title: T
---

```{python}
#| label: fig-a
#| fig-cap: "A chart"
x = fmt("population_latest") + get("census_year").period
```

See @fig-a and @sec-b [@gso2020].

## B {#sec-b}

Some `{python} fmt("urban_share")` of people.
"""


@pytest.mark.parametrize("change, found", [
    (("fig-a", "fig-b"), "cells differ"),
    (('fmt("urban_share")', 'fmt("rural_share")'), "lacks inline expressions"),
    (("{#sec-b}", "{#sec-c}"), "lacks heading or figure ids"),
    (("[@gso2020]", ""), "lacks citations or cross-references"),
    (('get("census_year")', 'get("census_years")'), "names in code"),
])
def test_the_twin_check_finds_each_kind_of_drift(change, found):
    translated = CHAPTER.replace("A chart", "Một biểu đồ").replace("Some", "Khoảng")
    assert twins.drift(CHAPTER, translated, "a.qmd", "a.vi.qmd") == []
    drifted = translated.replace(*change)
    assert any(found in line for line in twins.drift(CHAPTER, drifted, "a.qmd", "a.vi.qmd"))


def _prose(text: str) -> str:
    """A page without its cells and front matter, in lower case."""
    return CELL.sub(" ", re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)).lower()


def _uses(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])", text) is not None


@pytest.mark.parametrize("page", PAGES)
def test_each_term_is_translated_the_one_way(page):
    original = _prose((ROOT / page).read_text("utf-8"))
    translated = (ROOT / twins.twin_path(page, LANGUAGE)).read_text("utf-8").lower()
    missing = [t["en"] for t in TERMS if _uses(original, t["en"])
               and t["vi"].lower() not in translated]
    avoided = [a for t in TERMS for a in t.get("avoid", []) if a.lower() in translated]
    assert (missing, avoided) == ([], [])


def test_the_term_check_fails_on_another_translation():
    original = _prose("Internal migration and remittances.")
    translated = "di cư trong nước và kiều hối."
    missing = [t["en"] for t in TERMS if _uses(original, t["en"])
               and t["vi"].lower() not in translated]
    avoided = [a for t in TERMS for a in t.get("avoid", []) if a.lower() in translated]
    assert missing == ["internal migration"] and avoided == ["di cư trong nước"]


def test_every_call_to_action_has_its_vietnamese_text():
    english = calls.load(ROOT / "chapters" / "calls-to-action.yml")
    texts = calls.translated(ROOT / "chapters" / "calls-to-action.yml", LANGUAGE)
    assert list(texts) == [c.id for c in english]
    assert all(texts[c.id] != c.text for c in english)


def test_every_indicator_has_a_vietnamese_label():
    from brief.catalogue import load_catalogue

    labels = load_yaml((ROOT / "indicators" / "labels.vi.yml").read_text("utf-8"))
    assert list(labels) == list(load_catalogue(ROOT).ids())


def test_the_engine_words_are_all_translated():
    words = strings.load(ROOT, LANGUAGE)
    assert words.missing == ()
    assert set(words.term("actors", a) for a in PROJECT.settings.actors).isdisjoint(
        PROJECT.settings.actors)


def test_each_translated_setting_is_given():
    assert set(PROJECT.settings.translations[LANGUAGE]) == {
        "title", "subtitle", "author", "key-message", "factsheets-title"}
