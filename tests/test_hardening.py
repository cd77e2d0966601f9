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
                              fingerprint="x", pdf_name="brief-2.0.0.pdf")
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
