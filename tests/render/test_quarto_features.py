"""Quarto as authors write it: a small book (tests/fixtures/quarto-book) with titles taken
from headings, images beside the chapters, `# |` options, equations, theorems, a proof,
listings, a figure div and callouts one can refer to, built to both outputs; each test
checks one feature where the reader sees it, on the site and in the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from htmltree import Node, parse_html

pytestmark = pytest.mark.render

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quarto-book"


def page(site: Path, name: str) -> Node:
    return parse_html((site / name).read_text("utf-8"))


def by_id(root: Node, ident: str) -> Node:
    [found] = [e for e in root.iter() if e.attrs.get("id") == ident]
    return found


def main_text(root: Node) -> str:
    [main] = [e for e in root.iter() if e.tag == "main"]
    return " ".join(main.text().split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """The fixture book built once: its site, its PDF as text, the build's warnings."""
    from brief.render.build import build

    root = tmp_path_factory.mktemp("quarto") / "book"
    shutil.copytree(FIXTURE, root)
    result = build(root)
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return result.output, " ".join(text.split()), [str(w) for w in result.warnings]


def test_a_title_heading_names_the_chapter_in_the_sidebar_and_keeps_its_id(built):
    site, _, _ = built
    links = [" ".join(e.text().split()) for e in page(site, "index.html").iter()
             if e.tag == "a" and e.attrs.get("href", "").startswith("chapters/")]
    assert "1Measuring a river" in links and "2Some theory" in links  # number, title
    assert not {"1measure", "2theory"} & set(links)  # not the file names
    heading = by_id(page(site, "chapters/measure.html"), "sec-measure")
    assert heading.tag == "h1" and "Measuring a river" in heading.text()


