"""Write the website: one page per chapter, assets, fonts, the offline chart bundle.

pandoc turns each chapter's AST into an HTML fragment (through the Lua filter, with
citeproc); :data:`PAGE` wraps it with the sidebar, previous/next links, the footer
with version and date and the "Download PDF" link. Nothing on a page refers to
another host: the Vega bundle comes from ``vl_convert.javascript_bundle()`` (cached,
since it takes about 2 s), fonts and search are served from the site itself.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from brief import __version__, strings
from brief.render import pandoc, versions, xref
from brief.render.errors import RenderError, SourceWarning
from brief.render.fonts import web_fonts
from brief.render.project import Project
from brief.settings import License, Style

ASSETS = Path(__file__).with_name("assets")
#: The calls to action as CSV, which the build writes into the site root when it has them.
CALLS_CSV = "calls-to-action.csv"
PAGE = Template((ASSETS / "page.html").read_text(encoding="utf-8"))


def chart_bundle(cache: Path) -> str:
    """The vega-embed bundle with our chart snippet, generated once and cached (and
    checked against its recorded digest each time it is used)."""
    import vl_convert

    snippet = (ASSETS / "charts.js").read_text(encoding="utf-8")
    key = hashlib.sha256(f"{vl_convert.__version__}\n{snippet}".encode()).hexdigest()[:16]
    cached = cache / f"charts-{key}.js"
    seal = cached.with_suffix(".js.sha256")
    try:
        bundle = cached.read_text(encoding="utf-8")
        if hashlib.sha256(bundle.encode()).hexdigest() == seal.read_text("utf-8").strip():
            return bundle
    except (OSError, UnicodeDecodeError):
        pass  # not made yet, or damaged: made again below
    bundle = vl_convert.javascript_bundle(snippet)
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_text(bundle, encoding="utf-8")
    # Its digest beside it: an edited or damaged bundle is never published.
    seal.write_text(hashlib.sha256(bundle.encode()).hexdigest(), encoding="utf-8")
    return bundle


def write_assets(site: Path, cache: Path, style: Style | None = None) -> None:
    """Copy the stylesheets and the fonts (cut, as WOFF2) and write the chart bundle into
    ``site/assets``;
    ``theme.css`` carries the project's accent colour (``brief: style:``)."""
    assets = site / "assets"
    (assets / "fonts").mkdir(parents=True, exist_ok=True)
    for name in ("site.css", "print.css"):
        shutil.copyfile(ASSETS / name, assets / name)
    accent = (style or Style()).accent
    (assets / "theme.css").write_text(f":root {{ --accent: {accent}; }}\n", encoding="utf-8")
    for font in web_fonts():
        shutil.copyfile(font, assets / "fonts" / font.name)
    (assets / "charts.js").write_text(chart_bundle(cache), encoding="utf-8")


@dataclass(frozen=True)
class Nav:
    """What the sidebar of every page lists besides the chapters."""

    #: The chapters' titles, in book order.
    titles: list[str]
    #: The factsheets' index page (relative to the site root) and its title.
    factsheets: tuple[str, str] | None = None


