"""The calls to action: the project's file validates, bad files fail clearly, output is exact."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from brief import calls
from brief.calls import CallsError, CallToAction

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
    assert {c.actor for c in loaded} == set(calls.ACTORS)


def test_every_chapter_callout_renders(project):
    for chapter in calls.known_chapters(project / "chapters"):
        text = calls.callout(chapter)
        assert text.startswith('::: {.callout-important title="Call to action"}\n')
        assert text.endswith(":::\n")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_calls_file_gives_a_located_message(tmp_path, case):
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
                 ("uncounted_migrants",)),
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


def test_by_actor_follows_the_actor_order_and_names_chapters():
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


def test_to_csv_exports_every_call_and_rewrites_only_on_change(tmp_path):
    path = tmp_path / "out" / "calls-to-action.csv"
    assert calls.to_csv(path, SAMPLE) is True
    assert path.read_text("utf-8").splitlines() == [
        "id,chapter,actor,text,indicators",
        "cta-02-b,02-registration-reform,employers,Pay *fairly* [now].,urban_growth_share",
        "cta-01-a,01-data-gaps,national government,Count everyone.,"
        "uncounted_migrants; urban_growth_share",
        "cta-01-c,01-data-gaps,communities,Help newcomers.,uncounted_migrants",
    ]
    assert calls.to_csv(path, SAMPLE) is False
