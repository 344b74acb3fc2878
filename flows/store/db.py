"""Engines and the ownership check: open only databases that are ours, never touch anyone else's.

A store URL may point at an existing file that is not a takeaways store (a typo in ``--db``, another
application's database, a damaged file). Opening it with our settings would already change it (WAL mode
is written into the file), so a SQLite file is inspected first through a separate *read-only* connection;
only a new, empty or recognised database is handed to the real engine.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from flows.store.migrations import VERSION_TABLE, current_revisions, known_revisions

BUSY_TIMEOUT_S = 30.0
BEGIN_MODE = "takeaways_sqlite_begin"
"""Execution option: ``IMMEDIATE`` takes SQLite's write lock at BEGIN, so two writers queue on the busy
timeout instead of failing when a read transaction tries to upgrade to a write."""

SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """The store cannot be used as asked: not ours, damaged, missing, or a bad argument."""


class StoreBusy(StoreError):
    """Another takeaways run holds the store's run lock."""


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL; ``None`` for an in-memory database."""
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().resolve()


def describe(url: URL) -> str:
    """How messages name a store: the file for SQLite, the URL without password otherwise."""
    path = sqlite_path(url)
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def make_engine(url: URL) -> Engine:
    """An engine with the store's connection settings (SQLite: WAL, foreign keys, busy timeout)."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True)
    memory = sqlite_path(url) is None
    options: dict[str, Any] = {
        "connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    }
    if memory:
        options["poolclass"] = StaticPool  # one shared connection, or every checkout is a new empty db
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _sqlite_settings(wal=not memory))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_settings(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Autocommit at the driver level, so that SQLAlchemy's "begin" event alone decides how a
        # transaction starts (the documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # durable across process crashes in WAL mode
        cursor.close()

    return on_connect


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(BEGIN_MODE, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def check_sqlite_file(path: Path, *, verify: bool = True) -> frozenset[str]:
    """Refuse a non-empty file that is not a SQLite database of ours, never writing to it; its revisions."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise StoreError(
            f"{path} is not a takeaways store: it is not a SQLite database (a damaged file or another "
            "kind of file). It was left untouched; give --db a new path or the right file."
        )
    # immutable: no locks, so no -wal or -shm file appears beside a file that is then refused
    uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=StaticPool)
    try:
        with engine.connect() as connection:
            revisions = check_ours(connection, str(path))
            if revisions and verify:
                _check_intact(connection, path)
            return revisions
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise StoreError(
            f"{path} cannot be read as a SQLite database ({cause}); it was left untouched."
        ) from exc
    finally:
        engine.dispose()


def _check_intact(connection: Connection, path: Path) -> None:
    """SQLite's own check of every page (``quick_check``): a store with damaged pages is refused before
    anything is written to it, instead of failing mid-run with a traceback."""
    try:
        problems = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check(5)")]
    except SQLAlchemyError as exc:  # so damaged that the check itself cannot read it
        problems = [str(getattr(exc, "orig", None) or exc)]
    if problems != ["ok"]:
        raise StoreError(
            f"{path} is a damaged takeaways store ({'; '.join(problems)}). It was left untouched: restore "
            "it from a backup, or give --db a new path and run again to analyse the documents afresh."
        )


def check_ours(connection: Connection, where: str) -> frozenset[str]:
    """Accept an empty database or one migrated by our Alembic revisions (returned); refuse the rest."""
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return frozenset()
    if VERSION_TABLE not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"{where} is not a takeaways store: it holds other tables ({shown}) and no takeaways schema "
            "version. It was left untouched; give --db a new path or an existing takeaways store."
        )
    revisions = current_revisions(connection)
    unknown = revisions - known_revisions()
    if unknown or not revisions:
        raise StoreError(
            f"{where} is not a takeaways store this version knows: its schema version is "
            f"{', '.join(sorted(unknown)) or 'empty'} (another application's, or a newer takeaways). "
            "It was left untouched."
        )
    return revisions
