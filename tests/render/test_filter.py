"""The Lua filter on small fragments: callouts and cross-references, HTML and Typst."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brief.render import pandoc

TARGETS = {
    "fig-a": {"text": "Figure 2.1", "number": "2.1", "kind": "fig", "href": "#fig-a"},
    "sec-b": {"text": "Section 2.3", "number": "2.3", "kind": "sec", "href": "#sec-b"},
}


def _convert(tmp_path: Path, markdown: str, to: str) -> str:
    meta = tmp_path / "xref.json"
    meta.write_text(json.dumps({"targets": TARGETS, "charts": [], "root": ""}), "utf-8")
    text = f"---\nbrief-xref-file: {meta}\n---\n\n{markdown}"
    return pandoc.convert(text, pandoc.Options("markdown", to, brief_filter=True), "test")


CALLOUT = '::: {.callout-important title="Call to *action*"}\nDo it.\n:::\n'


def test_callout_in_html_is_a_titled_box(tmp_path):
    html = _convert(tmp_path, CALLOUT, "html5")
    expected = ('<div class="callout callout-important" role="region">'
                ' <div class="callout-title"> Call to <em>action</em> </div>'
                ' <div class="callout-body"> <p>Do it.</p> </div> </div>')
    assert " ".join(html.split()) == expected


def test_callout_in_typst_calls_the_template_box(tmp_path):
    typst = _convert(tmp_path, CALLOUT, "typst")
    assert typst.strip().splitlines() == [
        '#callout(kind: "important", appearance: "default", title: [Call to #emph[action]])[',
        "Do it.",
        "",
        "]",
    ]


def test_callout_without_title_is_named_by_its_kind(tmp_path):
    html = _convert(tmp_path, "::: {.callout-tip}\nHint.\n:::\n", "html5")
    assert '<div class="callout-title">\nTip\n</div>' in html


def test_an_untyped_callout_has_no_title_and_a_simple_look_unless_given_one(tmp_path):
    """As in Quarto: `.callout` alone is a box without a title band or a title."""
    plain = "::: {.callout}\nA box.\n:::\n"
    html = _convert(tmp_path, plain, "html5")
    assert "callout-title" not in html and 'class="callout callout-simple"' in html
    typst = _convert(tmp_path, plain, "typst")
    assert '#callout(kind: "note", appearance: "simple", title: none)[' in typst
    titled = _convert(tmp_path, '::: {.callout title="Mind"}\nA box.\n:::\n', "typst")
    assert 'title: [Mind])[' in titled
    minimal = _convert(tmp_path, '::: {.callout-tip appearance="minimal"}\nX.\n:::\n', "typst")
    assert 'appearance: "minimal", title: [Tip])[' in minimal


@pytest.mark.parametrize(("to", "expected"), [
    ("html5", '<a href="#fig-a" class="xref">Figure 2.1</a>'),
    ("typst", "#link(<fig-a>)[Figure 2.1]"),
])
def test_figure_reference_becomes_a_numbered_link(tmp_path, to, expected):
    out = _convert(tmp_path, "As @fig-a shows.\n", to)
    assert expected in out
    assert "cite" not in out


def test_unknown_reference_is_marked_not_dropped(tmp_path):
    assert "<strong>?@fig-zzz</strong>" in _convert(tmp_path, "See @fig-zzz.\n", "html5")


def test_heading_gets_its_number(tmp_path):
    html = _convert(tmp_path, "## Where {#sec-b}\n", "html5")
    assert '<span class="header-number">2.3</span> Where' in html


def test_the_filter_knows_the_same_cross_reference_kinds_as_the_numbering():
    """brief.lua and brief.render.xref each hold the list of prefixes (thm-, lst-...):
    a kind added to one only would be numbered and never linked, or the reverse."""
    import re

    from brief.render import xref

    lua = pandoc.FILTER.read_text("utf-8")
    block = re.search(r"local KINDS = \{(.*?)\}", lua, re.DOTALL)
    assert block is not None
    assert dict(re.findall(r'(\w+) = "(\w+)"', block.group(1))) == xref.KINDS
