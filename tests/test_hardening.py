"""Hardening: nothing from outside the project is read or published, and no input
string is spliced into code (chapter names, release manifests, page data)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from brief.release import ReleaseRefused, list_releases
from brief.render.errors import RenderError
from brief.render.html import _script_json
from brief.render.project import load_project
from brief.render.versions import pdf_links


def _release(releases: Path, version: str, **manifest: object) -> Path:
    folder = releases / version
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"date": "2026-01-01", **manifest}),
                                          "utf-8")
    return folder


@pytest.mark.parametrize(("manifest", "message"), [
    ({"pdf": "../../../../secret.txt"}, "pdf '../../../../secret.txt' is not a file name in"),
    ({"pdf": "/etc/passwd.pdf"}, "is not a file name in the release's own folder"),
    ({"pdf": ["a.pdf"]}, "is not a file name"),
    ({"changes": "all"}, "changes must be a list of texts"),
    ({"date": {"$gt": 1}}, "date must be text"),
])
def test_a_manifest_naming_anything_outside_its_folder_is_refused(tmp_path: Path, manifest,
                                                                   message: str) -> None:
    _release(tmp_path, "1.0.0", **manifest)
    with pytest.raises(ReleaseRefused) as error:
        list_releases(tmp_path)
    assert str(error.value).startswith("releases/1.0.0/manifest.json: ")
    assert message in str(error.value)


def test_a_manifest_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    folder = _release(tmp_path, "1.0.0")
    (folder / "manifest.json").write_text("[1, 2]", "utf-8")
    with pytest.raises(ReleaseRefused, match="expected a JSON object"):
        list_releases(tmp_path)


def test_a_symlinked_past_pdf_is_never_published(tmp_path: Path) -> None:
    releases, site = tmp_path / "releases", tmp_path / "site"
    secret = tmp_path / "outside.txt"
    secret.write_text("private", "utf-8")
    (_release(releases, "1.0.0", pdf="brief-1.0.0.pdf") / "brief-1.0.0.pdf").symlink_to(secret)
    (_release(releases, "1.1.0", pdf="brief-1.1.0.pdf") / "brief-1.1.0.pdf").write_bytes(
        b"%PDF-1.7 real")
    project = SimpleNamespace(releases=list_releases(releases), version="2.0.0",
                              fingerprint="x", pdf_name="brief-2.0.0.pdf", edition="")
    links = pdf_links(project, releases, site)
    assert links == {"1.1.0": "releases/1.1.0/brief-1.1.0.pdf"}
    assert not (site / "releases" / "1.0.0").exists()


@pytest.mark.parametrize("name", ['chapters/"><img src=x onerror=alert(1)>.qmd',
                                  "chapters/[/y].qmd", "chapters/" + "x" * 250 + ".qmd",
                                  "chapters/.hidden.qmd", "chapters/../../x.qmd"])
def test_a_chapter_name_that_would_become_markup_or_leave_the_project_is_refused(
        tmp_path: Path, name: str) -> None:
    (tmp_path / "_quarto.yml").write_text(json.dumps(
        {"book": {"title": "T", "chapters": ["index.qmd", name]}}), "utf-8")
    (tmp_path / "index.qmd").write_text("# T\n", "utf-8")
    with pytest.raises(RenderError) as error:
        load_project(tmp_path)
    assert "book.chapters[1]" in str(error.value)


def test_page_data_is_json_that_no_string_can_break_out_of() -> None:
    text = _script_json({"version": "1.0\\", "fingerprint": "</script><script>alert(1)",
                         "root": "\u2028"})
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text)["version"] == "1.0\\"


def test_terminal_text_from_data_is_printed_as_text() -> None:
    from rich.console import Console

    from brief import terminal
    from brief.problems import Problem

    shown = str(Problem("data/x.csv", "label \x1b]0;owned\x07 here", 3, "co\x1b[2Jl"))
    assert "\x1b" not in shown and "\\x1b" in shown
    console = Console(record=True, width=80)
    console.print(terminal.cell("Share [/x] of [bold]all[/bold]"))
    assert "Share [/x] of [bold]all[/bold]" in console.export_text()


def test_a_date_beyond_the_calendar_is_a_located_error(monkeypatch) -> None:
    from brief.render.project import source_date

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    with pytest.raises(RenderError, match="SOURCE_DATE_EPOCH=99999999999999 is not a date"):
        source_date()


def test_a_port_out_of_range_is_a_usage_error() -> None:
    from click.testing import CliRunner

    from brief.cli import cli

    result = CliRunner().invoke(cli, ["preview", "--port", "70000"])
    assert result.exit_code == 2 and "70000 is not in the range 1<=x<=65535" in result.output


@pytest.mark.parametrize(("indicators", "message"), [
    ('{"x": 1}', "indicators.json: expected a list of indicators"),
    ("null", "indicators.json: expected a list of indicators"),
    ('[{"value": 3}]', "indicators.json: entry 1 has no id"),
    ('[{"id": "a", "value": "x"}]', "indicators.json: a: value 'x' is not a number"),
    ("[[[[", "is damaged (JSONDecodeError"),
    ("[" * 100_000, "is damaged"),
])
def test_brief_diff_on_a_damaged_release_says_which_file(tmp_path: Path, indicators: str,
                                                         message: str) -> None:
    from brief.release import load_release_indicators

    folder = _release(tmp_path, "1.0.0", pdf="brief-1.0.0.pdf", inputs={"data/a.csv": "ab"})
    (folder / "indicators.json").write_text(indicators, "utf-8")
    with pytest.raises(ReleaseRefused) as error:
        load_release_indicators(tmp_path)
    assert str(error.value).startswith("releases/1.0.0/") and message in str(error.value)


def test_links_out_of_data_and_undecodable_names_are_refused_not_read(project: Path) -> None:
    import os

    from click.testing import CliRunner

    from brief.cli import cli
    from brief.diff import file_hashes

    secret = project / "secret.txt"
    secret.write_text("private", "utf-8")
    (project / "data" / "notes.txt").symlink_to(secret)
    with open(os.path.join(os.fsencode(project / "data"), b"caf\xe9.txt"), "w") as handle:
        handle.write("x")
    result = CliRunner().invoke(cli, ["check", "--project", str(project)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "data/notes.txt: is a link to a file outside data/" in result.output
    assert "data/caf\\xe9.txt: has a file name that is not UTF-8 text" in result.output
    hashes = file_hashes(project / "data")
    assert "notes.txt" not in hashes and "caf\\xe9.txt" in hashes  # hashed, never followed


@pytest.mark.parametrize("bibliography", ["../../outside.bib", "/etc/passwd", "link.bib"])
def test_a_bibliography_outside_the_project_is_refused(tmp_path: Path,
                                                       bibliography: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "outside.bib").write_text("@book{a, title={A}}\n", "utf-8")
    (root / "link.bib").symlink_to(tmp_path / "outside.bib")
    (root / "_quarto.yml").write_text(json.dumps(
        {"book": {"title": "T", "chapters": ["index.qmd"]}, "bibliography": bibliography}),
        "utf-8")
    (root / "index.qmd").write_text("# T\n", "utf-8")
    with pytest.raises(RenderError, match="bibliography"):
        load_project(root)


def test_the_progress_line_prints_a_path_as_it_is() -> None:
    from rich.console import Console

    from brief.render.report import ConsoleProgress

    console = Console(record=True, width=100, color_system=None)
    ConsoleProgress(console).chapter("chapters/[/y]\x1b[2J.qmd", cached=False)
    text = console.export_text()
    assert "executed  chapters/[/y]\\x1b[2J.qmd" in text and "[dim]" not in text
