"""The reader's edition of the real brief: light pages, sourced and self-describing
charts, linked citations, phones, dark mode and accessibility (axe-core on every page).

The browser tests need Debian's Chromium and axe-core from npm (`npm ci --prefix
tests/browser`, in the README's test command and .ci/run); without either they fail.
"""

from __future__ import annotations

import csv
import html
import io
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.render]

AXE = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / \
    "axe.min.js"
#: The weight a page may reach on first load, everything it fetches included.
PAGE_BUDGET = 600_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(("pagefind/", "releases/")))


def _text(page: str) -> str:
    """The text a reader sees set as prose (not scripts, styles or chart drawings)."""
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# --- the built HTML and files (no browser) ---------------------------------------------


def test_every_chart_has_a_source_line_a_table_and_numbers_in_its_alt(built_real_book):
    site = built_real_book / "_book"
    charts = 0
    for name in _pages(site):
        text = (site / name).read_text("utf-8")
        for match in re.finditer(r'<div class="chart" data-chart="([^"]+)"[^>]*aria-label="'
                                 r'([^"]*)"', text):
            charts += 1
            chart, alt = match.group(1), html.unescape(match.group(2))
            # The key numbers, read from the chart's data, close the alt text (in the
            # page's language: "Số liệu:" in the Vietnamese edition).
            values = "Số liệu" if name.startswith("vi/") else "Values"
            assert re.search(rf"{values}: .*\d", alt), (name, chart, alt)
            after = text[match.end():]
            figure_end = after.index("</figure>")
            table_at = after.find('<details class="chart-data"', figure_end)
            source_at = after.find('<div class="chart-source">', figure_end)
            next_chart = after.find('<div class="chart" data-chart=')
            next_chart = len(after) if next_chart < 0 else next_chart
            assert 0 <= table_at < next_chart, (name, chart, "no data table")
            assert 0 <= source_at < next_chart, (name, chart, "no source line")
            assert "<table>" in after[table_at:source_at]
            source = after[source_at:after.index("</div>", source_at)]
            assert 'role="doc-biblioref"' in source, (name, chart, source)
    assert charts >= 160  # both editions


def test_every_citation_links_to_its_entry_on_the_references_page(built_real_book):
    site = built_real_book / "_book"
    references = (site / "chapters" / "references.html").read_text("utf-8")
    entries = set(re.findall(r'<div id="(ref-[^"]+)" class="csl-entry"', references))
    assert len(entries) > 20
    citations = 0
    for name in _pages(site):
        text = (site / name).read_text("utf-8")
        starts = [m.end() for m in re.finditer(r'<span class="citation" data-cites="', text)]
        for start, end in zip(starts, [*starts[1:], len(text)][:len(starts)], strict=True):
            citations += 1
            # The citation's text (spans may nest inside it) up to the next citation.
            piece = text[start:min(end, start + 1500)]
            links = re.findall(r'<a href="([^"]*)#(ref-[^"]+)" role="doc-biblioref">', piece)
            assert links, (name, piece[:200])
            for page, anchor in links:
                target = (site / name).parent / page if page else site / name
                target_text = target.read_text("utf-8")
                assert f'id="{anchor}"' in target_text, (name, page, anchor)
                if page:  # the references page of the page's own edition
                    edition = site / "vi" if name.startswith("vi/") else site
                    assert target.resolve() == (edition / "chapters" / "references.html"
                                                ).resolve() and anchor in entries
    assert citations > 150


def test_two_works_of_one_author_and_year_are_told_apart_alike_everywhere(built_real_book):
    site = built_real_book / "_book"
    references = _text((site / "chapters" / "references.html").read_text("utf-8"))
    assert "2010a" in references and "2010b" in references
    for name in _pages(site):
        text = _text((site / name).read_text("utf-8"))
        assert not re.search(r"United Nations in Viet.Nam 2010(?![ab])", text), name


