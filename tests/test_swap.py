"""The output swap leaves no moment without a complete output folder, and a build
stopped by force is mended by the next one (no leftover staging folders)."""

from __future__ import annotations

from pathlib import Path

from brief.render.build import OUTPUT_MARKER, exchange, recover, swap_into_place


def _site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text, "utf-8")
    (folder / OUTPUT_MARKER).write_text("x", "utf-8")
    return folder


def test_two_folders_change_places_in_one_step(tmp_path: Path) -> None:
    a, b = _site(tmp_path / "a", "new"), _site(tmp_path / "b", "old")
    assert exchange(a, b)  # Linux has renameat2; elsewhere the two renames are used
    assert (b / "index.html").read_text("utf-8") == "new"
    assert (a / "index.html").read_text("utf-8") == "old"


def test_the_swap_puts_the_new_site_in_place_and_the_old_one_aside(tmp_path: Path) -> None:
    output = _site(tmp_path / "_book", "old")
    staging = tmp_path / ".brief-staging-1"
    new = _site(staging / "site", "new")
    swap_into_place(new, output, staging / "previous")
    assert (output / "index.html").read_text("utf-8") == "new"
    assert (staging / "previous" / "index.html").read_text("utf-8") == "old"


def test_a_stop_between_two_renames_is_mended_by_the_next_command(tmp_path: Path) -> None:
    output = tmp_path / "_book"
    _site(tmp_path / ".brief-staging-abc" / "previous", "old")  # output moved aside...
    _site(tmp_path / ".brief-staging-abc" / "site", "new")      # ...the new not yet in place
    _site(tmp_path / ".brief-staging-def" / "site", "half")     # another killed build
    recover(tmp_path, output)
    assert (output / "index.html").read_text("utf-8") == "old"
    assert list(tmp_path.glob(".brief-staging-*")) == []


def test_leftovers_go_and_a_present_output_stays(tmp_path: Path) -> None:
    output = _site(tmp_path / "_book", "current")
    _site(tmp_path / ".brief-staging-abc" / "previous", "older")
    recover(tmp_path, output)
    assert (output / "index.html").read_text("utf-8") == "current"
    assert list(tmp_path.glob(".brief-staging-*")) == []
