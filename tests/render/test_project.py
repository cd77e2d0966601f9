"""Reading _quarto.yml into the typed Project, and its located errors."""

from __future__ import annotations

import pytest

from brief.render.errors import RenderError
from brief.render.project import load_project
from brief.settings import load_settings


def test_fixture_config_is_read_with_numbering(mini):
    project = load_project(mini)
    assert project.title == "Fixture brief: Nước sạch cho mọi địa phương"
    assert (project.version, project.date, project.lang) == ("9.9.9-fixture", "2026-11-22",
                                                             "en")
    assert [(c.path, c.kind, c.number) for c in project.chapters] == [
        ("index.qmd", "unnumbered", ""),
        ("chapters/01-access.qmd", "chapter", "1"),
        ("chapters/a1-glossary.qmd", "appendix", "A"),
        ("chapters/references.qmd", "unnumbered", ""),
    ]
    assert project.chapter("chapters/01-access.qmd").html_name == "chapters/01-access.html"
    assert project.pdf_name == "brief-9.9.9-fixture.pdf"
    assert project.execute == {"echo": False, "warning": False}
    assert project.keywords == ("fixture", "nước sạch")


def test_fixture_brief_block_is_its_own(mini):
    """The fixture's actors and house style, unlike the real brief's and the defaults."""
    settings = load_settings(mini)
    assert load_project(mini).settings == settings
    assert settings.actors == ("provincial people's committee", "provincial water company",
                               "school boards", "district health offices")
    assert settings.style.palette == ("#00798c", "#d1495b", "#edae49", "#66a182")
    assert (settings.style.accent, settings.style.muted, settings.style.font) == (
        "#00798c", "#c3cfd1", "Noto Serif")


@pytest.mark.parametrize(("old", "new", "message"), [
    ('  title: "Fixture brief: Nước sạch cho mọi địa phương"\n', "", "book.title is missing"),
    ("    - chapters/01-access.qmd\n", "    - chapters/99-none.qmd\n",
     "missing: chapters/99-none.qmd"),
    ("    - chapters/01-access.qmd\n", "    - chapters/01-access.ipynb\n",
     "expected a path ending in .qmd or .md; a notebook (.ipynb) is not read"),
    ("bibliography: references.bib", "bibliography: nowhere.bib", "nowhere.bib does not exist"),
    ("lang: en", "lang: [en", "_quarto.yml:"),
])
def test_bad_config_is_a_located_error(mini, old, new, message):
    config = mini / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RenderError, match=r"^_quarto\.yml") as caught:
        load_project(mini)
    assert message in str(caught.value)


@pytest.mark.parametrize("keyword", ["today", "now", "last-modified"])
def test_quartos_date_keywords_are_the_day_of_the_build(mini, monkeypatch, keyword):
    config = mini / "_quarto.yml"
    config.write_text(config.read_text("utf-8").replace('"2026-11-22"', keyword), "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764720000")  # 3 December 2025
    project = load_project(mini)
    assert (project.date, project.date_text) == ("2025-12-03", "3 December 2025")


def test_part_pages_and_pages_of_the_same_name(tmp_path):
    """`part: basics/index.qmd` puts that page before the part's chapters (unnumbered);
    two pages called index.qmd get distinct names for ids and figure files."""
    for page in ("index.qmd", "basics/index.qmd", "basics/python.qmd", "pp/index.qmd",
                 "pp/oop.qmd"):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text(f"# Title of {page} {{#sec-{page[:2]}}}\n", "utf-8")
    (tmp_path / "_quarto.yml").write_text(
        "project: {type: book}\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
        "    - part: basics/index.qmd\n      chapters: [basics/python.qmd]\n"
        "    - part: pp/index.qmd\n      chapters: [pp/oop.qmd]\n", "utf-8")
    chapters = load_project(tmp_path).chapters
    assert [(c.path, c.number, c.part_page, c.stem) for c in chapters] == [
        ("index.qmd", "", False, "index"),
        ("basics/index.qmd", "", True, "basics-index"),
        ("basics/python.qmd", "1", False, "python"),
        ("pp/index.qmd", "", True, "pp-index"),
        ("pp/oop.qmd", "2", False, "oop"),
    ]
    assert chapters[1].part == "Title of basics/index.qmd"  # its heading, attributes off


def test_a_chapter_titled_unnumbered_has_no_number(tmp_path):
    pages = {"index.qmd": "# Preface\n", "intro.qmd": "# Introduction {.unnumbered}\n",
             "algebra.qmd": "---\nx: 1\n---\n\n# Linear algebra {#sec-la}\n",
             "summary.qmd": "# Summary {-}\n", "extra.qmd": "# Extra {#sec-x .unnumbered}\n"}
    for name, text in pages.items():
        (tmp_path / name).write_text(text, "utf-8")
    (tmp_path / "_quarto.yml").write_text(
        "project: {type: book}\nbook:\n  title: T\n  chapters: [index.qmd, intro.qmd, "
        "algebra.qmd, summary.qmd]\n  appendices: [extra.qmd]\n", "utf-8")
    chapters = load_project(tmp_path).chapters
    assert [(c.path, c.kind, c.number) for c in chapters] == [
        ("index.qmd", "unnumbered", ""), ("intro.qmd", "unnumbered", ""),
        ("algebra.qmd", "chapter", "1"), ("summary.qmd", "unnumbered", ""),
        ("extra.qmd", "unnumbered", "")]