def test_chart_downloads_name_title_source_unit_licence_and_version(built_real_book):
    figures = built_real_book / "_book" / "figures"
    lines = (figures / "fig-urban-rural.csv").read_text("utf-8").splitlines()
    block = [line for line in lines if line.startswith("# ")]
    assert [line.split(":")[0] for line in block] == [
        "# Title", "# Source", "# Unit", "# Licence", "# From"]
    assert "General Statistics Office (2020)" in block[1] and "Table 1" in block[1]
    assert block[2] == "# Unit: persons" and "Creative Commons Attribution 4.0" in block[3]
    assert block[4].endswith("version 0.1.0")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[len(block):]))))
    assert rows and set(rows[0]) == {"census", "area", "persons"}
    plain = (figures / "fig-urban-rural.svg").read_text("utf-8")
    sourced = (figures / "fig-urban-rural-with-source.svg").read_text("utf-8")
    footer = " ".join(re.findall(r'<text x="5"[^>]*>([^<]*)</text>', sourced))
    assert "Creative Commons" not in plain
    assert "Source: Central Census Steering Committee" in footer
    assert "Creative Commons Attribution 4.0" in footer and "version 0.1.0" in footer

    def height(svg: str) -> float:
        return float(re.search(r'<svg[^>]*?\sheight="([0-9.]+)"', svg).group(1))

    assert height(sourced) > height(plain) + 40
    png = (figures / "fig-urban-rural.png").read_bytes()
    png_height = struct.unpack(">I", png[20:24])[0]
    assert abs(png_height - 2 * height(sourced)) <= 2  # the footer is in the PNG too


def test_pages_carry_licence_description_and_citation_metadata(built_real_book):
    site = built_real_book / "_book"
    for name in _pages(site):
        text = (site / name).read_text("utf-8")
        assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in text
        description = re.search(r'<meta name="description" content="([^"]{40,})"', text)
        assert description, name
        assert '<meta property="og:title"' in text and '<meta name="citation_title"' in text
    chapter = (site / "chapters" / "04-urban-planning.html").read_text("utf-8")
    assert re.search(r'<meta name="description" content="Towns and cities', chapter)


def test_names_kept_together_never_break_across_lines(built_real_book):
    site = built_real_book / "_book"
    joined = 0
    for name in _pages(site):
        text = _text((site / name).read_text("utf-8"))
        assert not re.search(r"\bViet[ \n]Nam\b", text), name
        joined += text.count("Viet\u00a0Nam")
    assert joined > 100


# --- in the browser ---------------------------------------------------------------------


#: The Vietnamese factsheets the browser tests open: the 63 are one template (every
#: English one is opened), so three of them, one with "ị" in its name and charts.
VI_FACTSHEETS = ("vi/provinces/index.html", "vi/provinces/binh-duong.html",
                 "vi/provinces/nam-dinh.html")


@pytest.fixture(scope="module")
def site(built_real_book, serve) -> Iterator[tuple[str, list[str]]]:
    """The served site and the pages the browser opens: every page of the English
    edition, every Vietnamese page but the factsheets, and :data:`VI_FACTSHEETS`."""
    pages = [p for p in _pages(built_real_book / "_book")
             if not p.startswith("vi/provinces/") or p in VI_FACTSHEETS]
    assert set(VI_FACTSHEETS) <= set(pages)
    with serve(built_real_book / "_book") as base:
        yield base, pages


def _weigh(context, url: str) -> tuple[int, list[tuple[str, int]]]:
    page = context.new_page()
    fetched: list[tuple[str, int]] = []

    def finished(request) -> None:
        response = request.response()
        if response is not None:
            fetched.append((request.url, len(response.body())))

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    page.close()
    return sum(size for _, size in fetched), fetched