def _sidebar(project: Project, nav: Nav, current: str, root: str) -> str:
    """The chapter list, the factsheets' index and the Versions page; ``current`` is the
    page being written (relative to the site root)."""
    def attr(page: str) -> str:
        return ' aria-current="page"' if page == current else ""

    items: list[str] = []
    appendix_started = False
    for chapter, title in zip(project.chapters, nav.titles, strict=True):
        if chapter.kind == "appendix" and not appendix_started:
            items.append(f'    <li class="part">{html.escape(project.strings["appendices"])}</li>')
            appendix_started = True
        if chapter.part_page:  # the part's heading is the link to its page
            items.append(f'    <li class="part"><a href="{root}{html.escape(chapter.html_name)}"'
                         f"{attr(chapter.html_name)}><span>{html.escape(title)}</span></a></li>")
            continue
        if chapter.part:
            items.append(f'    <li class="part">{html.escape(chapter.part)}</li>')
        number = (f'<span class="chapter-number">{html.escape(chapter.number)}</span>'
                  if chapter.number else "")
        items.append(f'    <li><a href="{root}{html.escape(chapter.html_name)}"'
                     f"{attr(chapter.html_name)}>"
                     f"{number}<span>{html.escape(title)}</span></a></li>")
    if nav.factsheets is not None:
        page, title = nav.factsheets
        items.append(f'    <li class="factsheets"><a href="{root}{html.escape(page)}"'
                     f"{attr(page)}><span>{html.escape(title)}</span></a></li>")
    items.append(f'    <li class="part"><a href="{root}{versions.PAGE_NAME}"'
                 f"{attr(versions.PAGE_NAME)}><span>{html.escape(project.strings['versions'])}"
                 "</span></a></li>")
    return "\n".join(items)


def _prev_next(project: Project, titles: list[str], index: int, root: str) -> str:
    links: list[str] = []
    for step, rel, arrow in ((-1, "prev", "←"), (1, "next", "→")):
        other = index + step
        if 0 <= other < len(project.chapters):
            chapter = project.chapters[other]
            label = f"{chapter.number} {titles[other]}".strip()
            text = f"{arrow} {html.escape(label)}" if rel == "prev" else \
                f"{html.escape(label)} {arrow}"
            links.append(f'<a class="{rel}" rel="{rel}" href="{root}'
                         f'{html.escape(chapter.html_name)}">{text}</a>')
    return "\n".join(links)


