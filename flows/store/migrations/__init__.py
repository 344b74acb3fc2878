"""Alembic, configured in code: no ``alembic.ini`` at run time, scripts inside this package.

Opening a store brings its schema to the newest revision. For a developer's new revision::

    from alembic import command
    from flows.store.migrations import alembic_config
    command.revision(alembic_config(url="sqlite:///dev.db"), message="...", autogenerate=True)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
_PG_MIGRATION_LOCK = (0x74616B65, 0x6D696772)  # "take", "migr": serialises concurrent first opens


def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Config:
    """A Config pointing at this package's scripts, using ``connection`` (or ``url``) as the target."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


def head_revisions() -> frozenset[str]:
    return frozenset(_scripts().get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def upgrade_to_head(engine: Engine) -> None:
    """Migrate to the newest revision inside one write transaction (a no-op when already there).

    SQLite takes its write lock at BEGIN and PostgreSQL an advisory lock, so two processes opening a new
    store at the same moment migrate it once, one after the other.
    """
    from flows.store.db import BEGIN_MODE  # db imports this module

    with engine.connect() as connection:
        connection.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        with connection.begin():
            if engine.dialect.name == "postgresql":
                a, b = _PG_MIGRATION_LOCK
                connection.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": a, "b": b})
            if current_revisions(connection) != head_revisions():
                command.upgrade(alembic_config(connection), "head")
