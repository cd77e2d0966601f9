"""The charts' static fonts: made once per machine, Vietnamese included."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from brief.render import fonts
from brief.render.errors import RenderError

pytestmark = pytest.mark.render

TEXT = "Nguyễn Thị Hằng, Đắk Lắk: 7,7 triệu đồng (₫) − 12%"


def test_chart_fonts_are_static_cut_and_cover_vietnamese(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    fonts.chart_font_dir.cache_clear()
    try:
        folder = fonts.chart_font_dir()
        assert folder.parent == tmp_path
        made = sorted(folder.glob("*.ttf"))
        assert [p.name for p in made] == [f"NotoSans-{w}.ttf" for w in fonts.CHART_WEIGHTS]
        for path, weight in zip(made, fonts.CHART_WEIGHTS, strict=True):
            font = TTFont(path)
            assert "fvar" not in font  # a static instance
            assert font["OS/2"].usWeightClass == weight
            covered = font.getBestCmap()
            assert [c for c in TEXT if ord(c) not in covered] == []
            assert path.stat().st_size < 200_000  # cut from about 2 MB
        stamp = made[0].stat().st_mtime_ns
        fonts.chart_font_dir.cache_clear()
        assert fonts.chart_font_dir() == folder  # found, not made again
        assert made[0].stat().st_mtime_ns == stamp
    finally:
        fonts.chart_font_dir.cache_clear()


def test_an_unwritable_cache_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(fonts.CACHE_ENV, str(blocked / "fonts"))
    fonts.chart_font_dir.cache_clear()
    try:
        with pytest.raises(RenderError) as caught:
            fonts.chart_font_dir()
        assert fonts.CACHE_ENV in str(caught.value)
    finally:
        fonts.chart_font_dir.cache_clear()


def test_web_fonts_are_cut_woff2_variable_in_weight_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    fonts.web_fonts.cache_clear()
    try:
        made = fonts.web_fonts()
        assert sorted(p.name for p in made) == ["NotoSans-Italic.woff2", "NotoSans.woff2",
                                                "NotoSerif-Italic.woff2", "NotoSerif.woff2"]
        for path in made:
            assert path.read_bytes()[:4] == b"wOF2"
            font = TTFont(path)
            assert [axis.axisTag for axis in font["fvar"].axes] == ["wght"]
            covered = font.getBestCmap()
            assert [c for c in TEXT if ord(c) not in covered] == []
            assert path.stat().st_size < 100_000  # the variable TTFs weigh 0.6 to 2 MB
            assert "GSUB" in font and "GPOS" in font  # marks still placed
    finally:
        fonts.web_fonts.cache_clear()


def test_a_damaged_font_in_the_cache_is_made_again(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    fonts.web_fonts.cache_clear()
    try:
        made = fonts.web_fonts()
        original = made[0].read_bytes()
        tampered = original[:-100] + b"\0" * 100  # a damaged or edited file
        made[0].write_bytes(tampered)
        fonts.web_fonts.cache_clear()
        again = fonts.web_fonts()
        # Made again (fontTools stamps the time of making, so not byte for byte).
        assert again[0].read_bytes() != tampered
        assert TTFont(again[0]).getBestCmap() == TTFont(io.BytesIO(original)).getBestCmap()
    finally:
        fonts.web_fonts.cache_clear()


def test_a_tampered_chart_bundle_is_never_published(tmp_path: Path) -> None:
    from brief.render.html import chart_bundle

    bundle = chart_bundle(tmp_path)
    cached = next(tmp_path.glob("charts-*.js"))
    cached.write_text(bundle + "\nwindow.__pwned = 1;\n", encoding="utf-8")
    assert chart_bundle(tmp_path) == bundle
    assert "__pwned" not in cached.read_text(encoding="utf-8")
