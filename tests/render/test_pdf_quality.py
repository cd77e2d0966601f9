"""The PDF as its readers meet it: PDF/UA-1, viewer settings, page labels, figure alt
text, linked and disambiguated citations, boxes never split, no near-empty pages, the
cover's message and licence, key-figure boxes, and located errors.

Most checks read the real brief's PDF (built once per session by ``built_real_book``)
with pypdf and poppler's ``pdftotext``/``pdftoppm``; the template's own behaviour (a
box that does not fit, key figures) is checked on small Typst documents compiled with
the template, which is faster and says exactly what broke.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from brief import calls
from brief.cli import cli
from brief.render import pdf
from brief.render.fonts import font_dirs
from brief.render.project import load_project
from brief.strings import Strings

pytestmark = pytest.mark.render

POPPLER = ("pdftotext", "pdftoppm", "pdfinfo")


@pytest.fixture(scope="module")
def real_pdf(built_real_book: Path) -> Path:
    """The real brief's PDF (poppler must be installed: the checks read pages with it)."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    assert not missing, f"{', '.join(missing)} missing: apt-get install -y poppler-utils"
    return built_real_book / "_book" / load_project(built_real_book).pdf_name


@pytest.fixture(scope="module")
def reader(real_pdf: Path) -> PdfReader:
    return PdfReader(real_pdf)