def _local_toc(ast: dict[str, Any], targets: dict[str, xref.Target]) -> str:
    entries = []
    for block in ast["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 2:
            ident = block["c"][1][0]
            title = xref.stringify(block["c"][2])
            number = targets[ident].number if ident in targets else ""
            entries.append(f'<li><a href="#{html.escape(ident)}">'
                           f"{html.escape((number + ' ' + title).strip())}</a></li>")
    if len(entries) < 2:
        return ""
    title = html.escape(strings.current()["on-this-page"])
    return (f'<nav class="toc" aria-label="{title}" data-pagefind-ignore>'
            f"<strong>{title}</strong><ol>{''.join(entries)}</ol></nav>")


def _has_refs_div(ast: dict[str, Any]) -> bool:
    return any(n["t"] == "Div" and n["c"][0][0] == "refs" for n in xref.walk(ast["blocks"]))


def _spec_scripts(book: xref.Book, index: int, charts: dict[str, dict[str, Any]]) -> str:
    scripts = []
    for chart in book.chapters[index].charts:
        spec = dict(charts[chart.name])
        spec["description"] = chart.alt or spec.get("description", "")
        # "<" as \u003c: nothing in a data label can end or open a tag inside <script>.
        text = _script_json(spec)
        scripts.append(f'<script type="application/json" data-chart-spec="'
                       f'{html.escape(chart.name)}">{text}</script>')
    return "\n".join(scripts)


def _fragment(project: Project, book: xref.Book, index: int, work: Path,
              warnings: list[SourceWarning], citeproc: bool = True) -> str:
    """The HTML of page ``index`` of ``book``, by pandoc through the Lua filter.

    A page that has a ``#refs`` div (the references chapter) gets the bibliography
    there; elsewhere citations are rendered without a list. Without ``citeproc`` the
    page's citations were resolved already (a factsheet: see :func:`resolve_citations`).
    """
    chapter = book.chapters[index].chapter
    root = "../" * chapter.html_name.count("/")
    ast = book.asts[index]
    meta_file = work / ("xref-" + chapter.html_name.replace("/", "--") + ".json")
    meta_file.write_text(json.dumps({
        "targets": xref.metadata(book, chapter.html_name),
        "charts": [c.name for c in book.chapters[index].charts],
        "root": root,
        "keep": list(project.settings.keep_together),
        "callouts": project.strings.callout_titles(),
    }, ensure_ascii=False), encoding="utf-8")
    # lang: citeproc writes the references in the edition's language ("và", "tr.").
    meta: dict[str, Any] = {"brief-xref-file": str(meta_file), "link-citations": True,
                            "lang": project.lang}
    bibliography = (_citeproc(project, book, ast, meta)
                    if project.bibliography and citeproc else None)
    document = dict(ast)
    document["meta"] = {**ast.get("meta", {}), **_meta_values(meta)}
    messages: list[str] = []
    options = pandoc.Options("json", "html5", wrap="none", brief_filter=True,
                             bibliography=bibliography, drop_list=not _has_refs_div(ast))
    fragment = pandoc.convert(json.dumps(document), options, chapter.path, warnings=messages)
    warnings += [SourceWarning(chapter.path, None, m) for m in messages]
    references = references_page(project)
    if references and 'id="refs"' not in fragment:
        # citeproc links each citation to its entry in this page's list (#ref-key); the
        # list is on the references page.
        fragment = fragment.replace('href="#ref-', f'href="{root}{html.escape(references)}#ref-')
    return fragment


def references_page(project: Project) -> str | None:
    """The page of the reference list: the chapter with a ``::: {#refs}`` div."""
    return _references_page(project.root, tuple(c.path for c in project.chapters),
                            tuple(c.html_name for c in project.chapters))


@cache
def _references_page(root: Path, sources: tuple[str, ...], pages: tuple[str, ...]
                      ) -> str | None:
    for source, page in zip(sources, pages, strict=True):
        try:
            text = (root / source).read_text(encoding="utf-8")
        except OSError:
            continue
        if _REFS_DIV.search(text):
            return page
    return None


_REFS_DIV = re.compile(r"^:::+\s*\{\s*#refs\b", re.MULTILINE)


def _citeproc(project: Project, book: xref.Book, ast: dict[str, Any], meta: dict[str, Any]
              ) -> Path:
    """The bibliography for citeproc; sets the metadata that places the reference list:
    where the page's ``#refs`` div is, or nowhere.

    Every page is given all that the book cites (``nocite``), so that citeproc tells
    apart two works of one author and year ("2010a", "2010b") the same way on every
    page as on the references page and in the PDF. A page without the div gets the
    list too, for citeproc links citations only to a list it writes; the converter
    drops it (:attr:`pandoc.Options.drop_list`)."""
    assert project.bibliography is not None
    meta["nocite"] = "; ".join(f"@{k}" for k in book.citations)
    return project.root / project.bibliography


def resolve_citations(project: Project, book: xref.Book, work: Path,
                      warnings: list[SourceWarning]) -> None:
    """Run the one page of ``book`` through its cross-references and citeproc, once for
    both targets (citeproc costs 0.1 s a run, and a factsheet has two targets); its AST
    is replaced by the result. Only for a page whose cross-references stay within it."""
    if not project.bibliography or not book.citations:
        return
    chapter = book.chapters[0].chapter
    ast = book.asts[0]
    meta_file = work / ("cite-" + chapter.html_name.replace("/", "--") + ".json")
    meta_file.write_text(json.dumps({"targets": xref.metadata(book, None), "charts": [],
                                     "root": ""}, ensure_ascii=False), encoding="utf-8")
    # lang: citeproc writes the references in the edition's language ("và", "tr.").
    meta: dict[str, Any] = {"brief-xref-file": str(meta_file), "link-citations": True,
                            "lang": project.lang}
    options = pandoc.Options("json", "json", brief_filter=True,
                             bibliography=_citeproc(project, book, ast, meta),
                             drop_list=not _has_refs_div(ast))
    document = {**ast, "meta": {**ast.get("meta", {}), **_meta_values(meta)}}
    messages: list[str] = []
    resolved = json.loads(pandoc.convert(json.dumps(document), options, chapter.path,
                                         warnings=messages))
    warnings += [SourceWarning(chapter.path, None, m) for m in messages]
    resolved["meta"] = ast.get("meta", {})
    book.asts[0] = resolved


def _meta_values(meta: dict[str, Any]) -> dict[str, Any]:
    """Plain Python values as pandoc JSON metadata (strings stay literal)."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if isinstance(value, bool):
            out[key] = {"t": "MetaBool", "c": value}
        elif key == "nocite":
            cites = [{"citationId": k.lstrip("@"), "citationPrefix": [], "citationSuffix": [],
                      "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                      "citationHash": 0} for k in value.split("; ") if k]
            out[key] = {"t": "MetaInlines", "c": [{"t": "Cite", "c": [cites, []]}]}
        else:
            out[key] = {"t": "MetaString", "c": str(value)}
    return out


#: The chart code (vega-embed, about 0.9 MB) is fetched when the reader first points
#: at, touches or tabs to a chart: until then the chart is its static SVG, and a page
#: weighs a fraction of the code. Importing the module draws every chart of the page.
CHART_LOADER = """<script type="module">
const load = () => import("ROOTassets/charts.js");
for (const chart of document.querySelectorAll(".chart[data-chart]")) {
  for (const event of ["pointerover", "focusin", "touchstart"]) {
    chart.addEventListener(event, load, { once: true, passive: true });
  }
}
</script>"""
#: The first paragraph of a page, for its description (search engines, link previews).
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
DESCRIPTION_LENGTH = 200


def _script_json(value: Any) -> str:
    """``value`` as JSON safe inside a ``<script>`` element: no ``<`` (so no ``</script>``
    or ``<!--``) and no line separators that old parsers end a string at."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _description(body: str, project: Project) -> str:
    """The page's description: its first paragraph, cut at a word near 200 characters,
    or the brief's key message."""
    for found in _FIRST_PARAGRAPH.finditer(body):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())
        if len(text) > 60:
            if len(text) > DESCRIPTION_LENGTH:
                text = text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"
            return text
    return project.settings.key_message or project.description or project.title


