"""Run a chapter's Python cells, then its inline expressions, in a Jupyter kernel.

Kernels (nbclient + ipykernel, IPC transport) start with the project root as working
directory and ``BRIEF_PROJECT_ROOT`` in their environment, so chapter code finds
``data/`` wherever the build was started. A build keeps a small pool of them, one per
core, and runs every chapter and factsheet in one of these warm kernels instead of
starting a kernel per chapter (a start and the imports cost a second or more each).
Before each page the kernel is made to look fresh (``_brief_reset`` in
:mod:`kernel_setup`: as ``%reset -f`` does, without its cost, plus the warning filters
and the data layer's records) and the setup runs again (cheap: modules stay imported).
A test runs every page of the brief both ways, warm and in a kernel of its own, and
compares the outputs; ``warm=False`` gives each page a kernel of its own.

A cell that raises stops the chapter with a :class:`RenderError` naming the file, the
cell and the line, and the Python error.

Factsheets (one template, one :class:`Instance` per parameter value) run in groups of
:data:`BATCH` instances, a group at a time per kernel; each instance sets its
parameter (``params["district"]`` and, as Quarto's injected cell does, ``district``)
after the reset. Modules stay imported and the data layer keeps its tables, which is
what makes an instance cheap; the outputs are split back per instance, and so are the
tables each one read.

A page's inline expressions run in one cell (a cell each would cost a round trip to
the kernel each); their texts come back as one display output.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import zmq
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from brief.paths import ROOT_ENV
from brief.render.cache import (
    ExecutionCache,
    code_digest,
    execution_key,
    instance_key,
    resource_digests,
)
from brief.render.errors import RenderError, SourceWarning
from brief.render.qmd import Cell, Document, Inline
from brief.strings import language_of

SETUP = Path(__file__).with_name("kernel_setup.py")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
log = logging.getLogger(__name__)
#: Seconds a single cell may run before the build gives up on it.
CELL_TIMEOUT = 300
#: Factsheet instances run as one notebook: large enough that a notebook's own round
#: trips do not count, small enough that the kernels share the work evenly.
BATCH = 8


@dataclass(frozen=True, eq=False)
class Instance:
    """A template executed with its parameter set to one value: one factsheet."""

    document: Document
    parameter: str
    value: str

    @property
    def id(self) -> str:
        """``chapters/district.qmd?district=north-hill``: its name in the cache and logs."""
        return f"{self.document.path}?{self.parameter}={self.value}"

    def where(self) -> str:
        """`` (district=north-hill)``, appended to the place of an error or warning."""
        return f" ({self.parameter}={self.value})"


@dataclass
class ExecutedCell:
    """A cell and the outputs it produced (nbformat output dicts)."""

    cell: Cell
    outputs: list[dict[str, Any]]


@dataclass
class Executed:
    """A chapter after execution: outputs per cell and the text of each inline value."""

    document: Document
    cells: list[ExecutedCell] = field(default_factory=list)
    inline_values: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)
    #: Data resources the chapter's code read (reported by the kernel after the run).
    reads: list[str] = field(default_factory=list)
    #: The factsheet this is, when the document is a template.
    instance: Instance | None = None


def _option(cell: Cell, name: str, defaults: dict[str, Any], fallback: Any) -> Any:
    if name in cell.options:
        return cell.options[name]
    return defaults.get(name, fallback)


@dataclass(frozen=True, eq=False)
class _Slot:
    """What one notebook cell runs, so outputs and errors map back to the source."""

    kind: str  # "setup", "reset" (an instance starts), "cell", "inlines" or "reads"
    instance: Instance | None = None
    #: Which result the cell belongs to: the instance's position (0 for a chapter).
    position: int = -1
    cell: Cell | None = None
    #: Each inline expression of an "inlines" cell with its first and last line there.
    inlines: tuple[tuple[int, int, Inline], ...] = ()


def _setup_code(root: Path, page: str) -> str:
    """The kernel's setup for the page at ``page`` (relative to ``root``): as in Quarto,
    its cells run in the page's folder, so a path in a cell is relative to the page."""
    here = str((root / page).parent)
    language = language_of(page) or ""
    return (SETUP.read_text(encoding="utf-8")
            + f"\n_brief_setup({str(root)!r}, {here!r}, {language!r})\n")


