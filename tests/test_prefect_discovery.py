"""A run reports to a Prefect server already running at the usual local address instead of booting an
ephemeral one (3-5 s), and only to something that answers as a Prefect server does."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.run import prefect_server


def _serving(body: bytes, status: int = 200) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == "/api/health" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def usual_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery on (the suite turns it off, so a Prefect server the machine runs is left alone)."""
    monkeypatch.setenv("TAKEAWAYS_DISCOVER_PREFECT", "1")


def test_a_server_answering_at_the_usual_address_becomes_the_runs_api(
    usual_address: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _serving(b"true")
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    monkeypatch.setattr(prefect_server, "LOCAL_API", url)
    monkeypatch.setattr(prefect_server, "_ephemeral", [])  # as in a fresh command: none booting yet
    previous = os.environ.pop("PREFECT_API_URL", None)
    try:
        with temporary_settings(restore_defaults={PREFECT_API_URL}):  # no API in the profile either
            prefect_server.start_ephemeral_api()
            assert os.environ.get("PREFECT_API_URL") == url
        assert not prefect_server._ephemeral, "no ephemeral server was started"
    finally:
        prefect_server._use_api(previous)
        server.shutdown()


@pytest.mark.parametrize(("body", "status"), [(b"not prefect", 200), (b"true", 503)])
def test_something_else_at_the_usual_address_is_not_taken_for_prefect(
    usual_address: None, monkeypatch: pytest.MonkeyPatch, body: bytes, status: int
) -> None:
    server = _serving(body, status)
    monkeypatch.setattr(prefect_server, "LOCAL_API", f"http://127.0.0.1:{server.server_address[1]}/api")
    try:
        assert prefect_server.discovered_api() is None
    finally:
        server.shutdown()


def test_nothing_listening_and_discovery_turned_off_find_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _serving(b"true")
    monkeypatch.setattr(prefect_server, "LOCAL_API", f"http://127.0.0.1:{server.server_address[1]}/api")
    monkeypatch.setenv("TAKEAWAYS_DISCOVER_PREFECT", "0")
    assert prefect_server.discovered_api() is None
    server.shutdown()
    server.server_close()
    monkeypatch.setenv("TAKEAWAYS_DISCOVER_PREFECT", "1")
    assert prefect_server.discovered_api() is None