_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.DOTALL)


def keep_together(text: str, phrases: tuple[str, ...]) -> str:
    """``text`` (HTML) with the spaces inside each of ``phrases`` made non-breaking,
    outside scripts: the title bar, the sidebar and the footer, which do not pass through
    pandoc's filter (which does the same for the body)."""
    if not phrases:
        return text
    pattern = re.compile(r"(?<![\w-])(" + "|".join(
        r"\s+".join(re.escape(w) for w in p.split()) for p in phrases) + r")(?![\w-])")
    parts = _SCRIPT.split(text)
    for i in range(0, len(parts), 2):  # the even parts are outside <script>
        parts[i] = pattern.sub(lambda m: "\u00a0".join(m.group(1).split()), parts[i])
    return "".join(parts)


def _language_links(project: Project, page: str, root: str) -> str:
    """Links to ``page`` in the other editions (``brief: languages``), each named in its
    own language; nothing when the brief has one edition."""
    if len(project.languages) < 2:
        return ""
    site_root = root + ("../" if project.edition else "")
    links = []
    for language in project.languages:
        if language == project.language:
            continue
        folder = "" if language == project.main else f"{language}/"
        name = strings.load(project.root, language)["language-name"]
        links.append(f'<a href="{site_root}{folder}{html.escape(page)}" hreflang="{language}" '
                     f'lang="{language}">{html.escape(name)}</a>')
    label = html.escape(project.strings["language-switch"])
    return f'  <nav class="languages" aria-label="{label}">{" ".join(links)}</nav>'


def _page(project: Project, site: Path, nav: Nav, page: str, title: str, toc: str,
          body: str, prev_next: str, specs: str) -> str:
    """A complete page of the site: ``page`` (relative to the site root) around ``body``."""
    root = "../" * page.count("/")
    license = project.settings.license
    return keep_together(_filled(project, site, nav, page, title, toc, body, prev_next,
                                 specs, root, license), project.settings.keep_together)


