"""Parse a ``.qmd`` chapter into front matter, prose and Python cells.

Only the Quarto syntax the brief uses is understood: YAML front matter, fenced
```` ```{python} ```` cells with ``#|`` options, and inline `` `{python} expr` ``.
Everything is kept with its line number in the source file, so that every later
error or warning can point at ``chapters/NN-slug.qmd:LINE``. Syntax that looks like
Quarto but is not supported (other engines, unknown cell options, shortcodes)
becomes a :class:`~brief.render.errors.SourceWarning` rather than being dropped
silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brief import safeyaml
from brief.render.errors import RenderError, SourceWarning

#: Cell options the native engine honours (Quarto names).
#: A cell label becomes an HTML id and a file name in figures/.
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(?<!\.)")
CELL_OPTIONS = {"label", "fig-cap", "fig-alt", "tbl-cap", "echo", "output", "include",
                "warning", "eval", "lst-label", "lst-cap", "code-fold", "code-summary",
                "panel", "error", "classes", "fig-subcap", "layout-ncol", "layout-nrow",
                "layout"}

#: An executable cell's opening (```` ```{python} ````); ```` ```{shortcodes=false} ```` is
#: a code block with an attribute, not a cell.
_FENCE_OPEN = re.compile(r"^(?P<ticks>`{3,})\s*\{(?P<engine>[A-Za-z0-9_-]+)(?![A-Za-z0-9_-]*\s*=)"
                         r"(?P<rest>[^}]*)\}\s*$")
_PLAIN_FENCE = re.compile(r"^(?P<ticks>`{3,}|~{3,})")
_OPTION = re.compile(r"^[ \t]*#[ \t]*\|[ \t]?(?P<body>.*)$")  # "#| x", "# | x", "  #| x"
_INLINE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")
_OTHER_INLINE = re.compile(r"`\{(?P<engine>r|julia|ojs)\}\s[^`]*`")
#: A shortcode; `{{{< x >}}}` is Quarto's escape for the text `{{< x >}}` (not one).
_SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*(?P<name>[\w-]+)")
_DIV_OPEN = re.compile(r"^:{3,}\s*\{(?P<attrs>[^}]*)\}")
#: A fenced div's opening (``::: {#fig-x}``, ``::: callout-note``) or closing line.
_DIV_LINE = re.compile(r"^:{3,}(?P<rest>.*)$")
#: Fenced-div features of Quarto that the native engine renders as a plain block.
_UNSUPPORTED_DIV = re.compile(r"\.(panel-(?!tabset\b)[\w-]+|column-[\w-]+|aside)\b"
                              r"|\blayout=")
_CALLOUT_KIND = re.compile(r"\.callout-(?P<kind>[\w-]+)")
CALLOUT_KINDS = {"note", "tip", "important", "warning", "caution"}


@dataclass
class Cell:
    """One executable Python cell: its code, options and first code line in the file."""

    code: str
    options: dict[str, Any]
    line: int
    index: int
    #: Whether the cell sits in a figure div (``::: {#fig-x}``), whose caption is its own.
    in_figure: bool = False

    @property
    def label(self) -> str | None:
        label = self.options.get("label")
        return str(label) if label else None

    def where(self) -> str:
        """``cell fig-growth`` or ``cell at line 41``, for messages."""
        return f"cell {self.label}" if self.label else f"cell at line {self.line}"


@dataclass
class Inline:
    """One inline expression; ``line`` is its line in the source file."""

    expr: str
    line: int
    index: int


@dataclass
class Markdown:
    """A run of prose between cells; inline expressions are replaced by placeholders."""

    text: str
    line: int


@dataclass
class Document:
    """A parsed chapter: its source path (relative to the project), metadata and parts."""

    path: str
    meta: dict[str, Any]
    parts: list[Markdown | Cell] = field(default_factory=list)
    inlines: list[Inline] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return [p for p in self.parts if isinstance(p, Cell)]

    def runnable_cells(self, options: dict[str, Any] | None = None) -> list[Cell]:
        """The cells the kernel executes, in order: all but those with ``eval: false``,
        their own or, when they say nothing, the page's and project's ``execute:``
        (``options``, from :meth:`execute_options`; the page's alone when not given)."""
        default = (self.execute_options({}) if options is None else options).get("eval", True)
        return [c for c in self.cells if c.options.get("eval", default) is not False]

    #: The id the author gave the chapter's title heading (``# Intro {#sec-intro}``).
    title_id: str = ""
    #: Whether that heading says ``{.unnumbered}``: the chapter then has no number.
    title_unnumbered: bool = False
    #: Files brought in by ``{{< include >}}`` (relative to the project).
    includes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or "")

    def execute_options(self, project: dict[str, Any]) -> dict[str, Any]:
        """The project's ``execute:`` options overridden by this chapter's front matter."""
        own = self.meta.get("execute")
        return {**project, **own} if isinstance(own, dict) else dict(project)


