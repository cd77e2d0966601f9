"""``brief preview``: serve the site on 127.0.0.1, rebuild on change, reload the page.

A watcher thread polls the project's inputs (chapters, config, bibliography, data,
calls to action, the indicator catalogue) and rebuilds with the execution cache when
one changes. Pages are served from ``_book/`` with a small script appended that polls
``/__preview/state`` and reloads when a new build is ready, or shows the build error
over the page. The script exists only in what this server sends; the files on disk
stay clean.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from brief.catalogue import catalogue_files
from brief.settings import SettingsError, load_settings

log = logging.getLogger(__name__)

STATE_PATH = "/__preview/state"
#: Longer request paths are refused (no page of a brief has one).
MAX_PATH = 2048

RELOAD_SCRIPT = """<script>
(() => {
  let seen = null;
  const box = document.createElement("pre");
  box.setAttribute("role", "alert");
  box.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;" +
    "background:#7a1f1f;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap;" +
    "z-index:9999;display:none";
  document.addEventListener("DOMContentLoaded", () => document.body.appendChild(box));
  async function poll() {
    try {
      const state = await (await fetch("__STATE__", {cache: "no-store"})).json();
      if (seen !== null && state.generation !== seen) { location.reload(); return; }
      seen = state.generation;
      box.textContent = state.error ? "Build failed:\\n" + state.error : "";
      box.style.display = state.error ? "block" : "none";
    } catch (e) { /* server restarting: try again */ }
    setTimeout(poll, 700);
  }
  poll();
})();
</script>
""".replace("__STATE__", STATE_PATH)


@dataclass
class PreviewState:
    """What the page's script polls: a build counter and the last error, if any."""

    generation: int = 0
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def succeeded(self) -> None:
        with self.lock:
            self.generation += 1
            self.error = ""

    def failed(self, message: str) -> None:
        with self.lock:
            self.error = message

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"generation": self.generation, "error": self.error}).encode()


def watched_files(root: Path) -> Iterator[Path]:
    """The inputs whose change should trigger a rebuild."""
    for pattern in ("*.qmd", "*.md", "_quarto.yml", "_variables.yml", "**/*.bib", "data/**/*",
                    "chapters/**/*"):
        yield from (p for p in root.glob(pattern) if p.is_file())
    yield from catalogue_files(root)
    try:
        factsheets = load_settings(root).factsheets
    except SettingsError:
        return  # the build reports the settings
    if factsheets is not None:
        for page in (factsheets.template, factsheets.index):
            if page and (root / page).is_file():
                yield root / page


def snapshot(root: Path) -> dict[str, tuple[float, int]]:
    """Modification time and size of every watched file."""
    out = {}
    for path in watched_files(root):
        try:
            stat = path.stat()
        except OSError:
            continue
        out[str(path)] = (stat.st_mtime, stat.st_size)
    return out


class _Handler(SimpleHTTPRequestHandler):
    """Serves ``_book/``; appends the reload script to HTML; answers the state poll."""

    state: PreviewState

    def __init__(self, *args: Any, state: PreviewState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("preview: " + format, *args)

    def do_GET(self) -> None:
        if not self._host_allowed():
            # A page from elsewhere that resolves its own name to 127.0.0.1 (DNS
            # rebinding) must not read the preview.
            self.send_error(421, "Misdirected request: use the address brief preview printed")
            return
        if len(self.path) > MAX_PATH or "\x00" in self.path or "%00" in self.path.lower():
            self.send_error(400, "Bad request path")
            return
        try:
            self._get()
        except (OSError, ValueError, UnicodeError):  # a name the file system refuses
            self.send_error(400, "Bad request path")

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        name, port = self.server.server_address[:2]
        return host in {f"{name}:{port}", f"localhost:{port}", str(name), "localhost"}

    def _get(self) -> None:
        if self.path.split("?")[0] == STATE_PATH:
            self._send(self.state.as_json(), "application/json")
            return
        target = Path(self.translate_path(self.path))
        str(target).encode("utf-8")  # a lone surrogate (%ed%a0%80) is refused here
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            html = target.read_text("utf-8")
            marker = html.rfind("</body>")
            html = html[:marker] + RELOAD_SCRIPT + html[marker:] if marker >= 0 else html
            self._send(html.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class _PooledServer(ThreadingHTTPServer):
    """An HTTP server answering from a fixed pool of threads, with a long listen queue:
    a burst of requests waits its turn instead of being dropped or starting a thread
    each."""

    request_queue_size = 512
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, workers: int = 16) -> None:
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="preview")

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


class Preview:
    """A running preview: the HTTP server plus the watcher that rebuilds."""

    def __init__(self, root: Path, rebuild: Callable[[], None], site: Path,
                 host: str = "127.0.0.1", port: int = 8000, interval: float = 0.5) -> None:
        self.root = root
        self.rebuild = rebuild
        self.state = PreviewState()
        self.interval = interval
        self._stop = threading.Event()
        handler = partial(_Handler, state=self.state, directory=str(site))
        self.server = _PooledServer((host, port), handler)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def build_once(self) -> bool:
        """Rebuild now; record success or the error for the page to show."""
        try:
            self.rebuild()
        except Exception as exc:  # any build failure is shown, the server keeps running
            self.state.failed(str(exc))
            log.warning("build failed: %s", exc)
            return False
        self.state.succeeded()
        return True

    def watch(self, seen: dict[str, tuple[float, int]]) -> None:
        """Poll the inputs; rebuild when any differs from ``seen`` (debounced)."""
        while not self._stop.wait(self.interval):
            now = snapshot(self.root)
            if now != seen:
                time.sleep(self.interval)  # let an editor finish writing
                seen = snapshot(self.root)
                self.build_once()

    def start(self) -> None:
        """Serve and watch in background threads."""
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        # The baseline is taken now, not in the thread: an edit made right after start()
        # must count as a change.
        threading.Thread(target=self.watch, args=(snapshot(self.root),), daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
