"""The calls to action: the project's file validates, bad files fail clearly, output is exact."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from brief import calls
from brief.calls import CallsError, CallToAction
from brief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((Path(__file__).parent / "cases" / "bad_calls.yml").read_text("utf-8"))
CHAPTERS = ["01-data-gaps", "02-registration-reform"]
INDICATORS = ["uncounted_migrants", "urban_growth_share"]


@pytest.fixture
def project(monkeypatch):
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(ROOT))
    return ROOT


def test_project_calls_validate_and_cover_every_chapter(project):
    loaded = calls.load()
    chapters = calls.known_chapters(project / "chapters")
    assert len(chapters) == 6
    for chapter in chapters:
        assert any(c.chapter == chapter for c in loaded), f"{chapter} has no call to action"
    assert {c.actor for c in loaded} == set(load_settings(project).actors)


def test_every_chapter_callout_renders(project):
    for chapter in calls.known_chapters(project / "chapters"):
        text = calls.callout(chapter)
        assert text.startswith('::: {.callout-important title="Call to action"}\n')
        assert text.endswith(":::\n")


#: The actors the bad-input cases' project accepts (its own ``brief: actors:`` list).
ACTORS_CONFIG = ("brief:\n  actors: [national government, provincial and local authorities, "
                 "employers, development partners, communities]\n")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_calls_file_gives_a_located_message(tmp_path, case):
    (tmp_path / "_quarto.yml").write_text(ACTORS_CONFIG, encoding="utf-8")
    path = tmp_path / "chapters" / "calls-to-action.yml"
    path.parent.mkdir()
    path.write_text(case["text"], encoding="utf-8")
    with pytest.raises(CallsError) as error:
        calls.load(path, chapters=CHAPTERS, indicators=INDICATORS)
    message = str(error.value)
    assert case["expected"] in message
    assert all(p.startswith("chapters/calls-to-action.yml") for p in error.value.problems)


def test_missing_file_says_what_is_expected(tmp_path):
    with pytest.raises(CallsError, match=r"calls-to-action.yml: file not found"):
        calls.load(tmp_path / "chapters" / "calls-to-action.yml", chapters=CHAPTERS,
                   indicators=INDICATORS)


def test_every_problem_is_reported_at_once(tmp_path):
    (tmp_path / "_quarto.yml").write_text(ACTORS_CONFIG, encoding="utf-8")
    path = tmp_path / "calls-to-action.yml"
    path.write_text("- id: cta-01-a\n  chapter: 01-data-gaps\n  actor: nobody\n"
                    "  text: Act.\n  indicators: [nothing]\n", encoding="utf-8")
    with pytest.raises(CallsError) as error:
        calls.load(path, chapters=CHAPTERS, indicators=INDICATORS)
    assert len(error.value.problems) == 2


def test_chapters_come_from_the_files_beside_the_yaml(tmp_path):
    for name in ("01-data-gaps.qmd", "a1-calls-to-action.qmd", "references.qmd"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert calls.known_chapters(tmp_path) == ["01-data-gaps"]


SAMPLE = [
    CallToAction("cta-02-b", "02-registration-reform", "employers", "Pay *fairly* [now].",
                 ("urban_growth_share",)),
    CallToAction("cta-01-a", "01-data-gaps", "national government", "Count everyone.",
                 ("uncounted_migrants", "urban_growth_share")),
    CallToAction("cta-01-c", "01-data-gaps", "communities", "Help newcomers.",
                 ("uncounted_migrants",), ("sending",)),
]


def test_callout_puts_the_actor_first_and_escapes_text():
    assert calls.callout("01-data-gaps", SAMPLE) == (
        '::: {.callout-important title="Call to action"}\n'
        "- **National government:** Count everyone.\n"
        "- **Communities:** Help newcomers.\n"
        ":::\n"
    )
    assert "Pay \\*fairly\\* \\[now\\]." in calls.callout("02-registration-reform", SAMPLE)


def test_callout_for_a_chapter_without_calls_is_an_error():
    with pytest.raises(ValueError, match="no calls to action for chapter '03-x'"):
        calls.callout("03-x", SAMPLE)


def test_by_actor_follows_the_actor_order_and_names_chapters(project):
    assert calls.by_actor(SAMPLE, level=2) == (
        "## National government {.unnumbered}\n\n"
        "- Count everyone. *(Chapter 1)*\n"
        "\n"
        "## Employers {.unnumbered}\n\n"
        "- Pay \\*fairly\\* \\[now\\]. *(Chapter 2)*\n"
        "\n"
        "## Communities {.unnumbered}\n\n"
        "- Help newcomers. *(Chapter 1)*\n"
    )


def test_without_an_actor_list_any_actor_is_accepted_in_order_of_appearance(tmp_path,
                                                                           monkeypatch):
    (tmp_path / "_quarto.yml").write_text("book:\n  title: T\n", encoding="utf-8")
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(tmp_path))
    path = tmp_path / "chapters" / "calls-to-action.yml"
    path.parent.mkdir()
    path.write_text("- id: cta-01-a\n  chapter: 01-x\n  actor: city hall\n  text: Act.\n"
                    "  indicators: [a]\n", encoding="utf-8")
    assert [c.actor for c in calls.load(path, chapters=["01-x"], indicators=["a"])] == [
        "city hall"]
    assert calls.actor_order(SAMPLE) == ["employers", "national government", "communities"]
    assert calls.by_actor(SAMPLE, level=2).startswith("## Employers {.unnumbered}")


def test_the_project_actor_list_orders_and_restricts_actors(tmp_path):
    (tmp_path / "_quarto.yml").write_text("brief:\n  actors: [communities, employers]\n",
                                          encoding="utf-8")
    assert calls.actor_order(SAMPLE, ["communities", "employers"]) == [
        "communities", "employers", "national government"]
    path = tmp_path / "chapters" / "calls-to-action.yml"
    path.parent.mkdir()
    path.write_text("- id: cta-01-a\n  chapter: 01-x\n  actor: city hall\n  text: Act.\n"
                    "  indicators: [a]\n", encoding="utf-8")
    with pytest.raises(CallsError, match=r"unknown actor 'city hall' \(expected one of: "
                                         r"communities, employers"):
        calls.load(path, chapters=["01-x"], indicators=["a"])


def test_to_csv_exports_every_call_and_rewrites_only_on_change(tmp_path):
    path = tmp_path / "out" / "calls-to-action.csv"
    assert calls.to_csv(path, SAMPLE) is True
    assert path.read_text("utf-8").splitlines() == [
        "id,chapter,actor,text,indicators,tags",
        "cta-02-b,02-registration-reform,employers,Pay *fairly* [now].,urban_growth_share,",
        "cta-01-a,01-data-gaps,national government,Count everyone.,"
        "uncounted_migrants; urban_growth_share,",
        "cta-01-c,01-data-gaps,communities,Help newcomers.,uncounted_migrants,sending",
    ]
    assert calls.to_csv(path, SAMPLE) is False


def test_tagged_calls_make_a_box_for_other_pages():
    assert calls.tagged("sending", SAMPLE) == (
        '::: {.callout-important title="Call to action"}\n'
        "- **Communities:** Help newcomers. *(Chapter 1)*\n"
        ":::\n"
    )
    with pytest.raises(ValueError, match="no call to action is tagged 'receiving'"):
        calls.tagged("receiving", SAMPLE)


def test_tags_must_be_a_list_of_words(tmp_path):
    path = tmp_path / "calls-to-action.yml"
    path.write_text("- id: cta-01-a\n  chapter: 01-x\n  actor: a\n  text: Act.\n"
                    "  indicators: [a]\n  tags: Receiving provinces\n", encoding="utf-8")
    with pytest.raises(CallsError, match="field 'tags': expected a list of lower-case words"):
        calls.load(path, chapters=["01-x"], indicators=["a"])