def placeholder(index: int) -> str:
    """The token that stands for inline expression ``index`` until its value is known."""
    return f"\u2063BRIEFINLINE{index}\u2063"


def _front_matter(lines: list[str], path: str) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                meta = safeyaml.load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = 2 + mark.line if mark is not None else 1
                raise RenderError(f"{path}:{line}: front matter is not valid YAML "
                                  f"({getattr(exc, 'problem', exc)})") from None
            if not isinstance(meta, dict):
                raise RenderError(f"{path}:1: front matter must be a YAML mapping")
            return meta, end + 1
    raise RenderError(f"{path}:1: front matter opened with --- is never closed")


def _options(code_lines: list[str], first_line: int, path: str,
             warnings: list[SourceWarning]) -> tuple[dict[str, Any], list[str], int]:
    """Split leading ``#|`` lines from the code; return options, code lines and offset."""
    raw: list[str] = []
    count = 0
    for line in code_lines:
        match = _OPTION.match(line)
        if not match:
            break
        raw.append(match.group("body"))
        count += 1
    options: dict[str, Any] = {}
    if raw:
        try:
            parsed = safeyaml.load("\n".join(raw)) or {}
        except yaml.YAMLError as exc:
            raise RenderError(f"{path}:{first_line}: cell options (#| lines) are not valid "
                              f"YAML ({getattr(exc, 'problem', exc)})") from None
        if not isinstance(parsed, dict):
            raise RenderError(f"{path}:{first_line}: cell options must be `#| key: value` "
                              "lines")
        for key, value in parsed.items():
            if key not in CELL_OPTIONS:
                line = first_line + next((i for i, r in enumerate(raw)
                                          if r.strip().startswith(f"{key}:")), 0)
                warnings.append(SourceWarning(path, line, f"cell option {key!r} is not "
                                              "supported by the native engine and is ignored"))
                continue
            options[key] = value
    label = options.get("label")
    if label is not None and not LABEL.fullmatch(str(label)):
        raise RenderError(f"{path}:{first_line}: cell label {label!r} is not usable as an id "
                          "and file name (expected letters, digits, -, _ and inner dots, such as "
                          "fig-urban-growth)")
    return options, code_lines[count:], count


def _scan_prose(text: str, line: int, path: str, doc: Document) -> Markdown:
    """Replace inline expressions by placeholders and warn about unsupported syntax."""
    out: list[str] = []
    fence = ""  # inside a fenced code block: an example, shown as written
    for offset, source in enumerate(text.split("\n")):
        here = line + offset
        mark = _FENCE_LINE.match(source)
        if fence or mark:
            if not fence:
                fence = mark.group(1)
            elif mark and mark.group(1)[0] == fence[0] and len(mark.group(1)) >= len(fence) \
                    and not source.strip().strip(fence[0]):
                fence = ""
            out.append(source)
            continue

        def replace(match: re.Match[str], here: int = here) -> str:
            inline = Inline(match.group("expr"), here, len(doc.inlines))
            doc.inlines.append(inline)
            return placeholder(inline.index)

        for match in _OTHER_INLINE.finditer(source):
            doc.warnings.append(SourceWarning(path, here, f"inline {match.group('engine')} "
                                              "code is not supported (only {python}); left "
                                              "as code"))
        div = _DIV_OPEN.match(source.strip())
        if div:
            attrs = div.group("attrs")
            unsupported = _UNSUPPORTED_DIV.search(attrs)
            if unsupported:
                doc.warnings.append(SourceWarning(path, here, f"{unsupported.group(0).strip()} "
                                                  "is not supported by the native engine; "
                                                  "the block is shown as plain content"))
            for kind in _CALLOUT_KIND.findall(attrs):
                if kind not in CALLOUT_KINDS:
                    doc.warnings.append(SourceWarning(
                        path, here, f"callout-{kind} is not a Quarto callout (expected one "
                        f"of {', '.join(sorted(CALLOUT_KINDS))}); shown as plain content"))
        for match in _SHORTCODE.finditer(source):
            doc.warnings.append(SourceWarning(path, here, f"shortcode "
                                              f"{{{{< {match.group('name')} >}}}} is not "
                                              "supported by the native engine; left as text"))
        out.append(_INLINE.sub(replace, source))
    return Markdown("\n".join(out), line)


