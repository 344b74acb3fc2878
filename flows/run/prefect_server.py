"""Local Prefect servers when none is configured: a server already running at the usual address, else a
full one for `takeaways serve` and an ephemeral one for `takeaways run`, and how those processes end.

Prefect's ephemeral API runs flows but cannot schedule them, so serving on a schedule needs a real
server. When ``PREFECT_API_URL`` is unset, one is started on 127.0.0.1 for the lifetime of the command
and stopped with it; an operator with their own server just sets ``PREFECT_API_URL``.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

_STARTUP_TIMEOUT_S = 120.0
_PORT_ATTEMPTS = 3
_PR_SET_PDEATHSIG = 1


LOCAL_PORT = 4200
LOCAL_API = f"http://127.0.0.1:{LOCAL_PORT}/api"
"""Where ``prefect server start`` listens by default, and ``takeaways serve`` when the port is free."""


class ServerError(RuntimeError):
    """The local Prefect server did not come up."""


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prefect_api(*, log_path: str | None = None) -> Iterator[str]:
    """Yield the API URL: the configured one, or that of a server started here and stopped on exit."""
    configured = os.environ.get("PREFECT_API_URL") or discovered_api()
    if configured:
        yield configured
        return
    port = LOCAL_PORT if _port_is_free(LOCAL_PORT) else _free_port()  # the usual port: runs find it
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_until_healthy(url, server)
        _use_api(url)
        yield url
    finally:
        _use_api(None)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if log is not None:
            log.close()


class EphemeralApi:
    """Prefect's ephemeral API server (no UI; only the services that record runs) in a child process
    that lives and dies with this one, and made this process's API for good.

    Prefect's client starts the same server itself, but only when a flow first needs it and after
    importing Prefect's server code (1.9 s). Started here before the CLI imports spaCy and Prefect, its
    2.7 s of boot overlap those imports instead of following them."""

    def __init__(self) -> None:
        self.process = self._launch()
        atexit.register(self.stop)

    def _launch(self) -> subprocess.Popen[bytes]:
        port = _free_port()
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip
        # Prefect's own switches for this kind of server: no UI, and only the services runs need.
        switches = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        process = subprocess.Popen(command, env={**os.environ, **switches}, preexec_fn=die_with_parent)
        self.url = f"http://127.0.0.1:{port}/api"
        return process

    def make_current(self) -> None:
        _use_api(self.url)

    def wait_until_up(self) -> str:
        """The API URL once the server answers; a port taken in the meantime means another try."""
        for attempt in range(_PORT_ATTEMPTS):
            try:
                _wait_until_healthy(self.url, self.process)
                return self.url
            except ServerError:
                if self.process.poll() is None or attempt == _PORT_ATTEMPTS - 1:
                    raise
                self.process = self._launch()
                self.make_current()
        raise AssertionError("unreachable")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_ephemeral: list[EphemeralApi] = []


def discovered_api() -> str | None:
    """The API of a Prefect server already running on this machine at the usual address (``prefect
    server start``, ``takeaways serve``), if one answers: reporting to it spares a run the 3-5 s of
    booting a server of its own. ``TAKEAWAYS_DISCOVER_PREFECT=0`` turns this off."""
    if os.environ.get("TAKEAWAYS_DISCOVER_PREFECT", "1") == "0":
        return None
    try:
        answer = httpx.get(f"{LOCAL_API}/health", timeout=0.5)
    except httpx.HTTPError:
        return None
    return LOCAL_API if answer.status_code == 200 and answer.text.strip() == "true" else None


def start_ephemeral_api() -> None:
    """Begin booting this process's ephemeral API now, unless an API is configured, one is booting, or
    a server is running at the usual local address (which is used then, unless the profile names an API).

    The server is launched before Prefect is imported to read the profile (0.65 s), and stopped again
    if the profile names an API."""
    if _ephemeral or os.environ.get("PREFECT_API_URL"):
        return
    if found := discovered_api():
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            _use_api(found)
        return
    api = EphemeralApi()
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        api.stop()
        return
    api.make_current()
    _ephemeral.append(api)


def run_api() -> tuple[str, bool]:
    """The API a run reports to, and whether it is this process's own ephemeral server (started now if
    need be). Worker processes started by the run get this URL: one that found none would start an
    ephemeral server of its own."""
    from prefect.settings import PREFECT_API_URL

    configured = PREFECT_API_URL.value()
    if configured and not (_ephemeral and str(configured) == _ephemeral[0].url):
        return str(configured), False
    start_ephemeral_api()
    return _ephemeral[0].wait_until_up(), True


def _use_api(url: str | None) -> None:
    """Make ``url`` this process's API, for every thread and for the worker processes it starts.

    The environment alone is not enough once Prefect is imported: its process-wide settings were read
    at import, and threads it starts without a run's context (forwarding worker processes' events,
    draining logs at exit) read those, find no API and boot an ephemeral server of their own."""
    from prefect.context import refresh_global_settings_context

    if url is None:
        os.environ.pop("PREFECT_API_URL", None)
    else:
        os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()


def skip_final_collection() -> None:
    """At exit Python's last garbage collections walk every object still alive, which with spaCy,
    scikit-learn and Prefect loaded takes 0.8 s per process; freezing them first (the last exit
    handler to run) skips that walk. The operating system takes the memory back anyway."""
    atexit.register(gc.freeze)


def die_with_parent() -> None:
    """On Linux, this (child) process gets SIGTERM when its parent dies, even by SIGKILL: no orphans."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(f"the local Prefect server exited with code {server.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise ServerError(f"the local Prefect server did not answer at {url} within {_STARTUP_TIMEOUT_S:.0f} s")
