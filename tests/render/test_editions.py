"""Both editions of the real brief (English at _book/, Vietnamese at _book/vi/) from one
build: pages, switcher, language, numbers, search, calls export and PDFs; and a release
of a small bilingual brief archives both PDFs."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from brief import display, strings
from brief.cli import cli
from brief.new import new_project

pytestmark = pytest.mark.render

SWITCH = re.compile(r'<nav class="languages"[^>]*><a href="([^"]+)" hreflang="(\w+)"')


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts
                  and "vi" not in p.relative_to(site).parts)


def test_both_editions_have_the_same_pages(built_real_book: Path) -> None:
    site = built_real_book / "_book"
    english = [p.relative_to(site) for p in _pages(site)]
    vietnamese = [p.relative_to(site / "vi") for p in _pages(site / "vi")]
    assert len(english) > 70 and english == vietnamese


def test_every_page_switches_to_the_same_page_in_the_other_language(
        built_real_book: Path) -> None:
    site = built_real_book / "_book"
    for folder, lang, other in ((site, "en", "vi"), (site / "vi", "vi", "en")):
        for page in _pages(folder):
            text = page.read_text("utf-8")
            assert f'<html lang="{lang}"' in text, page
            found = SWITCH.search(text)
            assert found is not None and found.group(2) == other, page
            target = (page.parent / found.group(1)).resolve()
            assert target.is_file(), (page, found.group(1))
            name = page.relative_to(folder)
            assert target.relative_to((site / "vi") if other == "vi" else site) == name


H1 = re.compile(r'<h1[^>]* id="([^"]+)"')


def test_a_page_title_has_the_same_id_in_both_editions(built_real_book: Path) -> None:
    """A twin's automatic ids come from its original's name (``#sec-province``, not
    ``#sec-province.vi``), so a link to a chapter's anchor works in either edition."""
    site = built_real_book / "_book"
    titled = 0
    for page in _pages(site):
        english = H1.findall(page.read_text("utf-8"))
        vietnamese = H1.findall((site / "vi" / page.relative_to(site)).read_text("utf-8"))
        assert english == vietnamese, page
        titled += bool(english)
    assert titled > 70


def test_vietnamese_pages_state_numbers_the_vietnamese_way(built_real_book: Path,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(built_real_book))
    display.reset()
    try:
        english = display.fmt("census_migrants_latest")
        with strings.using(strings.load(built_real_book, "vi")):
            vietnamese = display.fmt("census_migrants_latest")
            rate = display.fmt("census_migration_rate_latest")
    finally:
        display.reset()
    assert (english, vietnamese) == ("6.4 million", "6,4 triệu")
    page = (built_real_book / "_book" / "vi" / "chapters" / "01-data-gaps.html").read_text(
        "utf-8")
    assert vietnamese in page and rate in page and "," in rate
    assert "Hình 1.1" in page and "Figure 1.1" not in page
    assert 'class="callout-title"' in page and "Lời kêu gọi hành động" in page
    english_page = (built_real_book / "_book" / "chapters" / "01-data-gaps.html").read_text(
        "utf-8")
    assert english in english_page and "Figure 1.1" in english_page


def test_the_interface_is_in_the_page_language(built_real_book: Path) -> None:
    page = (built_real_book / "_book" / "vi" / "index.html").read_text("utf-8")
    for words in ("Tải bản PDF", "Các chương", "Các phiên bản", "Trích dẫn bản tóm tắt này",
                  "Di cư nội địa và phát triển kinh tế - xã hội ở Việt\u00a0Nam"):
        assert words in page
    for english in ("Download PDF", "Skip to content", ">Chapters<", "Cite this brief"):
        assert english not in page
    data = json.loads(re.search(r'id="brief-page">(.*?)</script>', page).group(1))
    assert data["words"]["all"] == "Xem tất cả các phiên bản"


def test_each_edition_has_its_pdf_and_search(built_real_book: Path) -> None:
    site = built_real_book / "_book"
    assert (site / "brief-0.1.0.pdf").is_file()
    pdf = PdfReader(site / "vi" / "brief-0.1.0-vi.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages[:4])
    assert "Mục lục" in text and "Di cư nội địa" in text
    assert pdf.metadata.title.startswith("Di cư nội địa")
    entry = json.loads((site / "vi" / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["vi"]
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]


def test_the_factsheets_are_titled_in_vietnamese(built_real_book: Path) -> None:
    page = (built_real_book / "_book" / "vi" / "provinces" / "nam-dinh.html").read_text(
        "utf-8")
    assert "<h1" in page and "Nam Định" in page
    pdf = PdfReader(built_real_book / "_book" / "vi" / "provinces" / "nam-dinh.pdf")
    assert "Nam Định" in pdf.pages[0].extract_text()


def test_the_calls_export_has_both_languages(built_real_book: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(
        (built_real_book / "_book" / "calls-to-action.csv").read_text("utf-8"))))
    assert rows and all(r["text"] and r["text_vi"] and r["text"] != r["text_vi"]
                        for r in rows)


def _bilingual(tmp_path: Path) -> Path:
    """A new brief with a Vietnamese edition whose pages are copies of the English ones
    (made for this test: the words are not a translation)."""
    root = tmp_path / "two"
    new_project(root, "Two editions")
    config = root / "_quarto.yml"
    config.write_text(config.read_text("utf-8").replace(
        "\nbrief:\n", "\nbrief:\n  languages: [en, vi]\n", 1), "utf-8")
    for page in [*root.glob("*.qmd"), *(root / "chapters").glob("*.qmd")]:
        page.with_name(page.stem + ".vi.qmd").write_text(page.read_text("utf-8"), "utf-8")
    return root


def test_a_missing_twin_is_a_build_warning(tmp_path: Path) -> None:
    root = _bilingual(tmp_path)
    twin = next((root / "chapters").glob("*.vi.qmd"))
    twin.unlink()
    result = CliRunner().invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output
    original = twin.with_name(twin.name.replace(".vi.qmd", ".qmd")).relative_to(root)
    assert f"{original}: warning: no vi translation" in result.output
    assert "vi edition: the same pages and brief-0.1.0-vi.pdf in _book/vi/." in result.output
    assert (root / "_book" / "vi" / original.with_suffix(".html")).is_file()


def test_a_release_archives_both_pdfs(tmp_path: Path) -> None:
    root = _bilingual(tmp_path)
    result = CliRunner().invoke(cli, ["release", "1.0.0", "--notes", "First.",
                                      "--project", str(root)])
    assert result.exit_code == 0, result.output
    archive = root / "releases" / "1.0.0"
    assert {"brief-1.0.0.pdf", "brief-1.0.0-vi.pdf"} <= {p.name for p in archive.iterdir()}
    manifest = json.loads((archive / "manifest.json").read_text())
    assert "brief-1.0.0-vi.pdf" in manifest["outputs"]
    # The Vietnamese Versions page links to the Vietnamese PDF of the release.
    versions = (root / "_book" / "vi" / "versions.html").read_text("utf-8")
    assert "brief-1.0.0-vi.pdf" in versions
    # No _language-vi.yml: the build said so, and the interface stayed English.
    assert "Download PDF" in versions


def test_search_finds_vietnamese_words_and_the_switcher_leads_across(
        built_real_book: Path, serve, browser) -> None:
    with serve(built_real_book / "_book") as base:
        page = browser.new_page()
        page.goto(base + "vi/index.html", wait_until="networkidle")
        page.locator("#search input").fill("thường trú")
        results = page.locator(".pagefind-ui__result")
        results.first.wait_for(timeout=10_000)
        link = results.first.locator("a").first.get_attribute("href")
        assert link and "/vi/" in link
        page.goto(base + "vi/chapters/02-registration-reform.html")
        page.locator("nav.languages a").click()
        page.wait_for_load_state()
        assert page.url == base + "chapters/02-registration-reform.html"
        assert page.locator("html").get_attribute("lang") == "en"
        page.close()