_TITLE_HEADING = re.compile(r"^##?[ \t]+(?P<text>.+?)(?:[ \t]+\{(?P<attrs>[^}]*)\})?[ \t]*$")


def _heading_title(lines: list[str], start: int, doc: Document) -> None:
    """A page without a ``title:`` takes its first line, when that is a heading of
    level 1 (or 2, as in a preface's ``## Preface``), as its title (as Quarto does); the
    heading's line is blanked (the title is written back as the page's heading) and its
    id, if any, kept."""
    if doc.meta.get("title"):
        return
    first = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
    if first is None:
        return
    match = _TITLE_HEADING.match(lines[first])
    if match is None:  # a callout before "# Preface": the first level-1 heading
        first = _first_level_one(lines, first)
        match = _TITLE_HEADING.match(lines[first]) if first is not None else None
    if match is None:
        return
    doc.meta["title"] = match["text"]
    ident = re.search(r"(?:^|\s)#([\w:.-]+)", match["attrs"] or "")
    doc.title_id = ident.group(1) if ident else ""
    doc.title_unnumbered = bool(re.search(r"(?:^|\s)(\.unnumbered|-)(?:\s|$)",
                                          match["attrs"] or ""))
    lines[first] = ""


def page_title(text: str, path: str) -> tuple[str, bool]:
    """A page's title as Quarto reads it (front matter, else its title heading), and
    whether that heading is ``{.unnumbered}`` (or ``{-}``), which leaves a chapter
    unnumbered; for the project's chapter list, before the pages are parsed. ``("",
    False)`` when the front matter cannot be read (the build reports it, located)."""
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        meta, start = _front_matter(lines, path)
    except RenderError:
        return "", False
    doc = Document(path=path, meta=meta)
    _heading_title(lines, start, doc)
    return str(doc.meta.get("title") or ""), doc.title_unnumbered


def _first_level_one(lines: list[str], start: int) -> int | None:
    """The line of the first ``# Heading`` at the top level of the page: not in a code
    block, and not in a div, where it titles a theorem or a callout."""
    fence: str | None = None
    depth = 0
    for i in range(start, len(lines)):
        line = lines[i]
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
            continue
        opened = _PLAIN_FENCE.match(line.strip())
        if opened:
            fence = opened.group(1)
        elif re.match(r"^:{3,}\s*\S", line):
            depth += 1
        elif re.match(r"^:{3,}\s*$", line):
            depth = max(0, depth - 1)
        elif depth == 0 and re.match(r"^#[ \t]+\S", line):
            return i
    return None


