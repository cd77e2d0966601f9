"""The .qmd parser: cells, options, inline expressions, line numbers, warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from brief.render.errors import RenderError
from brief.render.qmd import Markdown, parse, placeholder

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "cases" / "qmd.yml")
                       .read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_parse_cases(case):
    doc = parse(case["source"], "chapters/x.qmd")
    assert doc.title == case["title"]
    assert [[c.label, c.line] for c in doc.cells] == case["cells"]
    assert [[i.expr, i.line] for i in doc.inlines] == case["inlines"]
    if "options" in case:
        assert doc.cells[0].options == case["options"]
    found = [(w.message, w.line) for w in doc.warnings]
    assert len(found) == len(case["warnings"]), found
    for (needle, line), (message, at) in zip(case["warnings"], found, strict=True):
        assert needle in message
        assert at == line


def test_inline_expressions_become_placeholders_in_prose():
    doc = parse("A `{python} fmt('x')` b.\n", "index.qmd")
    prose = [p for p in doc.parts if isinstance(p, Markdown)]
    assert prose[0].text.strip() == f"A {placeholder(0)} b."


def test_cell_code_excludes_option_lines():
    doc = parse("```{python}\n#| label: fig-a\nx = 1\nx\n```\n", "c.qmd")
    assert doc.cells[0].code == "x = 1\nx"
    assert doc.cells[0].where() == "cell fig-a"


@pytest.mark.parametrize(("source", "expected"), [
    ("---\ntitle: [unclosed\n---\n", "c.qmd:2: front matter is not valid YAML"),
    ("---\ntitle: x\n", "c.qmd:1: front matter opened with --- is never closed"),
    ("```{python}\nx = 1\n", "c.qmd:1: python cell is never closed"),
    ("```{python}\n#| label: [x\nx\n```\n", "c.qmd:2: cell options"),
    ("text\n```{python}\n#| label: ../../x\nx\n```\n", "c.qmd:3: cell label '../../x' is not"),
    ("```{python}\n#| label: fig-1.\nx\n```\n", "c.qmd:2: cell label 'fig-1.' is not"),
])
def test_malformed_sources_are_located_errors(source, expected):
    with pytest.raises(RenderError, match="^" + expected.replace("[", r"\[")):
        parse(source, "c.qmd")


def test_a_label_may_number_itself_with_inner_dots():
    """As some books do (``fig-1.1``): a valid id and file name in both outputs."""
    doc = parse("```{python}\n#| label: fig-1.1\nx = 1\n```\n", "c.qmd")
    assert doc.cells[0].label == "fig-1.1"


def test_eval_false_in_execute_options_keeps_cells_from_running():
    page = parse("---\nexecute:\n  eval: false\n---\n\n```{python}\nx = 1\n```\n\n"
                 "```{python}\n#| eval: true\ny = 2\n```\n", "p.qmd")
    assert [c.code for c in page.runnable_cells()] == ["y = 2"]  # the page's own
    plain = parse("```{python}\nx = 1\n```\n", "q.qmd")
    assert [c.code for c in plain.runnable_cells()] == ["x = 1"]
    project = plain.execute_options({"eval": False})  # _quarto.yml's execute:
    assert plain.runnable_cells(project) == []


def test_a_page_titled_by_a_heading_after_a_callout():
    page = parse("::: {.callout-warning}\nStill a draft.\n:::\n\n# Preface {.unnumbered}\n\n"
                 "Text.\n", "index.qmd")
    assert page.title == "Preface"
    inside = parse("::: {#def-x}\n# Factorial\nn!\n:::\n\n```python\n# a comment\n```\n",
                   "p.qmd")
    assert inside.title == ""  # a definition's title and a code comment are not the page's
