"""The words the engine itself puts in front of a reader, in each edition's language.

A brief is written in its main language; ``brief: languages: [en, vi]`` in
``_quarto.yml`` adds editions, each page's translation beside it (``index.vi.qmd``).
Prose is the project's; the engine adds its own words too: "Download PDF", "Figure
2.1", "7.7 million", "12 to 16 million", the PDF's cover and footer. Those are
:data:`ENGLISH` here, and a project gives their translation in ``_language-vi.yml``
at its root (Quarto's name for such a file), so no language but English lives in the
package. Numbers keep the rounding of the English text and take the separators of the
language's locale from babel (CLDR), so ``96,208,984`` becomes ``96.208.984``.

The build and a chapter's kernel each hold one current edition (:func:`use`,
:func:`current`): the kernel learns it from ``BRIEF_LANGUAGE``, set from the page's
file name.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from brief import safeyaml

#: What a cross-reference names, by its prefix (``@fig-x``: "Figure 2.1"): Quarto's kinds.
CROSSREF_NAMES = {"fig": "Figure", "tbl": "Table", "sec": "Section", "eq": "Equation",
                  "lst": "Listing", "thm": "Theorem", "lem": "Lemma", "cor": "Corollary",
                  "prp": "Proposition", "cnj": "Conjecture", "def": "Definition",
                  "exm": "Example", "exr": "Exercise", "sol": "Solution", "rem": "Remark",
                  "alg": "Algorithm", "nte": "Note", "tip": "Tip", "wrn": "Warning",
                  "imp": "Important", "cau": "Caution"}
_CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")

#: The engine's words in English, by key. A ``_language-xx.yml`` file translates them;
#: ``{name}`` marks a value filled in (keep it in the translation).
ENGLISH: dict[str, str] = {
    "language-name": "English",
    "language-switch": "Language",
    "skip-to-content": "Skip to content",
    "download-pdf": "Download PDF",
    "download-factsheet": "Download this factsheet (PDF)",
    "chapters": "Chapters",
    "search-label": "Search the brief",
    "on-this-page": "On this page",
    "page-nav": "Previous and next chapter",
    "version": "Version",
    "versions": "Versions",
    "see-all-versions": "See all versions",
    "data": "data",
    "data-fingerprint": "data fingerprint",
    "draft": "draft",
    "undated": "undated draft",
    "banner-draft": "This is an unreleased draft (version {version}); no edition has been "
                    "published yet.",
    "banner-old": "You are reading version {version}. The latest release is {latest} of "
                  "{date}.",
    "banner-data": "This page was built from data that differ from release {version} "
                   "({date}); its figures may not match the published edition.",
    "calls-csv": "Calls to action (CSV)",
    "pdf-not-archived": "PDF not archived",
    "first-release": "First release.",
    "this-page": "this page",
    "date": "Date",
    "download": "Download",
    "what-changed": "What changed",
    "no-release": "No version has been released yet.",
    "versions-intro": "You are reading version {version} of {date}, built from data with "
                      "fingerprint {fingerprint}. Every published edition is listed below "
                      "with its PDF; the legend of the changes is + new, ~ changed, "
                      "- removed.",
    "text-and-data": "Text and data",
    "cite-as": "{author}({year}). {title}. Version {version}, {date}. Data fingerprint "
               "{fingerprint}.",
    "no-year": "n.d.",
    "cite-this-brief": "Cite this brief",
    "licence": "Licence",
    "licence-before": "The text and the data of this brief are published under the",
    "licence-after": "You may share and adapt them, giving appropriate credit.",
    "edition": "Edition",
    "contents": "Contents",
    "appendices": "Appendices",
    "references": "References",
    "source": "Source",
    "source-not-stated": "source not stated",
    "call-to-action": "Call to action",
    "chapter": "Chapter",
    "appendix": "Appendix",
    "section": "Section",
    "code": "Code",
    "callout-note-title": "Note",
    "callout-tip-title": "Tip",
    "callout-important-title": "Important",
    "callout-warning-title": "Warning",
    "callout-caution-title": "Caution",
    "million": "million",
    "billion": "billion",
    "range": "{low} to {high}",
    "and": "and",
    "percentage-points": "percentage points",
    "us-dollars": "US${number}",
    "date-format": "d MMMM y",
    "values": "Values",
    "value-in": "{value} in {when}",
    "highest": "highest",
    "lowest": "lowest",
    "in-all": "{count} in all",
    **{f"crossref-{kind}-title": name for kind, name in CROSSREF_NAMES.items()},
}

_TWIN = re.compile(r"\.(?P<lang>[a-z]{2,3})\.(?:qmd|md)$")


class LanguageError(Exception):
    """A ``_language-xx.yml`` file that cannot be used (its path and what is wrong)."""


@dataclass(frozen=True)
class Strings:
    """One edition's words: :data:`ENGLISH` with the project's translation over it."""

    language: str = "en"
    words: Mapping[str, str] = field(default_factory=lambda: ENGLISH)
    #: Extra tables of the language file (``actors:``, ``units:``): English -> language.
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Keys of :data:`ENGLISH` that the language file lacks (shown in English).
    missing: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> str:
        return self.words.get(key, ENGLISH[key])

    def fill(self, key: str, **values: object) -> str:
        """The text of ``key`` with its ``{name}`` places filled."""
        text = self[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def kind(self, kind: str) -> str:
        """What a cross-reference of ``kind`` (``fig``) is called: "Figure"."""
        return self[f"crossref-{kind}-title"]

    def callout_titles(self) -> dict[str, str]:
        """The default title of each kind of callout ("Note"), for the Lua filter."""
        return {kind: self[f"callout-{kind}-title"] for kind in _CALLOUT_KINDS}

    def term(self, table: str, english: str) -> str:
        """``english`` from the table ``table`` (``actors``...), itself when not listed."""
        return self.tables.get(table, {}).get(english, english)

    @property
    def is_english(self) -> bool:
        return self.language == "en"

    def number(self, text: str) -> str:
        """An English-formatted number (``96,208,984.5``) with this language's separators."""
        if self.is_english:
            return text
        group, decimal = _separators(self.language)
        return text.translate({ord(","): "\0", ord("."): decimal}).replace("\0", group)

    def date(self, day: dt.date) -> str:
        """``day`` in the language's long form: ``22 November 2026``, ``22 tháng 11 năm 2026``."""
        from babel.dates import format_date

        return format_date(day, self["date-format"], locale=_locale(self.language))

    def vega_locale(self) -> dict[str, object]:
        """The number format locale for Vega (``formatLocale``), so chart axes match."""
        group, decimal = _separators(self.language)
        return {"decimal": decimal, "thousands": group, "grouping": [3],
                "currency": ["", ""]}