def _text(path: Path, page: int, *crop: str) -> str:
    """pdftotext of one page (1-based), optionally of a crop box (-x, -y, -W, -H)."""
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), *crop, str(path),
                           "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    """Text with bullets, line-end hyphens (soft or hard) and line breaks removed, so a
    sentence can be found whatever the line breaks of the page."""
    return " ".join(re.sub(r"[-\u00ad]\s+", "", text.replace("•", " ")).split())


@cache
def _pages(path: Path) -> tuple[str, ...]:
    count = len(PdfReader(path).pages)
    return tuple(_flat(_text(path, number)) for number in range(1, count + 1))


def _structure(node: Any) -> Iterator[DictionaryObject]:
    """Every structure element under ``node`` of the tag tree, depth first."""
    node = node.get_object()
    if isinstance(node, DictionaryObject):
        if "/S" in node:
            yield node
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, ArrayObject) else [kids]:
                if not isinstance(kid.get_object(), int):  # a marked-content id
                    yield from _structure(kid)


def _chapter_starts(reader: PdfReader) -> dict[str, int]:
    """The 0-based page index of every top-level outline entry, by title."""
    return {item.title: reader.get_destination_page_number(item)
            for item in reader.outline if not isinstance(item, list)}


# -- Standards and viewer settings --------------------------------------------------------


def _true(value: Any) -> bool:
    """Whether a PDF value is the boolean true (pypdf's BooleanObject, not just truthy)."""
    return getattr(value, "value", None) is True


def test_the_pdf_is_tagged_has_a_language_and_claims_pdf_ua_1(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert _true(root.get("/MarkInfo", {}).get("/Marked"))
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp), xmp[:400]


def test_viewers_show_the_title_and_open_the_outline(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert _true(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"))
    assert root.get("/PageMode") == "/UseOutlines"
    assert reader.metadata is not None
    assert reader.metadata.title == ("Internal migration and socio-economic development "
                                     "in Viet Nam")  # plain spaces in the metadata
    assert len(reader.outline) > 10


def test_page_labels_are_the_printed_page_numbers(reader: PdfReader, real_pdf: Path) -> None:
    assert "/PageLabels" in reader.trailer["/Root"]
    labels = reader.page_labels
    starts = _chapter_starts(reader)
    summary = starts["Summary"]
    assert labels[:summary] == ["i", "ii", "iii"][:summary]  # cover, its back, contents
    assert labels[summary] == "1"
    for index in (summary, starts["References"], len(labels) - 1):
        # The footer's last word is the printed page number.
        footer = _text(real_pdf, index + 1, "-x", "0", "-y", "780", "-W", "596", "-H", "62")
        assert footer.split()[-1] == labels[index], (index, footer)


# -- Figures and citations ----------------------------------------------------------------


def test_every_figure_in_the_tag_tree_has_alt_text(reader: PdfReader, real_pdf: Path) -> None:
    figures = [e for e in _structure(reader.trailer["/Root"]["/StructTreeRoot"])
               if e["/S"] == "/Figure"]
    # As many as the captions "Figure 1.2:" in the text (the charts of the chapters).
    captions = re.findall(r"Figure \d+\.\d+:", " ".join(_pages(real_pdf)))
    assert len(figures) >= len(captions) > 5
    missing = [i for i, figure in enumerate(figures) if not str(figure.get("/Alt", "")).strip()]
    assert not missing, f"figures without /Alt: {missing} of {len(figures)}"


def _links(reader: PdfReader, index: int) -> list[DictionaryObject]:
    return [a.get_object() for a in reader.pages[index].get("/Annots", [])
            if a.get_object()["/Subtype"] == "/Link"]


def _words(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """The words of a page with their boxes (x0, top, x1, bottom; points from the top)."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path),
                           "-"], capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def _link_text(link: DictionaryObject, words: list[tuple[float, float, float, float, str]],
               height: float) -> str:
    """The words whose centre is under a link's rectangles (its /QuadPoints when it spans
    lines), without the punctuation around them: "(United ... 2010a)." gives "United ...
    2010a"."""
    points = [float(p) for p in link.get("/QuadPoints", link["/Rect"])]
    boxes = ([(min(points[i:i + 8:2]), min(points[i + 1:i + 8:2]),
               max(points[i:i + 8:2]), max(points[i + 1:i + 8:2]))
              for i in range(0, len(points), 8)] if "/QuadPoints" in link
             else [tuple(points)])
    inside = []
    for x0, y0, x1, y1 in boxes:
        top, bottom = height - y1, height - y0
        inside += [w for w in words if x0 <= (w[0] + w[2]) / 2 <= x1
                   and top <= (w[1] + w[3]) / 2 <= bottom]
    text = " ".join(w[4] for w in sorted(inside, key=lambda w: (round(w[1]), w[0])))
    return text.strip("()[];,. ")


def test_citations_link_to_their_entry_in_the_reference_list(reader: PdfReader,
                                                            real_pdf: Path) -> None:
    starts = _chapter_starts(reader)
    references = starts["References"]
    summary = starts["Summary"]
    height = float(reader.pages[summary].mediabox.height)
    words = _words(real_pdf, summary + 1)
    cited: dict[str, set[tuple[int, float]]] = {}
    for link in _links(reader, summary):
        text = _link_text(link, words, height)
        if re.search(r"\b(1[89]|20)\d\d[a-z]?$", text):  # an author-year citation
            assert "/Dest" in link, text  # inside the document, not a web address
            target = link["/Dest"]
            cited.setdefault(text, set()).add(
                (reader.get_page_number(target[0].get_object()), round(float(target[3]))))
    assert len(cited) >= 5, cited
    # Each lands on the reference list, on the entry it names ("... Viet Nam. 2010a.").
    entries: dict[tuple[str, str], tuple[int, float]] = {}
    for index in range(references, len(reader.pages)):
        page_height = float(reader.pages[index].mediabox.height)
        words = _words(real_pdf, index + 1)
        for before, word in pairwise(words):
            if re.fullmatch(r"\d{4}[a-z]?\.", word[4]) and before[4].endswith("."):
                entries.setdefault((before[4].rstrip("."), word[4].rstrip(".")),
                                   (index, page_height - word[1]))
    checked = 0
    for text, targets in cited.items():
        assert len(targets) == 1, (text, targets)  # one destination per label
        page, y = next(iter(targets))
        assert page >= references, (text, page)
        *author, year = text.split()
        if author and (author[-1], year) in entries:
            entry_page, entry_y = entries[author[-1], year]
            # The destination is the top of the entry: on the year's line or the one
            # above it (a long author wraps), never at another entry.
            assert page == entry_page and -2 < y - entry_y < 24, (text, targets, entry_y)
            checked += 1
    assert checked >= 3, (cited, entries)


def test_author_year_labels_are_disambiguated_the_same_way_everywhere(real_pdf: Path) -> None:
    text = " ".join(_pages(real_pdf))
    # unvn2010brief (the advocacy brief) is 2010a, unvn2010discussion 2010b.
    assert ("United Nations in Viet Nam. 2010a. Internal Migration and Socio-Economic "
            "Development in Viet Nam: A Call to Action") in text
    assert ("United Nations in Viet Nam. 2010b. Internal Migration: Opportunities") in text
    assert "advocacy brief (United Nations in Viet Nam 2010a, 2010b)" in text
    assert not re.search(r"United Nations in Viet Nam,? 2010(?![ab])", text)


# -- Layout -------------------------------------------------------------------------------


def test_no_call_to_action_box_is_split_across_pages(built_real_book: Path,
                                                     real_pdf: Path) -> None:
    pages = _pages(real_pdf)
    chapters = [p.stem for p in (built_real_book / "chapters").glob("[0-9]*.qmd")]
    every = calls.load(built_real_book / "chapters" / "calls-to-action.yml", chapters=chapters)
    boxes = 0
    for chapter in sorted({c.chapter for c in every}):
        mine = [c for c in every if c.chapter == chapter]
        title = _flat(f"Call to action {mine[0].actor.capitalize()}: "
                      + " ".join(mine[0].text.split()[:6]))
        end = _flat(" ".join(mine[-1].text.split()[-6:]))
        found = [i for i, page in enumerate(pages) if title in page]
        assert len(found) == 1, (chapter, found)
        assert end in pages[found[0]], f"{chapter}: its Call to action box is split after " \
                                       f"page {found[0] + 1}"
        boxes += 1
    assert boxes >= 5


def _fill(path: Path, folder: Path) -> list[float]:
    """How far down the text area each page's ink reaches (0 empty, 1 full), from a
    30 dpi greyscale rendering; the footer is left out."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), str(folder / "p")], check=True)
    fills = []
    for image in sorted(folder.glob("p-*.pgm")):
        magic, width, height, _depth, pixels = image.read_bytes().split(maxsplit=4)
        assert magic == b"P5"
        w, h = int(width), int(height)
        top, bottom = round(h * 22 / 297), round(h * (297 - 24) / 297)  # the A4 margins
        inked = [y for y in range(top, bottom) if min(pixels[y * w:(y + 1) * w]) < 200]
        fills.append((max(inked) - top) / (bottom - top) if inked else 0.0)
    return fills


def test_no_page_is_under_a_quarter_full_except_the_last_of_a_chapter(
        reader: PdfReader, real_pdf: Path, tmp_path: Path) -> None:
    fills = _fill(real_pdf, tmp_path)
    assert len(fills) == len(reader.pages)
    last_pages = {start - 1 for start in _chapter_starts(reader).values()} | {len(fills) - 1}
    sparse = [(reader.page_labels[i], f"{fill:.0%}") for i, fill in enumerate(fills)
              if fill < 0.25 and i not in last_pages]
    assert not sparse, f"pages under a quarter full (label, fill): {sparse}"


# -- Cover and colophon -------------------------------------------------------------------


def test_the_cover_carries_the_key_message_and_its_back_the_licence(
        reader: PdfReader, real_pdf: Path, built_real_book: Path) -> None:
    settings = load_project(built_real_book).settings
    assert settings.key_message and settings.license
    cover = _text(real_pdf, 1)
    assert " ".join(settings.key_message.split()[:8]) in " ".join(cover.split())
    # keep-together: no line of the cover ends inside "Viet Nam" (or another phrase).
    for phrase in settings.keep_together:
        first = phrase.split()[0]
        assert not any(line.rstrip().endswith(first) for line in cover.splitlines()), phrase
    back = " ".join(_text(real_pdf, 2).split())
    assert settings.license.title in back and "Cite this brief" in back
    uris = [a["/A"]["/URI"] for a in _links(reader, 1) if "/A" in a]
    assert settings.license.path in uris


def test_keep_together_joins_whole_phrases_with_non_breaking_spaces() -> None:
    text = pdf.keep_together("Viet  Nam's cities, Ha Noi and Viet Namese",
                             ("Viet Nam", "Ha Noi"))
    assert text == "Viet\u00a0Nam's cities, Ha\u00a0Noi and Viet Namese"


# -- The template on small documents ------------------------------------------------------


def _compile(body: str, title: str = "Template test") -> bytes:
    """``body`` (Typst) in the book layout of the template, compiled as PDF/UA-1."""
    import typst

    source = (f'#let accent = rgb("#1f5f8b")\n{pdf.template_words(Strings())}'
              f'{pdf.TEMPLATE.read_text(encoding="utf-8")}\n'
              f"#show: book.with(title: {pdf.typst_string(title)}, author: \"Tester\")\n"
              f"{body}\n")
    result = typst.compile(source.encode("utf-8"), font_paths=[str(d) for d in font_dirs()],
                           ignore_system_fonts=True, pdf_standards=pdf.STANDARDS)
    assert isinstance(result, bytes)
    return result


def _page_texts(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "test.pdf"
    path.write_bytes(data)
    return [_flat(page.extract_text()) for page in PdfReader(path).pages]


CALLOUT = ('#callout(kind: "important", title: [Call to action])[\n'
           + "\n".join(f"- Step {i}: act on item number {i}." for i in range(1, 13))
           + "\n- Last step of the box.\n]")


def test_a_callout_that_does_not_fit_moves_whole_to_the_next_page(tmp_path: Path) -> None:
    # Enough text to leave about a third of the page: the box needs more than that.
    filler = "\n\n".join(f"Paragraph {i}. " + "Filler words for the page. " * 12
                         for i in range(9))
    pages = _page_texts(_compile(f"= Chapter\n{filler}\n\n{CALLOUT}\n"), tmp_path)
    body = pages[3:]  # after the cover, its back and the contents
    with_title = [i for i, text in enumerate(body) if "Call to action" in text]
    assert with_title and "Paragraph 8." in body[0]
    assert "Last step of the box." in body[with_title[0]], body


def test_a_callout_taller_than_a_page_breaks_rather_than_losing_its_end(tmp_path: Path) -> None:
    items = "\n".join(f"- Item {i} of a very long box." for i in range(90))
    source = f'= Chapter\n#callout(title: [Long])[\n{items}\n- The very end.\n]\n'
    pages = _page_texts(_compile(source), tmp_path)[3:]
    # Laid out whole, it would run off the foot of one page (Typst does not clip it, so
    # its text would still be there): it must continue on the next pages instead.
    first = next(i for i, text in enumerate(pages) if "Item 0 of" in text)
    last = next(i for i, text in enumerate(pages) if "The very end." in text)
    assert last > first, pages
    assert all(f"Item {i} of" in " ".join(pages) for i in range(90))


@pytest.mark.parametrize("paragraphs", range(5, 12))
def test_key_figures_are_boxes_in_reading_order_on_one_page(tmp_path: Path,
                                                            paragraphs: int) -> None:
    # Different amounts of text before the grid: one of them puts it at a page's foot.
    items = [("7.3 million", "people moved within the country in five years", "GSO 2020"),
             ("74%", "of population growth was urban", "Census 2019"),
             ("48 of 63", "provinces lost people through migration", "GSO 2025"),
             ("12 to 16 million", "migrants may be missing from the census", "Le 2005"),
             ("2.9 million", "people born in the country lived abroad", "UN DESA 2019")]
    call = "#key-figures(" + ", ".join(
        f"(number: [{n}], meaning: [{m}], source: [{s}])" for n, m, s in items) + ")"
    filler = "\n\n".join("Filler words for the page. " * 14 for _ in range(paragraphs))
    pages = _page_texts(_compile(f"= Summary\n{filler}\n\n{call}\n"), tmp_path)[3:]
    holding = [i for i, text in enumerate(pages) if "7.3 million" in text]
    assert len(holding) == 1
    text = pages[holding[0]]
    positions = [text.index(part) for item in items for part in item]
    assert positions == sorted(positions), text  # number, meaning, source, then the next
    assert "UN DESA 2019" in text  # the whole grid on one page


# -- Located errors -----------------------------------------------------------------------


def test_an_image_without_alt_text_gets_its_file_name_and_a_located_warning(
        built_mini: Path, tmp_path: Path) -> None:
    """PDF/UA needs alt text on every image: a Markdown image without any (Quarto
    allows it) is described by its file name, and the build says where to write one."""
    root = tmp_path / "mini"
    shutil.copytree(built_mini, root)
    chapter = root / "chapters" / "01-access.qmd"
    text = chapter.read_text(encoding="utf-8")
    chart = sorted((root / "_book" / "figures").glob("*.svg"))[0]
    shutil.copy(chart, root / "chapters" / "picture.svg")
    # An inline image (no caption, so no figure and no alt text), before the calls.
    text = text.replace("## Calls to action", "A picture: ![](picture.svg)\n\n"
                        "## Calls to action", 1)
    chapter.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "warning: image 'picture.svg' has no alt text" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    pdf_file = next((root / "_book").glob("brief-*.pdf"))
    tree = PdfReader(pdf_file).trailer["/Root"]["/StructTreeRoot"]
    alts = [str(e.get("/Alt")) for e in _structure(tree) if e.get("/S") == "/Figure"]
    assert "picture.svg" in alts, alts


def test_a_missing_title_is_a_located_error() -> None:
    import typst

    source = "#set text(lang: \"en\")\nText.\n"
    with pytest.raises(typst.TypstError) as caught:
        typst.compile(source.encode("utf-8"), font_paths=[str(d) for d in font_dirs()],
                      ignore_system_fonts=True, pdf_standards=pdf.STANDARDS)
    problems = pdf._problems(caught.value, source, "../site", title_key="_quarto.yml: book.title")
    assert problems == ["_quarto.yml: book.title: the PDF has no title, which PDF/UA-1 "
                        "requires (PDF readers announce it first; set one)"]


def test_key_figures_also_take_a_body_of_key_figure_calls(tmp_path: Path) -> None:
    # The form the Lua filter writes for a `.key-figures` div of the summary.
    call = ("#key-figures[\n#key-figure[7.3 million][moved in five years][GSO 2020]\n"
            "#key-figure[74%][of growth was urban][Census 2019]\n"
            "#key-figure[48 of 63][provinces lost people]\n]")
    text = " ".join(_page_texts(_compile(f"= Summary\n{call}\n"), tmp_path)[3:])
    parts = ["7.3 million", "moved in five years", "GSO 2020", "74%", "of growth was urban",
             "Census 2019", "48 of 63", "provinces lost people"]
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions), text
