"""The build pipeline: data check -> parse -> execute -> assemble -> number -> write.

Factsheets (``brief: factsheets:``, see :mod:`brief.render.factsheets`) go through the
same stages beside the book: planned and checked with the data, executed with the
chapters (a template's instances share kernels), each numbered as a page of its own,
written as a page of the site and a PDF of its own.

Everything is written into a staging folder next to the output folder
(``.brief-staging-*``); only when the site and the PDF are complete is the old
output moved aside and the new one renamed into place, so a failed build leaves the
previous ``_book/`` byte for byte as it was. Progress goes to a :class:`Progress`
the caller supplies (the CLI shows it with rich); nothing here prints.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brief import strings
from brief.diff import data_fingerprint
from brief.paths import ProjectPaths
from brief.problems import DataError
from brief.release import ReleaseInfo, ReleaseRefused, list_releases
from brief.render import conditions, diagrams, factsheets, html, images, pdf, qmd, xref
from brief.render import execute as execute_stage
from brief.render.cache import ExecutionCache, build_key, environment_digest
from brief.render.errors import RenderError, SourceWarning
from brief.render.figures import Background, Credits, Exporter
from brief.render.markdown import Assembled, Chart, assemble
from brief.render.project import Project, edition, load_project
from brief.render.twins import twin_path

log = logging.getLogger(__name__)


class Progress:
    """Receives progress from :func:`build`; the default ignores it."""

    def stage(self, name: str) -> None:
        """A stage starts (``execute``, ``html``, ``pdf``...)."""

    def chapter(self, path: str, cached: bool) -> None:
        """A chapter finished executing (``cached``: its stored outputs were reused)."""

    def factsheet(self, page: str, cached: bool) -> None:
        """A factsheet (or the factsheets' index) finished executing; ``page`` is the page
        it becomes (``districts/north-hill.html``)."""

    def kernel(self, path: str, instances: int) -> None:
        """``path`` goes to a Jupyter kernel (a warm one, or a new one while there are
        fewer than one per core): a chapter (``instances`` is 0) or a batch of that many
        instances of a factsheet template."""

    def warning(self, warning: SourceWarning) -> None:
        """Something in a source file could not be rendered faithfully."""


@dataclass
class BuildResult:
    """What a successful build produced."""

    output: Path
    pages: list[Path]
    pdf: Path
    charts: int
    seconds: float
    warnings: list[SourceWarning] = field(default_factory=list)
    #: True when nothing changed since the last build and no work was done.
    up_to_date: bool = False
    #: The factsheets' pages and PDFs, in the order of their rows, and their index page.
    factsheets: list[Path] = field(default_factory=list)
    factsheet_pdfs: list[Path] = field(default_factory=list)
    factsheet_index: Path | None = None
    #: Each translation's PDF (``brief: languages``), in its folder of the output.
    editions: list[Path] = field(default_factory=list)


def _check_data(paths: ProjectPaths) -> None:
    if not paths.datapackage.is_file():
        return
    from brief.check import check

    report = check(paths.root)
    if not report.ok:
        raise DataError(report.problems)


#: A file in every site the build writes: only a folder carrying it may be replaced.
OUTPUT_MARKER = ".brief-output"


def _written_by_brief(folder: Path) -> bool:
    """An empty folder, or one the build wrote: the marker, or (sites built before the
    marker existed) an index page whose generator is brief."""
    if not folder.is_dir():
        return False
    if (folder / OUTPUT_MARKER).is_file() or not any(folder.iterdir()):
        return True
    index = folder / "index.html"
    try:
        return index.is_file() and '<meta name="generator" content="brief ' in index.read_text(
            encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False


#: The folders a build stages its output in, next to the output folder.
STAGING_PREFIX = ".brief-staging-"


def swap_into_place(new: Path, output: Path, trash: Path) -> None:
    """Replace ``output`` by ``new`` with two renames, restoring the old one on failure.

    Refuses to replace anything the build did not make (a file, or a folder without
    the marker and not empty), so a mistaken output-dir can never swallow sources.
    """
    if output.exists() and not _written_by_brief(output):
        raise RenderError(f"{output}: refusing to replace it: it was not written by `brief "
                          "build` (no .brief-output marker). Choose another output-dir in "
                          "_quarto.yml or move it away.")
    (new / OUTPUT_MARKER).write_text("Written by brief build; replaced by the next build.\n",
                                     encoding="utf-8")
    if output.exists() and exchange(new, output):
        new.rename(trash)  # the old output, now under the staging folder, goes with it
        return
    moved = False
    if output.exists():
        output.rename(trash)
        moved = True
    try:
        new.rename(output)
    except OSError:
        if moved:
            trash.rename(output)
        raise


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with ``RENAME_EXCHANGE``):
    there is no moment without an output folder. False where the system cannot (then
    :func:`swap_into_place` renames twice, and :func:`recover` mends a stop between)."""
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def recover(root: Path, output: Path) -> None:
    """Mend what a build stopped by force left (run with the build lock held): when the
    output folder is missing but a staging folder kept the previous output aside, put
    it back; then remove every staging folder."""
    for staging in sorted(root.glob(STAGING_PREFIX + "*")):
        previous = staging / "previous"
        if not output.exists() and previous.is_dir():
            previous.rename(output)
        shutil.rmtree(staging, ignore_errors=True)


def sync_figures(site_figures: Path, figures: Path) -> None:
    """Copy exported charts to the project's ``figures/`` (factsheets' in subfolders),
    writing only changed files."""
    if not site_figures.is_dir():
        return
    figures.mkdir(exist_ok=True)
    for source in sorted(site_figures.rglob("*")):
        if not source.is_file():
            continue
        target = figures / source.relative_to(site_figures)
        data = source.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _locate(warning: SourceWarning, sources: dict[str, str]) -> SourceWarning:
    """Give a pandoc warning the line it is about: where a missing citation key is
    cited, or where a formula pandoc cannot convert begins."""
    if warning.line is not None:
        return warning
    cited = re.search(r"citation (\S+) not found", warning.message)
    math = re.search(r"Could not convert TeX math (.+?), rendering as TeX", warning.message,
                     re.DOTALL)
    if cited:
        needle = f"@{cited.group(1)}"
    elif math and math.group(1).strip():
        needle = math.group(1).strip().split("\n")[0][:30]
    else:
        return warning
    line = xref.line_of(sources.get(warning.file, ""), needle)
    return SourceWarning(warning.file, line, warning.message)


@dataclass
class Sheets:
    """The factsheets, ready to write: one numbered page each, and their index page."""

    plan: factsheets.Plan
    pages: list[xref.Book]
    index: xref.Book | None = None

    def books(self) -> list[xref.Book]:
        """Every page: the factsheets, then the index."""
        return [*self.pages, *([self.index] if self.index is not None else [])]

    def nav(self) -> html.Nav | None:
        """The sidebar's link to the index page (only an index page is linked)."""
        if self.index is None:
            return None
        first = self.index.chapters[0]
        return html.Nav([], (first.chapter.html_name, first.title or first.chapter.stem))


def _prepare(project: Project, paths: ProjectPaths, progress: Progress,
             warnings: list[SourceWarning], cache: ExecutionCache,
             plan: factsheets.Plan | None = None
             ) -> tuple[xref.Book, dict[str, str], Sheets | None]:
    """Parse, execute, assemble and number every chapter and factsheet: ready to write."""
    progress.stage("parse")
    documents = [qmd.read(project.root, c.path) for c in project.chapters]
    extra = [plan.index] if plan is not None and plan.index is not None else []
    for document in [*documents, *extra, *([plan.template] if plan is not None else [])]:
        warnings += document.warnings
    progress.stage("execute")
    index_page = plan.index_chapter if plan is not None else None
    # A progress object written before factsheets may lack the newer methods.
    factsheet = getattr(progress, "factsheet", None)

    def done(document: qmd.Document, cached: bool) -> None:
        if extra and document is extra[0] and index_page is not None:
            if factsheet is not None:
                factsheet(index_page.html_name, cached)
        else:
            progress.chapter(document.path, cached)

    def instance_done(instance: execute_stage.Instance, cached: bool) -> None:
        if plan is not None and factsheet is not None:
            factsheet(f"{plan.config.output}/{instance.value}.html", cached)

    hooks = execute_stage.Hooks(done=done, instance_done=instance_done,
                                kernel=getattr(progress, "kernel", None))
    executed, instances = execute_stage.execute_all(
        documents + extra, plan.instances() if plan is not None else [], project.root,
        project.execute, hooks=hooks, cache=cache)
    progress.stage("assemble")
    assembled: list[Assembled] = [
        assemble(e, c, e.document.execute_options(project.execute))
        for e, c in zip(executed[:len(documents)], project.chapters, strict=True)]
    for item in assembled:
        warnings += item.warnings
    with ThreadPoolExecutor() as pool:
        asts = list(pool.map(xref.parse, assembled))
    sources = {d.path: (project.root / d.path).read_text(encoding="utf-8")
               for d in [*documents, *extra, *([plan.template] if plan else [])]}
    for document, ast in zip(documents, asts, strict=True):
        conditions.apply(ast["blocks"], document.meta)  # when-meta, unless-meta
    drawn, found = diagrams.draw([(a.chapter.path, ast, sources[a.chapter.path])
                                  for a, ast in zip(assembled, asts, strict=True)])
    warnings += found
    book = xref.number(assembled, asts, sources)
    warnings += book.warnings
    book.includes = sorted({f for d in documents for f in d.includes})
    book.media, found = images.place(project.root, [
        (a.chapter.path, ast, sources[a.chapter.path])
        for a, ast in zip(book.chapters, book.asts, strict=True)], project.image_extension)
    book.media += drawn
    warnings += found
    if plan is None:
        return book, sources, None
    sheets = Sheets(plan, factsheets.sheet_books(plan, instances, project, sources))
    if extra and index_page is not None:
        result = executed[len(documents)]
        sheets.index = factsheets.page_book(
            result, index_page, result.document.execute_options(project.execute), sources,
            references=project.bibliography is not None)
    for page in sheets.books():
        warnings += page.warnings
    return book, sources, sheets


def _credits(project: Project) -> Credits:
    """What every downloaded chart names: the brief, its version and its licence."""
    license = project.settings.license
    return Credits(project.title, project.version_text,
                   f"{license.title} ({license.path})" if license else "")


def _export_figures(project: Project, book: xref.Book, folder: Path,
                    sheets: Sheets | None = None
                    ) -> tuple[dict[str, dict[str, Any]], dict[str, float], list[Chart]]:
    """Write the book's charts and every picture; return the specs of all charts, the
    SVG widths of the book's, and the factsheets' charts (for :class:`Background`)."""
    exporter = Exporter(folder, _credits(project))
    specs: dict[str, dict[str, Any]] = {}
    widths: dict[str, float] = {}
    owners: dict[str, str] = {}
    later: list[Chart] = []
    pages = [(item, False) for item in book.chapters]
    if sheets is not None:
        # A factsheet's charts are named by its folder (districts/north-hill/fig-...),
        # which no cell label can be: they never clash with the chapters'.
        pages += [(page.chapters[0], True) for page in sheets.books()]
    for item, in_background in pages:
        for chart in item.charts:
            if chart.name in owners:
                raise RenderError(f"{item.chapter.path}: a chart named {chart.name} also "
                                  f"comes from {owners[chart.name]} (expected unique cell "
                                  "labels: figure files are named by them)")
            owners[chart.name] = item.chapter.path
            specs[chart.name] = chart.spec
            if in_background:
                later.append(chart)
            else:
                widths[chart.name] = exporter.chart(chart)
        for picture in item.pictures:
            exporter.picture(picture)
    return specs, widths, later


def _sheet_nav(book: xref.Book, sheets: Sheets) -> html.Nav:
    link = sheets.nav()
    return html.Nav([a.title or a.chapter.stem for a in book.chapters],
                    link.factsheets if link is not None else None)


def _write_sheet_pages(project: Project, book: xref.Book, sheets: Sheets, site: Path,
                       work: Path, specs: dict[str, dict[str, Any]],
                       warnings: list[SourceWarning]) -> tuple[list[Path], Path | None]:
    """Each factsheet's page and the index page (citations resolved once for the page
    and its PDF); pandoc runs side by side."""
    nav = _sheet_nav(book, sheets)
    plan, pages = sheets.plan, sheets.pages
    found: list[list[SourceWarning]] = [[] for _ in pages]

    def one(position: int) -> Path:
        page = pages[position]
        html.resolve_citations(project, page, work, found[position])
        neighbours = (pages[position - 1] if position > 0 else None,
                      pages[position + 1] if position + 1 < len(pages) else None)
        return html.write_page(project, page, site, work, specs, found[position], nav,
                               neighbours, pdf=plan.pdf(plan.sheets[position]))

    with ThreadPoolExecutor() as pool:
        written = list(pool.map(one, range(len(pages))))
    for page_warnings in found:
        warnings += page_warnings
    index = None
    if sheets.index is not None:
        html.resolve_citations(project, sheets.index, work, warnings)
        index = html.write_page(project, sheets.index, site, work, specs, warnings, nav)
    return written, index


def _write_sheet_pdfs(project: Project, sheets: Sheets, site: Path, work: Path,
                      widths: dict[str, float], warnings: list[SourceWarning]
                      ) -> list[Path]:
    """Each factsheet's PDF: one Typst compile each, side by side."""
    plan = sheets.plan

    def one(position: int) -> Path:
        return pdf.write_factsheet_pdf(project, sheets.pages[position], work, site, widths,
                                       plan.pdf(plan.sheets[position]), warnings)

    with ThreadPoolExecutor() as pool:
        return list(pool.map(one, range(len(sheets.pages))))


@dataclass
class _Staged:
    """What :func:`_stage` wrote into the staging site."""

    pages: list[Path]
    pdf: Path
    charts: int
    factsheets: list[Path] = field(default_factory=list)
    factsheet_pdfs: list[Path] = field(default_factory=list)
    factsheet_index: Path | None = None
    #: The project's image and included files the pages use (inputs that the next
    #: build must check, found only by parsing the pages).
    media: list[Path] = field(default_factory=list)
    #: The translations (``brief: languages``), each staged in its folder of the site.
    editions: list[_Staged] = field(default_factory=list)


def _stage(project: Project, paths: ProjectPaths, staging: Path, progress: Progress,
           warnings: list[SourceWarning], cache: ExecutionCache) -> _Staged:
    """Build every edition into ``staging/site``: the main one at its root, each
    translation in its own folder (``vi/``), after it. The translations' staged files
    are added to the main edition's :class:`_Staged`."""
    staged = _stage_edition(project, paths, staging, progress, warnings, cache)
    for language in project.languages[1:]:
        translation, lacking = edition(project, language)
        warnings += [SourceWarning(text.partition(": ")[0], None, text.partition(": ")[2])
                     for text in lacking]
        progress.stage(f"edition {language}")
        with strings.using(translation.strings):
            staged.editions.append(
                _stage_edition(translation, paths, staging, progress, warnings, cache))
    return staged


def _stage_edition(project: Project, paths: ProjectPaths, staging: Path, progress: Progress,
                   warnings: list[SourceWarning], cache: ExecutionCache) -> _Staged:
    """Build one edition into ``staging/site`` (a translation into its folder there).

    The factsheets' charts are drawn by worker processes while the book's pages, its PDF
    and the factsheets' pages are written; their PDFs come last, as they need the charts.
    """
    plan = factsheets.plan(project)
    book, sources, sheets = _prepare(project, paths, progress, warnings, cache, plan)
    site = staging / "site" / project.folder
    work = staging / f"work-{project.language}"
    site.mkdir(parents=True, exist_ok=True)
    work.mkdir()
    progress.stage("figures")
    images.write(book.media, site)
    specs, widths, later = _export_figures(project, book, site / "figures", sheets)
    with Background(site / "figures", later, work, _credits(project)) as background:
        progress.stage("html")
        _export_calls(paths, site, project.languages)
        html.write_assets(site, paths.cache, project.settings.style)
        pandoc_warnings: list[SourceWarning] = []
        pages = html.write_pages(project, book, site, work, specs, pandoc_warnings,
                                 sheets.nav() if sheets is not None else None)
        progress.stage("pdf")
        pdf_file = pdf.write_pdf(project, book, work, site, widths, pandoc_warnings)
        staged = _Staged(pages, pdf_file, len(specs),
                         media=[m.source for m in book.media if m.source is not None]
                         + [(project.root / f).resolve() for f in book.includes])
        if sheets is not None:
            progress.stage("factsheets")
            staged.factsheets, staged.factsheet_index = _write_sheet_pages(
                project, book, sheets, site, work, specs, pandoc_warnings)
            widths.update(background.wait())
            staged.factsheet_pdfs = _write_sheet_pdfs(project, sheets, site, work, widths,
                                                      pandoc_warnings)
    warnings += [_locate(w, sources) for w in pandoc_warnings]
    html.inline_charts([*staged.pages, *staged.factsheets,
                        *([staged.factsheet_index] if staged.factsheet_index else [])])
    progress.stage("search")
    html.index_search(site, project.lang)
    return staged


def _export_calls(paths: ProjectPaths, site: Path, languages: Sequence[str] = ()) -> None:
    """Publish the calls to action as CSV beside the pages, for partners who track them,
    with a column of their text in each translation."""
    if not paths.calls_to_action.is_file():
        return
    from brief import calls

    try:
        translations = {language: calls.translated(paths.calls_to_action, language)
                        for language in languages[1:]}
        with strings.using(None):  # the main language's text in the main columns
            found = calls.load(paths.calls_to_action)
        calls.to_csv(site / html.CALLS_CSV, found, translations)
    except calls.CallsError as exc:
        raise RenderError(str(exc)) from None


def _stamp(paths: ProjectPaths) -> Path:
    return paths.cache / "last-build.json"


def _inputs_key(project: Project, paths: ProjectPaths) -> str:
    files = [paths.quarto_config, *(paths.root / c.path for c in project.chapters),
             *paths.releases.glob("*/manifest.json"), paths.root / "_variables.yml"]
    if project.factsheets is not None:
        files += [paths.root / p for p in (project.factsheets.template,
                                           project.factsheets.index) if p is not None]
    if project.bibliography:
        files.append(paths.root / project.bibliography)
    for language in project.languages[1:]:  # each page's translation, where there is one
        files += [paths.root / twin_path(str(f.relative_to(paths.root)), language)
                  for f in files if f.suffix in (".qmd", ".md")]
    return build_key(paths.root, files, environment_digest(paths.root))


def _media_key(paths: ProjectPaths, media: Sequence[str]) -> str:
    """The digest of the image files the last build published (found only by parsing
    the pages, so recorded with the build rather than listed up front)."""
    files = [paths.root / m for m in media if isinstance(m, str)]
    return build_key(paths.root, files, "media") if files else ""


def _up_to_date(key: str, paths: ProjectPaths, output: Path, project: Project) -> bool:
    try:
        stamp = json.loads(_stamp(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    media = stamp.get("media") if isinstance(stamp, dict) else None
    if not isinstance(media, list):
        media = []
    pdfs = [project.pdf_name] + [f"{language}/{replace(project, edition=language).pdf_name}"
                                 for language in project.languages[1:]]
    return (stamp.get("key") == key + _media_key(paths, media) and (output / "index.html").is_file()
            and all((output / pdf).is_file() for pdf in pdfs))


def _last_warnings(paths: ProjectPaths) -> list[SourceWarning]:
    """The warnings of the build that made the current output (kept with its stamp)."""
    try:
        stamp = json.loads(_stamp(paths).read_text(encoding="utf-8"))
        return [SourceWarning(str(f), line if isinstance(line, int) else None, str(m))
                for f, line, m in stamp.get("warnings", [])]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def _result(output: Path, project: Project, started: float) -> BuildResult:
    # As a build lists them: the chapters, then the Versions page.
    pages = [output / c.html_name for c in project.chapters] + [output / "versions.html"]
    charts = {p.relative_to(output / "figures").with_suffix("")
              for p in (output / "figures").rglob("*.svg")}
    result = BuildResult(output, pages, output / project.pdf_name, len(charts),
                         time.perf_counter() - started, up_to_date=True)
    if project.factsheets is not None:
        folder = output / project.factsheets.output
        index = folder / f"{factsheets.INDEX}.html"
        result.factsheets = sorted(p for p in folder.glob("*.html") if p != index)
        result.factsheet_pdfs = sorted(folder.glob("*.pdf"))
        result.factsheet_index = index if index.is_file() else None
    return result


@contextmanager
def _exclusive(paths: ProjectPaths) -> Iterator[None]:
    """Hold the project's build lock; a second build at the same time is refused.

    Two builds (say ``brief preview`` and a manual ``brief build``) would share the
    cache and swap the same output folder.
    """
    paths.cache.mkdir(exist_ok=True)
    with (paths.cache / "build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderError(f"{paths.root}: another build of this project is running; "
                              "wait for it to finish (or stop `brief preview`)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(root: Path, progress: Progress | None = None, fresh: bool = False,
          releases: Sequence[ReleaseInfo] | None = None) -> BuildResult:
    """Build the site and the PDF of the project at ``root`` with the native engine.

    Holds the project's build lock: a concurrent build is refused with a message.

    With ``fresh``, every cache is ignored (and refilled): all chapters execute again.
    Otherwise, when no input changed since the last successful build
    nothing is rebuilt. Raises :class:`DataError` when ``data/`` is invalid and
    :class:`RenderError` for any other failure; then the output folder is untouched.
    ``releases`` (default: those in ``releases/``) fill the Versions page; ``brief
    release`` passes the one it is making too, last, whose version and date the build
    then carries.
    """
    with _exclusive(ProjectPaths(root.resolve())):
        return _build(root, progress, fresh, releases)


def _build(root: Path, progress: Progress | None, fresh: bool,
           releases: Sequence[ReleaseInfo] | None) -> BuildResult:
    """The build itself, once the lock is held (see :func:`build`)."""
    started = time.perf_counter()
    progress = progress or Progress()
    paths = ProjectPaths(root.resolve())
    progress.stage("check")
    project = load_project(paths.root)
    try:
        known = list_releases(paths.releases) if releases is None else list(releases)
    except ReleaseRefused as exc:
        raise RenderError(str(exc)) from None
    project = replace(project, fingerprint=data_fingerprint(paths.data),
                      releases=tuple(known))
    if releases:
        # A release in the making is the last of ``releases``: the site and the PDF carry
        # its version and date, while _quarto.yml changes only once it is archived.
        project = replace(project, version=known[-1].version, date=known[-1].date)
    output = paths.root / project.output_dir
    recover(paths.root, output)  # a build stopped by force: before anything else
    key = _inputs_key(project, paths) + f"|{project.date}"
    if releases is not None:  # a release in the making: never "up to date"
        key += "+" + ",".join(f"{r.version}:{r.fingerprint}" for r in known)
    log.info("build key %s; staging next to %s", key[:12], output)
    if not fresh and _up_to_date(key, paths, output, project):
        sync_figures(output / "figures", paths.figures)
        result = _result(output, project, started)
        result.warnings = _last_warnings(paths)  # still true of the same inputs
        for warning in result.warnings:
            progress.warning(warning)
        return result
    _check_data(paths)
    factsheets.plan(project)  # checked with the data, before anything runs
    warnings: list[SourceWarning] = []
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=paths.root))
    try:
        cache = ExecutionCache(paths.cache, reuse=not fresh)
        try:
            staged = _stage(project, paths, staging, progress, warnings, cache)
        finally:
            # Said whether the build succeeds or not: a warning often explains an error.
            # A factsheet's warnings are the same for every instance: say each once.
            warnings[:] = list(dict.fromkeys(warnings))
            for warning in warnings:
                progress.warning(warning)
        progress.stage("publish")
        swap_into_place(staging / "site", output, staging / "previous")
        sync_figures(output / "figures", paths.figures)
        paths.cache.mkdir(exist_ok=True)
        media = sorted(p.relative_to(paths.root.resolve()).as_posix() for p in staged.media)
        _stamp(paths).write_text(json.dumps({
            "key": key + _media_key(paths, media), "media": media,
            "warnings": [[w.file, w.line, w.message] for w in warnings]}), encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    def relocate(path: Path) -> Path:
        return output / path.relative_to(staging / "site")

    return BuildResult(output=output, pages=[relocate(p) for p in staged.pages],
                       pdf=relocate(staged.pdf), charts=staged.charts,
                       seconds=time.perf_counter() - started, warnings=warnings,
                       factsheets=[relocate(p) for p in staged.factsheets],
                       factsheet_pdfs=[relocate(p) for p in staged.factsheet_pdfs],
                       factsheet_index=(relocate(staged.factsheet_index)
                                        if staged.factsheet_index else None),
                       editions=[relocate(e.pdf) for e in staged.editions])


__all__ = ["BuildResult", "Progress", "RenderError", "build", "swap_into_place"]
