"""The built fixture site in Debian's Chromium: pages, charts, navigation, search, offline.

These tests need /usr/bin/chromium (``apt-get install -y chromium``); without it they
fail, so that CI cannot pass them vacuously. Playwright's own browsers are never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.render]

PAGES = ["index.html", "chapters/01-access.html", "chapters/a1-glossary.html",
         "chapters/references.html"]


@pytest.fixture(scope="module")
def site(built_mini, serve) -> Iterator[str]:
    """Serve the built fixture's _book/ on 127.0.0.1 for the duration of the module."""
    with serve(built_mini / "_book") as base:
        yield base


class Watch:
    """Collects console errors, page errors and requests to hosts other than ours."""

    def __init__(self, page, base: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.requested: list[str] = []
        host = urlparse(base).netloc
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def request(r) -> None:
            self.requested.append(r.url)
            url = urlparse(r.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.netloc != host:
                self.foreign.append(r.url)

        page.on("request", request)


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.watch = Watch(page, site)
    yield page
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads_draws_its_charts_and_stays_local(page, site, name):
    page.goto(site + name, wait_until="networkidle")
    charts = page.locator(".chart[data-chart]")
    if charts.count():
        # The chart code is fetched when the reader first reaches for a chart.
        assert not any(u.endswith("charts.js") for u in page.watch.requested)
        charts.first.hover()
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.locator(".chart-live svg").wait_for(state="visible", timeout=10_000)
        assert chart.locator(".chart-static").count() == 0
        label = chart.locator(".chart-live svg").get_attribute("aria-label")
        assert label and label == chart.get_attribute("aria-label")
        assert "ệ ữ ặ Đ" in chart.locator(".chart-live svg").text_content()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.watch.errors == []
    assert page.watch.foreign == []


@pytest.mark.parametrize(("name", "charts"), [("index.html", 1), ("chapters/01-access.html", 1)])
def test_pages_with_charts_draw_them(page, site, name, charts):
    page.goto(site + name, wait_until="networkidle")
    page.locator(".chart[data-chart]").first.focus()  # the keyboard draws them too
    page.locator(".chart-live svg").first.wait_for(timeout=10_000)
    assert page.locator(".chart[data-chart] .chart-live svg").count() == charts


def test_next_and_prev_walk_the_whole_book(page, site):
    page.goto(site + "index.html")
    seen = [urlparse(page.url).path]
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        seen.append(urlparse(page.url).path)
    assert seen == ["/" + p for p in PAGES]
    while page.locator("a[rel=prev]").count():
        page.locator("a[rel=prev]").click()
        page.wait_for_load_state()
    assert urlparse(page.url).path == "/index.html"
    assert page.watch.errors == []


def test_pdf_link_downloads_the_pdf_from_every_page(page, site):
    import urllib.request

    for name in PAGES:
        page.goto(site + name)
        href = page.locator("footer a.pdf-link").get_attribute("href")
        target = urllib.parse.urljoin(page.url, href)
        with urllib.request.urlopen(target) as response:
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.read(5) == b"%PDF-"


def test_narrow_screen_has_no_horizontal_scroll(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    for name in PAGES:
        page.goto(site + name, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, name
    context.close()


def test_search_answers(page, site):
    page.goto(site + "index.html", wait_until="networkidle")
    page.locator("#search input").fill("fixture")
    results = page.locator(".pagefind-ui__result")
    results.first.wait_for(timeout=10_000)
    assert results.count() >= 1
    link = results.first.locator("a").first.get_attribute("href")
    assert link and not link.startswith("http")
    results.first.locator("a").first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.lstrip("/") in PAGES
    assert page.watch.errors == []
    assert page.watch.foreign == []


def test_unreleased_build_says_so_and_versions_page_works(page, site):
    page.goto(site + "chapters/01-access.html", wait_until="networkidle")
    banner = page.locator("#version-banner")
    banner.wait_for(state="visible", timeout=10_000)
    assert "unreleased draft" in banner.text_content()
    page.locator("footer a", has_text="Versions").click()
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/versions.html"
    assert "No version has been released yet." in page.locator("main").text_content()
    assert "Cite this brief" in page.locator("main").text_content()
    assert page.watch.errors == []
