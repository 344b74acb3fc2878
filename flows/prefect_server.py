"""Local Prefect servers when none is configured: a full one for `takeaways serve`, the ephemeral one
shared with worker processes for `takeaways run`.

Prefect's ephemeral API runs flows but cannot schedule them, so serving on a schedule needs a real
server. When ``PREFECT_API_URL`` is unset, one is started on 127.0.0.1 for the lifetime of the command
and stopped with it; an operator with their own server just sets ``PREFECT_API_URL``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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
_PR_SET_PDEATHSIG = 1


class ServerError(RuntimeError):
    """The local Prefect server did not come up."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prefect_api(*, log_path: str | None = None) -> Iterator[str]:
    """Yield the API URL: the configured one, or that of a server started here and stopped on exit."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    port = _free_port()
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_until_healthy(url, server)
        os.environ["PREFECT_API_URL"] = url
        yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if log is not None:
            log.close()


def ephemeral_api_url() -> str:
    """The configured API, or the URL of Prefect's ephemeral server, started now if need be.

    A process started by a run (a process-pool worker) that found no ``PREFECT_API_URL`` would start
    an ephemeral server of its own; handing it this URL makes every process of the run report to one."""
    from prefect.settings import PREFECT_API_URL

    configured = PREFECT_API_URL.value()
    if configured:
        return str(configured)
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own client would start; stopped at exit
    server.start()
    return server.api_url


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
        time.sleep(0.5)
    raise ServerError(f"the local Prefect server did not answer at {url} within {_STARTUP_TIMEOUT_S:.0f} s")