def parse(text: str, path: str) -> Document:
    """Parse the text of one ``.qmd`` file; ``path`` is used in messages only."""
    lines = text.replace("\r\n", "\n").split("\n")
    meta, start = _front_matter(lines, path)
    doc = Document(path=path, meta=meta)
    _heading_title(lines, start, doc)
    prose: list[str] = []
    prose_start = start + 1
    i = start
    fence: str | None = None  # an open non-executable code block
    divs: list[str] = []  # the ids of the fenced divs open here, innermost last

    def flush(next_line: int) -> None:
        nonlocal prose, prose_start
        if prose:
            doc.parts.append(_scan_prose("\n".join(prose), prose_start, path, doc))
        prose = []
        prose_start = next_line

    while i < len(lines):
        line = lines[i]
        if fence is not None:
            prose.append(line)
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
            i += 1
            continue
        opened = _FENCE_OPEN.match(line.strip()) if not line.startswith("    ") else None
        if opened and opened.group("engine") == "python":
            ticks = opened.group("ticks")
            body_start = i + 1
            j = body_start
            while j < len(lines) and not (lines[j].strip().startswith(ticks)
                                          and lines[j].strip().strip("`") == ""):
                j += 1
            if j == len(lines):
                raise RenderError(f"{path}:{i + 1}: python cell is never closed (expected "
                                  f"a line with {ticks})")
            flush(j + 2)
            options, code, skipped = _options(lines[body_start:j], body_start + 1, path,
                                              doc.warnings)
            doc.parts.append(Cell("\n".join(code).strip("\n"), options,
                                  body_start + 1 + skipped, len(doc.cells),
                                  in_figure=any(d.startswith("fig-") for d in divs)))
            i = j + 1
            continue
        if opened and opened.group("engine") not in ("python",):
            engine = opened.group("engine")
            if engine not in ("=html", "=typst", "=latex", "=tex", "mermaid", "dot"):
                doc.warnings.append(SourceWarning(path, i + 1, f"{{{engine}}} cells are not "
                                                  "executed by the native engine; shown as code"))
        div = _DIV_LINE.match(line)
        if div and div["rest"].strip():
            ident = re.search(r"(?:^|[\s{])#([\w:.-]+)", div["rest"])
            divs.append(ident.group(1) if ident else "")
        elif div and divs:
            divs.pop()
        plain = _PLAIN_FENCE.match(line.strip())
        if plain:
            fence = plain.group("ticks")
            if opened and opened.group("engine") in ("dot", "mermaid"):
                # A diagram, drawn at build time (brief.render.diagrams).
                line = f"{opened.group('ticks')} {{.{opened.group('engine')} .brief-diagram}}"
            elif opened:
                # Keep the block as plain code in the language it names.
                line = line.replace("{", "", 1).replace("}", "", 1)
        prose.append(line)
        i += 1
    flush(len(lines) + 1)
    return doc


_INCLUDE = re.compile(r"^[ \t]*\{\{<\s*include\s+(?P<file>\"[^\"]+\"|'[^']+'|\S+?)\s*>\}\}"
                      r"[ \t]*$", re.MULTILINE)
#: How deep included files may include others (a cycle is refused before that).
INCLUDE_DEPTH = 8


def _text(root: Path, path: str, where: str) -> str:
    try:
        return (root / path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RenderError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
                          ) from None
    except OSError as exc:
        raise RenderError(f"{where}: {path} cannot be read ({exc.strerror})") from None


def _included(root: Path, path: str, text: str, chain: tuple[str, ...],
              found: list[str]) -> str:
    """``text`` with each ``{{< include FILE >}}`` line replaced by FILE's text (its
    front matter left out), FILE relative to the including file, as Quarto does.
    ``found`` collects the included files (inputs of the build)."""
    def replace(match: re.Match[str]) -> str:
        line = text.count("\n", 0, match.start()) + 1
        where = f"{path}:{line}"
        name = match["file"].strip("\"'")
        # As in Quarto, a path starting with / starts at the project's folder.
        target = (root / name.lstrip("/") if name.startswith("/")
                  else (root / path).parent / name).resolve()
        if not target.is_relative_to(root.resolve()):
            raise RenderError(f"{where}: include {name!r} is outside the project")
        relative = target.relative_to(root.resolve()).as_posix()
        if relative in chain:
            raise RenderError(f"{where}: include {name!r} includes itself (through "
                              f"{' -> '.join(chain)})")
        if len(chain) > INCLUDE_DEPTH:
            raise RenderError(f"{where}: includes nested more than {INCLUDE_DEPTH} deep")
        if not target.is_file():
            raise RenderError(f"{where}: include {name!r} not found (looked for "
                              f"{relative})")
        found.append(relative)
        body = _text(root, relative, where)
        front = re.match(r"\A---\n.*?\n---[ \t]*\n", body, re.DOTALL)
        body = body[front.end():] if front else body
        return _included(root, relative, body, (*chain, relative), found).rstrip("\n")

    return _outside_code(text, lambda part: _INCLUDE.sub(replace, part),
                         unless=_NO_SHORTCODES)


_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
#: A code block Quarto keeps its include lines in: ```` ```{shortcodes=false} ````.
_NO_SHORTCODES = re.compile(r"^[ \t]*(`{3,}|~{3,})\s*\{[^}]*\bshortcodes\s*=\s*false\b")


