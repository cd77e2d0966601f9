"""Factsheets: one page and one PDF per row of a table, from one template, in one kernel.

The fixture's `brief: factsheets:` block makes a page per row of `data/areas.csv` (four
invented communes, fixture) from `chapters/area.qmd`, with an index page at
`areas/index.qmd`. Values on each page are compared with the CSV read here.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from brief.cli import cli
from brief.diff import file_hashes
from brief.render.build import BuildResult, Progress, build
from brief.settings import SettingsError, parse_settings

pytestmark = pytest.mark.render

TEMPLATE = "chapters/area.qmd"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


class Recorder(Progress):
    """Records kernels started and what executed (chapters and factsheets)."""

    def __init__(self) -> None:
        self.kernels: list[tuple[str, int]] = []
        self.chapters: set[str] = set()
        self.sheets: dict[str, bool] = {}

    def chapter(self, path: str, cached: bool) -> None:
        if not cached:
            self.chapters.add(path)

    def factsheet(self, page: str, cached: bool) -> None:
        self.sheets[page] = cached

    def kernel(self, path: str, instances: int) -> None:
        self.kernels.append((path, instances))

    @property
    def executed_sheets(self) -> set[str]:
        return {page for page, cached in self.sheets.items() if not cached}


def rows(root: Path) -> list[dict[str, str]]:
    with (root / "data" / "areas.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def main_text(page: Path) -> str:
    """The page's content, without the sidebar and the previous/next links (which name
    other communes)."""
    text = page.read_text(encoding="utf-8")
    main = text.split("<main", 1)[1].split("</main>", 1)[0]
    return main.split('<nav class="page-nav"', 1)[0]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult, Recorder]:
    """The fixture built once from scratch, with what its build started and executed."""
    root = tmp_path_factory.mktemp("sheets") / "mini"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("_book", "figures",
                                                                 ".brief-*"))
    recorder = Recorder()
    result = build(root, recorder)
    return root, result, recorder


@pytest.fixture
def copy(built, tmp_path: Path) -> Path:
    """A copy of the built fixture (its cache included), safe to edit."""
    root = tmp_path / "mini"
    shutil.copytree(built[0], root)
    return root


def test_a_page_and_a_pdf_for_every_row_in_order(built):
    root, result, _ = built
    slugs = [r["slug"] for r in rows(root)]
    site = root / "_book"
    assert result.factsheets == [site / "areas" / f"{s}.html" for s in slugs]
    assert result.factsheet_pdfs == [site / "areas" / f"{s}.pdf" for s in slugs]
    assert result.factsheet_index == site / "areas" / "index.html"
    for slug in slugs:
        for suffix in ("svg", "png", "csv"):  # figures named per instance, also in figures/
            assert (site / "figures" / "areas" / slug / f"fig-area-share.{suffix}").is_file()
            assert (root / "figures" / "areas" / slug / f"fig-area-share.{suffix}").is_file()


def test_factsheets_are_not_chapters(built):
    root, result, _ = built
    assert all("areas/" not in p.as_posix() for p in result.pages)
    book = " ".join(p.extract_text() for p in PdfReader(result.pdf).pages)
    assert "page ha-son" not in book and "Lũng Phìn" not in book
    sidebar = (root / "_book" / "index.html").read_text("utf-8").split(
        '<ol class="chapters">')[1].split("</ol>")[0]
    assert sidebar.count("<li><a href=") == 4  # the chapters, no factsheet among them


def test_parameters_reach_the_cells_in_both_spellings(built):
    root, result, _ = built
    for row, page in zip(rows(root), result.factsheets, strict=True):
        text = main_text(page)
        # `params["area"]` chose the row; `area` (Quarto's injected variable) names the page.
        assert f"In {row['name']} (page {row['slug']})," in text


def test_each_page_states_its_own_rows_values(built):
    root, result, _ = built
    for row, page in zip(rows(root), result.factsheets, strict=True):
        text = main_text(page)
        share_2020 = f"{float(row['piped_share_2020']):g}"
        share_2015 = f"{float(row['piped_share_2015']):g}"
        households = f"{int(row['households']):,}"
        assert (f"{share_2020}\npercent of the {households} households" in text
                or f"{share_2020} percent of the {households} households" in text), page
        assert f"up from {share_2015} percent in 2015" in text
        assert re.search(rf"<h1[^>]*>{re.escape(row['name'])}</h1>", text)
        others = [r["slug"] for r in rows(root) if r["slug"] != row["slug"]]
        assert not any(f"(page {o})" in text for o in others)
        plotted = (root / "_book" / "figures" / "areas" / row["slug"] / "fig-area-share.csv"
                   ).read_text("utf-8")
        assert f"2020,{float(row['piped_share_2020'])}" in plotted


def test_pages_use_the_site_template_and_links_resolve(built):
    root, result, _ = built
    site = root / "_book"
    for page in [*result.factsheets, result.factsheet_index]:
        text = page.read_text("utf-8")
        assert 'class="sidebar"' in text and "Version 9.9.9-fixture" in text
        assert "22 November 2026" in text and "brief-data-fingerprint" in text
        # The chart code loads where a chart is drawn (the index here has none).
        assert ('import("../assets/charts.js")' in text) == \
            ("data-chart-spec" in text)
        for url in re.findall(r'(?:href|src)="([^"#][^"]*)"', text):
            if url.startswith(("http:", "https:", "data:", "mailto:")):
                continue
            assert (page.parent / url.split("#")[0]).resolve().is_file(), (page, url)
    ha_son = (site / "areas" / "ha-son.html").read_text("utf-8")
    assert '<div class="chart" data-chart="areas/ha-son/fig-area-share"' in ha_son
    assert 'data-chart-spec="areas/ha-son/fig-area-share"' in ha_son
    assert '<title>Hạ Sơn – Fixture brief' in ha_son
    assert 'href="../areas/ha-son.pdf" download>Download this factsheet (PDF)' in ha_son
    # Cross-references resolve within the page; citations get a short list at the end.
    assert re.search(r'<a href="#fig-area-share"[^>]*>Figure 1</a>', ha_son)
    assert '<figure id="fig-area-share">' in ha_son
    assert 'id="ref-lhso2021water"' in ha_son and ">References</h2>" in ha_son


def test_every_page_links_the_index_from_its_sidebar(built):
    root, result, _ = built
    site = root / "_book"
    for page in [*(site / p for p in ("index.html", "chapters/01-access.html",
                                      "versions.html")), *result.factsheets]:
        root_path = "../" * page.relative_to(site).as_posix().count("/")
        text = page.read_text("utf-8")
        assert (f'<li class="factsheets"><a href="{root_path}areas/index.html">'
                "<span>Communes</span></a></li>") in text, page
    index = result.factsheet_index.read_text("utf-8")
    assert 'href="../areas/index.html" aria-current="page"' in index
    for row in rows(root):
        assert f'<a href="{row["slug"]}.html">{row["name"]}</a>' in index


def test_pdf_per_row_with_its_title_on_page_one(built):
    root, result, _ = built
    for row, pdf in zip(rows(root), result.factsheet_pdfs, strict=True):
        reader = PdfReader(pdf)
        assert 1 <= len(reader.pages) <= 2
        first = " ".join(reader.pages[0].extract_text().split())
        assert row["name"] in first and "Version 9.9.9-fixture" in first
        assert f"page {row['slug']}" in first
        assert reader.metadata.title == f"{row['name']} – Fixture brief: Nước sạch cho mọi " \
                                        "địa phương"
        assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_one_kernel_runs_every_instance(built):
    _, result, recorder = built
    template_kernels = [n for path, n in recorder.kernels if path == TEMPLATE]
    assert template_kernels == [len(result.factsheets)] == [4]
    assert len(recorder.executed_sheets) == 5  # four factsheets and the index page


def test_editing_the_template_reexecutes_every_instance_and_nothing_else(copy):
    replace(copy / TEMPLATE, 'title=f"Nước máy ở {row[\'name\']}"',
            'title=f"Nước máy tại {row[\'name\']}"')
    recorder = Recorder()
    result = build(copy, recorder)
    assert recorder.executed_sheets == {f"areas/{r['slug']}.html" for r in rows(copy)}
    assert recorder.chapters == set()
    assert [n for _, n in recorder.kernels] == [4]
    assert "Nước máy tại Hạ Sơn" in (result.output / "areas" / "ha-son.html").read_text("utf-8")


def test_a_prose_edit_in_a_chapter_executes_no_factsheet(copy):
    replace(copy / "chapters" / "01-access.qmd", "Piped coverage rose to",
            "By the latest survey piped coverage rose to")
    recorder = Recorder()
    result = build(copy, recorder)
    assert not result.up_to_date
    assert recorder.kernels == [] and recorder.chapters == set()
    assert recorder.executed_sheets == set() and len(recorder.sheets) == 5


def test_a_prose_edit_in_the_template_executes_nothing_but_changes_every_page(copy):
    replace(copy / TEMPLATE, "## Piped water at home", "## Piped water in the home")
    recorder = Recorder()
    result = build(copy, recorder)
    assert recorder.kernels == []
    for page in result.factsheets:
        assert "Piped water in the home" in page.read_text("utf-8")


def test_a_change_to_the_table_reexecutes_its_pages_and_follows_the_data(copy):
    replace(copy / "data" / "areas.csv", "ha-son,Hạ Sơn,upland,2100,12.5,18.0",
            "ha-son,Hạ Sơn,upland,2100,12.5,19.5")
    recorder = Recorder()
    result = build(copy, recorder)
    assert recorder.chapters == set()  # no chapter reads the table
    assert "areas/ha-son.html" in recorder.executed_sheets
    assert "19.5 percent of the 2,100" in " ".join(
        main_text(result.output / "areas" / "ha-son.html").split())


def test_a_warm_kernel_gives_the_same_page_as_a_fresh_one(copy):
    """The last instance ran after three others in the shared kernel; run alone, in a
    kernel of its own, it must give the same page, byte for byte."""
    before = file_hashes(copy / "_book")
    for stored in (copy / ".brief-cache" / "execute").glob("*.json"):
        if json.loads(stored.read_text("utf-8"))["chapter"] == f"{TEMPLATE}?area=lung-phin":
            stored.unlink()
    (copy / ".brief-cache" / "last-build.json").unlink()
    recorder = Recorder()
    build(copy, recorder)
    assert recorder.kernels == [(TEMPLATE, 1)]
    assert recorder.executed_sheets == {"areas/lung-phin.html"}
    assert file_hashes(copy / "_book") == before


def test_a_failing_cell_names_the_file_line_cell_and_instance(copy):
    replace(copy / TEMPLATE, "frame = pd.DataFrame(",
            'assert params["area"] != "ben-cau", "no chart here"\nframe = pd.DataFrame(')
    line = next(n for n, text in enumerate((copy / TEMPLATE).read_text("utf-8").split("\n"),
                                           start=1) if "no chart here" in text)
    before = file_hashes(copy / "_book")
    result = CliRunner().invoke(cli, ["build", "--project", str(copy)])
    assert result.exit_code == 1, result.output
    assert (f"{TEMPLATE}:{line}: cell fig-area-share (area=ben-cau): AssertionError: "
            "no chart here") in result.output
    assert file_hashes(copy / "_book") == before


def test_a_chart_that_cannot_be_drawn_names_the_template_and_the_chart(copy):
    with (copy / TEMPLATE).open("a", encoding="utf-8") as handle:
        handle.write('\n```{python}\n#| label: fig-broken\n#| fig-cap: "Broken"\n'
                     "from IPython.display import display\n"
                     'display({"application/vnd.vegalite.v6+json": {"mark": "nope", '
                     '"data": {"values": []}}}, raw=True)\n```\n')
    before = file_hashes(copy / "_book")
    result = CliRunner().invoke(cli, ["build", "--project", str(copy)])
    assert result.exit_code == 1, result.output
    assert re.search(r"error: chapters/area\.qmd: chart areas/[a-z-]+/fig-broken cannot be "
                     r"drawn: Vega-Lite to SVG conversion failed", result.output), result.output
    assert file_hashes(copy / "_book") == before


BAD = [
    ("config", "    key: slug\n", "    key: nope\n",
     "_quarto.yml: brief.factsheets.key: no column 'nope' in resource areas"),
    ("config", "    title: name\n", "    title: nom\n",
     "_quarto.yml: brief.factsheets.title: no column 'nom' in resource areas"),
    ("config", "    resource: areas\n", "    resource: communes\n",
     "_quarto.yml: brief.factsheets.resource: no resource named 'communes'"),
    ("config", "    template: chapters/area.qmd\n", "    template: chapters/none.qmd\n",
     "_quarto.yml: brief.factsheets.template: chapters/none.qmd does not exist"),
    ("config", "    index: areas/index.qmd\n", "    index: areas/none.qmd\n",
     "_quarto.yml: brief.factsheets.index: areas/none.qmd does not exist"),
    ("config", "    output: areas\n", "    output: figures\n",
     "_quarto.yml: brief.factsheets.output: 'figures' cannot be the pages' folder"),
    ("config", "    output: areas\n", "    output: areas\n    colour: red\n",
     "_quarto.yml: brief.factsheets.colour: unknown key"),
    ("data", "ha-son,Hạ Sơn", "Hạ Sơn,Hạ Sơn",
     "_quarto.yml: brief.factsheets.key: data/areas.csv:3: column slug: 'Hạ Sơn' is not a "
     "page name"),
    ("template", "params:\n  area: dong-tam\n", "",
     "chapters/area.qmd:1: params: expected one parameter"),
    ("template", "  area: dong-tam\n", "  area: nowhere\n",
     "chapters/area.qmd:3: params: the default area 'nowhere' is not a value of column slug"),
]


@pytest.mark.parametrize(("where", "old", "new", "message"), BAD,
                         ids=[m.split(": ")[1] + "-" + w for w, _, _, m in BAD])
def test_bad_factsheet_settings_are_located_and_change_nothing(copy, where, old, new,
                                                               message):
    file = {"config": "_quarto.yml", "data": "data/areas.csv", "template": TEMPLATE}[where]
    replace(copy / file, old, new)
    before = file_hashes(copy / "_book")
    result = CliRunner().invoke(cli, ["build", "--project", str(copy)])
    assert result.exit_code == 1, result.output
    assert f"error: {message}" in result.output, result.output
    assert "Traceback" not in result.output
    assert file_hashes(copy / "_book") == before
    assert not list(copy.glob(".brief-staging-*"))


@pytest.mark.parametrize(("block", "message"), [
    ("factsheets: [a]", "brief.factsheets: expected a mapping with template, resource"),
    ("factsheets: {resource: r, key: k, output: o}", "brief.factsheets.template: missing"),
    ("factsheets: {template: t.md, resource: r, key: k, output: o}",
     "brief.factsheets.template: 't.md' is not a .qmd file"),
    ("factsheets: {template: ../t.qmd, resource: r, key: k, output: o}",
     "brief.factsheets.template: '../t.qmd' leaves the project folder"),
    ("factsheets: {template: t.qmd, resource: r, key: k, output: Areas}",
     "brief.factsheets.output: 'Areas' cannot be the pages' folder"),
])
def test_bad_factsheets_blocks_say_which_key(block, message):
    with pytest.raises(SettingsError) as caught:
        parse_settings({"brief": yaml.safe_load(block)})
    assert str(caught.value).startswith("_quarto.yml: brief.factsheets")
    assert message in str(caught.value)