def _reset_code(root: Path, page: str, instance: Instance | None = None) -> str:
    """A fresh-looking kernel (``%reset -f``, less its costs: see ``_brief_reset``), the
    setup again and, for a factsheet, the parameter in both of Quarto's spellings."""
    code = f"_brief_reset()\n{_setup_code(root, page)}"
    if instance is None:
        return code
    name, value = instance.parameter, instance.value
    return f"{code}params = {{{name!r}: {value!r}}}\n{name} = {value!r}\n"


def _inlines_code(document: Document) -> tuple[str, tuple[tuple[int, int, Inline], ...]]:
    """One cell that evaluates every inline expression in order and sends their texts
    (a cell each would cost a round trip to the kernel each); also where each
    expression is in the cell, to name the one that fails.

    An expression that is not valid Python is reported before anything runs.
    """
    lines = ["_brief_values = []"]
    spans: list[tuple[int, int, Inline]] = []
    for inline in document.inlines:
        try:
            compile(f"(\n{inline.expr}\n)", "<inline>", "eval")
        except SyntaxError as exc:
            raise RenderError(f"{document.path}:{inline.line}: inline expression "
                              f"`{{python}} {inline.expr}`: SyntaxError: {exc.msg}") from None
        lines.append("_brief_values.append((")
        first = len(lines) + 1
        lines += inline.expr.split("\n")
        spans.append((first, len(lines), inline))
        lines.append("))")
    lines += ["_brief_inlines(_brief_values)", "del _brief_values"]
    return "\n".join(lines), tuple(spans)


def _notebook(document: Document, root: Path, instances: Sequence[Instance] = (),
              warm: bool = False, defaults: dict[str, Any] | None = None
              ) -> tuple[nbformat.NotebookNode, list[_Slot]]:
    """The notebook of a chapter, or of a template run once per instance, for a fresh
    kernel or (``warm``) one that has run other pages. Each page ends with a cell that
    reports the tables it read.

    A cell with ``error: true`` (its own option or the page's ``execute:``) may raise:
    nbclient's ``raises-exception`` tag keeps its error as an output, as Quarto shows it,
    and the page runs on."""
    cells: list[nbformat.NotebookNode] = []
    slots: list[_Slot] = []
    if not warm:
        cells.append(nbformat.v4.new_code_cell(_setup_code(root, document.path)))
        slots.append(_Slot("setup"))
    for position, instance in enumerate(instances or [None]):
        if instance is not None or warm:
            cells.append(nbformat.v4.new_code_cell(_reset_code(root, document.path,
                                                                instance)))
            slots.append(_Slot("reset", instance, position))
        for cell in document.runnable_cells(defaults):
            cells.append(nbformat.v4.new_code_cell(cell.code))
            if _option(cell, "error", defaults or {}, False) is True:
                cells[-1].metadata["tags"] = ["raises-exception"]
            slots.append(_Slot("cell", instance, position, cell=cell))
        if document.inlines:
            code, spans = _inlines_code(document)
            cells.append(nbformat.v4.new_code_cell(code))
            slots.append(_Slot("inlines", instance, position, inlines=spans))
        cells.append(nbformat.v4.new_code_cell("_brief_reads()"))
        slots.append(_Slot("reads", instance, position))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return notebook, slots


def traceback_text(output: dict[str, Any]) -> str:
    """An error output as plain text for the page: the kernel's traceback without its
    colours, and without the execution count (``Cell In[12]``), which depends on the
    pages a warm kernel ran before."""
    trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
    trace = re.sub(r"Cell In\[\d+\], line", "Cell, line", trace)
    return trace.strip() or f"{output.get('ename')}: {output.get('evalue')}"


def _error_text(outputs: list[dict[str, Any]]) -> tuple[str, int | None]:
    for output in outputs:
        if output.get("output_type") == "error":
            trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            lines = [int(m) for m in _CELL_LINE.findall(trace)]
            return f"{output.get('ename')}: {output.get('evalue')}", (lines[0] if lines else None)
    return "the cell failed", None


