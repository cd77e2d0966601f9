"""The fonts of the brief: Noto Sans and Noto Serif, installed by pip.

Typst's and Chromium's defaults here lack full Vietnamese coverage in charts, so the
build pins these two families everywhere: Typst gets their folders as ``font_paths``,
vl_convert draws SVG and PNG with them, and the site serves the files.

The pip packages hold variable fonts (every weight and width in one file, and every
script Noto covers). vl_convert measures and draws text with them at about twice the
cost of a plain font, which matters when a build draws a hundred charts, so charts get
static instances of Noto Sans at the weights charts use, cut to the Latin and
Vietnamese characters (:func:`chart_font_dir`). The site, whose readers download the
fonts with every first visit, gets the four fonts cut the same way and compressed as
WOFF2 (:func:`web_fonts`), with fewer signs, the features text needs and no hinting:
60-80 KB each, 270 KB for the four instead of 5 MB. fontTools makes both
once per machine (about 15 s); they are kept in the user's cache folder under a key of
the source fonts, the fontTools version and the recipe below.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from brief.render.errors import RenderError

PACKAGES = ("fontpkg_noto_sans", "fontpkg_noto_serif")

#: Code points kept in the cut fonts (charts and site): Basic Latin, Latin-1, Latin
#: Extended-A and -B, IPA (ɐ...), spacing modifiers and combining diacritics, Latin
#: Extended Additional (the precomposed Vietnamese letters), general punctuation,
#: currency signs (₫, €), letterlike symbols, arrows and mathematical operators (−).
TEXT_CHARACTERS = [
    *range(0x20, 0x7F), *range(0xA0, 0x370), *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070), *range(0x20A0, 0x20C1), *range(0x2100, 0x2150),
    *range(0x2190, 0x2200), *range(0x2200, 0x2300),
]
#: Code points of the site's fonts, which every reader downloads: Basic Latin, Latin-1,
#: Latin Extended-A, the four Vietnamese letters of Latin Extended-B (Ơ ơ Ư ư),
#: combining diacritics, the precomposed Vietnamese letters, and the punctuation and
#: signs the brief's prose uses (dashes, quotes, ellipsis, ‰, ₫, €, ™, arrows, ↩, −, ×,
#: ≈, ≠, ≤, ≥). Text outside it falls back to the reader's own fonts.
WEB_CHARACTERS = [
    *range(0x20, 0x7F), *range(0xA0, 0x180), 0x1A0, 0x1A1, 0x1AF, 0x1B0,
    *range(0x300, 0x370), *range(0x1EA0, 0x1F00), *range(0x2010, 0x2028),
    *range(0x2030, 0x203B), 0x2044, 0x20AB, 0x20AC, 0x2122, 0x2190, 0x2192, 0x21A9, 0x2212,
    0xD7, 0x2248, 0x2260, 0x2264, 0x2265,
]
#: The OpenType features the site's fonts keep: kerning, ligatures, mark positioning
#: (Vietnamese stacks two diacritics), composition, and the figure styles.
WEB_FEATURES = ["kern", "liga", "clig", "calt", "rlig", "mark", "mkmk", "ccmp", "locl",
                "case", "tnum", "lnum", "pnum"]
#: The weights of Noto Sans the charts use: labels, titles (600), emphasis (700).
CHART_WEIGHTS = (400, 600, 700)
#: Change when the recipe above changes, so that caches are remade.
RECIPE = "5"
CACHE_ENV = "BRIEF_FONT_CACHE"


@cache
def font_dirs() -> tuple[Path, ...]:
    """The folders holding the pinned font files."""
    dirs: list[Path] = []
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise RenderError(f"font package {name.replace('_', '-')} is missing: "
                              "run `pip install -e .` in the project folder") from None
        folder = Path(module.__file__).parent / "files"
        if not any(folder.glob("*.ttf")):
            raise RenderError(f"font package {name} has no .ttf files in {folder}")
        dirs.append(folder)
    return tuple(dirs)


def font_files() -> list[Path]:
    """Every pinned font file (variable TTFs, upright and italic)."""
    return sorted(f for d in font_dirs() for f in d.glob("*.ttf"))


def _upright_sans() -> Path:
    found = [f for f in font_files() if f.name.startswith("NotoSans[")]
    if not found:
        raise RenderError(f"Noto Sans (NotoSans[...].ttf) is missing from {font_dirs()[0]}")
    return found[0]


def _cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brief" / "fonts"


def _cut(source: Path, characters: list[int] = TEXT_CHARACTERS,
         features: list[str] | None = None) -> Any:
    """``source`` (a TTFont) cut to ``characters``, keeping the OpenType ``features``
    (all when None) and the glyphs they need (cutting first makes instancing four times
    faster). Hinting is dropped when features are chosen: screens at the site's sizes
    do not need it, and it is a third of the file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = features or ["*"]
    options.hinting = features is None
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=characters)
    font = TTFont(source)
    cutter.subset(font)
    return font


