"""The preview server under hostile requests: bad paths get a 400 without a traceback,
a foreign Host header is refused, and a burst of requests is answered by a bounded pool."""

from __future__ import annotations

import http.client
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from brief.preview import Preview


@pytest.fixture
def preview(tmp_path: Path):
    site = tmp_path / "_book"
    site.mkdir()
    (site / "index.html").write_text("<html><body>home</body></html>", "utf-8")
    server = Preview(tmp_path, lambda: None, site, port=0)
    server.start()
    yield server
    server.stop()


def _get(preview: Preview, path: str, host: str | None = None) -> tuple[int, bytes]:
    name, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(name, port, timeout=10)
    connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host or f"{name}:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.mark.parametrize("path", ["/%00", "/.%00./etc/passwd", "/%ed%a0%80.html",
                                  "/" + "a" * 8000, "/%2e%2e/%2e%2e/etc/passwd"])
def test_bad_paths_get_an_answer_and_no_traceback(preview: Preview, path: str,
                                                  capsys, caplog) -> None:
    with caplog.at_level(logging.ERROR):
        status, body = _get(preview, path)
    assert status in (400, 404)
    assert b"root:" not in body
    assert "Traceback" not in capsys.readouterr().err


def test_a_foreign_host_header_is_refused(preview: Preview) -> None:
    assert _get(preview, "/index.html")[0] == 200
    assert _get(preview, "/index.html", host="attacker.example:80")[0] == 421


def test_a_burst_of_500_requests_is_answered(preview: Preview) -> None:
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: _get(preview, "/index.html")[0], range(500)))
    assert statuses == [200] * 500
