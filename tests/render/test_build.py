"""A full native build of the fixture project: the site's structure and the PDF's text."""

from __future__ import annotations

import hashlib
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from brief.cli import cli

pytestmark = pytest.mark.render

PAGES = ["index.html", "chapters/01-access.html", "chapters/a1-glossary.html",
         "chapters/references.html"]
PDF = "brief-9.9.9-fixture.pdf"


class _Links(HTMLParser):
    """Collects every src/href and a few landmarks of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.lang: str | None = None
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "html":
            self.lang = attributes.get("lang")
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name])


def _page(site: Path, name: str) -> tuple[str, _Links]:
    text = (site / name).read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(text)
    return text, parser


def test_one_page_per_chapter_and_the_pdf(built_mini):
    site = built_mini / "_book"
    for page in PAGES:
        assert (site / page).is_file(), page
    assert (site / PDF).is_file()
    assert not list(built_mini.glob(".brief-staging-*"))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_sidebar_footer_pdf_link_and_lang(built_mini, name):
    text, parser = _page(built_mini / "_book", name)
    assert parser.lang == "en"
    assert 'class="sidebar"' in text
    assert "Version 9.9.9-fixture" in text and "22 November 2026" in text
    root = "../" * name.count("/")
    assert f"{root}{PDF}" in parser.urls
    assert ">Download PDF<" in text
    assert f"{root}calls-to-action.csv" in parser.urls  # the fixture has calls to action
    sidebar = text.split('<ol class="chapters">')[1].split("</ol>")[0]
    assert sidebar.count("<li><a href=") == 4
    assert "Appendices" in sidebar
    assert sidebar.count('aria-current="page"') == 1


@pytest.mark.parametrize("name", PAGES)
def test_no_page_loads_from_another_host(built_mini, name):
    """Scripts, styles, images and fonts are local; the only links to other hosts are
    the URLs of cited sources (a reader's click, never a request the page makes)."""
    _, parser = _page(built_mini / "_book", name)
    bibliography = (built_mini / "references.bib").read_text(encoding="utf-8")
    for tag, attributes in parser.tags:
        for name_ in ("src", "href"):
            url = attributes.get(name_) or ""
            if re.match(r"^(https?:)?//", url):
                assert tag == "a" and url in bibliography, (tag, url)


def test_links_between_pages_resolve(built_mini):
    site = built_mini / "_book"
    for name in PAGES:
        _, parser = _page(site, name)
        for url in parser.urls:
            if url.startswith(("#", "data:", "mailto:", "http:", "https:")):
                continue
            target = (site / name).parent / url.split("#")[0]
            assert target.resolve().is_file(), f"{name}: {url}"


def test_chapter_page_numbers_captions_and_cross_references(built_mini):
    text, _ = _page(built_mini / "_book", "chapters/01-access.html")
    assert '<span class="header-number">1.1</span>' in text
    assert '<figure id="fig-piped-share"' in text
    assert 'class="caption-label">Figure 1.1:</span>' in text
    assert re.search(r'<a href="#fig-piped-share"[^>]*>Figure 1.1</a>', text)
    assert 'class="caption-label">Table 1.1:</span>' in text
    assert re.search(r'<a href="#sec-coverage"[^>]*>Section 1.1</a>', text)
    assert 'class="callout callout-important"' in text
    # The `output: asis` cell prints the chapter's calls (Markdown, diacritics) in file order.
    assert ("<li><strong>School boards:</strong> Connect every school in Lục Hồ to a safe "
            "drinking-water source") in text
    assert text.index("<strong>School boards:</strong>") < text.index(
        "<strong>Provincial water company:</strong>")
    assert 'rel="prev" href="../index.html"' in text
    assert 'rel="next" href="../chapters/a1-glossary.html"' in text


def test_index_links_across_pages_and_states_computed_values(built_mini):
    text, _ = _page(built_mini / "_book", "index.html")
    assert re.search(r'href="chapters/01-access.html#fig-piped-share"[^>]*>Figure 1.1</a>', text)
    assert re.search(r'href="chapters/01-access.html"[^>]*>Chapter 1</a>', text)
    # piped_share_latest in the fixture: 350,000 / 1,000,000 residents in 2020
    assert "35% of residents had piped water" in text
    assert 'class="callout callout-note"' in text and "Key findings" in text
    assert "BRIEFINLINE" not in text
    # Calls grouped by actor in the order of `brief: actors:`, not of the YAML file; an
    # actor without calls gets no heading.
    headings = re.findall(r'<h3 class="unnumbered"[^>]*>([^<]+)</h3>', text)
    assert headings == ["Provincial people’s committee", "Provincial water company",
                        "School boards"]


def test_chart_is_embedded_with_alt_text_and_downloads(built_mini):
    site = built_mini / "_book"
    text, parser = _page(site, "chapters/01-access.html")
    charts = [a for tag, a in parser.tags if tag == "div" and a.get("data-chart")]
    assert [c["data-chart"] for c in charts] == ["fig-piped-share"]
    assert charts[0]["aria-label"].startswith("Bar chart: the piped share grows")
    assert 'data-chart-spec="fig-piped-share"' in text
    # The drawing is inline (in the site's fonts); the downloads carry their credits.
    assert 'class="marks chart-static"' in text and "Nước máy đến nhà tăng" in text
    for name in ("fig-piped-share-with-source.svg", "fig-piped-share.png",
                 "fig-piped-share.csv"):
        assert f"../figures/{name}" in parser.urls
    for suffix in ("svg", "png", "csv"):
        assert (site / "figures" / f"fig-piped-share.{suffix}").stat().st_size > 0
        assert (built_mini / "figures" / f"fig-piped-share.{suffix}").is_file()
    csv = (site / "figures" / "fig-piped-share.csv").read_text(encoding="utf-8")
    rows = [line for line in csv.splitlines() if not line.startswith("# ")]
    assert rows[0].split(",")[:2] == ["survey", "share"]
    assert csv.startswith("# Title: ") and "\n# Source: " in csv  # the credits come first
    svg = (site / "figures" / "fig-piped-share.svg").read_text(encoding="utf-8")
    assert "Nước máy đến nhà tăng: ệ ữ ặ Đ" in svg


def test_house_style_comes_from_the_brief_block(built_mini):
    """The fixture's `brief: style:` (teal accent, muted grey-blue, Noto Serif), not the
    engine's defaults, colours and sets the charts and the site."""
    site = built_mini / "_book"
    svg = (site / "figures" / "fig-piped-share.svg").read_text(encoding="utf-8")
    assert 'fill="#00798c"' in svg  # the highlighted bar (2020) in the accent
    assert 'fill="#c3cfd1"' in svg  # the other bar muted
    assert 'font-family="Noto Serif"' in svg and 'font-family="Noto Sans"' not in svg
    assert "#00798c" in (site / "assets" / "theme.css").read_text(encoding="utf-8")


def test_references_page_lists_every_cited_source(built_mini):
    text, _ = _page(built_mini / "_book", "chapters/references.html")
    # Cited by cite() (an indicator's sources), by a literal [@key, p. 3], and by cite()
    # of published figures, which cites only the rows' own sources.
    for title in ("Fixture Household Water Survey 2015", "Fixture Household Water Survey 2020",
                  "Fixture School Water Audit", "Fixture Hygiene Study"):
        assert title in text
    assert "Fixture Provincial Budget" not in text  # a source of the table, of no cited row


def test_search_index_was_built(built_mini):
    assert (built_mini / "_book" / "pagefind" / "pagefind-ui.js").is_file()
    assert list((built_mini / "_book" / "pagefind").glob("pagefind-entry.json"))


def _pdf_text(path: Path) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(path)
    return reader, [page.extract_text() for page in reader.pages]


def test_pdf_cover_contents_and_metadata(built_mini):
    reader, pages = _pdf_text(built_mini / "_book" / PDF)
    # pypdf misreads the bold "ị" cluster Typst writes on the cover; poppler reads it right.
    # The title wraps onto two lines there, hence the joined words.
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(built_mini / "_book" / PDF),
                            "-"], capture_output=True, text=True, check=True).stdout
    assert "Fixture brief: Nước sạch cho mọi địa phương" in " ".join(cover.split())
    assert "A test book for the render engine" in pages[0]
    assert "Version 9.9.9-fixture" in pages[0] and "22 November 2026" in pages[0]
    # The back of the cover (citation, licence) comes before the contents.
    assert "Contents" in pages[2] and "Piped water in the fixture" in pages[2]
    meta = reader.metadata
    assert meta.title == "Fixture brief: Nước sạch cho mọi địa phương"
    assert meta.author == "Brief project team (fixture)"
    assert meta.subject.startswith("A test book for the render engine. Version 9.9.9-fixture, ")
    assert re.search(r", data [0-9a-f]{12}\.$", meta.subject)
    assert meta.get("/Keywords") == "fixture, nước sạch"
    assert reader.trailer["/Root"].get("/Lang") == "en"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_body_text_diacritics_callouts_footnotes_references(built_mini):
    _, pages = _pdf_text(built_mini / "_book" / PDF)
    body = "\n".join(pages[2:])
    for needle in ("ệ ữ ặ Đ", "Đồng bằng sông Hồng", "Key findings", "Call to action",
                   "Figure 1.1", "Table 1.1", "Section 1.1", "Đà Nẵng", "Lục Hồ",
                   # cite() of an indicator, a literal [@key, p. 3], cite() of published rows
                   "Fixture Statistics Office 2016", "Education Department 2019, 3",
                   "Fixture Health Institute 2018",
                   "55 to 80%", "120 to 180 schools", "150,000 more people"):
        assert needle in body, needle
    assert "Version 9.9.9-fixture" in pages[3]  # the footer on a body page
    assert "A Glossary" in body and "Appendices" in pages[2]


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _break(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


FAILURES = [
    pytest.param("chapters/01-access.qmd", "charts.bar(frame,", "1 / 0\ncharts.bar(frame,",
                 ["chapters/01-access.qmd:28: cell fig-piped-share: ZeroDivisionError: "
                  "division by zero"], id="raising-cell"),
    # An id computed at run time escapes the check before execution: the inline fails.
    pytest.param("index.qmd", 'fmt("piped_share_latest")` of',
                 'fmt("piped_share_" + "unknown")` of',
                 ["index.qmd:11: inline expression `{python} fmt(\"piped_share_\" + "
                  "\"unknown\")`", "unknown indicator 'piped_share_unknown'"],
                 id="failing-inline"),
    # A literal id that indicators.py does not define is refused before anything runs.
    pytest.param("index.qmd", 'fmt("piped_share_latest")` of', 'fmt("no_such_id")` of',
                 ["index.qmd:11: indicator 'no_such_id' is cited but not defined in "
                  "indicators.py"], id="undefined-indicator"),
    pytest.param("chapters/01-access.qmd", "## Calls to action",
                 "```{=typst}\n#no-such-function()\n```\n\n## Calls to action",
                 ["chapters/01-access.qmd: PDF: Typst could not compile the book",
                  "unknown variable: no-such-function"],
                 id="typst-error"),
    pytest.param("data/household_water.csv", "2020,1000000,350000", "2020,1000000,1350000",
                 ["data/household_water.csv:3",
                  "FAILED: the project has the problems listed above"],
                 id="bad-data"),
    pytest.param("indicators.py", 'growth(data, WATER, "piped_population")',
                 'growth(data, WATER, "piped_persons")',
                 ["data/household_water.csv: column piped_persons: no column 'piped_persons'",
                  "FAILED: the project has the problems listed above"],
                 id="indicator-without-its-column"),
    pytest.param("indicators.py", "Result(value=census - audit,",
                 "Result(value=(census - audit) / 0,",
                 ["indicators.py:89: indicator 'school_water_gap' cannot be computed: "
                  "ZeroDivisionError", "FAILED: the project has the problems listed above"],
                 id="raising-indicator"),
]


@pytest.mark.parametrize(("file", "old", "new", "messages"), FAILURES)
def test_a_failed_build_exits_1_with_a_located_message_and_keeps_the_old_site(
        built_mini, tmp_path, file, old, new, messages):
    import shutil

    root = tmp_path / "mini"
    shutil.copytree(built_mini, root)
    before = _hashes(root / "_book")
    _break(root, file, old, new)
    result = CliRunner().invoke(cli, ["build", "--project", str(root)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1, result.output
    for message in messages:
        assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert _hashes(root / "_book") == before
    assert not list(root.glob(".brief-staging-*"))


class _Recorder:
    def __init__(self) -> None:
        self.executed: list[str] = []

    def stage(self, name):
        pass

    def chapter(self, path, cached):
        if not cached:
            self.executed.append(path)

    def warning(self, warning):
        pass


def test_unchanged_project_is_up_to_date_and_prose_edits_execute_nothing(built_mini,
                                                                         tmp_path):
    import shutil

    from brief.render.build import build

    root = tmp_path / "mini"
    shutil.copytree(built_mini, root)
    assert build(root).up_to_date
    _break(root, "index.qmd", "This fixture says", "The fixture says")
    recorder = _Recorder()
    result = build(root, recorder)
    assert not result.up_to_date
    assert recorder.executed == []
    assert "The fixture says" in (root / "_book" / "index.html").read_text(encoding="utf-8")


def test_a_missing_project_config_is_a_clear_error(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--project", str(tmp_path)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1
    assert "_quarto.yml: not found" in result.output


def test_quarto_engine_without_quarto_says_how_to_get_it(mini, tmp_path, monkeypatch):
    root = mini
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["build", "--project", str(root), "--engine", "quarto"])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1
    assert "quarto.org" in result.output


def test_quarto_engine_renders_into_staging_and_swaps(mini, tmp_path, monkeypatch):
    root = mini
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    # A stand-in for the Quarto CLI: writes a page into the --output-dir it is given.
    fake.write_text('#!/bin/sh\n[ "$1" = render ] && [ "$2" = --output-dir ] || exit 3\n'
                    'mkdir -p "$3" && echo "<html>quarto</html>" > "$3/index.html"\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = CliRunner().invoke(cli, ["build", "--project", str(root), "--engine", "quarto"])
    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.output
    assert (root / "_book" / "index.html").read_text(encoding="utf-8").strip() == \
        "<html>quarto</html>"
    assert not list(root.glob(".brief-staging-*"))


@pytest.mark.parametrize("output_dir", [".", "data", "../elsewhere", "/tmp/x"])
def test_output_dir_that_would_replace_sources_is_refused(mini, output_dir):
    root = mini
    config = root / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "output-dir: _book", f"output-dir: {output_dir}"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--project", str(root)])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1
    assert "project.output-dir" in result.output and "is not allowed" in result.output
    assert (root / "data" / "datapackage.json").is_file()


def test_wide_table_gets_content_based_column_widths(built_mini):
    text, _ = _page(built_mini / "_book", "chapters/a1-glossary.html")
    assert '<div class="table-wrap" tabindex="0" role="region"' in text
    widths = [float(w) for w in re.findall(r'<col style="width: ([0-9.]+)%"', text)]
    assert len(widths) == 5 and abs(sum(widths) - 100) <= 2  # pandoc rounds each
    label, unit = widths[1], widths[2]
    assert label > 2 * unit  # long labels get room; a column of short words stays narrow


def test_chart_code_loads_only_on_pages_with_charts(built_mini) -> None:
    """The chart bundle weighs about 0.9 MB: a page without a chart does not load it."""
    site = built_mini / "_book"
    script = 'import("../assets/charts.js")'
    with_charts = (site / "chapters" / "01-access.html").read_text("utf-8")
    without = (site / "chapters" / "a1-glossary.html").read_text("utf-8")
    assert "data-chart-spec" in with_charts and script in with_charts
    assert "data-chart-spec" not in without and "charts.js" not in without