def _filled(project: Project, site: Path, nav: Nav, page: str, title: str, toc: str,
            body: str, prev_next: str, specs: str, root: str, license: License | None
            ) -> str:
    words = project.strings
    return PAGE.substitute(
        lang=html.escape(project.lang),
        language_links=_language_links(project, page, root),
        t_skip=html.escape(words["skip-to-content"]),
        t_download_pdf=html.escape(words["download-pdf"]),
        t_chapters=html.escape(words["chapters"]),
        t_search=html.escape(words["search-label"]),
        t_page_nav=html.escape(words["page-nav"]),
        t_version=html.escape(words["version"]),
        t_data=html.escape(words["data"]),
        t_versions=html.escape(words["versions"]),
        generator=__version__,
        page_title=html.escape(title if title == project.title
                               else f"{title} – {project.title}"),
        root=root,
        book_title=html.escape(project.title),
        pdf_name=html.escape(project.pdf_name),
        chapters=_sidebar(project, nav, page, root),
        toc=toc,
        body=body,
        prev_next=prev_next,
        version=html.escape(project.version_text),
        fingerprint=html.escape(project.fingerprint),
        date_iso=html.escape(project.date),
        date_text=html.escape(project.date_text),
        chart_specs=specs,
        page_data=_script_json({"root": root, "version": project.version_text,
                                "fingerprint": project.fingerprint,
                                "words": {"draft": words["banner-draft"],
                                          "old": words["banner-old"],
                                          "data": words["banner-data"],
                                          "all": words["see-all-versions"],
                                          "search": words["search-label"]}}),
        # "./": an import path must be relative explicitly ("assets/..." would be a
        # package name).
        chart_script=CHART_LOADER.replace("ROOT", root or "./") if specs.strip() else "",
        description=html.escape(_description(body, project), quote=True),
        author=html.escape(project.author),
        license_url=html.escape(license.path if license else ""),
        license_line=(f'  · <span class="license">{html.escape(words["text-and-data"])}: '
                      '<a rel="license" href="'
                      f'{html.escape(license.path)}">{html.escape(license.title)}</a></span>'
                      if license else ""),
        calls_link=(f'  · <a href="{root}{CALLS_CSV}" download>'
                    f'{html.escape(words["calls-csv"])}</a>'
                    if (site / CALLS_CSV).is_file() else ""),
    )


def _write(site: Path, page: str, text: str) -> Path:
    target = site / page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def write_pages(project: Project, book: xref.Book, site: Path, work: Path,
                charts: dict[str, dict[str, Any]], warnings: list[SourceWarning],
                nav: Nav | None = None) -> list[Path]:
    """Write one HTML page per chapter into ``site``; return the pages written.

    pandoc's warnings (such as a citation missing from the bibliography) are added to
    ``warnings``, named by chapter. ``nav`` adds the factsheets' index to the sidebar.
    """
    titles = [a.title or a.chapter.stem for a in book.chapters]
    nav = Nav(titles, nav.factsheets if nav is not None else None)
    pages: list[Path] = []
    found: list[list[SourceWarning]] = [[] for _ in project.chapters]
    # One pandoc process per chapter; they are independent, so run them side by side.
    with ThreadPoolExecutor() as pool:
        bodies = list(pool.map(lambda i: _fragment(project, book, i, work, found[i]),
                               range(len(project.chapters))))
    for chapter_warnings in found:
        warnings += chapter_warnings
    for index, chapter in enumerate(project.chapters):
        root = "../" * chapter.html_name.count("/")
        body = bodies[index]
        if index == 0:
            body += versions.citation_block(project)
        text = _page(project, site, nav, chapter.html_name, titles[index],
                     _local_toc(book.asts[index], book.targets), body,
                     _prev_next(project, titles, index, root),
                     _spec_scripts(book, index, charts))
        pages.append(_write(site, chapter.html_name, text))
    links = versions.pdf_links(project, project.root / "releases", site)
    (site / versions.JSON_NAME).write_text(versions.versions_json(project, links), "utf-8")
    text = _page(project, site, nav, versions.PAGE_NAME, project.strings["versions"], "",
                 versions.versions_body(project, links, ""), "", "")
    pages.append(_write(site, versions.PAGE_NAME, text))
    return pages


