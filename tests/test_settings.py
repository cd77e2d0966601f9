"""The project's `brief:` block: actors and house style, with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from brief import charts
from brief.settings import (
    DEFAULT_PALETTE,
    Settings,
    SettingsError,
    load_settings,
    parse_settings,
)

REPO = Path(__file__).resolve().parents[1]


def test_defaults_when_the_block_is_absent(tmp_path: Path) -> None:
    assert parse_settings({"book": {"title": "T"}}) == Settings()
    assert load_settings(tmp_path) == Settings()  # no _quarto.yml at all
    assert Settings().style.palette == DEFAULT_PALETTE


def test_the_real_brief_declares_its_actors_and_colours() -> None:
    settings = load_settings(REPO)
    assert settings.actors[0] == "national government"
    assert settings.style.accent == "#1f5f8b"
    assert settings.license is not None and settings.license.name == "CC-BY-4.0"
    assert settings.key_message and "Viet Nam" in settings.keep_together


def test_licence_message_and_phrases_are_read() -> None:
    settings = parse_settings(yaml.safe_load(
        "brief:\n  key-message: >-\n    Water for all\n    by 2030.\n"
        "  license:\n    name: CC-BY-4.0\n    title: Creative Commons Attribution 4.0\n"
        "    path: https://creativecommons.org/licenses/by/4.0/\n"
        "  keep-together: [North Hill]\n"))
    assert settings.key_message == "Water for all by 2030."
    assert settings.license is not None and settings.license.path.endswith("/by/4.0/")
    assert settings.keep_together == ("North Hill",)


@pytest.mark.parametrize(("block", "message"), [
    ("brief: [a, b]", "_quarto.yml: brief: expected a mapping (actors, style, factsheets, "),
    ("brief:\n  colours: x",
     "_quarto.yml: brief.colours: unknown key (expected one of actors, style, factsheets"),
    ("brief:\n  license: CC-BY", "brief.license: expected a mapping with name, title and"),
    ("brief:\n  license:\n    name: CC-BY-4.0\n    title: CC BY",
     "brief.license.path: expected a mapping with name, title and path"),
    ("brief:\n  license:\n    url: x", "brief.license.url: unknown key"),
    ("brief:\n  key-message: [a]", "brief.key-message: expected a sentence or two of text"),
    ("brief:\n  keep-together: Viet Nam", "brief.keep-together: expected a list"),
    ("brief:\n  actors: employers", "brief.actors: expected a list of names"),
    ("brief:\n  actors: [a, b, a]", "brief.actors: a listed twice"),
    ("brief:\n  style:\n    palette: [red]", "brief.style.palette[0]: 'red' is not a colour"),
    ("brief:\n  style:\n    palette: []", "brief.style.palette: expected a list of hex colours"),
    ("brief:\n  style:\n    muted: '#12345'", "brief.style.muted: '#12345' is not a colour"),
    ("brief:\n  style:\n    font: ''", "brief.style.font: expected a font family name"),
    ("brief:\n  style:\n    size: 3", "brief.style.size: unknown key"),
])
def test_bad_settings_say_which_key_and_what_was_expected(block: str, message: str) -> None:
    with pytest.raises(SettingsError) as error:
        parse_settings(yaml.safe_load(block))
    assert message in str(error.value)


def test_charts_use_the_projects_palette_and_font(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "_quarto.yml").write_text(
        'brief:\n  style:\n    palette: ["#112233", "#445566"]\n    muted: "#778899"\n'
        "    font: Noto Serif\n", "utf-8")
    monkeypatch.setenv("BRIEF_PROJECT_ROOT", str(tmp_path))
    theme = charts.theme()
    assert theme["range"]["category"] == ["#112233", "#445566", "#778899"]
    assert theme["font"] == "Noto Serif" and theme["axis"]["labelFont"] == "Noto Serif"
    import pandas as pd

    spec = charts.bar(pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]}), category="k",
                      value="v", unit="percent", title="T", highlight="a").to_dict()
    colours = spec["layer"][0]["encoding"]["color"]
    assert colours["condition"]["value"] == "#112233" and colours["value"] == "#778899"
