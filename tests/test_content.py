"""The brief's content: every chapter runs, cites real sources, states numbers from data only
and does not reuse the seed documents' sentences.

These checks read the .qmd sources directly, so they run without the render engine.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import pytest
import yaml

from brief import calls
from brief.display import indicators

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CHAPTER_FILES = sorted(p for p in (ROOT / "chapters").glob("[0-9][0-9]-*.qmd")
                       if not p.name.endswith(".vi.qmd"))
QMD_FILES = [ROOT / "index.qmd", *sorted((ROOT / "chapters").glob("*.qmd")),
             *sorted((ROOT / "provinces").glob("*.qmd"))]
#: The English pages, and their Vietnamese twins (``*.vi.qmd``).
ENGLISH_FILES = [p for p in QMD_FILES if not p.name.endswith(".vi.qmd")]
TWIN_FILES = [p for p in QMD_FILES if p.name.endswith(".vi.qmd")]

CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
OPTION = re.compile(r"^#\|\s*([\w-]+):\s*(.*)$", re.M)
ID_CALL = re.compile(r"\b(?:fmt|value|cite|get)\(\s*[\"']([a-z0-9_]+)[\"']")
CITATION = re.compile(r"@([A-Za-z][\w:-]*)")


@pytest.fixture(autouse=True)
def project(monkeypatch):
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(ROOT))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def cells(text: str) -> list[tuple[dict[str, str], str]]:
    """The python cells of a .qmd: (options, code)."""
    return [(dict(OPTION.findall(code)), code) for code in CELL.findall(text)]


def prose(text: str) -> str:
    """The text a reader sees as written: no front matter, code cells or inline code."""
    text = re.sub(r"\A---\n.*?\n---\n", "\n", text, flags=re.S)
    text = CELL.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return re.sub(r"`[^`\n]*`", " ", text)


def test_the_book_has_the_expected_files():
    names = [rel(p) for p in QMD_FILES]
    for name in ("index.qmd", "chapters/01-data-gaps.qmd", "chapters/06-return-migration.qmd",
                 "chapters/a1-calls-to-action.qmd", "chapters/a2-glossary.qmd",
                 "chapters/a3-data-and-methods.qmd", "chapters/references.qmd"):
        assert name in names
    assert len(CHAPTER_FILES) == 6


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=rel)
def test_chapter_has_findings_chart_and_call_to_action(path):
    text = path.read_text("utf-8")
    assert re.search(r'^title: ".+"$', text, re.M), "front matter needs a title"
    assert '::: {.callout-note title="Key findings"}' in text
    found = cells(text)
    assert "from brief.display import fmt" in found[0][1], "the first cell sets up helpers"
    charts = [(i, o, c) for i, (o, c) in enumerate(found)
              if o.get("label", "").startswith("fig-")]
    assert len(charts) >= 2, "a chapter needs at least two chart cells labelled fig-..."
    for index, options, code in charts:
        label = options["label"]
        assert re.search(r"charts\.(bar|grouped_bar|line|tile_map)\(", code), label
        following = found[index + 1] if index + 1 < len(found) else ({}, "")
        assert following[0].get("output") == "asis" and "source_line(" in following[1], (
            f"{label}: the next cell must print the chart's source line")
        assert options.get("fig-cap") and options.get("fig-alt"), f"{label}: caption and alt"
        alt = re.sub(r"\bKT\d\b", "", options["fig-alt"])  # registration statuses are names
        assert not re.search(r"\d", alt), f"{label}: keep numbers out of fig-alt"
        assert f"@{label}" in prose(text), f"{label} is never referenced in the prose"
    callout = [c for o, c in found if o.get("output") == "asis" and "calls.callout(" in c]
    assert callout and f'calls.callout("{path.stem}")' in callout[0], "closing call to action"
    for heading in re.findall(r"^## .*$", text, re.M):
        assert re.search(r"\{#sec-[a-z0-9-]+\}$", heading), f"heading without an id: {heading}"


def test_every_indicator_id_used_exists():
    known = set(indicators())
    for path in QMD_FILES:
        for name in ID_CALL.findall(path.read_text("utf-8")):
            assert name in known, f"{rel(path)}: unknown indicator {name!r}"


def test_every_citation_is_in_references_bib():
    bib = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text("utf-8"),
                         re.M))
    for path in QMD_FILES:
        text = prose(path.read_text("utf-8"))
        for group in re.findall(r"\[([^\]]*@[^\]]*)\]", text):
            for key in CITATION.findall(group):
                assert key in bib, f"{rel(path)}: [@{key}] is not in references.bib"
    import json

    package = json.loads((ROOT / "data" / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        for source in resource["sources"]:
            assert source["key"] in bib, f"data source {source['key']} is not in references.bib"


def test_cross_references_point_at_labels_that_exist():
    labels: set[str] = set()
    for path in QMD_FILES:
        text = path.read_text("utf-8")
        labels |= set(re.findall(r"\{#((?:sec|fig|tbl)-[a-z0-9-]+)", text))
        labels |= {o["label"] for o, _ in cells(text) if "label" in o}
    for path in QMD_FILES:
        for ref in re.findall(r"(?<![\w\[])@((?:sec|fig|tbl)-[a-z0-9-]+)",
                              prose(path.read_text("utf-8"))):
            assert ref in labels, f"{rel(path)}: @{ref} points nowhere"


# Digits a reader may see in prose without a data expression: years, law numbers,
# registration statuses, age bands that define a group, chapter and section numbers, and
# calendar dates. Anything else
# is a figure and must come from the indicator catalogue.
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ALLOWED = re.compile(
    r"\b(?:19[7-9]\d|20[0-2]\d|2030)\b"  # years 1970-2030
    r"|\b\d+/\d{4}/QH\d+\b"  # law numbers such as 68/2020/QH14
    r"|\bKT\d\b"  # registration statuses KT1-KT4
    r"|\baged \d{1,2}(?:[–-]\d{1,2}\b| and over\b)"  # age groups: aged 15–39, aged 5 and over
    r"|\bper 1,000\b"  # the unit of a rate
    rf"|\b\d{{1,2}} (?:{MONTHS})\b"  # the day in a date
    r"|\b(?:[Cc]hapters?|[Pp]art|[Ss]ection|[Aa]nnex) \d+(?: (?:to|and) \d+)?\b"
)


def literal_numbers(text: str) -> list[tuple[int, str]]:
    """Digits in prose that are not on the allowed list, with their line numbers."""
    found = []
    for number, line in enumerate(prose(text).splitlines(), start=1):
        line = re.sub(r"\[[^\]]*@[^\]]*\]|@[\w:-]+|\{[#.][^}]*\}", " ", line)  # refs, attrs
        line = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", line)  # direct quotations
        line = ALLOWED.sub(" ", line)
        found += [(number, token) for token in re.findall(r"\S*\d\S*", line)]
    return found


@pytest.mark.parametrize("path", ENGLISH_FILES, ids=rel)
def test_no_literal_numbers_in_prose(path):
    assert literal_numbers(path.read_text("utf-8")) == []


#: What Vietnamese prose writes in digits where English writes words: counts of years,
#: months, days, ages and chapters ("5 năm", "ngày 1 tháng 7", "15–59 tuổi") and "1.000"
#: of a rate; never a figure with a decimal, a percent or thousands.
SMALL_COUNT = re.compile(r"^(\d{1,2}|\d{1,2}–\d{1,2}|1\.000)$")


@pytest.mark.parametrize("path", TWIN_FILES, ids=rel)
def test_no_figures_typed_into_vietnamese_prose(path):
    typed = [(line, number) for line, number in literal_numbers(path.read_text("utf-8"))
             if not SMALL_COUNT.match(number.rstrip(".,:;)]"))]
    assert typed == []


def test_the_vietnamese_number_check_catches_figures():
    text = "Có 7,3 triệu người, tức 84%, trong 96.208.984 dân; 5 năm, ngày 1 tháng 7."
    assert [n for _, n in literal_numbers(text) if not SMALL_COUNT.match(n.rstrip(".,;"))
            ] == ["7,3", "84%,", "96.208.984"]


@pytest.mark.parametrize("sample, expected", [
    ("In 2009 the Law No. 68/2020/QH14 took effect on 1 July 2021 (chapter 2).", []),
    ("KT3 or KT4 residents, chapters 1 to 5.", []),
    ("Most migrants were aged 15–39 [@a].", []),
    ("People aged 5 and over, per 1,000 population.", []),
    ("About 5 and over 1,000 people.", [(1, "5"), (1, "1,000")]),
    ("Some 84% were 15–39.", [(1, "84%"), (1, "15–39.")]),
    ("About 42% of migrants `{python} fmt(\"x\")`.", [(1, "42%")]),
    ("Some 7.3 million people [@census2009].", [(1, "7.3")]),
    ('They said "up to 15 times" [@a].', []),
])
def test_literal_number_check(sample, expected):
    assert literal_numbers(sample) == expected


# ---------------------------------------------------------------- our own words

WORDS = re.compile(r"[^\W_]+", re.U)
SHINGLE = 10


def shingles(text: str) -> set[str]:
    """Every run of ten consecutive words, lower-cased (as ../shared/hooks/seed_overlap.py)."""
    words = [w.lower() for w in WORDS.findall(text)]
    return {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def test_no_ten_word_run_is_copied_from_the_seeds():
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}; the check needs ../shared/seeds")
    seed: set[str] = set()
    for path in SEEDS.glob("*.txt"):
        seed |= shingles(re.sub(r"\s+", " ", path.read_text("utf-8")))
    texts = {rel(p): prose(p.read_text("utf-8")) for p in QMD_FILES}
    texts["chapters/calls-to-action.yml"] = "\n\n".join(c.text for c in calls.load())
    shared = [(name, run) for name, text in texts.items() for run in shingles(text) & seed]
    assert shared == []


# ---------------------------------------------------------------- execution


def run_qmd(path: Path, charts: list[dict] | None = None) -> str:
    """Run a .qmd's cells and inline expressions in order, as a kernel would.

    Returns the page as Markdown with inline values and printed cell output in place
    (cell code left out). The last expression of a chart cell is turned into its
    Vega-Lite dict, which validates the spec against the schema. The cells run in the
    page's folder, as in Quarto and the engine.
    """
    with contextlib.chdir(path.parent):
        return _run_in_place(path, charts)


def _run_in_place(path: Path, charts: list[dict] | None) -> str:
    text = path.read_text("utf-8")
    namespace: dict[str, object] = {"__name__": "__qmd__"}
    # A parameterised template (a factsheet) runs with its default parameters, as Quarto
    # would render it on its own.
    front = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    params = (yaml.safe_load(front.group(1)) or {}).get("params") if front else None
    if isinstance(params, dict):
        namespace.update(params)
        namespace["params"] = dict(params)

    def inline(match: re.Match[str]) -> str:
        result = eval(match.group(1), namespace)
        assert isinstance(result, str), f"{match.group(1)} gave {result!r}, expected text"
        return result

    output = io.StringIO()
    position = 0
    for match in CELL.finditer(text):
        output.write(INLINE.sub(inline, text[position:match.start()]))
        tree = ast.parse(match.group(1))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(output):
            exec(compile(tree, str(path), "exec"), namespace)
            if last is not None:
                shown = eval(compile(ast.Expression(last.value), str(path), "eval"), namespace)
                if hasattr(shown, "to_dict"):
                    spec = shown.to_dict()
                    if charts is not None:
                        charts.append(spec)
        position = match.end()
    output.write(INLINE.sub(inline, text[position:]))
    return output.getvalue()


@pytest.mark.parametrize("path", QMD_FILES, ids=rel)
def test_every_page_executes(path):
    run_qmd(path)


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=rel)
def test_every_chapter_charts_a_real_series(path):
    """At least two charts per chapter, one of them drawn from ten or more data points."""
    specs: list[dict] = []
    run_qmd(path, specs)
    assert len(specs) >= 2
    sizes = [len(rows) for spec in specs for rows in spec.get("datasets", {}).values()]
    assert max(sizes) >= 10, f"largest chart has {max(sizes)} points"


def test_inline_numbers_follow_the_data():
    from brief.display import fmt

    out = run_qmd(ROOT / "chapters" / "04-urban-planning.qmd")
    assert fmt("urban_growth_share") in out and fmt("urban_population_growth") in out


def test_a_new_census_row_changes_the_text(tmp_path, monkeypatch):
    """Adding a census moves every census-based sentence to the two latest censuses."""
    import shutil

    from brief import display

    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    shutil.copytree(ROOT / "indicators", tmp_path / "indicators")
    shutil.copy(ROOT / "_language-vi.yml", tmp_path / "_language-vi.yml")
    # An invented census row (made up for this test, not a published figure).
    with (tmp_path / "data" / "census_population.csv").open("a", encoding="utf-8") as f:
        f.write("2029,104000000,40000000\n")
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(tmp_path))
    display.reset()
    try:
        out = run_qmd(tmp_path / "chapters" / "04-urban-planning.qmd")
        assert "Between 2019 and 2029 the urban population grew by" in out
        # (40,000,000 - 33,122,548) / (104,000,000 - 96,208,984): the invented decade.
        assert display.fmt("urban_growth_share") == "88%"
        assert "took 88% of the country" in out
        # The Vietnamese twin moves with the same row, in its own number format.
        monkeypatch.setenv("BRIEF_LANGUAGE", "vi")
        out = run_qmd(tmp_path / "chapters" / "04-urban-planning.vi.qmd")
        assert "Từ năm 2019 đến năm 2029, dân số thành thị tăng thêm" in out
        assert "chiếm 88% mức tăng dân số của cả nước" in out
    finally:
        display.reset()


#: A word with a letter only Vietnamese uses here (ơ, ư, đ, ă, or a stacked or dotted
#: vowel of Latin Extended Additional).
VIETNAMESE_WORD = re.compile(r"\S*[ơưđăƠƯĐĂ\u1ea0-\u1ef9]\S*")
MARKED_VIETNAMESE = re.compile(r"\[[^\]]+\]\{lang=\"vi\"\}")


@pytest.mark.parametrize("path", ENGLISH_FILES, ids=rel)
def test_vietnamese_terms_in_english_prose_are_marked_as_vietnamese(path):
    """Screen readers and hyphenation need `lang="vi"` on "hộ khẩu" in an English page."""
    text = MARKED_VIETNAMESE.sub(" ", prose(path.read_text("utf-8")))
    text = re.sub(r"\{#[^}]*\}", " ", text)
    assert VIETNAMESE_WORD.findall(text) == []