def write_page(project: Project, book: xref.Book, site: Path, work: Path,
               charts: dict[str, dict[str, Any]], warnings: list[SourceWarning], nav: Nav,
               neighbours: tuple[xref.Book | None, xref.Book | None] = (None, None),
               pdf: str | None = None) -> Path:
    """Write a page outside the chapter list (a factsheet or the factsheets' index), the
    only page of ``book``, whose citations :func:`resolve_citations` resolved; return
    its path.

    ``neighbours`` are the previous and next pages of its set (for the links at its
    foot); ``pdf`` is its own PDF, linked under its title.
    """
    page = book.chapters[0].chapter.html_name
    root = "../" * page.count("/")
    title = book.chapters[0].title or book.chapters[0].chapter.stem
    body = _fragment(project, book, 0, work, warnings, citeproc=False)
    if pdf is not None:
        link = (f'<p class="factsheet-pdf"><a href="{root}{html.escape(pdf)}" download>'
                f"{html.escape(project.strings['download-factsheet'])}</a></p>")
        head, found, rest = body.partition("</h1>")
        body = head + found + "\n" + link + rest if found else link + body
    links: list[str] = []
    for other, rel, arrow in ((neighbours[0], "prev", "←"), (neighbours[1], "next", "→")):
        if other is None:
            continue
        label = html.escape(other.chapters[0].title)
        text = f"{arrow} {label}" if rel == "prev" else f"{label} {arrow}"
        links.append(f'<a class="{rel}" rel="{rel}" href="{root}'
                     f'{html.escape(other.chapters[0].chapter.html_name)}">{text}</a>')
    text = _page(project, site, nav, page, title, _local_toc(book.asts[0], book.targets),
                 body, "\n".join(links), _spec_scripts(book, 0, charts))
    return _write(site, page, text)


_STATIC_CHART = re.compile(r'<img class="chart-static" src="([^"]+\.svg)" alt="[^"]*">')


def inline_charts(pages: list[Path]) -> None:
    """Put each chart's SVG into its page in place of the ``<img>`` that points to it.

    An SVG shown through ``<img>`` cannot use the page's web fonts, so its text falls
    back to a system font; inline, it is set in the site's own Noto Sans, as in the PDF,
    and it weighs the same. The chart's box carries its name (``role="img"``), so the
    drawing itself is hidden from screen readers and from the search index. Run once
    every SVG is written (a factsheet's are drawn while pages are written)."""
    for page in pages:
        text = page.read_text(encoding="utf-8")

        def svg(found: re.Match[str], page: Path = page) -> str:
            drawing = (page.parent / html.unescape(found.group(1))).read_text(encoding="utf-8")
            return drawing.replace(
                "<svg ", '<svg aria-hidden="true" focusable="false" data-pagefind-ignore ', 1
            ).replace('class="marks"', 'class="marks chart-static"', 1)

        inlined = _STATIC_CHART.sub(svg, text)
        if inlined != text:
            page.write_text(inlined, encoding="utf-8")


def index_search(site: Path, lang: str) -> None:
    """Build the pagefind search index of ``site`` (runs the pagefind binary from pip)."""
    process = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--force-language", lang],
        capture_output=True, text=True, check=False)
    if process.returncode != 0:
        detail = (process.stderr or process.stdout).strip().splitlines()[-3:]
        raise RenderError("search index: pagefind failed (" + " ".join(detail) + "); "
                          "reinstall with `pip install 'pagefind[bin]'`")
