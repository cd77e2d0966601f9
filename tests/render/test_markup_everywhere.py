"""A project whose every string carries markup (title, author, version, data labels,
a release's manifest) builds, and no script from any of them runs in the site: every
string is escaped where it is written. (Raw HTML that an author writes in a chapter's
Markdown is content, passed through as Quarto does, and is not tested here.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from brief.render.build import build

pytestmark = [pytest.mark.render, pytest.mark.browser]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
#: Each payload sets window.__pwned if it ever runs.
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "</script><script>window.__pwned=1</script>"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "mini"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("_book", "figures",
                                                                 ".brief-*"))
    config = root / "_quarto.yml"
    _replace(config, 'title: "Fixture brief: Nước sạch cho mọi địa phương"',
             f"title: {json.dumps('Fixture ' + IMG + SCRIPT)}")
    _replace(config, 'author: "Brief project team (fixture)"',
             f"author: {json.dumps('Team ' + SCRIPT)}")
    _replace(config, 'version: "9.9.9-fixture"', 'version: "9.9.9-fixture\\\\"')
    _replace(root / "data" / "areas.csv", "dong-tam,Đồng Tâm,", f'dong-tam,"Đồng {IMG}",')
    release = root / "releases" / "1.0.0"
    release.mkdir(parents=True)
    (release / "manifest.json").write_text(json.dumps(
        {"date": IMG, "pdf": "", "notes": SCRIPT, "changes": [IMG],
         "data_fingerprint": SCRIPT}), "utf-8")
    build(root)
    return root


def test_no_markup_from_any_input_runs_on_any_page(hostile: Path, serve, browser) -> None:
    site = hostile / "_book"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if "pagefind" not in p.parts)
    assert len(pages) >= 8
    with serve(site) as base:
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        errors: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name in pages:
            page.goto(base + name, wait_until="networkidle")
            assert page.evaluate("window.__pwned") is None, name
            # The banner (from versions.json) and the page's own data were read.
            assert page.evaluate("typeof PAGE") == "object", name
        context.close()
    assert dialogs == [] and errors == []
    summary = (site / "index.html").read_text("utf-8")
    assert "window.__pwned=1</script>" not in summary.split("<main", 1)[1]
