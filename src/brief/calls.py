"""Calls to action: one YAML file beside the chapters, rendered wherever the brief needs it.

``chapters/calls-to-action.yml`` is a list of entries, each naming one action and the
actor asked to take it::

    - id: cta-02-fund-clinics
      chapter: 02-health-services
      actor: national government
      text: Fund a clinic in every district that has none.
      indicators: [districts_without_clinic]

The actors a call may address, and their order, come from the project's
``_quarto.yml`` (``brief: actors:``, see :mod:`brief.settings`); without that list any
actor is accepted. The file is parsed into typed :class:`CallToAction` objects once
and checked as a whole: every problem is reported with the file, the line of the
entry, the entry's id and the field, so an author can fix them all in one pass. Chapters print
:func:`callout`; the summary and the annex print :func:`by_actor`; the build exports
:func:`to_csv` for partners who track follow-up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from brief import safeyaml, spreadsheet
from brief.display import escape_markdown
from brief.problems import Problem
from brief.strings import current

FIELDS: tuple[str, ...] = ("id", "chapter", "actor", "text", "indicators")
#: Fields an entry may have besides :data:`FIELDS`: ``tags``, words that select calls for
#: other pages (a factsheet prints the calls tagged for the kind of place it describes).
OPTIONAL: tuple[str, ...] = ("tags",)
CSV_COLUMNS: tuple[str, ...] = (*FIELDS, *OPTIONAL)
_TAG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: A chapter file is ``NN-slug.qmd``; its stem is the chapter id used in the YAML.
CHAPTER_STEM = re.compile(r"^(\d{2})-[a-z0-9-]+$")
CALL_ID = re.compile(r"^cta-(\d{2})-[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CallToAction:
    """One action, the actor asked to take it and the indicators that motivate it."""

    id: str
    chapter: str
    actor: str
    text: str
    indicators: tuple[str, ...]
    tags: tuple[str, ...] = ()

    @property
    def chapter_number(self) -> int:
        """The chapter's number, from its ``NN-`` prefix."""
        return int(self.chapter[:2])


class CallsError(Exception):
    """The calls-to-action file cannot be used; carries one message per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------- loading


def _display_path(path: Path) -> str:
    """``chapters/calls-to-action.yml`` when possible, else the path as given."""
    parts = path.parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else str(path)


def known_chapters(folder: Path) -> list[str]:
    """Stems of the numbered chapter files (``NN-slug.qmd``) in ``folder``."""
    return sorted(p.stem for p in folder.glob("*.qmd") if CHAPTER_STEM.match(p.stem))


def _entry_lines(text: str) -> list[int]:
    """The 1-based line where each top-level list entry starts (for messages)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def _check_entry(index: int, raw: Any, where: str, chapters: set[str], indicators: set[str],
                 actors: tuple[str, ...], seen: dict[str, int]
                 ) -> tuple[CallToAction | None, list[str]]:
    """Validate one entry; return it (when usable) and its problems."""
    if not isinstance(raw, dict):
        return None, [f"{where}: expected a mapping with the fields {', '.join(FIELDS)} "
                      f"(found {type(raw).__name__})"]
    ident = raw.get("id")
    label = f"{where} ({ident})" if isinstance(ident, str) and ident else where
    problems: list[str] = []

    def problem(name: str, message: str) -> None:
        problems.append(f"{label}: field '{name}': {message}")

    for name in raw:
        if name not in FIELDS and name not in OPTIONAL:
            problem(str(name), f"unknown field (expected only {', '.join(FIELDS + OPTIONAL)})")
    for name in FIELDS:
        if name not in raw or raw[name] is None or raw[name] == "":
            problem(name, "missing (every entry needs it)")

    chapter = raw.get("chapter")
    if isinstance(ident, str) and ident:
        match = CALL_ID.match(ident)
        if not match:
            problem("id", f"{ident!r} is not a call id (expected cta-NN-words, lower case, "
                          "with NN the chapter number, e.g. cta-02-fund-clinics)")
        elif isinstance(chapter, str) and chapter[:2] != match.group(1):
            problem("id", f"{ident!r} does not match its chapter {chapter!r} (expected the "
                          f"prefix cta-{chapter[:2]}-)")
        if ident in seen:
            problem("id", f"{ident!r} is used twice (first at entry {seen[ident]}; ids must "
                          "be unique)")
        else:
            seen[ident] = index
    elif ident not in (None, ""):
        problem("id", f"expected text, found {type(ident).__name__}")

    if chapter not in (None, "") and chapter not in chapters:
        known = ", ".join(sorted(chapters)) or "none found"
        problem("chapter", f"unknown chapter {chapter!r} (expected the stem of a chapter file: "
                           f"{known})")

    actor = raw.get("actor")
    if actor not in (None, ""):
        if not isinstance(actor, str):
            problem("actor", f"expected a name, found {type(actor).__name__}")
        elif actors and actor not in actors:
            problem("actor", f"unknown actor {actor!r} (expected one of: {', '.join(actors)}; "
                             "the list is brief: actors: in _quarto.yml)")

    text = raw.get("text")
    if text not in (None, ""):
        if not isinstance(text, str):
            problem("text", f"expected a sentence, found {type(text).__name__}")
        elif not text[:1].isupper() or not text.rstrip().endswith("."):
            problem("text", "expected one sentence that starts with a capital letter (a verb) "
                            "and ends with a full stop")

    ids = raw.get("indicators")
    if ids not in (None, ""):
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            problem("indicators", "expected a non-empty list of indicator ids, e.g. "
                                  "[population_latest]")
        else:
            for unknown in (i for i in ids if i not in indicators):
                problem("indicators", f"unknown indicator {unknown!r} (run `brief indicators` "
                                      "for the list)")

    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        problem("tags", "expected a list of lower-case words, e.g. [receiving, sending]")

    if problems:
        return None, problems
    return CallToAction(id=ident, chapter=chapter, actor=actor, text=text.strip(),
                        indicators=tuple(ids), tags=tuple(tags)), []


