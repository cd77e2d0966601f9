"""The project's own settings: the ``brief:`` block of ``_quarto.yml``.

Quarto ignores keys it does not know, so a brief keeps what is specific to it, and
that the engine needs, in one block of the file that already describes the book::

    brief:
      actors: [national government, local authorities, employers]
      style:
        palette: ["#1f5f8b", "#e07b39", "#4c9f70"]
        muted: "#9bb7cc"
        font: Noto Sans
      factsheets:
        template: chapters/district.qmd   # a .qmd with `params:` in its front matter
        resource: districts               # one page per row of this data resource
        key: slug                         # the column that names each page
        output: districts                 # _book/districts/SLUG.html and SLUG.pdf
        title: name                       # optional: the column of the page titles
        index: districts/index.qmd        # optional: _book/districts/index.html
      key-message: >-                     # one or two sentences on the PDF's cover
        Every household in the district can reach safe water by 2030.
      license:                            # the text's and the data's licence
        name: CC-BY-4.0
        title: Creative Commons Attribution 4.0 International
        path: https://creativecommons.org/licenses/by/4.0/
      keep-together: [North Hill]          # phrases never broken across lines
      languages: [en, fr]                  # the main language first, then translations
      translations:                        # the book's own words in each translation
        fr:
          title: Eau potable pour tous
          subtitle: ...
          key-message: ...
          factsheets-title: name_fr         # the column of the factsheets' titles

* ``actors``: who a call to action may address, in the order the brief presents them.
  Without the list any actor is accepted, presented in order of first appearance.
* ``style``: the charts' house style. ``palette`` colours the series (its first colour
  is the accent of the charts, the site and the PDF), ``muted`` the bars not
  highlighted, ``font`` the charts' text (a family the build can find: Noto Sans and
  Noto Serif are installed with brief).
* ``factsheets``: one page and one PDF per row of a data resource, from one
  parameterised template (see :mod:`brief.render.factsheets`). The files and the
  columns named here are checked by the build, which can read them.
* ``key-message``: the brief's message in a sentence or two, printed on the PDF's cover
  and used as the pages' description for search engines and link previews.
* ``license``: the licence of the text and the data (a Data Package licence: ``name``,
  ``title``, ``path``), stated in every page's footer, in the PDF and in every chart
  download.
* ``keep-together``: phrases (names of places, say) whose words the site and the PDF
  join with non-breaking spaces, so that a line never breaks inside them.
* ``languages``: the editions, main language first. Each further language is an
  edition of its own (``_book/fr/``, ``brief-1.0-fr.pdf``) built from the pages'
  translations (``index.fr.qmd`` beside ``index.qmd``), the engine's words in
  ``_language-fr.yml`` and ``translations:`` for the book's title and message.

The block is parsed into a typed :class:`Settings` once; anything malformed is a
:class:`SettingsError` naming the key and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from brief import safeyaml

CONFIG = "_quarto.yml"
BLOCK = "brief"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: A page name: lowercase ASCII words joined by single hyphens (``north-hill``).
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Folders of the site the build writes itself; factsheets cannot take their names.
SITE_FOLDERS = frozenset({"assets", "figures", "pagefind", "releases"})

#: The engine's default chart colours (Okabe and Ito's palette, safe for colour-blind
#: readers); a brief sets its own under ``brief: style: palette``.
DEFAULT_PALETTE: tuple[str, ...] = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00",
                                    "#56b4e9")
DEFAULT_MUTED = "#b8c7d3"
DEFAULT_FONT = "Noto Sans"


class SettingsError(Exception):
    """The ``brief:`` block of ``_quarto.yml`` cannot be used; the message says where."""


@dataclass(frozen=True)
class Style:
    """The house style of the charts (and the accent colour of the site and PDF)."""

    palette: tuple[str, ...] = DEFAULT_PALETTE
    muted: str = DEFAULT_MUTED
    font: str = DEFAULT_FONT

    @property
    def accent(self) -> str:
        """The first colour of the palette: highlighted bars, links, rules."""
        return self.palette[0]


@dataclass(frozen=True)
class Factsheets:
    """One page per row of a data resource, from one parameterised template.

    Paths are relative to the project root; ``output`` is a folder of the site.
    """

    #: The ``.qmd`` template; its front matter names one parameter under ``params:``.
    template: str
    #: The data resource whose rows give the parameter's values.
    resource: str
    #: The column of ``resource`` whose values (slugs) name the pages.
    key: str
    #: The site folder of the pages: ``OUTPUT/SLUG.html`` and ``OUTPUT/SLUG.pdf``.
    output: str
    #: The column of the page titles; without it the key names the page.
    title: str | None = None
    #: An unnumbered page rendered as ``OUTPUT/index.html`` and linked from the sidebar.
    index: str | None = None


@dataclass(frozen=True)
class License:
    """The licence of the brief's text and data, as a Data Package names one."""

    #: An SPDX identifier such as ``CC-BY-4.0``.
    name: str
    #: Its full title, for readers.
    title: str
    #: Where its terms are published.
    path: str