@pytest.mark.browser
def test_every_page_weighs_under_600_kb_on_first_load(browser, site, capsys):
    base, pages = site
    report: list[str] = []
    heaviest = 0
    for name in pages:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        total, fetched = _weigh(context, base + name)
        context.close()
        heaviest = max(heaviest, total)
        report.append(f"{total / 1000:7.0f} KB  {len(fetched):3d} files  {name}")
        assert total < PAGE_BUDGET, (name, total, sorted(fetched, key=lambda f: -f[1])[:6])
    with capsys.disabled():
        print("\nFirst-load weight of every page (largest first):")
        print("\n".join(sorted(report, reverse=True)[:15]), f"\n... {len(report)} pages")
    assert heaviest > 100_000  # fonts and a page: the measure measures something


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{', '.join(str(n['target']) for n in v['nodes'][:3])}"
            for v in result["violations"]]


def _axe_pages(context, base: str, names: list[str], dark: bool = False
               ) -> dict[str, list[str]]:
    """axe's violations on each page of ``names`` (in dark mode, after checking that the
    page did turn dark)."""
    assert AXE.is_file(), "axe-core is missing: run `npm ci --prefix tests/browser`"
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for name in names:
        page.goto(base + name, wait_until="networkidle")
        if dark:
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(21, 24, 28)", name
        violations = _axe(page)
        if violations:
            found[name] = violations
    context.close()
    return found


@pytest.mark.browser
def test_axe_finds_no_violation_on_any_page(browser, site):
    base, pages = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    assert _axe_pages(context, base, pages) == {}


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_passes_on_a_phone_in_both_colour_schemes(browser, site, scheme):
    base, pages = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                  is_mobile=True, has_touch=True)
    names = [p for p in pages if not p.startswith(("provinces/", "vi/provinces/"))] + [
        "provinces/index.html", "provinces/binh-duong.html", "vi/provinces/nam-dinh.html"]
    assert _axe_pages(context, base, names, dark=scheme == "dark") == {}


@pytest.mark.browser
def test_chart_text_stays_legible_on_a_phone(browser, site):
    """At 390 px a chart keeps its drawn size (it scrolls sideways): no text under 11 px."""
    base, _ = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    checked = 0
    for name in ["chapters/04-urban-planning.html", "chapters/01-data-gaps.html",
                 "provinces/binh-duong.html"]:
        page.goto(base + name, wait_until="networkidle")
        for image in page.locator("svg.chart-static").all():
            scale = image.evaluate("s => s.getBoundingClientRect().width / s.width.baseVal.value")
            source = image.evaluate("s => s.outerHTML")
            # Inline, the chart is set in the site's Noto Sans (an <img> could not be).
            assert image.evaluate("s => getComputedStyle(s.querySelector('text')).fontFamily"
                                  ).startswith('"Noto Sans"')
            sizes = [float(s) for s in re.findall(r'font-size="([0-9.]+)(?:px)?"', source)]
            sizes += [float(s) for s in re.findall(r"font-size:\s*([0-9.]+)px", source)]
            assert sizes, name
            assert min(sizes) * scale >= 11, (name, min(sizes), scale)
            checked += 1
    context.close()
    assert checked >= 5


@pytest.mark.browser
def test_a_citation_shows_its_reference_on_focus_and_charts_load_on_demand(browser, site):
    base, _ = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(base + "chapters/04-urban-planning.html", wait_until="networkidle")
    assert not any(u.endswith("/charts.js") for u in requested)
    link = page.locator('a[role="doc-biblioref"]').first
    link.focus()
    tip = page.locator("#cite-tip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "United Nations in Viet" in tip.inner_text() or len(tip.inner_text()) > 40
    assert link.get_attribute("aria-describedby") == "cite-tip"
    page.keyboard.press("Escape")
    assert tip.is_hidden()
    page.locator(".chart[data-chart]").first.hover()
    page.locator(".chart-live svg").first.wait_for(timeout=10_000)
    assert any(u.endswith("/charts.js") for u in requested)
    context.close()
