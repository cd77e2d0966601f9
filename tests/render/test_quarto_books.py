"""Habits of real Quarto books that stopped a whole build, met when building two public
course books (numerical analysis, continuum mechanics) with brief: each is rebuilt here
in a small book of our own (its text written for this test) and must build to both
outputs, with a warning wherever the result differs from Quarto's."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("books") / "book"
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "method.png").write_bytes(PICTURE)
    (root / "figures" / "method.pdf").write_bytes(b"%PDF-1.4\n% made for a test\n")
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Iterations\n  date: today\n"
        "  chapters: [index.qmd, iterations.qmd]\n", "utf-8")
    (root / "index.qmd").write_text("# Preface\n\nNotes.\n", "utf-8")
    (root / "iterations.qmd").write_text(CHAPTER, "utf-8")
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


def test_a_date_of_today_is_the_day_of_the_build(book):
    root, _ = book
    page = (root / "_book" / "index.html").read_text("utf-8")
    assert ">today<" not in page


@pytest.mark.parametrize("typst, expected", [
    ("$a times.circle b$", "$a times.o b$"),
    ("$plus.circle.big_(i) x_i$", "$plus.o.big_(i) x_i$"),
    ("$a times b$", "$a times b$"),
])
def test_symbols_renamed_by_typst_are_written_by_their_new_names(typst, expected):
    assert current_symbols(typst) == expected
