"""Run a chapter's Python cells, then its inline expressions, in one Jupyter kernel.

Each chapter gets a fresh kernel (nbclient + ipykernel, IPC transport) whose working
directory is the project root and whose environment carries ``BRIEF_PROJECT_ROOT``,
so chapter code finds ``data/`` wherever the build was started. Chapters run
concurrently, one kernel each. A cell that raises stops the chapter with a
:class:`RenderError` naming the file, the cell and the line, and the Python error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from brief.paths import ROOT_ENV
from brief.render.cache import ExecutionCache, code_digest, execution_key, resource_digests
from brief.render.errors import RenderError, SourceWarning
from brief.render.qmd import Cell, Document

SETUP = Path(__file__).with_name("kernel_setup.py")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
log = logging.getLogger(__name__)
#: Seconds a single cell may run before the build gives up on it.
CELL_TIMEOUT = 300


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


def _option(cell: Cell, name: str, defaults: dict[str, Any], fallback: Any) -> Any:
    if name in cell.options:
        return cell.options[name]
    return defaults.get(name, fallback)


def _notebook(document: Document, root: Path) -> tuple[nbformat.NotebookNode, list[Cell]]:
    setup = SETUP.read_text(encoding="utf-8") + f"\n_brief_setup({str(root)!r})\n"
    cells = [nbformat.v4.new_code_cell(setup)]
    run = document.runnable_cells
    cells += [nbformat.v4.new_code_cell(c.code) for c in run]
    cells += [nbformat.v4.new_code_cell(f"_brief_inline((\n{i.expr}\n))")
              for i in document.inlines]
    cells.append(nbformat.v4.new_code_cell("_brief_reads()"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return notebook, run


def _error_text(outputs: list[dict[str, Any]]) -> tuple[str, int | None]:
    for output in outputs:
        if output.get("output_type") == "error":
            trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            lines = [int(m) for m in _CELL_LINE.findall(trace)]
            return f"{output.get('ename')}: {output.get('evalue')}", (lines[0] if lines else None)
    return "the cell failed", None


def _locate_failure(document: Document, notebook: nbformat.NotebookNode, run: list[Cell],
                    exc: Exception) -> RenderError:
    for position, nb_cell in enumerate(notebook.cells):
        if not any(o.get("output_type") == "error" for o in nb_cell.get("outputs", [])):
            continue
        error, line_in_cell = _error_text(nb_cell["outputs"])
        if position == 0:
            return RenderError(f"{document.path}: the kernel setup failed: {error}")
        if position <= len(run):
            cell = run[position - 1]
            line = cell.line + (line_in_cell - 1 if line_in_cell else 0)
            return RenderError(f"{document.path}:{line}: {cell.where()}: {error}")
        if position - 1 - len(run) >= len(document.inlines):
            return RenderError(f"{document.path}: reporting the data it read failed: {error}")
        inline = document.inlines[position - 1 - len(run)]
        return RenderError(f"{document.path}:{inline.line}: inline expression "
                           f"`{{python}} {inline.expr}`: {error}")
    return RenderError(f"{document.path}: execution failed: {exc}")


def _stderr_warnings(document: Document, cell: Cell, outputs: list[dict[str, Any]],
                     defaults: dict[str, Any]) -> list[SourceWarning]:
    if _option(cell, "warning", defaults, True) is False:
        return []
    found = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = " ".join(output.get("text", "").split())
            found.append(SourceWarning(document.path, cell.line,
                                       f"{cell.where()} wrote to stderr: {text[:300]}"))
    return found


async def _run(document: Document, root: Path, defaults: dict[str, Any]) -> Executed:
    notebook, run = _notebook(document, root)
    if not run and not document.inlines:  # nothing to run: spare the kernel start
        return Executed(document)
    with tempfile.TemporaryDirectory(prefix="brief-kernel-") as sockets:
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                     ip=os.path.join(sockets, "kernel"))
        env = {**os.environ, ROOT_ENV: str(root), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT,
                                resources={"metadata": {"path": str(root)}},
                                allow_errors=False, record_timing=False)
        try:
            await manager.start_kernel(env=env, cwd=str(root))
            await client.async_execute(cleanup_kc=False)
        except CellExecutionError as exc:
            raise _locate_failure(document, notebook, run, exc) from None
        except CellTimeoutError:
            raise RenderError(f"{document.path}: a cell ran longer than {CELL_TIMEOUT} s "
                              "and was stopped") from None
        except NoSuchKernel:
            raise RenderError(f"{document.path}: no Jupyter kernel named python3: install "
                              "ipykernel in this environment (`pip install -e .`)") from None
        except DeadKernelError as exc:
            raise RenderError(f"{document.path}: the Python kernel died ({exc})") from None
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
            if manager.has_kernel:
                await manager.shutdown_kernel(now=True)
            manager.context.destroy(linger=0)
    executed = Executed(document)
    for cell, nb_cell in zip(run, notebook.cells[1:1 + len(run)], strict=True):
        outputs = [dict(o) for o in nb_cell.get("outputs", [])]
        executed.cells.append(ExecutedCell(cell, outputs))
        executed.warnings += _stderr_warnings(document, cell, outputs, defaults)
    def stdout(nb_cell: nbformat.NotebookNode) -> str:
        return "".join(o.get("text", "") for o in nb_cell.get("outputs", [])
                       if o.get("output_type") == "stream" and o.get("name") == "stdout")

    *inline_cells, reads_cell = notebook.cells[1 + len(run):]
    executed.inline_values = [stdout(c) for c in inline_cells]
    executed.reads = json.loads(stdout(reads_cell) or "[]")
    return executed


def _from_cache(document: Document, stored: dict[str, Any], defaults: dict[str, Any]
                ) -> Executed:
    executed = Executed(document, inline_values=list(stored["inline_values"]))
    run = document.runnable_cells
    for cell, outputs in zip(run, stored["outputs"], strict=True):
        executed.cells.append(ExecutedCell(cell, outputs))
        executed.warnings += _stderr_warnings(document, cell, outputs, defaults)
    return executed


async def _run_all(documents: list[Document], root: Path, defaults: dict[str, Any],
                   done: Callable[[Document, bool], None] | None, jobs: int,
                   cache: ExecutionCache | None) -> list[Executed]:
    limit = asyncio.Semaphore(jobs)
    code = code_digest(root) if cache is not None else ""
    resources = resource_digests(root) if cache is not None else {}

    async def one(document: Document) -> Executed:
        options = document.execute_options(defaults)
        key = execution_key(document, code, options)
        stored = cache.get(document.path, key, resources) if cache is not None else None
        if stored is not None:
            log.info("%s: outputs reused (execution key %s)", document.path, key[:12])
            result = _from_cache(document, stored, options)
        else:
            log.info("%s: executing %d cells and %d inline expressions", document.path,
                     len(document.cells), len(document.inlines))
            async with limit:
                result = await _run(document, root, options)
            if cache is not None:
                reads = {name: resources.get(name, "") for name in result.reads}
                cache.put(document.path, key, reads, [c.outputs for c in result.cells],
                          result.inline_values)
        if done is not None:
            done(document, stored is not None)
        return result

    tasks = [asyncio.ensure_future(one(d)) for d in documents]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def execute(documents: list[Document], root: Path, defaults: dict[str, Any] | None = None,
            done: Callable[[Document, bool], None] | None = None,
            jobs: int | None = None, cache: ExecutionCache | None = None) -> list[Executed]:
    """Execute every document (concurrently, one kernel each) and return their outputs.

    ``defaults`` are the project's ``execute:`` options (echo, warning, ...);
    ``done(document, cached)`` is called as each chapter finishes, for progress;
    with a ``cache``, chapters whose code and inputs are unchanged are not run again.
    """
    jobs = jobs or max(1, min(len(documents), os.cpu_count() or 2))
    return asyncio.run(_run_all(documents, root, defaults or {}, done, jobs, cache))
