"""The store: idempotent writes, exact round trips, refusing databases that are not ours, the run lock."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from spacy.language import Language
from sqlalchemy import func, select, text

from flows.store import Store, StoreBusy, StoreError, version_key
from flows.store import models as m
from flows.store.migrations import head_revisions
from nlp.analyse import Analyzer, analyse
from nlp.errors import ErrorCode, IngestError
from nlp.ingest import read_document
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel
from tests.support import postgres

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
TABLES = (m.Document, *m.DOCUMENT_CHILDREN)


@pytest.fixture(scope="module")
def summaries(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> list[DocumentSummary]:
    """The project's sample corpus, analysed for real (transcripts, statements, every format)."""
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)
    documents = [read_document(p.read_bytes(), source=p.name) for p in sorted(SAMPLES.iterdir())]
    out = list(analyse(documents, analyzer=analyzer))
    assert all(isinstance(s, DocumentSummary) for s in out), out
    return [s for s in out if isinstance(s, DocumentSummary)]


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """``TAKEAWAYS_TEST_POSTGRES_URL``, else a throwaway server (``tests/support/postgres.py``)."""
    given = os.environ.get("TAKEAWAYS_TEST_POSTGRES_URL")
    if given:
        pytest.importorskip("psycopg")
        yield given
        return
    reason = postgres.unavailable()
    if reason:
        pytest.skip(reason)
    with postgres.throwaway_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same store tests on both backends: SQLite in a file, PostgreSQL in a database of its own."""
    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'takeaways.db'}") as opened:
            yield opened
        return
    server = request.getfixturevalue("postgres_server")
    with postgres.fresh_database(server) as url, Store(url) as opened:
        yield opened


def _counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            t.__tablename__: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in TABLES
        }


def _contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every document table, minus the write time."""
    with store.engine.connect() as connection:
        return {
            t.__tablename__: sorted(
                tuple(v for k, v in row._asdict().items() if k != "updated_at")
                for row in connection.execute(select(t.__table__))
            )
            for t in TABLES
        }


def test_the_samples_fill_every_table(summaries: list[DocumentSummary]) -> None:
    """Guard for the tests below: a round trip only proves something if every kind of row occurs."""
    assert any(s.quotes for s in summaries)
    assert any(t.evidence for s in summaries for t in s.takeaways)
    assert any(r.themes for s in summaries for r in s.sentences)
    assert any(seg.start_s is not None for s in summaries for seg in s.segments)
    assert any(s.facts.people for s in summaries)
    assert any(s.date for s in summaries)


def test_new_file_is_initialised_at_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.db"
    with Store(f"sqlite:///{path}") as store:
        assert store.revision() in head_revisions()
        with store.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            assert set(versions) == set(head_revisions())
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, m.Base.metadata) == [], "models and migrations disagree"
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    empty = tmp_path / "empty.db"
    empty.touch()
    with Store(f"sqlite:///{empty}") as store:
        assert store.revision() in head_revisions()
    with Store(f"sqlite:///{path}") as again:  # reopening an existing store of ours is fine
        assert again.status()["documents"] == 0


def test_saving_twice_leaves_identical_rows(store: Store, summaries: list[DocumentSummary]) -> None:
    assert store.save_summaries(summaries, version_key="v1") == len(summaries)
    counts, contents = _counts(store), _contents(store)
    assert counts["documents"] == len(summaries)
    assert counts["sentences"] == sum(len(s.sentences) for s in summaries)
    assert counts["evidence"] == sum(len(t.evidence) for s in summaries for t in s.takeaways)
    assert store.save_summaries(summaries, version_key="v1") == len(summaries)
    assert _counts(store) == counts
    assert _contents(store) == contents


def test_saving_again_replaces_a_documents_rows(store: Store, summaries: list[DocumentSummary]) -> None:
    store.save_summaries(summaries)
    before = _counts(store)
    first = summaries[0]
    shorter = first.model_copy(update={"takeaways": first.takeaways[:1], "quotes": [], "entities": []})
    store.save_summaries([shorter])
    after = _counts(store)
    assert after["takeaways"] == before["takeaways"] - len(first.takeaways) + 1
    assert after["entities"] == before["entities"] - len(first.entities)
    assert after["documents"] == before["documents"]
    assert store.summaries([first.id]) == [shorter]