def _locate_failure(document: Document, notebook: nbformat.NotebookNode, slots: list[_Slot],
                    exc: Exception) -> RenderError:
    for nb_cell, slot in zip(notebook.cells, slots, strict=True):
        if not any(o.get("output_type") == "error" for o in nb_cell.get("outputs", [])):
            continue
        error, line_in_cell = _error_text(nb_cell["outputs"])
        where = slot.instance.where() if slot.instance is not None else ""
        if slot.kind == "setup":
            return RenderError(f"{document.path}: the kernel setup failed: {error}")
        if slot.kind == "reset":
            what = "setting the parameter" if slot.instance is not None else \
                "resetting the kernel"
            return RenderError(f"{document.path}: {what}{where} failed: {error}")
        if slot.kind == "cell" and slot.cell is not None:
            line = slot.cell.line + (line_in_cell - 1 if line_in_cell else 0)
            return RenderError(f"{document.path}:{line}: {slot.cell.where()}{where}: {error}")
        if slot.kind == "inlines":
            failed = [i for first, last, i in slot.inlines
                      if line_in_cell is not None and first <= line_in_cell <= last]
            if failed:
                return RenderError(f"{document.path}:{failed[0].line}: inline expression "
                                   f"`{{python}} {failed[0].expr}`{where}: {error}")
            return RenderError(f"{document.path}: an inline expression{where}: {error}")
        return RenderError(f"{document.path}: reporting the data it read failed: {error}")
    return RenderError(f"{document.path}: execution failed: {exc}")


def _stderr_warnings(document: Document, cell: Cell, outputs: list[dict[str, Any]],
                     defaults: dict[str, Any], instance: Instance | None = None
                     ) -> list[SourceWarning]:
    if _option(cell, "warning", defaults, True) is False:
        return []
    where = instance.where() if instance is not None else ""
    found = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = " ".join(output.get("text", "").split())
            found.append(SourceWarning(document.path, cell.line,
                                       f"{cell.where()}{where} wrote to stderr (shown under "
                                       "the cell; `#| warning: false` hides it): "
                                       f"{text[:300]}"))
    return found


INLINE = "application/vnd.brief.inline+json"


def _inline_values(nb_cell: nbformat.NotebookNode) -> list[str]:
    for output in nb_cell.get("outputs", []):
        if INLINE in output.get("data", {}):
            return [str(v) for v in output["data"][INLINE]]
    return []