def _locale(language: str) -> str:
    from babel import Locale

    try:
        return str(Locale.parse(language))
    except (ValueError, LookupError):
        return "en"


@cache
def _separators(language: str) -> tuple[str, str]:
    """The group and decimal separators of ``language`` (CLDR, through babel)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    locale = _locale(language)
    return get_group_symbol(locale), get_decimal_symbol(locale)


def language_file(root: Path, language: str) -> Path:
    """Where a project keeps the translation of the engine's words into ``language``."""
    return root / f"_language-{language}.yml"


def _table(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in value.items()):
        raise LanguageError(f"{where}: expected a mapping of English text to translation")
    return dict(value)


@cache
def _read(path: Path, stamp: tuple[int, int], language: str) -> Strings:
    try:
        raw = safeyaml.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line, problem = safeyaml.located(exc)
        raise LanguageError(f"{path.name}{line}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise LanguageError(f"{path.name}: expected a mapping of keys to text")
    words: dict[str, str] = {}
    tables: dict[str, dict[str, str]] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            tables[str(key)] = _table(value, f"{path.name}: {key}")
        elif key in ENGLISH and isinstance(value, str):
            words[key] = value
        elif key in ENGLISH:
            raise LanguageError(f"{path.name}: {key}: expected text, found {value!r}")
        else:
            near = [k for k in ENGLISH if k.split("-")[0] == str(key).split("-")[0]][:4]
            hint = f" (similar keys: {', '.join(near)})" if near else ""
            raise LanguageError(f"{path.name}: unknown key {key!r}{hint}")
    missing = tuple(k for k in ENGLISH if k not in words and k != "language-name")
    return Strings(language, {**ENGLISH, **words}, tables, missing)


def load(root: Path, language: str) -> Strings:
    """The words of ``language`` for the project at ``root`` (English needs no file)."""
    path = language_file(root, language)
    if language == "en" and not path.is_file():
        return Strings()
    if not path.is_file():
        return Strings(language, {**ENGLISH}, {}, tuple(k for k in ENGLISH))
    info = path.stat()
    return _read(path, (info.st_mtime_ns, info.st_size), language)


def language_of(path: str, languages: tuple[str, ...] = ()) -> str | None:
    """The language of a translated page from its name (``index.vi.qmd``: ``vi``)."""
    match = _TWIN.search(path)
    if match is None or (languages and match["lang"] not in languages):
        return None
    return match["lang"]


_current: Strings | None = None


@contextmanager
def using(strings: Strings | None) -> Iterator[None]:
    """:func:`use` ``strings`` for the time of a ``with`` block, then the previous ones."""
    global _current
    previous, _current = _current, strings
    try:
        yield
    finally:
        _current = previous


def current() -> Strings:
    """The current edition's words: the build's, or in a kernel, those of the page."""
    if _current is not None:
        return _current
    language = os.environ.get("BRIEF_LANGUAGE", "")
    root = os.environ.get("BRIEF_PROJECT_ROOT", "")
    if not language or language == "en" or not root:
        return Strings()
    return load(Path(root), language)