def test_summaries_round_trip_exactly(store: Store, summaries: list[DocumentSummary]) -> None:
    store.save_summaries(summaries)
    ids = [s.id for s in reversed(summaries)]
    assert store.summaries([*ids, "no-such-document"]) == list(reversed(summaries))
    assert sorted(store.summaries(), key=lambda s: s.id) == sorted(summaries, key=lambda s: s.id)
    rebuilt = store.summaries([summaries[0].id])[0]
    assert rebuilt.model_dump_json() == summaries[0].model_dump_json()  # key order too


def test_needs_analysis_follows_the_version_key(store: Store, summaries: list[DocumentSummary]) -> None:
    first, second, *rest = summaries
    store.save_summaries([first, second], version_key="model-a:tax-1:sm")
    asked = {first.id: "model-a:tax-1:sm", second.id: "model-b:tax-1:sm", rest[0].id: "model-a:tax-1:sm"}
    assert store.needs_analysis(asked) == {second.id, rest[0].id}
    assert store.needs_analysis({}) == set()
    store.save_summaries([second], version_key="model-b:tax-1:sm")
    assert store.needs_analysis(asked) == {rest[0].id}
    store.save_summaries([rest[0]])  # the default key is the summary's own model versions
    assert store.versions()[rest[0].id] == version_key(rest[0].model)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _foreign_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO customers (name) VALUES ('Ada')")
    connection.commit()
    connection.close()


def _foreign_alembic(path: Path) -> None:
    _foreign_sqlite(path)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    connection.execute("INSERT INTO alembic_version VALUES ('3f1e2d4c5b6a')")
    connection.commit()
    connection.close()


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(4).randbytes(8192))


def _truncated_sqlite(path: Path) -> None:
    _foreign_sqlite(path)
    path.write_bytes(path.read_bytes()[:200])


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_random_bytes, "not a SQLite database"),
        (_truncated_sqlite, "cannot be read as a SQLite database"),
        (_foreign_sqlite, "holds other tables (customers)"),
        (_foreign_alembic, "schema version is 3f1e2d4c5b6a"),
    ],
)
def test_a_database_that_is_not_ours_is_refused_and_left_untouched(
    tmp_path: Path, make, expected: str
) -> None:
    path = tmp_path / "their.db"
    make(path)
    before = _snapshot(tmp_path)
    with pytest.raises(StoreError) as caught:
        Store(f"sqlite:///{path}")
    message = str(caught.value)
    assert str(path) in message
    assert expected in message
    assert "untouched" in message
    assert _snapshot(tmp_path) == before  # same bytes, and no -wal, -shm or .lock files beside it