def test_markdown_images_are_published_beside_the_pages_and_printed(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/measure.html")
    images = [e for e in chapter.iter() if e.tag == "img"]
    sources = {e.attrs["src"] for e in images}
    assert "../media/chapters/images/river.png" in sources
    assert (site / "media" / "chapters" / "images" / "river.png").read_bytes() == \
        (FIXTURE / "chapters" / "images" / "river.png").read_bytes()
    inline = [s for s in sources if s.startswith("../media/inline-")]
    assert len(inline) == 1 and (site / inline[0].removeprefix("../")).is_file()
    assert "Figure 1.1: The river at the gauge" in pdf


def test_cells_run_in_their_page_folder_and_spaced_options_are_options(built):
    site, pdf, _ = built
    text = main_text(page(site, "chapters/measure.html"))
    size = (FIXTURE / "chapters" / "images" / "river.png").stat().st_size
    assert f"The picture file is {size} bytes long." in text  # a path relative to the page
    assert "this example must never run" in text  # eval: false shows the code...
    assert "RuntimeError:" not in text  # ...and does not run it
    assert "HIDDEN-SETUP-OUTPUT" not in text and "HIDDEN-SETUP-OUTPUT" not in pdf
    assert "echo: false" not in text and "| echo" not in text


def test_a_cell_with_error_true_shows_its_error_and_the_page_runs_on(built):
    site, pdf, warnings = built
    chapter = page(site, "chapters/measure.html")
    [block] = [e for e in chapter.iter() if "lesson-output" in e.classes]  # classes:
    [error] = [e for e in block.iter() if "cell-error" in e.classes]
    assert "KeyError: 'flow'" in error.text() and "Cell, line 2" in error.text()
    assert "\x1b[" not in error.text() and "Cell In[" not in error.text()
    assert "KeyError: 'flow'" in pdf
    assert "Flow" in main_text(chapter)  # what follows the cell is there
    assert not [w for w in warnings if "'error'" in w or "'classes'" in w]


def test_math_is_mathml_on_the_site_and_numbered_equations_are_referred_to(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/measure.html")
    equation = by_id(chapter, "eq-discharge")
    assert [e.attrs.get("display") for e in equation.iter() if e.tag == "math"] == ["block"]
    assert "(1.3)" not in equation.text() and "(1.1)" in equation.text()
    links = [e for e in chapter.iter() if e.tag == "a" and e.attrs.get("href") == "#eq-discharge"]
    assert [e.text() for e in links] == ["Equation 1.1"]
    assert "$$" not in main_text(chapter) and "{#eq-" not in main_text(chapter)
    assert "By Equation 1.1, a wider river" in pdf and "(1.1)" in pdf


def test_a_heading_inside_a_callout_is_its_title_not_a_section(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/measure.html")
    [callout] = [e for e in chapter.iter() if "callout-tip" in e.classes]
    assert "Before you wade in" in callout.text()
    assert "Section 1.3" in main_text(chapter)  # Flow stays the third section
    assert "1.3 Flow" in pdf and "1.3 Before" not in pdf and "1.2 Before" not in pdf


@pytest.mark.parametrize(("ident", "text"), [
    ("thm-continuity", "Theorem 2.1 (Continuity)."),
    ("def-reach", "Definition 2.1 (Reach)."),
    ("nte-units", "Note 2.1: Units"),
    ("fig-two-views", "Figure 2.1: The gauge seen twice"),
    ("lst-speed", "Listing 2.1: Speed from distance and time"),
])
def test_theorems_listings_figure_divs_and_callouts_are_numbered_targets(built, ident,
                                                                         text):
    site, pdf, _ = built
    chapter = page(site, "chapters/theory.html")
    assert text in " ".join(by_id(chapter, ident).text().split())
    label = text.split(" (")[0].split(":")[0].rstrip(".")
    links = [e.text() for e in chapter.iter()
             if e.tag == "a" and e.attrs.get("href") == f"#{ident}"]
    assert links == [label]
    assert text in pdf and pdf.count(label) >= 2  # the caption and the reference


def test_a_theorem_titled_by_a_level_one_heading_does_not_restart_the_sections(built):
    site, _, _ = built
    theory = page(site, "chapters/theory.html")
    assert "2.1" in by_id(theory, "sec-balance").text()
    assert "2.2" in by_id(theory, "sec-diagrams").text()  # not 2.1 again after # Continuity


def test_a_reference_to_another_chapter_links_to_that_page(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/theory.html")
    links = [e for e in chapter.iter() if e.tag == "a" and e.text() == "Figure 1.1"]
    assert [e.attrs["href"] for e in links] == ["../chapters/measure.html#fig-river"]
    assert "repeats Figure 1.1" in pdf


def test_a_proof_ends_with_its_square_and_nothing_quarto_leaks(built):
    site, pdf, warnings = built
    theory = main_text(page(site, "chapters/theory.html"))
    assert "Proof. Count the water at both ends. \u25a1" in theory
    for name in ("index.html", "chapters/measure.html", "chapters/theory.html"):
        text = main_text(page(site, name))
        for leak in (":::", "{#", "@thm-", "@eq-", "@fig-", "#|", "# |", "?@"):
            assert leak not in text, (name, leak)
    for leak in (":::", "{#", "?@", "@fig-"):
        assert leak not in pdf
    # The only warnings: the two outputs made for a browser and the mermaid diagram.
    assert len(warnings) == 3, warnings
    assert [w.split(": warning: ")[-1].split(":")[0] for w in warnings[:2]] == \
        ["cell at line 60", "cell at line 66"], warnings
    assert "mermaid diagrams need a browser engine" in warnings[2]


def test_a_graphviz_cell_is_a_numbered_figure_and_mermaid_stays_code(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/theory.html")
    figure = by_id(chapter, "fig-network")
    [image] = [e for e in figure.iter() if e.tag == "img"]
    assert image.attrs["src"].startswith("../media/diagram-")
    svg = (site / image.attrs["src"].removeprefix("../")).read_text("utf-8")
    assert "<svg" in svg and "one day" in svg  # drawn by dot, with its label
    assert "Figure 2.3: Two gauges on one river" in " ".join(figure.text().split())
    assert "digraph" not in main_text(chapter) and "digraph" not in pdf
    assert "rain --> river" in main_text(chapter)  # mermaid: its source, shown
    assert "Figure 2.3: Two gauges on one river" in pdf and "one day" in pdf


def test_html_from_a_cell_is_on_the_site_and_noted_in_the_pdf_never_dropped(built):
    site, pdf, warnings = built
    chapter = page(site, "chapters/measure.html")
    [made] = [e for e in chapter.iter() if "made-by-html" in e.classes]
    assert made.text() == "A paragraph the cell wrote as HTML."
    notes = [" ".join(e.text().split()) for e in chapter.iter() if "output-note" in e.classes]
    assert len(notes) == 1 and "application/vnd.plotly.v1+json" in notes[0]
    assert "A paragraph the cell wrote" not in pdf
    assert "(text/html) is shown on the website" in pdf
    assert "(application/vnd.plotly.v1+json) is interactive" in pdf
    assert any("HTML output is shown on the site" in w for w in warnings)
    assert any("interactive output" in w for w in warnings)


def test_an_included_file_and_variables_are_written_in(built):
    site, pdf, _ = built
    text = main_text(page(site, "chapters/compare.html"))
    sentence = "Every reading at the Upper Bridge gauge was taken at noon"
    assert sentence in text and sentence in pdf
    assert "left out" not in text  # the included file's front matter
    # (the page's curly quotes read as straight ones)
    assert 'called "Comparing two gauges" in the book "Field notes on rivers"' in text
    assert "{{< include _method.qmd >}}" in text  # {shortcodes=false}: an example
    # An include inside a code block writes the file there, as Quarto does.
    assert "def level_in_metres(reading_cm: float) -> float:" in text
    assert "include gauge_reader.py" not in text
    assert "def level_in_metres(reading_cm: float) -> float:" in pdf


def test_a_tabset_is_a_tab_list_on_the_site_and_every_panel_in_the_pdf(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/compare.html")
    [tablist] = [e for e in chapter.iter() if e.attrs.get("role") == "tablist"]
    tabs = [e for e in tablist.iter() if e.attrs.get("role") == "tab"]
    assert [t.text() for t in tabs] == ["Upper gauge", "Lower gauge"]
    assert [t.attrs["aria-selected"] for t in tabs] == ["true", "false"]
    panels = [e for e in chapter.iter() if e.attrs.get("role") == "tabpanel"]
    assert [("hidden" in p.attrs, p.attrs["aria-labelledby"]) for p in panels] == \
        [(False, tabs[0].attrs["id"]), (True, tabs[1].attrs["id"])]
    assert "lags by a day" in panels[1].text()
    assert "Upper gauge The upper gauge reads high" in pdf
    assert "Lower gauge The lower gauge lags" in pdf
    assert "3.1 After the break" in pdf  # the tab names took no section number


def test_content_for_one_format_appears_only_there_and_a_pagebreak_breaks(built):
    site, pdf, _ = built
    text = main_text(page(site, "chapters/compare.html"))
    assert "ONLY-ON-THE-SITE" in text and "ONLY-IN-THE-PDF" not in text
    assert "ONLY-IN-THE-PDF" in pdf and "ONLY-ON-THE-SITE" not in pdf
    assert "pagebreak" not in text and "pagebreak" not in pdf
    pages = subprocess.run(["pdftotext", "-layout", str(site / "brief.pdf"), "-"],
                           check=True, capture_output=True, text=True).stdout.split("\f")
    [before] = [p for p in pages if "This chapter is called" in p]
    assert "After the break" not in before


def test_authors_as_a_list_of_names_and_a_yaml_date_are_read(built):
    site, pdf, _ = built
    assert "Ana Tran, Binh Le (2026). Field notes on rivers." in pdf
    assert "30 November 2026" in pdf
    assert "Ana Tran, Binh Le" in main_text(page(site, "index.html"))


def test_a_collapsed_callout_folds_on_the_site_and_prints_open(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/compare.html")
    [folded] = [e for e in chapter.iter() if e.tag == "details" and "callout" in e.classes]
    assert "open" not in folded.attrs and "callout-simple" in folded.classes
    [summary] = [e for e in folded.iter() if e.tag == "summary"]
    assert summary.text().strip() == "Folded advice"
    assert "Folded advice Only open this when the river is high." in pdf


def test_warnings_are_printed_when_the_build_then_fails(tmp_path):
    """A warning met before an error is still said: it often explains the error."""
    import sys

    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters: [index.qmd]\n", "utf-8")
    (tmp_path / "index.qmd").write_text(
        "# Start\n\nA shortcode {{< lipsum 2 >}} here.\n\n```{python}\n"
        "raise ValueError('stop here')\n```\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "brief.cli", "build", "--project",
                           str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "index.qmd:3: warning: shortcode {{< lipsum >}}" in done.stderr, done.stderr
    assert "ValueError: stop here" in done.stderr


def test_an_edited_included_file_image_or_variable_is_rebuilt_without_fresh(built,
                                                                            tmp_path):
    """Included files and images are found only by reading the pages: the build records
    them, and the next one is not "up to date" when one of them (or _variables.yml)
    changed."""
    from brief.render.build import build

    root = tmp_path / "book"
    shutil.copytree(FIXTURE, root)
    assert not build(root).up_to_date
    assert build(root).up_to_date
    method = root / "chapters" / "_method.qmd"
    method.write_text(method.read_text("utf-8") + "\nA LATER NOTE.\n", "utf-8")
    assert not build(root).up_to_date
    assert "A LATER NOTE." in (root / "_book" / "chapters" / "compare.html").read_text("utf-8")
    picture = root / "chapters" / "images" / "river.png"
    picture.write_bytes(picture.read_bytes() + b"\0")
    assert not build(root).up_to_date
    assert (root / "_book" / "media" / "chapters" / "images" / "river.png").read_bytes() == \
        picture.read_bytes()
    variables = root / "_variables.yml"
    variables.write_text(variables.read_text("utf-8").replace("Upper Bridge", "Ferry"),
                         "utf-8")
    assert not build(root).up_to_date
    assert "at the Ferry gauge" in (root / "_book" / "chapters" / "compare.html").read_text(
        "utf-8")


def test_subfigures_are_panels_of_one_figure_side_by_side(built):
    site, pdf, _ = built
    chapter = page(site, "chapters/theory.html")
    figure = by_id(chapter, "fig-gauges")
    [grid] = [e for e in figure.iter() if "panels" in e.classes]
    assert "repeat(2," in grid.attrs["style"]
    panels = [e for e in grid.iter() if e.tag == "figure"]
    assert [p.attrs["id"] for p in panels] == ["fig-upper", "fig-lower"]
    assert [" ".join(p.text().split()) for p in panels] == ["(a) The upper gauge",
                                                         "(b) The lower gauge"]
    links = {e.attrs["href"]: e.text() for e in chapter.iter() if e.tag == "a"
             and e.attrs.get("href", "").startswith("#fig-")}
    assert links["#fig-lower"] == "Figure 2.2 (b)" and links["#fig-gauges"] == "Figure 2.2"
    assert "(a) The upper gauge (b) The lower gauge Figure 2.2: Both gauges" in pdf
    assert "Figure 2.2 (b) is the lower one of Figure 2.2." in pdf


def test_a_markdown_chapter_is_a_page_of_the_book(built):
    site, pdf, _ = built
    text = main_text(page(site, "chapters/notes.html"))
    assert "4 Notes in plain Markdown" in text and "is read like any other page" in text
    assert "4 Notes in plain Markdown" in pdf


def test_parts_title_their_chapters_in_the_sidebar_and_the_pdf(built):
    site, pdf, _ = built
    index = page(site, "index.html")
    parts = [" ".join(e.text().split()) for e in index.iter()
             if e.tag == "li" and "part" in e.classes]
    assert parts[:2] == ["In the field", "At the desk"]
    assert "In the field" in pdf and "At the desk" in pdf
    assert pdf.index("In the field") < pdf.index("1 Measuring a river") < \
        pdf.index("At the desk") < pdf.index("2 Some theory")  # the contents
    desk = pdf.index("DESK-PART-TEXT")  # the body: the part's page before its chapter
    assert pdf.rindex("1 Measuring a river", 0, desk) < pdf.rindex("At the desk", 0, desk) \
        < desk < pdf.rindex("2 Some theory")


def test_a_part_named_by_a_page_publishes_that_page_and_links_it(built):
    site, _, _ = built
    [part] = [e for e in page(site, "index.html").iter()
              if e.tag == "li" and "part" in e.classes and "At the desk" in e.text()]
    assert [a.attrs["href"] for a in part.iter() if a.tag == "a"] == ["chapters/desk.html"]
    desk = page(site, "chapters/desk.html")
    assert "DESK-PART-TEXT" in main_text(desk)
    assert "At the desk" in by_id(desk, "sec-desk").text()  # its own heading, unnumbered
    assert "header-number" not in str(by_id(desk, "sec-desk").classes)


def test_one_id_in_two_outputs_alternatives_is_one_figure(built):
    """Quarto lets a figure have one version per output under the same id."""
    site, pdf, _ = built
    chapter = page(site, "chapters/compare.html")
    figure = by_id(chapter, "fig-river-by-output")
    assert "as the site shows it" in figure.text()
    assert "as the PDF prints it" not in main_text(chapter)
    [link] = [e for e in chapter.iter() if e.tag == "a"
              and e.attrs.get("href") == "#fig-river-by-output"]
    number = link.text().strip()
    assert re.fullmatch(r"Figure \d+\.\d+", number) and number in figure.text()
    assert f"{number}: The river, as the PDF prints it" in pdf
    assert "as the site shows it" not in pdf


def test_math_and_emphasis_inside_text_in_a_formula_are_drawn(built):
    """``\\text{if $h < h_0$, the \\emph{normal} regime}`` (LaTeX habit) in both outputs."""
    site, pdf, _ = built
    chapter = page(site, "chapters/theory.html")
    [math] = [e for e in by_id(chapter, "eq-regimes").iter() if e.tag == "math"]
    drawn = [e for e in math.iter() if e.tag not in ("math", "semantics", "annotation")
             and "regime" in e.text()]
    assert drawn and "\\emph" not in math.text()  # not the raw TeX pandoc falls back to
    assert "regime" in pdf and "\\emph" not in pdf and "otherwise" in pdf


@pytest.mark.parametrize("tex, expected", [
    (r"\text{if $x>0$ then \emph{yes}}", r"\text{if }x>0\text{ then }\textit{yes}"),
    (r"\mbox{a \textbf{b} c}", r"\mbox{a }\textbf{b}\mbox{ c}"),
    (r"\text{plain} + x^2", r"\text{plain} + x^2"),
    (r"\text{rate {$y$}}", r"\text{rate {$y$}}"),  # math in a group: left alone
])
def test_text_in_math_is_rewritten_as_pandoc_reads_it(tex, expected):
    from brief.render.texmath import normalise

    assert normalise(tex) == expected
