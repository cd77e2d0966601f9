"""Habits of real Quarto books that stopped a whole build, met when building three public
course books (numerical analysis, continuum mechanics, software design) with brief: each
is rebuilt here in a small book of our own (its text written for this test) and must
build to both outputs, with a warning wherever the result differs from Quarto's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from brief.render.pdf import current_symbols

pytestmark = pytest.mark.render

#: A picture of our own (the fixture book's river).
PICTURE = (Path(__file__).parents[1] / "fixtures" / "quarto-book" / "chapters" / "images"
           / "river.png").read_bytes()

CHAPTER = r"""# Iterations

A fixed point of $g$ satisfies

$$
x = g(x)
$$ {#eq-fixed}

and, restated for the exercise,

$$
x_{n+1} = g(x_n)
$$ {#eq-fixed}

@eq-fixed is the first.

![The method as a picture](figures/method.png){#fig-method}

![The method, printable](figures/method.pdf){#fig-printable}

The tensor product $\mathbf{a}\otimes\mathbf{b}$ of two vectors.

A formula pandoc cannot read: $\hphantom{x}\label{oops} y$.

See [Figure 1](#fig-method){reference-type="ref" reference="fig-method"}.
"""


#: Habits of a programming course: headings that skip a level, an image named without
#: its extension (``default-image-extension``), an emoji, and a cell that fails on
#: purpose (``error: true``).
LESSON = """# A lesson

## Setting up

#### A note three levels down

Run the tests before you push 🐛.

![The plan, named without its extension](figures/plan){#fig-plan}

```{python}
#| error: true
{}["missing"]
```

```{python}
import logging
logging.getLogger("lesson").warning("the gauge drifts")
```

## Running `pytest`

Every test, before each push.

```{python}
#| label: fig-levels
#| fig-cap: "Water levels at two gauges."
#| fig-subcap:
#|   - "Upper gauge"
#|   - "Lower gauge"
#| layout-ncol: 2
from IPython.display import SVG, display
box = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
       '<rect width="40" height="20" fill="#{}"/></svg>')
display(SVG(box.format("357")))
display(SVG(box.format("753")))
```

See @fig-levels, and @fig-levels-2 for the lower gauge.

::: {#fig-drawn}
```{python}
#| echo: false
display(SVG(box.format("575")))
```

A box drawn by a cell, captioned by its figure div.
:::

```{python}
#| label: fig-surface
#| fig-cap: "A surface to turn with the mouse."
# What a plotly figure sends to a notebook, written out here without plotly.
display({"application/vnd.plotly.v1+json": {"data": [], "layout": {}},
         "text/plain": "Figure()"}, raw=True)
```

@fig-drawn is drawn; @fig-surface turns.

::: {.content-visible when-format="html"}
![The plan, for the screen](figures/plan){#fig-screen}
:::

::: {.content-visible unless-format="html"}
![The plan, for paper](figures/plan){#fig-paper}
:::

Compare @fig-screen with @fig-paper.
"""

PLAN = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
        '<rect width="40" height="20" fill="#357"/></svg>')


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("books") / "book"
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "method.png").write_bytes(PICTURE)
    (root / "figures" / "method.pdf").write_bytes(b"%PDF-1.4\n% made for a test\n")
    (root / "figures" / "plan.svg").write_text(PLAN, "utf-8")
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Iterations\n  date: today\n"
        "  chapters: [index.qmd, iterations.qmd, lesson.qmd]\n"
        "format:\n  html:\n    default-image-extension: svg\n", "utf-8")
    (root / "index.qmd").write_text("# Preface\n\nNotes.\n", "utf-8")
    (root / "iterations.qmd").write_text(CHAPTER, "utf-8")
    (root / "lesson.qmd").write_text(LESSON, "utf-8")
    done = subprocess.run([sys.executable, "-m", "brief.cli", "build", "--project", str(root)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return root, done.stderr


def test_a_repeated_equation_id_is_renamed_with_a_warning(book):
    root, log = book
    assert "iterations.qmd:13: warning: the id #eq-fixed is also used in" in log
    page = (root / "_book" / "iterations.html").read_text("utf-8")
    assert 'id="eq-fixed"' in page and 'id="eq-fixed-2"' in page
    assert 'href="#eq-fixed"' in page


def test_an_image_folder_named_figures_is_the_books_own(book):
    root, _ = book
    copied = list((root / "_book" / "media").rglob("method.png"))
    assert copied and copied[0].read_bytes() == PICTURE


def test_a_pdf_image_is_a_link_in_both_outputs_with_a_warning(book):
    root, log = book
    assert "image 'figures/method.pdf' is a PDF" in log
    page = (root / "_book" / "iterations.html").read_text("utf-8")
    assert "[Image: The method, printable]" in page and "<img src=\"media" in page
    text = subprocess.run(["pdftotext", str(root / "_book" / "brief.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "[Image: The method, printable]" in text


def test_old_symbol_names_unreadable_tex_and_reference_links_do_not_stop_the_pdf(book):
    root, _ = book
    text = subprocess.run(["pdftotext", str(root / "_book" / "brief.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "⊗" in text  # \otimes, written times.circle by pandoc, times.o for Typst
    assert "\\hphantom" in text  # shown as its TeX, not a failed build
    assert "Figure 1" in text


def test_an_up_to_date_build_repeats_the_warnings_of_the_last(book):
    root, log = book
    again = subprocess.run([sys.executable, "-m", "brief.cli", "build", "--project",
                            str(root)], capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "Up to date" in again.stderr
    first = [line for line in log.splitlines() if ": warning: " in line]
    assert first and [line for line in again.stderr.splitlines()
                      if ": warning: " in line] == first
    assert f"its {len(first)} warnings are above" in again.stderr


def test_a_formula_pandoc_cannot_convert_is_located(book):
    _, log = book
    line = next(n for n, text in enumerate(CHAPTER.splitlines()) if "\\hphantom" in text)
    assert f"iterations.qmd:{line + 1}: warning: Could not convert TeX math" in log


def test_a_date_of_today_is_the_day_of_the_build(book):
    root, _ = book
    page = (root / "_book" / "index.html").read_text("utf-8")
    assert ">today<" not in page


def _pdf_text(root: Path) -> str:
    return subprocess.run(["pdftotext", str(root / "_book" / "brief.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_a_heading_that_skips_a_level_is_raised_one_with_a_warning(book):
    root, log = book
    assert ("lesson.qmd:5: warning: heading 'A note three levels down' is level 4 right "
            "after level 2; shown as level 3") in " ".join(log.split())
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    assert re.search(r"<h3[^>]*>(<span[^>]*>[\d.]+</span>)? A note three levels down", page)
    assert "A note three levels down" in _pdf_text(root)  # a PDF/UA file was written


def test_each_warning_is_one_line_of_the_log_for_grep(book):
    _, log = book
    assert ("lesson.qmd:5: warning: heading 'A note three levels down' is level 4 right "
            "after level 2; shown as level 3 (levels go down one at a time, for screen "
            "readers and the PDF's outline)") in log.splitlines()


def test_an_image_named_without_extension_takes_the_default_image_extension(book):
    root, _ = book
    assert (root / "_book" / "media" / "figures" / "plan.svg").read_text("utf-8") == PLAN
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    assert 'src="media/figures/plan.svg"' in page


def test_a_character_no_font_of_the_pdf_has_is_named_there_with_a_warning(book):
    root, log = book
    assert "lesson.qmd: warning: the PDF's fonts cannot draw '🐛'" in log
    assert "push [bug]" in " ".join(_pdf_text(root).split())
    assert "push 🐛" in (root / "_book" / "lesson.html").read_text("utf-8")


def test_a_cell_that_fails_on_purpose_is_shown_with_its_error(book):
    root, _ = book
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    assert "KeyError: &#39;missing&#39;" in page or "KeyError: 'missing'" in page
    assert "KeyError" in _pdf_text(root)


def test_code_in_a_heading_is_in_the_pages_contents(book):
    root, _ = book
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    contents = page[page.index('<nav class="toc"'):]
    assert "2.2 Running pytest</a>" in contents[:contents.index("</nav>")]


def test_a_cell_with_subcaptions_makes_one_figure_of_panels(book):
    root, log = book
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    figure = page[page.index('id="fig-levels"'):]
    figure = figure[:figure.index("Water levels at two gauges")]  # to its caption
    assert 'id="fig-levels-1"' in figure and 'id="fig-levels-2"' in figure
    assert "Upper gauge" in figure and "Lower gauge" in figure
    text = " ".join(_pdf_text(root).split())
    assert "Figure 2.2: Water levels at two gauges." in text
    assert "(b) Lower gauge Figure 2.2: Water levels" in text  # panels, one figure
    assert "See Figure 2.2, and Figure 2.2 (b) for the lower gauge." in text
    assert "fig-subcap" not in log and "layout-ncol" not in log


def test_a_cell_in_a_figure_div_and_an_interactive_figure_keep_their_captions(book):
    root, log = book
    assert "no fig-cap" not in log  # the figure div's caption is the cell's
    text = " ".join(_pdf_text(root).split())
    assert "Figure 2.3: A box drawn by a cell, captioned by its figure div." in text
    assert "Figure 2.4: A surface to turn with the mouse." in text
    assert "Figure 2.3 is drawn; Figure 2.4 turns." in text
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    assert 'id="fig-surface"' in page and "?@fig-surface" not in page
    assert "refers to nothing" not in log


def test_a_figure_shown_in_one_output_is_named_unlinked_in_the_other(book):
    root, log = book
    flat = " ".join(log.split())
    assert ("@fig-screen refers to something shown only on the site; the PDF names it "
            "(Figure 2.5) without a link") in flat
    assert "@fig-paper refers to something shown only in the PDF" in flat
    assert "Compare Figure 2.5 with Figure 2.6." in " ".join(_pdf_text(root).split())
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    assert 'Compare <a href="#fig-screen" class="xref">Figure 2.5</a> with Figure 2.6.' in page


def test_what_a_cell_writes_to_stderr_is_shown_under_it_with_a_warning(book):
    root, log = book
    assert "lesson.qmd:17: warning: cell at line 17 wrote to stderr" in " ".join(log.split())
    page = (root / "_book" / "lesson.html").read_text("utf-8")
    assert re.search(r'class="[^"]*cell-output-stderr[^"]*"[^>]*>(<code>)?the gauge drifts',
                     page)
    assert "the gauge drifts" in _pdf_text(root)


@pytest.mark.parametrize("typst, expected", [
    ("$a times.circle b$", "$a times.o b$"),
    ("$plus.circle.big_(i) x_i$", "$plus.o.big_(i) x_i$"),
    ("$a times b$", "$a times b$"),
])
def test_symbols_renamed_by_typst_are_written_by_their_new_names(typst, expected):
    assert current_symbols(typst) == expected