def parse(text: str, *, source: str, chapters: Iterable[str],
          indicators: Iterable[str], actors: Iterable[str] = ()) -> list[CallToAction]:
    """Parse and validate the YAML ``text``; ``source`` names the file in messages.

    ``actors`` lists the actors a call may address; empty accepts any.

    Raises :class:`CallsError` listing every problem found.
    """
    try:
        raw = safeyaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        reason = getattr(exc, "problem", None) or str(exc)
        raise CallsError([f"{where}: not valid YAML: {reason} (check the indentation and "
                          "quote text that contains a colon)"]) from None
    if not isinstance(raw, list) or not raw:
        found = "nothing" if raw is None else type(raw).__name__
        raise CallsError([f"{source}: expected a list of calls to action, one '- id: ...' "
                          f"entry each (found {found})"])
    lines = _entry_lines(text)
    chapter_set, indicator_set, actor_list = set(chapters), set(indicators), tuple(actors)
    seen: dict[str, int] = {}
    calls: list[CallToAction] = []
    problems: list[str] = []
    for index, entry in enumerate(raw, start=1):
        line = f":{lines[index - 1]}" if index <= len(lines) else ""
        where = f"{source}{line}: entry {index}"
        call, found = _check_entry(index, entry, where, chapter_set, indicator_set, actor_list,
                                   seen)
        problems += found
        if call is not None:
            calls.append(call)
    if problems:
        raise CallsError(problems)
    return calls


def load(path: Path | None = None, *, chapters: Iterable[str] | None = None,
         indicators: Iterable[str] | None = None) -> list[CallToAction]:
    """Load and validate the calls to action.

    By default reads the project's ``chapters/calls-to-action.yml``, accepts the
    chapters whose files sit beside it, the indicators of the project's catalogue and
    the actors of its ``brief: actors:`` list.
    """
    from brief.paths import ProjectNotFound, find_root, project_paths
    from brief.settings import load_settings

    if path is None:
        path = project_paths().calls_to_action
    source = _display_path(path)
    if not path.is_file():
        raise CallsError([f"{source}: file not found (expected the calls to action as a "
                          "YAML list beside the chapters)"])
    try:
        root: Path | None = find_root(path.parent)
    except ProjectNotFound:
        root = None
    if chapters is None:
        chapters = known_chapters(path.parent)
    if indicators is None:
        # Ids only: importing the catalogue reads no table, so the build cache does not
        # think that every chapter depends on all of data/.
        from brief.catalogue import load_catalogue

        indicators = load_catalogue(root).ids() if root is not None else []
    actors = load_settings(root).actors if root is not None else ()
    key = (path.read_text(encoding="utf-8"), source, tuple(chapters), tuple(indicators),
           tuple(actors))
    # A kernel that runs many factsheets asks for the same file once per page: parse
    # it once while its text and what it is checked against stay the same.
    if _last_load.get("key") != key:
        _last_load.clear()
        _last_load["calls"] = parse(key[0], source=source, chapters=key[2],
                                    indicators=key[3], actors=key[4])
        _last_load["key"] = key
    found = list(_last_load["calls"])
    language = current().language
    if language == "en":
        return found
    texts = translated(path, language)
    return [replace(c, text=texts.get(c.id, c.text)) for c in found]


_last_load: dict[str, Any] = {}


def twin(path: Path, language: str) -> Path:
    """The translation of the calls file: ``calls-to-action.vi.yml`` beside it."""
    return path.with_suffix(f".{language}{path.suffix}")


def translated(path: Path, language: str) -> dict[str, str]:
    """Each call's text in ``language``, by id, from the twin of ``path`` (a YAML list of
    ``id`` and ``text``; the other fields are the original's). No twin: no texts."""
    other = twin(path, language)
    if not other.is_file():
        return {}
    source = _display_path(other)
    try:
        raw = safeyaml.load(other.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise CallsError([f"{source}: not valid YAML ({getattr(exc, 'problem', exc)})"]
                         ) from None
    lines = _entry_lines(other.read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    problems = []
    for index, entry in enumerate(raw if isinstance(raw, list) else [None]):
        where = f"{source}:{lines[index]}" if index < len(lines) else source
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str)
                and isinstance(entry.get("text"), str) and entry["text"].strip()):
            problems.append(f"{where}: expected an entry with `id` and `text` (the "
                            "translation of the call with that id)")
            continue
        texts[entry["id"]] = " ".join(entry["text"].split())
    if problems:
        raise CallsError(problems)
    return texts