@dataclass(frozen=True)
class Settings:
    """Everything the ``brief:`` block says, with the engine's defaults filled in."""

    #: Actors of the calls to action, in presentation order; empty means "any".
    actors: tuple[str, ...] = ()
    style: Style = Style()
    #: The parameterised pages, when the project has some.
    factsheets: Factsheets | None = None
    #: The brief's message in a sentence or two (cover, page descriptions).
    key_message: str | None = None
    license: License | None = None
    #: Phrases joined with non-breaking spaces wherever they appear.
    keep_together: tuple[str, ...] = ()
    #: The editions' languages, the main one first (empty: one edition, in ``lang``).
    languages: tuple[str, ...] = ()
    #: For each further language, its title, subtitle, author, key-message and
    #: factsheets-title (the column that titles the factsheets).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def _fail(key: str, message: str) -> SettingsError:
    return SettingsError(f"{CONFIG}: {BLOCK}.{key}: {message}")


def _colour(value: Any, key: str) -> str:
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise _fail(key, f"{value!r} is not a colour (expected a hex colour such as "
                         "\"#1f5f8b\", in quotes)")
    return value.lower()


def _text_list(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(key, "expected a list of names, e.g. [national government, employers]")
    names = tuple(v.strip() for v in value)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _fail(key, f"{', '.join(twice)} listed twice (expected each name once)")
    return names


def _style(raw: Any) -> Style:
    if raw is None:
        return Style()
    if not isinstance(raw, dict):
        raise _fail("style", "expected a mapping with palette, muted and font")
    unknown = sorted(set(map(str, raw)) - {"palette", "muted", "font"})
    if unknown:
        raise _fail(f"style.{unknown[0]}", "unknown key (expected palette, muted or font)")
    palette = raw.get("palette")
    if palette is None:
        colours = DEFAULT_PALETTE
    elif isinstance(palette, list) and palette:
        colours = tuple(_colour(c, f"style.palette[{i}]") for i, c in enumerate(palette))
    else:
        raise _fail("style.palette", "expected a list of hex colours, the accent first")
    muted = _colour(raw["muted"], "style.muted") if "muted" in raw else DEFAULT_MUTED
    font = raw.get("font", DEFAULT_FONT)
    if not isinstance(font, str) or not font.strip():
        raise _fail("style.font", "expected a font family name, e.g. Noto Sans")
    return Style(palette=colours, muted=muted, font=font.strip())


FACTSHEET_KEYS = ("template", "resource", "key", "output", "title", "index")


def _qmd_path(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip().endswith(".qmd"):
        raise _fail(key, f"{value!r} is not a .qmd file (expected a path such as "
                         "chapters/district.qmd)")
    path = PurePosixPath(value.strip())
    if path.is_absolute() or ".." in path.parts:
        raise _fail(key, f"{value!r} leaves the project folder (expected a path inside it)")
    return path.as_posix()


def _name(value: Any, key: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(key, f"expected {what}")
    return value.strip()


def _factsheets(raw: Any) -> Factsheets | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail("factsheets", "expected a mapping with template, resource, key and "
                                  "output (and optionally title and index)")
    unknown = sorted(set(map(str, raw)) - set(FACTSHEET_KEYS))
    if unknown:
        raise _fail(f"factsheets.{unknown[0]}", "unknown key (expected template, resource, "
                                                "key, output, title or index)")
    missing = [k for k in ("template", "resource", "key", "output") if raw.get(k) is None]
    if missing:
        raise _fail(f"factsheets.{missing[0]}", "missing (expected " + {
            "template": "the .qmd template, such as chapters/district.qmd",
            "resource": "the name of the data resource whose rows make the pages",
            "key": "the column whose values name the pages, such as slug",
            "output": "the site folder of the pages, such as districts",
        }[missing[0]] + ")")
    output = raw["output"]
    if not isinstance(output, str) or not SLUG.match(output) or output in SITE_FOLDERS:
        raise _fail("factsheets.output", f"{output!r} cannot be the pages' folder (expected "
                    "one lowercase folder name such as districts, not "
                    f"{', '.join(sorted(SITE_FOLDERS))})")
    title = raw.get("title")
    index = raw.get("index")
    return Factsheets(
        template=_qmd_path(raw["template"], "factsheets.template"),
        resource=_name(raw["resource"], "factsheets.resource", "a data resource name"),
        key=_name(raw["key"], "factsheets.key", "a column name"),
        output=output,
        title=None if title is None else _name(title, "factsheets.title", "a column name"),
        index=None if index is None else _qmd_path(index, "factsheets.index"),
    )


def _license(raw: Any) -> License | None:
    if raw is None:
        return None
    example = ("expected a mapping with name, title and path, e.g. name: CC-BY-4.0, "
               "title: Creative Commons Attribution 4.0 International, "
               "path: https://creativecommons.org/licenses/by/4.0/")
    if not isinstance(raw, dict):
        raise _fail("license", example)
    unknown = sorted(set(map(str, raw)) - {"name", "title", "path"})
    if unknown:
        raise _fail(f"license.{unknown[0]}", "unknown key (expected name, title or path)")
    values = {k: _name(raw.get(k), f"license.{k}", example.removeprefix("expected "))
              for k in ("name", "title", "path")}
    return License(**values)


KEYS = ("actors", "style", "factsheets", "key-message", "license", "keep-together",
        "languages", "translations")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TRANSLATED = ("title", "subtitle", "author", "key-message", "factsheets-title")


def _languages(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    languages = _text_list(raw, "languages")
    wrong = [x for x in languages if not _LANGUAGE.fullmatch(x)]
    if wrong:
        raise _fail("languages", f"{wrong[0]!r} is not a language code (expected two or "
                                 "three lowercase letters, such as en, vi, fr)")
    if len(set(languages)) != len(languages):
        raise _fail("languages", "a language is listed twice")
    return languages


def _translations(raw: Any, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail("translations", "expected a mapping of language code to the book's "
                                    f"words in it ({', '.join(_TRANSLATED)})")
    found: dict[str, dict[str, str]] = {}
    for language, words in raw.items():
        key = f"translations.{language}"
        if language not in languages[1:]:
            raise _fail(key, "not a translation listed in brief.languages "
                             f"({', '.join(languages[1:]) or 'none'})")
        if not isinstance(words, dict):
            raise _fail(key, f"expected a mapping with {', '.join(_TRANSLATED)}")
        unknown = sorted(set(map(str, words)) - set(_TRANSLATED))
        if unknown:
            raise _fail(f"{key}.{unknown[0]}", f"unknown key (expected one of "
                                               f"{', '.join(_TRANSLATED)})")
        found[language] = {k: " ".join(_name(v, f"{key}.{k}", "text").split())
                           for k, v in words.items()}
    return found


def parse_settings(config: Any) -> Settings:
    """The settings in the parsed ``_quarto.yml`` mapping ``config``."""
    raw = config.get(BLOCK) if isinstance(config, dict) else None
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        raise SettingsError(f"{CONFIG}: {BLOCK}: expected a mapping ({', '.join(KEYS)})")
    unknown = sorted(set(map(str, raw)) - set(KEYS))
    if unknown:
        raise _fail(unknown[0], f"unknown key (expected one of {', '.join(KEYS)})")
    actors = _text_list(raw["actors"], "actors") if raw.get("actors") is not None else ()
    message = raw.get("key-message")
    if message is not None:
        message = " ".join(_name(message, "key-message", "a sentence or two of text").split())
    together = raw.get("keep-together")
    languages = _languages(raw.get("languages"))
    return Settings(languages=languages,
                    translations=_translations(raw.get("translations"), languages),
                    actors=actors, style=_style(raw.get("style")),
                    factsheets=_factsheets(raw.get("factsheets")), key_message=message,
                    license=_license(raw.get("license")),
                    keep_together=() if together is None
                    else _text_list(together, "keep-together"))


@cache
def _read(path: Path, stamp: tuple[int, int]) -> Settings:
    del stamp  # part of the cache key: an edited file is read again
    try:
        config = safeyaml.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line, problem = safeyaml.located(exc)
        raise SettingsError(f"{CONFIG}{line}: not valid YAML ({problem})") from None
    return parse_settings(config)


def load_settings(root: Path) -> Settings:
    """The settings of the project at ``root`` (defaults when it has no ``_quarto.yml``)."""
    path = (root / CONFIG).resolve()
    try:
        status = path.stat()
    except OSError:
        return Settings()
    return _read(path, (status.st_mtime_ns, status.st_size))


def project_settings() -> Settings:
    """The settings of the project enclosing the working directory (or
    ``BRIEF_PROJECT_ROOT``), defaults when there is none."""
    from brief.paths import ProjectNotFound, find_root

    try:
        return load_settings(find_root())
    except ProjectNotFound:
        return Settings()
