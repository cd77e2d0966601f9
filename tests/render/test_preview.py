"""`brief preview`: serves the built site, rebuilds on change, tells the page to reload."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from brief.preview import STATE_PATH, Preview
from brief.render.build import build

pytestmark = pytest.mark.render


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_preview_rebuilds_and_signals_reload(built_mini: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(built_mini, root)
    preview = Preview(root, lambda: build(root), root / "_book", port=0, interval=0.2)
    preview.start()
    try:
        page = fetch(preview.url + "chapters/01-access.html")
        assert STATE_PATH in page  # the reload script is injected into what is served
        assert STATE_PATH not in (root / "_book" / "chapters" / "01-access.html").read_text()
        state = json.loads(fetch(preview.url + STATE_PATH.lstrip("/")))
        chapter = root / "chapters" / "01-access.qmd"
        chapter.write_text(chapter.read_text("utf-8").replace(
            "Piped coverage rose to", "In the preview, piped coverage rose to"), "utf-8")

        def rebuilt() -> bool:
            now = json.loads(fetch(preview.url + STATE_PATH.lstrip("/")))
            return now["generation"] > state["generation"]

        wait_for(rebuilt)
        assert "In the preview, piped coverage rose to" in fetch(
            preview.url + "chapters/01-access.html")

        chapter.write_text(chapter.read_text("utf-8") + "\n```{python}\n1/0\n```\n", "utf-8")
        wait_for(lambda: json.loads(fetch(preview.url + STATE_PATH.lstrip("/")))["error"])
        error = json.loads(fetch(preview.url + STATE_PATH.lstrip("/")))["error"]
        assert "ZeroDivisionError" in error and "01-access.qmd" in error
    finally:
        preview.stop()