def as_problem(message: str) -> Problem:
    """One of :class:`CallsError`'s messages (``file:line: text``) as a located problem."""
    match = re.match(r"^([^:\s]+?)(?::(\d+))?: (.*)$", message, re.S)
    if match is None:
        return Problem("chapters/calls-to-action.yml", message)
    file, line, text = match.groups()
    return Problem(file, text, row=int(line) if line else None)


# ---------------------------------------------------------------- rendering


def _item(call: CallToAction, *, with_actor: bool, with_chapter: bool) -> str:
    words = current()
    text = escape_markdown(call.text)
    if with_actor:
        text = f"**{escape_markdown(words.term('actors', call.actor).capitalize())}:** {text}"
    if with_chapter:
        text = f"{text} *({words['chapter']} {call.chapter_number})*"
    return f"- {text}"


def callout(chapter: str, calls: Sequence[CallToAction] | None = None) -> str:
    """Markdown for the chapter's closing "Call to action" box, the actor in bold first.

    Raises ``ValueError`` when the chapter has no calls (every chapter should end with one).
    """
    calls = load() if calls is None else calls
    mine = [c for c in calls if c.chapter == chapter]
    if not mine:
        known = ", ".join(sorted({c.chapter for c in calls}))
        raise ValueError(f"no calls to action for chapter {chapter!r} in "
                         f"chapters/calls-to-action.yml (chapters with calls: {known})")
    items = "\n".join(_item(c, with_actor=True, with_chapter=False) for c in mine)
    title = escape_markdown(current()["call-to-action"])
    return f'::: {{.callout-important title="{title}"}}\n{items}\n:::\n'


def tagged(tag: str, calls: Sequence[CallToAction] | None = None, *,
           title: str = "") -> str:
    """Markdown for a "Call to action" box with every call tagged ``tag``, the actor in
    bold first, each ending with the chapter it comes from (for pages outside the
    chapters, such as factsheets). Raises ``ValueError`` when no call has the tag."""
    calls = load() if calls is None else calls
    mine = [c for c in calls if tag in c.tags]
    if not mine:
        raise ValueError(f"no call to action is tagged {tag!r} in chapters/calls-to-action.yml")
    items = "\n".join(_item(c, with_actor=True, with_chapter=True) for c in mine)
    title = title or current()["call-to-action"]
    return f'::: {{.callout-important title="{escape_markdown(title)}"}}\n{items}\n:::\n'


def actor_order(calls: Sequence[CallToAction], actors: Sequence[str] = ()) -> list[str]:
    """The actors of ``calls`` in the project's order (``actors``), then any others in
    order of first appearance."""
    present = list(dict.fromkeys(c.actor for c in calls))
    return [a for a in actors if a in present] + [a for a in present if a not in actors]


def by_actor(calls: Sequence[CallToAction] | None = None, *, level: int = 3) -> str:
    """Every call grouped under a heading per actor (in the ``brief: actors:`` order).

    Each action ends with the chapter it comes from. ``level`` sets the heading depth;
    the headings are unnumbered so that they do not disturb section numbering.
    """
    from brief.settings import project_settings

    calls = load() if calls is None else calls
    blocks: list[str] = []
    for actor in actor_order(calls, project_settings().actors):
        mine = sorted((c for c in calls if c.actor == actor), key=lambda c: c.chapter)
        if not mine:
            continue
        named = current().term("actors", actor).capitalize()
        heading = f"{'#' * level} {escape_markdown(named)} {{.unnumbered}}"
        items = "\n".join(_item(c, with_actor=False, with_chapter=True) for c in mine)
        blocks.append(f"{heading}\n\n{items}\n")
    return "\n".join(blocks)


def csv_text(calls: Sequence[CallToAction],
             translations: dict[str, dict[str, str]] | None = None) -> str:
    """The calls as CSV (columns: id, chapter, actor, text, indicators joined by '; ',
    tags), then a ``text_xx`` column per language of ``translations`` (language: id ->
    text), so that partners get every edition's wording in one file."""
    translations = translations or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"text_{language}" for language in translations)])
    for c in calls:
        writer.writerow(spreadsheet.row([c.id, c.chapter, c.actor, c.text,
                                         "; ".join(c.indicators), "; ".join(c.tags),
                                         *(texts.get(c.id, "") for texts
                                           in translations.values())]))
    return buffer.getvalue()


def to_csv(path: Path, calls: Sequence[CallToAction] | None = None,
           translations: dict[str, dict[str, str]] | None = None) -> bool:
    """Write the calls to ``path`` as CSV for partners; return True when the file changed.

    The file is only rewritten when its content changes, so builds stay incremental.
    """
    calls = load() if calls is None else calls
    text = csv_text(calls, translations)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
