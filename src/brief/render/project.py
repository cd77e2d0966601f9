"""Read ``_quarto.yml`` into a typed :class:`Project`, once, with located errors.

The same file drives ``quarto render`` and the native engine, so only the keys of a
Quarto book are read here; anything malformed is reported with the key's path.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from brief import safeyaml
from brief.render.errors import RenderError
from brief.render.qmd import page_title
from brief.render.twins import drift_of_files, twin_path
from brief.settings import Factsheets, Settings, SettingsError, parse_settings
from brief.strings import LanguageError, Strings, language_file, language_of
from brief.strings import load as load_strings

CONFIG = "_quarto.yml"
BLOCK = "brief"


def date_text(value: str) -> str:
    """``2026-11-22`` as ``22 November 2026``; other text unchanged."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def source_date() -> str:
    """The date of ``SOURCE_DATE_EPOCH`` (reproducible builds), or "" when it is unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return ""
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):  # beyond the calendar: not a date
        raise RenderError(f"SOURCE_DATE_EPOCH={epoch[:30]} is not a date (expected seconds "
                          "since 1970, such as 1764720000)") from None


@dataclass(frozen=True)
class Chapter:
    """One source file of the book and its place in it.

    ``kind`` is ``"chapter"`` (numbered 1, 2, ...), ``"appendix"`` (lettered A, B,
    ...) or ``"unnumbered"`` (the index page and the references).
    """

    path: str
    kind: str
    number: str = ""
    #: The page it becomes when that is not its source path with ``.html`` (factsheets).
    page: str = ""
    #: The title of the part (``- part: ...`` in ``book.chapters``) this chapter opens.
    part: str = ""
    #: The page's name in automatic ids and figure files when its file name is not
    #: unique in the book (``basics/index.qmd`` beside ``pp/index.qmd``: ``basics-index``).
    key: str = ""
    #: Whether this page is the part's own page (``- part: basics/index.qmd``), which
    #: Quarto publishes before the part's chapters: its title is the part's heading.
    part_page: bool = False

    @property
    def stem(self) -> str:
        """The file's name without ``.qmd`` and without a translation's language
        (``province.vi.qmd``: ``province``), so both editions give a page the same
        automatic ids (``#sec-province``)."""
        if self.key:
            return self.key
        name = Path(self.path).name
        language = language_of(name)
        return name[:name.rindex(f".{language}.")] if language else Path(self.path).stem

    @property
    def html_name(self) -> str:
        """The page this chapter becomes, relative to the site root."""
        return self.page or str(Path(self.path).with_suffix(".html"))


@dataclass(frozen=True)
class Project:
    """The book's configuration: metadata and ordered chapters."""

    root: Path
    title: str
    subtitle: str = ""
    author: str = ""
    version: str = ""
    date: str = ""
    lang: str = "en"
    description: str = ""
    keywords: tuple[str, ...] = ()
    bibliography: str | None = None
    output_dir: str = "_book"
    chapters: tuple[Chapter, ...] = ()
    execute: dict[str, Any] = field(default_factory=dict)
    #: The extension of an image path written without one (``default-image-extension``).
    image_extension: str = "png"
    #: The project's ``brief:`` block (actors, house style).
    settings: Settings = field(default_factory=Settings)
    #: Short hash of data/, stamped on every page and in the PDF (set by the build).
    fingerprint: str = ""
    #: Published releases, oldest first (``brief.release.ReleaseInfo``; set by the build).
    releases: tuple[Any, ...] = ()
    #: The language of this edition when it is a translation ("" for the main edition).
    edition: str = ""
    #: The words the engine adds to pages, in this edition's language.
    strings: Strings = field(default_factory=Strings)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every edition's language, the main one first."""
        return self.settings.languages or (self.lang,)

    @property
    def main(self) -> str:
        """The main edition's language."""
        return self.languages[0]

    @property
    def language(self) -> str:
        """This edition's language."""
        return self.edition or self.main

    @property
    def folder(self) -> str:
        """This edition's folder in the site: "" for the main one, ``vi/`` for another."""
        return f"{self.edition}/" if self.edition else ""

    @property
    def date_text(self) -> str:
        if not self.date:
            return self.strings["undated"]
        if self.strings.is_english:
            return date_text(self.date)
        try:
            return self.strings.date(dt.date.fromisoformat(self.date))
        except ValueError:
            return self.date

    @property
    def version_text(self) -> str:
        return self.version or self.strings["draft"]

    @property
    def citation(self) -> str:
        """How to cite this edition: author (year). Title: subtitle. Version, date."""
        year = self.date[:4] if self.date[:4].isdigit() else self.strings["no-year"]
        title = f"{self.title}: {self.subtitle}" if self.subtitle else self.title
        author = f"{self.author} " if self.author else ""
        return self.strings.fill("cite-as", author=author, year=year, title=title,
                                 version=self.version_text, date=self.date_text,
                                 fingerprint=self.fingerprint or "n/a")

    @property
    def pdf_name(self) -> str:
        """The PDF's file name inside the output directory, versioned."""
        slug = "brief" if not self.version else f"brief-{self.version}"
        return f"{slug}-{self.edition}.pdf" if self.edition else f"{slug}.pdf"

    @property
    def factsheets(self) -> Factsheets | None:
        """The parameterised pages of ``brief: factsheets:``, if any."""
        return self.settings.factsheets

    def chapter(self, path: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.path == path:
                return chapter
        raise KeyError(path)


#: Quarto's date keywords: the day of the build.
_DATE_KEYWORDS = ("today", "now", "last-modified")


def _date(value: str) -> str:
    """``book.date``: as written, or the build's day for Quarto's keywords (``today``)
    and when none is given (``SOURCE_DATE_EPOCH``'s day, for reproducible builds)."""
    if value.strip().lower() in _DATE_KEYWORDS:
        return source_date() or dt.date.today().isoformat()
    return value or source_date()


def _fail(message: str) -> RenderError:
    return RenderError(f"{CONFIG}: {message}")


def _name(value: Any) -> str:
    """An author as Quarto allows one: a name, or a mapping with ``name`` (itself text
    or ``{given, family}``)."""
    if isinstance(value, dict):
        name = value.get("name", "")
        if isinstance(name, dict):
            return " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
        return str(name)
    return str(value)


def _string(raw: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise _fail(f"{where}.{key} is missing (expected a text value)")
        return ""
    if isinstance(value, dt.date):  # `date: 2026-11-30`, read by YAML as a date
        value = value.isoformat()
    if isinstance(value, dict) and "name" in value:  # Quarto's `author: {name: ...}`
        value = [value]
    if isinstance(value, list):  # several authors, as text or as `- name: ...`
        value = ", ".join(_name(v) for v in value)
    if not isinstance(value, str | int | float):
        raise _fail(f"{where}.{key} is {type(value).__name__} (expected a text value)")
    return str(value)


def _keywords(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(k.strip() for k in raw.split(",") if k.strip())
    if isinstance(raw, list) and all(isinstance(k, str) for k in raw):
        return tuple(raw)
    raise _fail("keywords must be a list of words or a comma-separated text")


#: A folder or file name of a chapter's path: it becomes a page name, a URL and an id.
MAX_NAME = 100
_SAFE_NAME = re.compile(rf"[A-Za-z0-9_][A-Za-z0-9_.-]{{0,{MAX_NAME - 1}}}")


def _part_title(value: Any, where: str, root: Path) -> str:
    """A part's title: the text of ``part:``, or the title of the page it names."""
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.part is {value!r} (expected the part's title)")
    if not value.endswith((".qmd", ".md")):
        return value.strip()
    return _page_title(root, value)[0] or Path(value).stem


def _page_title(root: Path, path: str) -> tuple[str, bool]:
    """:func:`brief.render.qmd.page_title` of the page at ``path``; ``("", False)`` when
    it cannot be read (the build reports the page itself, located)."""
    try:
        return page_title((root / path).read_text("utf-8"), path)
    except (OSError, UnicodeDecodeError):
        return "", False


def _page_bibliography(root: Path, pages: list[str]) -> str | None:
    """When ``_quarto.yml`` names no bibliography, the first one a page names in its
    front matter (a single Quarto document often does), as a path in the project."""
    for page in pages:
        try:
            text = (root / page).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        front = re.match(r"\A---\n(.*?)\n---", text, re.DOTALL)
        try:
            meta = safeyaml.load(front.group(1)) if front else None
        except yaml.YAMLError:
            continue  # the build reports it, located, when it reads the page
        value = meta.get("bibliography") if isinstance(meta, dict) else None
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value:
            return (Path(page).parent / value).as_posix().removeprefix("./")
    return None


def _files(raw: Any, where: str, root: Path, titles: dict[str, str] | None = None,
           part_pages: set[str] | None = None) -> list[str]:
    """The chapter files of a ``chapters:`` list; ``titles`` gets the title of each part
    (``- part: ...``) under the path of its first page. A part named by a page
    (``part: basics/index.qmd``) has that page first, added to ``part_pages``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(f"{where} must be a list of .qmd (or .md) files")
    files: list[str] = []
    for i, item in enumerate(raw):
        # Quarto allows parts: {part: "Title", chapters: [...]}; flatten them.
        if isinstance(item, dict) and "chapters" in item:
            inner = _files(item["chapters"], f"{where}[{i}].chapters", root, titles,
                           part_pages)
            part = item.get("part")
            if isinstance(part, str) and part.endswith((".qmd", ".md")):
                inner = [*_files([part], f"{where}[{i}].part", root), *inner]
                if part_pages is not None:
                    part_pages.add(inner[0])
            if inner and titles is not None and "part" in item:
                titles[inner[0]] = _part_title(part, f"{where}[{i}]", root)
            files += inner
            continue
        if not isinstance(item, str) or not item.endswith((".qmd", ".md")):
            raise _fail(f"{where}[{i}] is {item!r} (expected a path ending in .qmd or .md; "
                        "a notebook (.ipynb) is not read: save it as .qmd)")
        parts = item.split("/")
        if not all(_SAFE_NAME.fullmatch(part) for part in parts):
            raise _fail(f"{where}[{i}] {item[:120]!r}: expected a relative path whose "
                        "folder and file names hold only letters, digits, '-', '_' and '.' "
                        f"(at most {MAX_NAME} characters each, not starting with '.'): "
                        "they become page names, anchors and links")
        target = (root / item).resolve()
        if not target.is_relative_to(root.resolve()):
            raise _fail(f"{where}[{i}] {item!r} leaves the project folder")
        files.append(item)
    return files


def _unnumbered(root: Path, path: str) -> bool:
    """A page whose title heading is ``{.unnumbered}``, or the references page."""
    return Path(path).stem == "references" or _page_title(root, path)[1]


def _number(root: Path, chapters: list[str], appendices: list[str],
            part_pages: set[str] = frozenset()) -> tuple[Chapter, ...]:
    out: list[Chapter] = []
    count = 0
    for path in chapters:
        if path in part_pages:
            out.append(Chapter(path, "unnumbered", part_page=True))
        elif path == "index.qmd" or _unnumbered(root, path):
            out.append(Chapter(path, "unnumbered"))
        else:
            count += 1
            out.append(Chapter(path, "chapter", str(count)))
    letter = 0
    for path in appendices:
        if _unnumbered(root, path):
            out.append(Chapter(path, "unnumbered"))
        else:
            out.append(Chapter(path, "appendix", chr(ord("A") + letter)))
            letter += 1
    stems = Counter(c.stem for c in out)
    return tuple(replace(c, key=str(Path(c.path).with_suffix("")).replace("/", "-"))
                 if stems[c.stem] > 1 else c for c in out)


#: Folders the build must never replace: the output folder is swapped out wholesale.
PROTECTED = {"data", "chapters", "figures", "src", "tests", "releases", ".git"}


def _check_output_dir(value: str) -> None:
    parts = Path(value).parts
    if (not parts or Path(value).is_absolute() or ".." in parts or value.strip() in (".", "")
            or parts[0] in PROTECTED):
        raise _fail(f"project.output-dir {value!r} is not allowed: the build replaces that "
                    "folder as a whole (expected a new folder inside the project, such as "
                    "_book)")


def _check_factsheets(factsheets: Factsheets | None, root: Path, listed: list[str]) -> None:
    """The template and index exist and are not chapters; the pages' folder is their own.

    The resource and its columns are checked by the build, which reads the data.
    """
    if factsheets is None:
        return
    for key, path in (("template", factsheets.template), ("index", factsheets.index)):
        if path is None:
            continue
        where = f"{BLOCK}.factsheets.{key}"
        if not (root / path).is_file():
            raise _fail(f"{where}: {path} does not exist (create it or correct the path)")
        if path in listed:
            raise _fail(f"{where}: {path} is also listed in book.chapters/appendices (a "
                        "factsheet page is not a chapter: remove it from the list)")
    if factsheets.index is not None and factsheets.index == factsheets.template:
        raise _fail(f"{BLOCK}.factsheets.index: the index cannot be the template itself")
    taken = sorted({Path(p).parent.as_posix() for p in listed} & {factsheets.output})
    if taken:
        raise _fail(f"{BLOCK}.factsheets.output: {taken[0]!r} already holds chapter pages "
                    "(expected a folder of its own, such as districts)")


def load_project(root: Path) -> Project:
    """Parse ``root/_quarto.yml``; raise :class:`RenderError` naming the bad key."""
    config = root / CONFIG
    if not config.is_file():
        raise RenderError(f"{config}: not found. Create _quarto.yml with a `book:` section "
                          "(title, chapters) or pass --project PATH.")
    try:
        raw = safeyaml.load(config.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line, problem = safeyaml.located(exc)
        raise RenderError(f"{CONFIG}{line}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise _fail("expected a mapping at the top level")
    book = raw.get("book")
    if not isinstance(book, dict):
        raise _fail("the `book:` section is missing (expected title and chapters)")
    parts: dict[str, str] = {}
    part_pages: set[str] = set()
    chapters = _files(book.get("chapters"), "book.chapters", root, parts, part_pages)
    if not chapters:
        raise _fail("book.chapters is empty (expected index.qmd and chapter files)")
    appendices = _files(book.get("appendices"), "book.appendices", root)
    missing = [p for p in chapters + appendices if not (root / p).is_file()]
    if missing:
        raise _fail(f"listed in book.chapters/appendices but missing: {', '.join(missing)} "
                    "(create the files or remove them from the list)")
    project_raw = raw.get("project") or {}
    if not isinstance(project_raw, dict):
        raise _fail("project must be a mapping such as {type: book, output-dir: _book}")
    output_dir = _string(project_raw, "output-dir", "project") or "_book"
    _check_output_dir(output_dir)
    execute = raw.get("execute") or {}
    if not isinstance(execute, dict):
        raise _fail("execute must be a mapping such as {echo: false}")
    try:
        settings = parse_settings(raw)
    except SettingsError as exc:
        raise RenderError(str(exc)) from None
    _check_factsheets(settings.factsheets, root, chapters + appendices)
    bibliography = (raw.get("bibliography") or book.get("bibliography")
                    or _page_bibliography(root, chapters + appendices))
    if isinstance(bibliography, list):
        bibliography = bibliography[0] if bibliography else None
    if bibliography is not None:
        if not isinstance(bibliography, str) or \
                not all(_SAFE_NAME.fullmatch(part) for part in bibliography.split("/")):
            raise _fail(f"bibliography {str(bibliography)[:120]!r}: expected a .bib file "
                        "inside the project, such as references.bib")
        target = root / bibliography
        if not target.is_file():
            raise _fail(f"bibliography {bibliography} does not exist")
        if not target.resolve().is_relative_to(root.resolve()):
            raise _fail(f"bibliography {bibliography} is a link out of the project "
                        "(expected the file itself, inside the project)")
    return Project(
        root=root,
        title=_string(book, "title", "book", required=True),
        subtitle=_string(book, "subtitle", "book"),
        author=_string(book, "author", "book"),
        version=_string(raw, "version", "top level") or _string(book, "version", "book"),
        date=_date(_string(book, "date", "book")),
        lang=_string(raw, "lang", "top level") or "en",
        description=_string(book, "description", "book"),
        keywords=_keywords(raw.get("keywords")),
        bibliography=str(bibliography) if bibliography else None,
        output_dir=output_dir,
        chapters=tuple(replace(c, part=parts.get(c.path, ""))
                       for c in _number(root, chapters, appendices, part_pages)),
        execute=execute,
        image_extension=_image_extension(raw),
        settings=settings,
    )


def _image_extension(raw: dict[str, Any]) -> str:
    """Quarto's ``default-image-extension`` (at the top or under ``format: html:``, the
    site's, which the PDF shares: Typst draws SVG and PNG alike), else ``png``."""
    formats = raw.get("format") if isinstance(raw.get("format"), dict) else {}
    html = formats.get("html") if isinstance(formats.get("html"), dict) else {}
    value = raw.get("default-image-extension") or html.get("default-image-extension")
    if value is None:
        return "png"
    if not isinstance(value, str) or not re.fullmatch(r"\.?[A-Za-z0-9]{1,5}", value):
        raise _fail(f"default-image-extension {str(value)[:40]!r}: expected an extension "
                    "such as svg or png")
    return value.lstrip(".").lower()


def edition(project: Project, language: str) -> tuple[Project, list[str]]:
    """The edition of ``project`` in ``language`` (a translation listed in ``brief:
    languages``), and what it lacks, one sentence each, for the build's warnings: pages
    without a translation, and translations that compute something else than their
    original (:func:`brief.render.twins.drift`).

    Each page is its translation (``index.vi.qmd``) where there is one, under the same
    page name; a page without one stays in the main language, with a warning. The book's
    title and message come from ``brief: translations:``, the engine's words from
    ``_language-vi.yml``.
    """
    root = project.root
    lacking: list[str] = []

    def translated(path: str) -> str:
        twin = twin_path(path, language)
        if (root / twin).is_file():
            lacking.extend(drift_of_files(root, path, language))
            return twin
        lacking.append(f"{path}: no {language} translation ({twin}); the {language} "
                       f"edition shows this page in {project.main}")
        return path

    chapters = tuple(replace(c, path=translated(c.path), page=c.html_name)
                     for c in project.chapters)
    try:
        strings = load_strings(root, language)
    except LanguageError as exc:
        raise RenderError(str(exc)) from None
    if strings.missing:
        lacking.append(f"{language_file(root, language).name}: no translation for "
                       f"{', '.join(strings.missing)}; shown in English")
    words = project.settings.translations.get(language, {})
    settings = project.settings
    if settings.factsheets is not None:
        sheets = settings.factsheets
        template = translated(sheets.template)
        index = translated(sheets.index) if sheets.index else None
        settings = replace(settings, factsheets=replace(
            sheets, template=template, index=index,
            title=words.get("factsheets-title", sheets.title)))
    if "key-message" in words:
        settings = replace(settings, key_message=words["key-message"])
    return replace(project, chapters=chapters, edition=language, lang=language,
                   strings=strings, settings=settings,
                   title=words.get("title", project.title),
                   subtitle=words.get("subtitle", project.subtitle),
                   author=words.get("author", project.author)), lacking
