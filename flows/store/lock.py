"""The run lock: one takeaways run at a time per store, released even if the holder is SIGKILLed.

SQLite: ``flock`` on ``<db>.lock`` beside the database; the kernel drops the lock with the holder's last
file descriptor, so a killed run never leaves a stale lock. The holder writes who it is into the file for
the waiting run's message. PostgreSQL: a session advisory lock, which the server drops with the session.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from flows.store.db import StoreBusy

POLL_S = 0.05
_PG_RUN_LOCK = (0x74616B65, 0x72756E00)  # "take", "run\0"


def _holder() -> dict[str, object]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _busy(where: str, holder: dict[str, object], timeout_s: float) -> StoreBusy:
    started = holder.get("started_at") or "an unknown time"
    if holder.get("pid"):
        who = f", pid {holder['pid']} on {holder.get('host', '?')}"
    else:
        who = f", {holder['who']}" if holder.get("who") else ""
    return StoreBusy(
        f"another takeaways run is using {where} (started at {started}{who}); "
        f"gave up after waiting {timeout_s:g} s. Try again when it has finished."
    )


@contextmanager
def file_lock(path: Path, *, where: str, timeout_s: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``, waiting up to ``timeout_s`` for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _busy(where, _read_holder(path), timeout_s) from None
                time.sleep(min(POLL_S, remaining))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def advisory_lock(engine: Engine, *, where: str, timeout_s: float) -> Iterator[None]:
    """Hold a PostgreSQL session advisory lock on a connection kept open for the lock's lifetime."""
    a, b = _PG_RUN_LOCK
    keys = {"a": a, "b": b}
    with engine.connect() as connection:
        holder = _holder()
        connection.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": f"takeaways run pid {holder['pid']} on {holder['host']}"},
        )
        deadline = time.monotonic() + timeout_s
        while not connection.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), keys).scalar_one():
            connection.commit()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _busy(where, _pg_holder(engine, a, b), timeout_s)
            time.sleep(min(POLL_S * 4, remaining))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), keys)
            connection.commit()


def _pg_holder(engine: Engine, a: int, b: int) -> dict[str, object]:
    query = text(
        "SELECT a.backend_start, a.application_name FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :a AND l.objid = :b "
        "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as connection:
        row = connection.execute(query, {"a": a, "b": b}).first()
    if row is None:
        return {}
    started = row.backend_start.isoformat(timespec="seconds") if row.backend_start else None
    return {"started_at": started, "who": row.application_name}