def test_a_store_of_ours_with_damaged_pages_is_refused_before_anything_is_written(
    tmp_path: Path, summaries: list[DocumentSummary]
) -> None:
    """A current store (not an old-format file) whose pages were damaged on disk: opening it refuses it
    with a clear message, leaves its bytes as they were and creates no -wal or -shm file beside it."""
    path = tmp_path / "takeaways.db"
    with Store(f"sqlite:///{path}") as store:
        store.save_summaries(summaries)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    (tmp_path / "takeaways.db-wal").unlink(missing_ok=True)
    (tmp_path / "takeaways.db-shm").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    for n in range(pages - 3, pages):  # the last pages: table data, not the schema, so it opens
        data[n * page : n * page + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    before = _snapshot(tmp_path)
    with pytest.raises(StoreError, match="damaged takeaways store") as caught:
        Store(f"sqlite:///{path}")
    assert str(path) in str(caught.value) and "untouched" in str(caught.value)
    assert _snapshot(tmp_path) == before


def test_opening_without_create_never_creates(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no takeaways store"):
        Store(f"sqlite:///{tmp_path / 'missing.db'}", create=False)
    assert list(tmp_path.iterdir()) == []


def test_runs_errors_and_status(store: Store, summaries: list[DocumentSummary]) -> None:
    with store.run_lock(timeout_s=1):
        run_id = store.start_run({"sources": [Path("corpus/samples")], "batch_size": 16})
        store.save_summaries(summaries[:2], run_id=run_id)
        bad = [
            IngestError(path="in/empty.txt", code=ErrorCode.EMPTY, reason="the file is empty"),
            IngestError(path="in/blob.bin", code=ErrorCode.BINARY, reason="binary data"),
        ]
        assert store.record_errors(run_id, bad) == 2
        assert store.record_errors(run_id, bad[:1]) == 1  # again: replaced, not duplicated
        store.finish_run(run_id, "completed", {"documents": 2, "failed": 2})
    status = store.status()
    assert status["documents"] == 2
    assert status["runs"] == 1
    last = status["last_runs"][0]
    assert last["id"] == run_id
    assert last["status"] == "completed"
    assert last["counts"] == {"documents": 2, "failed": 2}
    assert last["parameters"] == {"sources": ["corpus/samples"], "batch_size": 16}
    assert [e["path"] for e in status["last_errors"]] == ["in/blob.bin", "in/empty.txt"]
    assert status["versions"] == {version_key(summaries[0].model): 2}
    with pytest.raises(StoreError, match="no run"):
        store.finish_run("not-a-run", "completed")


def test_decisions_are_a_log_that_survives_reanalysis(store: Store, summaries: list[DocumentSummary]) -> None:
    summary = summaries[0]
    sentence = next(r for r in summary.sentences if r.themes)
    theme = next(iter(sentence.themes))
    store.save_summaries([summary])
    first = store.record_decision(summary.id, sentence.i, theme, "accept", who="ana")
    second = store.record_decision(
        summary.id, sentence.i, theme, "relabel", who="ben", new_theme="financing", note="it is about money"
    )
    store.save_summaries([summary])  # re-analysis replaces the document's rows, not the decisions
    log = store.decisions()
    assert [d.id for d in log] == [first, second]
    assert log[1].new_theme == "financing"
    assert log[1].note == "it is about money"
    assert log[0].sentence_text == sentence.text == summary.text[log[0].sentence_start : log[0].sentence_end]
    assert log[0].at.tzinfo is not None
    assert store.decisions(document_id="other") == []
    with pytest.raises(StoreError, match="needs new_theme"):
        store.record_decision(summary.id, sentence.i, theme, "relabel", who="ana")
    with pytest.raises(StoreError, match="no sentence 99999"):
        store.record_decision(summary.id, 99999, theme, "reject", who="ana")


HOLDER = textwrap.dedent(
    """
    import sys, time
    from flows.store import Store
    store = Store(sys.argv[1])
    with store.run_lock(timeout_s=0):
        store.start_run({"holder": True})
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold_lock(url: str, seconds: float) -> subprocess.Popen[str]:
    """Another process that takes the run lock, says so, and keeps it for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_run_waits_for_the_lock_then_fails_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'takeaways.db'}"
    store = Store(url)
    holder = _hold_lock(url, 60)
    try:
        started = time.monotonic()
        with pytest.raises(StoreBusy) as caught, store.run_lock(timeout_s=0.6):
            pytest.fail("got the lock while another process holds it")
        waited = time.monotonic() - started
        assert 0.6 <= waited < 5
        message = str(caught.value)
        assert f"another takeaways run is using {tmp_path / 'takeaways.db'} (started at 20" in message
        assert f"pid {holder.pid}" in message
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_run_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'takeaways.db'}"
    store = Store(url)
    holder = _hold_lock(url, 1.0)
    started = time.monotonic()
    with store.run_lock(timeout_s=30):
        assert 0.3 < time.monotonic() - started < 30
    holder.wait(timeout=30)


def test_a_sigkilled_holder_releases_the_lock_and_its_run_is_marked_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'takeaways.db'}"
    store = Store(url)
    holder = _hold_lock(url, 60)
    with pytest.raises(StoreBusy), store.run_lock(timeout_s=0):
        pytest.fail("got the lock while another process holds it")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    started = time.monotonic()
    with store.run_lock(timeout_s=5):
        assert time.monotonic() - started < 2
        runs = store.status()["last_runs"]
    assert [r["status"] for r in runs] == ["interrupted"]
    assert runs[0]["finished_at"] is not None


def test_in_memory_store_works_for_quick_experiments(summaries: list[DocumentSummary]) -> None:
    with Store("sqlite://") as store, store.run_lock():
        store.save_summaries(summaries[:1])
        assert store.summaries() == summaries[:1]


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    with postgres.fresh_database(postgres_server) as url:
        yield url


def test_postgresql_through_the_same_code(postgres_url: str, summaries: list[DocumentSummary]) -> None:
    store = Store(postgres_url)
    other = Store(postgres_url)
    try:
        with store.run_lock(timeout_s=1):
            store.save_summaries(summaries)
            counts = _counts(store)
            store.save_summaries(summaries)
            assert _counts(store) == counts
            with (
                pytest.raises(StoreBusy, match="another takeaways run is using"),
                other.run_lock(timeout_s=0.3),
            ):
                pass
        assert sorted(store.summaries(), key=lambda s: s.id) == sorted(summaries, key=lambda s: s.id)
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, m.Base.metadata) == []
    finally:
        store.close()
        other.close()