def _outside_code(text: str, change: Callable[[str], str],
                  unless: re.Pattern[str] | None = None) -> str:
    """``text`` with ``change`` applied to everything outside fenced code blocks (where
    a shortcode is an example to show, not to run).

    With ``unless``, ``change`` applies inside code blocks too, except those whose
    opening line matches it: Quarto writes includes into code blocks (a script shown as
    code), unless the block says ``{shortcodes=false}``.
    """
    out: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in text.split("\n"):
        mark = _FENCE_LINE.match(line)
        if fence:
            out.append(line)
            if mark and mark.group(1)[0] == fence[0] and len(mark.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = ""
        elif mark and unless is not None and not unless.match(line):
            prose.append(line)  # its lines are changed with the text around it
        elif mark:
            if prose:
                out.append(change("\n".join(prose)))
            prose = []
            out.append(line)
            fence = mark.group(1)
        else:
            prose.append(line)
    if prose:
        out.append(change("\n".join(prose)))
    return "\n".join(out)


_SIMPLE_SHORTCODE = re.compile(
    r"(?<!\{)\{\{<\s*(?P<name>pagebreak|meta|var|video|kbd)(?:\s+(?P<arg>[^>]*?))?\s*>\}\}"
    r"(?!\})")
PAGEBREAK = ('\n```{=html}\n<div class="page-break" aria-hidden="true"></div>\n```\n\n'
             "```{=typst}\n#pagebreak()\n```\n")


def _lookup(tree: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def escape_text(text: str) -> str:
    """Plain text made safe to write into Markdown (no emphasis, links or code)."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def unescape_shortcodes(text: str) -> str:
    """Quarto's escaped shortcodes, ``{{{< x >}}}``, as the text ``{{< x >}}``."""
    return text.replace("{{{<", "{{<").replace(">}}}", ">}}")


def _book_setting(root: Path, key: str) -> Any:
    """A setting of ``_quarto.yml``, under ``book:`` first (``meta title``)."""
    try:
        config = safeyaml.load((root / "_quarto.yml").read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    found = _lookup(config, f"book.{key}")
    return found if found is not None else _lookup(config, key)


def _shortcodes(root: Path, path: str, text: str) -> str:
    """Quarto's simple shortcodes, written out: ``pagebreak`` (a page break in the PDF
    and in print), ``meta KEY`` (the page's front matter, then the book's settings),
    ``var KEY`` (``_variables.yml``), ``video URL`` (a link to the video in both
    outputs). A key that names nothing becomes ``?meta:KEY`` or ``?var:KEY``, as in
    Quarto."""
    variables: Any = None
    meta: Any = None

    def replace(match: re.Match[str]) -> str:
        nonlocal variables, meta
        name, arg = match["name"], (match["arg"] or "").strip().strip("\"'")
        if name == "pagebreak":
            return PAGEBREAK
        if name == "video":
            return f"[Video: {arg}](<{arg}>)"
        if name == "kbd":  # the keys, as typed: `{{< kbd Shift-Ctrl-K >}}`, `win=...`
            words = (match["arg"] or "").split()
            keys = next((w for w in words if "=" not in w), None) or next(
                (w.split("=", 1)[1].strip("\"'") for w in words if w.startswith("win=")), "")
            return f"[{escape_text(keys)}]{{.kbd}}"
        if name == "var":
            if variables is None:
                file = root / "_variables.yml"
                variables = (safeyaml.load(file.read_text("utf-8")) or {}) \
                    if file.is_file() else {}
            value = _lookup(variables, arg)
        else:
            if meta is None:
                meta = _front_matter(text.split("\n"), path)[0]
            value = _lookup(meta, arg)
            if value is None:
                value = _book_setting(root, arg)
        if value is None or isinstance(value, dict | list):
            return f"?{name}:{arg}"
        return str(value)

    return _outside_code(text, lambda part: _SIMPLE_SHORTCODE.sub(replace, part))


def read(root: Path, path: str) -> Document:
    """Read and parse ``root/path`` with its included files; a file that is not UTF-8
    is a located error."""
    text = _text(root, path, path)
    found: list[str] = []
    if "{{<" in text:
        text = _included(root, path, text.replace("\r\n", "\n"), (path,), found)
        text = _shortcodes(root, path, text)
    document = parse(text, path)
    document.includes = found
    return document
