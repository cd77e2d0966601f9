"""Convert documents with the pandoc binary shipped in the ``pypandoc-binary`` wheel.

Debian's pandoc (2.17) cannot write Typst, so the wheel's pandoc 3 is always used,
never whatever ``pandoc`` is first on PATH. A build converts a few hundred documents,
and starting pandoc costs more than most conversions, so conversions go to long-lived
workers (``pandoc lua assets/worker.lua``, one per core, started on first use and
stopped at exit): each reads one JSON job per line and answers with one line. Failures
become a :class:`RenderError` that names the input being converted and pandoc's message.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from brief.render.errors import RenderError

FILTER = Path(__file__).with_name("assets") / "brief.lua"
WORKER = Path(__file__).with_name("assets") / "worker.lua"
log = logging.getLogger(__name__)


@cache
def pandoc_path() -> str:
    """The path of the bundled pandoc executable."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as exc:
        raise RenderError("pandoc was not found: install the package with its dependencies "
                          "(`pip install -e .`, which brings pypandoc-binary)") from exc


class _Worker:
    """One ``pandoc lua worker.lua`` process; answers one job at a time."""

    def __init__(self) -> None:
        # Lives as long as the worker; closed by close().
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [pandoc_path(), "lua", str(WORKER), pandoc_path()], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.stderr)

    def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(job, ensure_ascii=False).encode("utf-8")
                                     + b"\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except OSError:
            line = b""
        if not line:
            self.process.wait()
            self.stderr.seek(0)
            message = self.stderr.read().decode("utf-8", "replace").strip()
            raise RenderError(message or f"pandoc stopped (exit {self.process.returncode})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):  # a dead worker's unflushed input
                    stream.close()


class _Pool:
    """At most ``size`` workers; a caller waits for an idle one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self.started = 0
        self.lock = threading.Lock()
        self.all: list[_Worker] = []

    def _take(self) -> _Worker:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        with self.lock:
            if self.started < self.size:
                self.started += 1
                worker = _Worker()
                self.all.append(worker)
                return worker
        return self.idle.get()

    def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        worker = self._take()
        try:
            answer = worker.ask(job)
        except BaseException:
            worker.close()
            with self.lock:
                self.started -= 1
                self.all.remove(worker)
            raise
        self.idle.put(worker)
        return answer

    def close(self) -> None:
        with self.lock:
            for worker in self.all:
                worker.close()
            self.all.clear()
            self.started = 0
            self.idle = queue.LifoQueue()


_POOL = _Pool(max(1, os.cpu_count() or 1))
atexit.register(_POOL.close)


@dataclass(frozen=True)
class Options:
    """How to convert: reader and writer formats (pandoc's names, with extensions), line
    wrapping, whether the brief's Lua filter runs, and the bibliography for citeproc
    (after the filter), if any.

    ``drop_list`` removes the reference list citeproc adds: a page that links its
    citations to the list on another page (citeproc links citations only when it
    writes a list)."""

    source: str
    target: str
    wrap: str | None = None
    brief_filter: bool = False
    bibliography: Path | None = None
    drop_list: bool = False


def convert(text: str, options: Options, what: str,
            warnings: list[str] | None = None) -> str:
    """Convert ``text``; ``what`` names the input in errors.

    pandoc's warnings (a citation key missing from the bibliography, say) are appended
    to ``warnings`` when a list is given.
    """
    started = time.perf_counter()
    job = {"text": text, "from": options.source, "to": options.target, "wrap": options.wrap,
           "filter": str(FILTER) if options.brief_filter else None,
           "bibliography": str(options.bibliography) if options.bibliography else None,
           "drop_list": options.drop_list}
    try:
        answer = _POOL.ask(job)
    except RenderError as exc:
        raise RenderError(f"{what}: pandoc failed ({exc})") from None
    log.info("pandoc %s -> %s (%s): %.2f s", options.source, options.target, what,
             time.perf_counter() - started)
    if "error" in answer:
        raise RenderError(f"{what}: pandoc failed ({' '.join(answer['error'].split())})")
    if warnings is not None:
        warnings += [w.removeprefix("[WARNING]").strip() for w in answer.get("warnings") or []]
    output: str = answer["output"]
    return output