def _make_chart_fonts(target: Path) -> None:
    """One static instance of Noto Sans per weight of :data:`CHART_WEIGHTS`."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    cut = target / "cut.ttf"
    _cut(_upright_sans()).save(cut)
    for weight in CHART_WEIGHTS:
        instance = instancer.instantiateVariableFont(
            TTFont(cut), {"wght": weight, "wdth": 100}, updateFontNames=True)
        instance.save(target / f"NotoSans-{weight}.ttf")
    cut.unlink()


def web_font_name(source: Path) -> str:
    """``NotoSans[wdth,wght].ttf`` -> ``NotoSans.woff2`` (brackets are awkward in URLs)."""
    return source.name.split("[")[0].removesuffix(".ttf") + ".woff2"


def _make_web_fonts(target: Path) -> None:
    """Each pinned font cut, kept variable in weight only (width fixed at normal, which
    the site uses), as WOFF2: about a tenth of the file."""
    from fontTools.varLib import instancer

    for source in font_files():
        font = instancer.instantiateVariableFont(
            _cut(source, WEB_CHARACTERS, WEB_FEATURES), {"wdth": 100})
        font.flavor = "woff2"
        font.save(target / web_font_name(source))


#: The digests of a cache folder's fonts, written when it is made, checked when used.
SUMS = "SHA256SUMS"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _intact(folder: Path, names: list[str]) -> bool:
    """True when every font of ``folder`` is there with the digest recorded when it was
    made: a font edited or damaged in the cache is never used or published."""
    try:
        recorded = dict(line.split("  ", 1)[::-1] for line in
                        (folder / SUMS).read_text("utf-8").splitlines() if "  " in line)
        return all(recorded.get(name) == _sha256(folder / name) for name in names)
    except OSError:
        return False


def _made_once(kind: str, names: list[str], make: Callable[[Path], None]) -> Path:
    """The cache folder holding ``names``, made by ``make(folder)`` when missing.

    The folder's name is a digest of the source fonts, the fontTools version and the
    recipe; it is made aside and renamed into place, so a build running at the same
    time (or one stopped half way) never sees half a folder.
    """
    import fontTools

    digest = hashlib.sha256(f"{kind}|{fontTools.version}|{RECIPE}|{CHART_WEIGHTS}".encode())
    for source in font_files():
        digest.update(source.name.encode() + source.read_bytes())
    folder = _cache_root() / f"{kind}-{digest.hexdigest()[:16]}"
    if _intact(folder, names):
        return folder
    shutil.rmtree(folder, ignore_errors=True)  # damaged or half made: made again
    work: Path | None = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".making-", dir=folder.parent))
        make(work)
        (work / SUMS).write_text("".join(f"{_sha256(work / name)}  {name}\n"
                                         for name in names), encoding="utf-8")
        with contextlib.suppress(OSError):  # another build made it first
            work.rename(folder)
    except Exception as exc:  # OSError, or one of fontTools' many kinds: no traceback
        raise RenderError(f"could not make the {kind} fonts from {font_dirs()} in "
                          f"{folder.parent}: {exc} (set {CACHE_ENV} to a writable folder)"
                          ) from None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return folder


@cache
def chart_font_dir() -> Path:
    """The folder of the charts' static fonts, made on first use (see the module)."""
    return _made_once("chart", [f"NotoSans-{w}.ttf" for w in CHART_WEIGHTS],
                      _make_chart_fonts)


def _without_decomposition(source: Path, target: Path) -> None:
    """``source`` saved as ``target`` without the decompositions of its ``ccmp`` feature.

    Noto Sans decomposes ẹ, ị, ọ and ụ into a letter and a combining dot when it shapes
    them. In the PDF, Typst keeps the link from those two glyphs to the one character
    for its own text, but not for text inside an SVG chart: the chart's "Nam Định" then
    has glyphs without characters, which PDF/UA forbids. Every Vietnamese letter has
    its own precomposed glyph, so the decomposition is not needed.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    table = font["GSUB"].table
    lookups = table.LookupList.Lookup

    def kind(index: int) -> int:
        lookup = lookups[index]
        return (lookup.SubTable[0].ExtensionLookupType if lookup.LookupType == 7
                else lookup.LookupType)

    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            kept = [i for i in record.Feature.LookupListIndex if kind(i) != 2]  # multiple
            record.Feature.LookupListIndex = kept
            record.Feature.LookupCount = len(kept)
    font.save(target)


def _make_pdf_fonts(target: Path) -> None:
    for source in font_files():
        if source.name.startswith("NotoSans"):
            _without_decomposition(source, target / source.name)


@cache
def pdf_font_dirs() -> tuple[Path, ...]:
    """The fonts Typst sets the PDF with: Noto Sans without decompositions (see
    :func:`_without_decomposition`, made once and cached) and Noto Serif as installed."""
    sans = [f.name for f in font_files() if f.name.startswith("NotoSans")]
    made = _made_once("pdf", sans, _make_pdf_fonts)
    return (made, *(d for d in font_dirs() if not any(d.glob("NotoSans*.ttf"))))


@cache
def web_fonts() -> list[Path]:
    """The site's fonts: every pinned font cut to Latin and Vietnamese, as WOFF2."""
    names = [web_font_name(f) for f in font_files()]
    folder = _made_once("web", names, _make_web_fonts)
    return [folder / name for name in names]