def _stdout(nb_cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in nb_cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


class _Kernel:
    """A started kernel, its client once a notebook has made one, and whether a page has
    run in it (the next one then starts with a reset)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sockets = tempfile.TemporaryDirectory(prefix="brief-kernel-")
        self.manager = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                          ip=os.path.join(self.sockets.name, "kernel"))
        self.client: Any = None
        self.used = False

    @property
    def log(self) -> Path:
        """Where the kernel process writes its own output (not a cell's): Python's
        messages when it fails to start or dies, kept out of the build's terminal."""
        return Path(self.sockets.name) / "kernel.log"

    def last_words(self) -> str:
        """The last line the kernel process wrote, for an error message."""
        try:
            lines = self.log.read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    async def start(self) -> None:
        env = {**os.environ, ROOT_ENV: str(self.root), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        with self.log.open("wb") as log:
            await self.manager.start_kernel(env=env, cwd=str(self.root), stdout=log,
                                            stderr=log)

    async def stop(self) -> None:
        try:
            if self.client is not None:
                self.client.stop_channels()
            if self.manager.has_kernel:
                await self.manager.shutdown_kernel(now=True)
            self.manager.context.destroy(linger=0)
        finally:
            self.sockets.cleanup()


class _Kernels:
    """At most ``size`` kernels, started when first needed; a page waits for a free one.

    With ``warm`` a kernel goes back to the pool after a page and serves the next one;
    without, each page gets a kernel of its own (stopped after it).
    """

    def __init__(self, root: Path, size: int, warm: bool = True) -> None:
        self.root, self.size, self.warm = root, size, warm
        self.idle: list[_Kernel] = []
        self.running = 0
        self.free = asyncio.Condition()
        self.all: list[_Kernel] = []

    async def take(self) -> _Kernel:
        async with self.free:
            await self.free.wait_for(lambda: bool(self.idle) or self.running < self.size)
            if self.idle:
                return self.idle.pop()
            self.running += 1
        kernel = _Kernel(self.root)
        self.all.append(kernel)
        try:
            await kernel.start()
        except BaseException:
            await self._drop(kernel)
            raise
        return kernel

    async def give_back(self, kernel: _Kernel, healthy: bool) -> None:
        """Return ``kernel`` after a page; one that failed (or any, when not warm) stops."""
        if not (healthy and self.warm):
            await self._drop(kernel)
            return
        async with self.free:
            self.idle.append(kernel)
            self.free.notify()

    async def _drop(self, kernel: _Kernel) -> None:
        try:
            await kernel.stop()
        finally:
            if kernel in self.all:
                self.all.remove(kernel)
            async with self.free:
                self.running -= 1
                self.free.notify()

    async def close(self) -> None:
        for kernel in list(self.all):
            await self._drop(kernel)


def _interrupted() -> bool:
    """Whether the running task is being cancelled (Ctrl-C reaches a build this way)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _run(document: Document, root: Path, defaults: dict[str, Any],
               instances: Sequence[Instance], kernels: _Kernels) -> list[Executed]:
    """Execute a chapter (no ``instances``) or a template once per instance, in a kernel
    of the pool; return one :class:`Executed` per chapter or instance."""
    results = [Executed(document, instance=i) for i in (instances or [None])]
    if not document.runnable_cells(defaults) and not document.inlines:  # spare the kernel
        return results
    kernel = await kernels.take()
    notebook, slots = _notebook(document, root, instances, warm=kernel.used,
                                defaults=defaults)
    client = NotebookClient(notebook, km=kernel.manager, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(root)}},
                            allow_errors=False, record_timing=False,
                            # One stream output per cell and name, however the kernel's
                            # messages happened to be split (else outputs vary by timing).
                            coalesce_streams=True)
    client.kc = kernel.client
    healthy = False
    try:
        await client.async_execute(cleanup_kc=False)
        healthy = True
    except CellExecutionError as exc:
        raise _locate_failure(document, notebook, slots, exc) from None
    except CellTimeoutError:
        raise RenderError(f"{document.path}: a cell ran longer than {CELL_TIMEOUT} s "
                          "and was stopped") from None
    except NoSuchKernel:
        raise RenderError(f"{document.path}: no Jupyter kernel named python3: install "
                          "ipykernel in this environment (`pip install -e .`)") from None
    except DeadKernelError as exc:
        if _interrupted():  # the kernel was stopped because the build was cancelled
            raise asyncio.CancelledError from None
        words = kernel.last_words()
        raise RenderError(f"{document.path}: the Python kernel died ({exc})"
                          + (f": {words}" if words else "")) from None
    finally:
        kernel.client, kernel.used = client.kc, True
        await kernels.give_back(kernel, healthy)
    for nb_cell, slot in zip(notebook.cells, slots, strict=True):
        if slot.position < 0:
            continue  # the setup cell
        executed = results[slot.position]
        if slot.kind == "cell" and slot.cell is not None:
            # A warm kernel counts executions on from the pages before: drop the count,
            # so outputs do not depend on where a page ran.
            outputs = [{k: v for k, v in o.items() if k != "execution_count"}
                       for o in nb_cell.get("outputs", [])]
            executed.cells.append(ExecutedCell(slot.cell, outputs))
            executed.warnings += _stderr_warnings(document, slot.cell, outputs, defaults,
                                                  slot.instance)
        elif slot.kind == "inlines":
            executed.inline_values = _inline_values(nb_cell)
        elif slot.kind == "reads":
            executed.reads = json.loads(_stdout(nb_cell) or "[]")
    return results


def _from_cache(document: Document, stored: dict[str, Any], defaults: dict[str, Any],
                instance: Instance | None = None) -> Executed:
    executed = Executed(document, inline_values=list(stored["inline_values"]),
                        instance=instance)
    run = document.runnable_cells(defaults)
    for cell, outputs in zip(run, stored["outputs"], strict=True):
        executed.cells.append(ExecutedCell(cell, outputs))
        executed.warnings += _stderr_warnings(document, cell, outputs, defaults, instance)
    return executed


@dataclass
class Hooks:
    """What :func:`execute_all` reports as it goes (for progress and tests)."""

    #: A chapter finished: ``(document, cached)``.
    done: Callable[[Document, bool], None] | None = None
    #: A factsheet instance finished: ``(instance, cached)``.
    instance_done: Callable[[Instance, bool], None] | None = None
    #: A page goes to a kernel: ``(document path, instances)``; 0 instances for a
    #: chapter, else the size of the batch of factsheets.
    kernel: Callable[[str, int], None] | None = None


def _batches(positions: list[int]) -> list[list[int]]:
    """Split instances into contiguous, even batches of at most :data:`BATCH`."""
    count = max(1, -(-len(positions) // BATCH))
    size, extra = divmod(len(positions), count)
    out, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        out.append(positions[start:end])
        start = end
    return [b for b in out if b]


async def _run_all(documents: list[Document], instances: list[Instance], root: Path,
                   defaults: dict[str, Any], hooks: Hooks, jobs: int,
                   cache: ExecutionCache | None, warm: bool = True
                   ) -> tuple[list[Executed], list[Executed]]:
    kernels = _Kernels(root, jobs, warm)
    code = code_digest(root) if cache is not None else ""
    resources = resource_digests(root) if cache is not None else {}

    async def kernel(document: Document, options: dict[str, Any],
                     batch: Sequence[Instance] = ()) -> list[Executed]:
        if hooks.kernel is not None:
            hooks.kernel(document.path, len(batch))
        return await _run(document, root, options, batch, kernels)

    def store(name: str, key: str, result: Executed) -> None:
        if cache is not None:
            reads = {r: resources.get(r, "") for r in result.reads}
            cache.put(name, key, reads, [c.outputs for c in result.cells], result.inline_values)

    async def chapter(document: Document) -> Executed:
        options = document.execute_options(defaults)
        key = execution_key(document, code, options)
        stored = cache.get(document.path, key, resources) if cache is not None else None
        if stored is not None:
            log.info("%s: outputs reused (execution key %s)", document.path, key[:12])
            result = _from_cache(document, stored, options)
        else:
            log.info("%s: executing %d cells and %d inline expressions", document.path,
                     len(document.cells), len(document.inlines))
            [result] = await kernel(document, options)
            store(document.path, key, result)
        if hooks.done is not None:
            hooks.done(document, stored is not None)
        return result

    async def template(group: list[Instance]) -> list[Executed]:
        document = group[0].document
        options = document.execute_options(defaults)
        base = execution_key(document, code, options)
        keys = [instance_key(base, i.parameter, i.value) for i in group]
        results: list[Executed | None] = [None] * len(group)
        for position, (instance, key) in enumerate(zip(group, keys, strict=True)):
            stored = cache.get(instance.id, key, resources) if cache is not None else None
            if stored is not None:
                results[position] = _from_cache(document, stored, options, instance)
                if hooks.instance_done is not None:
                    hooks.instance_done(instance, True)
        missing = [p for p, r in enumerate(results) if r is None]
        log.info("%s: %d instances, %d reused, %d to execute", document.path, len(group),
                 len(group) - len(missing), len(missing))

        async def batch(positions: list[int]) -> None:
            executed = await kernel(document, options, [group[p] for p in positions])
            for position, result in zip(positions, executed, strict=True):
                results[position] = result
                store(group[position].id, keys[position], result)
                if hooks.instance_done is not None:
                    hooks.instance_done(group[position], False)

        await asyncio.gather(*(batch(b) for b in _batches(missing) if missing))
        return [r for r in results if r is not None]

    groups: dict[str, list[Instance]] = {}
    for instance in instances:
        groups.setdefault(instance.document.path, []).append(instance)
    # Templates first: their kernels run longest, so they should hold a core earliest.
    sheet_tasks = [asyncio.ensure_future(template(g)) for g in groups.values()]
    chapter_tasks = [asyncio.ensure_future(chapter(d)) for d in documents]
    tasks = sheet_tasks + chapter_tasks
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        await kernels.close()
    chapters = [t.result() for t in chapter_tasks]
    sheets = [r for t in sheet_tasks for r in t.result()]
    return chapters, sheets


def _quiet_zmq_threads(args: threading.ExceptHookArgs) -> None:
    """Report an exception in a thread, unless it is ZeroMQ's (a kernel client's
    channel thread, stopped with its kernel)."""
    if not isinstance(args.exc_value, zmq.ZMQError):
        threading.__excepthook__(args)


class _Loop(asyncio.SelectorEventLoop):
    """The build's event loop, on which Ctrl-C stays with asyncio's runner.

    The runner answers Ctrl-C by cancelling the build, which stops every kernel and
    ends with one line. nbclient would take SIGINT over for each notebook it runs (and
    shut that kernel down under the build, which then reports a dead kernel), and the
    first notebook to finish would hand SIGINT back to Python's default for all.
    """

    def add_signal_handler(self, sig: int, callback: Callable[..., object],
                           *args: Any) -> None:
        if sig != signal.SIGINT:
            super().add_signal_handler(sig, callback, *args)

    def remove_signal_handler(self, sig: int) -> bool:
        return sig != signal.SIGINT and super().remove_signal_handler(sig)


def _jobs(jobs: int | None, work: int) -> int:
    return jobs or max(1, min(work, os.cpu_count() or 2))


def execute_all(documents: list[Document], instances: Sequence[Instance], root: Path,
                defaults: dict[str, Any] | None = None, hooks: Hooks | None = None,
                jobs: int | None = None, cache: ExecutionCache | None = None,
                warm: bool = True) -> tuple[list[Executed], list[Executed]]:
    """Execute the chapters and the factsheet instances (in batches of :data:`BATCH`)
    concurrently in at most ``jobs`` kernels (default: one per core), each reused from
    page to page unless ``warm`` is false; return the chapters' outputs and the
    instances' outputs, in order.

    ``defaults`` are the project's ``execute:`` options (echo, warning, ...); with a
    ``cache``, chapters and instances whose code and inputs are unchanged do not run.
    """
    jobs = _jobs(jobs, len(documents) + len(instances))
    # A kernel stopped at any moment (Ctrl-C, a failed page) can catch its client's
    # heartbeat thread opening a socket on a closed context: nothing to report.
    threads_hook, threading.excepthook = threading.excepthook, _quiet_zmq_threads
    try:
        with asyncio.Runner(loop_factory=_Loop) as runner:
            return runner.run(_run_all(documents, list(instances), root, defaults or {},
                                       hooks or Hooks(), jobs, cache, warm))
    except asyncio.CancelledError:
        # Only Ctrl-C cancels the build's task; asyncio reports it as a cancellation
        # when a kernel was starting at that moment, and as KeyboardInterrupt otherwise.
        raise KeyboardInterrupt from None
    finally:
        threading.excepthook = threads_hook


def execute(documents: list[Document], root: Path, defaults: dict[str, Any] | None = None,
            done: Callable[[Document, bool], None] | None = None,
            jobs: int | None = None, cache: ExecutionCache | None = None,
            warm: bool = True) -> list[Executed]:
    """Execute every document (concurrently, in warm kernels unless ``warm`` is false)
    and return their outputs.

    ``defaults`` are the project's ``execute:`` options (echo, warning, ...);
    ``done(document, cached)`` is called as each chapter finishes, for progress;
    with a ``cache``, chapters whose code and inputs are unchanged are not run again.
    """
    chapters, _ = execute_all(documents, (), root, defaults, Hooks(done=done), jobs, cache,
                              warm)
    return chapters
