"""A tiny HTTP server on 127.0.0.1 for fetch tests: routes map a path to a handler, requests are logged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    trickle_s: float = 0.0
    """send the body a byte at a time, this long apart (a server that holds a client for ever)"""


Route = Callable[[dict[str, str]], Reply]


@dataclass
class LocalServer:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@contextmanager
def local_server(routes: dict[str, Route]) -> Iterator[LocalServer]:
    log: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            log.append((self.path, headers))
            route = routes.get(self.path)
            reply = route(headers) if route else Reply(status=404, body=b"not found")
            if reply.delay_s:
                time.sleep(reply.delay_s)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                if not reply.trickle_s:
                    self.wfile.write(reply.body)
                for n in range(len(reply.body)) if reply.trickle_s else ():
                    self.wfile.write(reply.body[n : n + 1])
                    self.wfile.flush()
                    time.sleep(reply.trickle_s)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(base=f"http://127.0.0.1:{server.server_address[1]}", routes=routes, requests=log)
    finally:
        server.shutdown()
        server.server_close()
