"""The store: what was analysed, with which model versions, by which run, and what analysts decided.

One :class:`Store` per process, opened from a URL (``sqlite:///out/takeaways.db`` by default,
``postgresql+psycopg://...`` through the same code: only portable SQLAlchemy constructs are used).

Writes are idempotent: :meth:`Store.save_summaries` deletes a document's rows and inserts them again
inside one transaction, so saving the same batch twice, or again after a crash, leaves the same rows.
Summaries are rebuilt from the rows rather than kept as a JSON copy: the rows are what SQL users, the
review app and the notebook frames read, so a round-trip test of :meth:`Store.summaries` proves that
the rows are complete, and there is one copy of each fact to keep consistent. Only the per-document lede
facts and keyphrases, which nobody queries across documents, are JSON columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.engine import URL, make_url

from flows.store import models as m
from flows.store.db import (
    BEGIN_MODE,
    StoreError,
    check_ours,
    check_sqlite_file,
    describe,
    make_engine,
    sqlite_path,
)
from flows.store.lock import advisory_lock, file_lock
from flows.store.migrations import current_revisions, upgrade_to_head
from nlp.document import Document
from nlp.errors import IngestError
from nlp.metadata import GIVEN_SEPARATOR
from nlp.scope import outside_taxonomy
from nlp.summary import DocumentSummary, ModelInfo

CHUNK = 500
"""Ids per ``IN (...)`` clause: well under SQLite's limit on bound parameters."""

Action = Literal["accept", "reject", "relabel"]
RUNNING = "running"
INTERRUPTED = "interrupted"


def version_key(info: ModelInfo) -> str:
    """What a document was analysed with; a change of any part means it must be analysed again."""
    return f"{info.theme_model}:{info.taxonomy}:{info.spacy_pipeline}"


class DecisionRecord(BaseModel):
    """One analyst decision as stored (see :class:`flows.store.models.Decision`)."""

    model_config = ConfigDict(frozen=True)

    id: int
    document_id: str
    sentence_i: int
    sentence_start: int
    sentence_end: int
    sentence_text: str
    theme: str
    action: Action
    new_theme: str | None
    who: str
    at: dt.datetime
    note: str | None


class NewDecision(BaseModel):
    """A decision to log: on which stored sentence, by whom, when."""

    model_config = ConfigDict(frozen=True)

    document_id: str
    sentence_i: int
    theme: str
    action: Action
    new_theme: str | None = None
    who: str
    at: dt.datetime
    note: str | None = None


class Store:
    """A takeaways store at ``url``; refuses a database that is not one, initialises a new one."""

    def __init__(self, url: str | URL, *, create: bool = True, verify: bool = True) -> None:
        """``verify``: SQLite's check of every page before anything is written (it reads the whole file);
        the tasks of a run skip it, the run having checked the store when it took the lock."""
        self.url = make_url(url)
        self.where = describe(self.url)
        path = sqlite_path(self.url)
        revisions: frozenset[str] = frozenset()
        if path is not None:
            if path.is_dir():
                raise StoreError(f"{path} is a folder, not a database file")
            if path.exists() and path.stat().st_size > 0:
                revisions = check_sqlite_file(path, verify=verify)  # before our engine writes to it
            if not revisions and not create:
                raise StoreError(f"no takeaways store at {path}")
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.url)
        try:
            if path is None:
                with self.engine.connect() as connection:
                    revisions = check_ours(connection, self.where)
            if not revisions and not create:
                raise StoreError(f"no takeaways store at {self.where}")
            upgrade_to_head(self.engine)
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.where!r})"

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One write transaction (SQLite: ``BEGIN IMMEDIATE``, so concurrent writers queue)."""
        with self.engine.connect() as connection:
            connection.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
            with connection.begin():
                yield connection

    @contextmanager
    def run_lock(self, timeout_s: float = 0.0) -> Iterator[None]:
        """Hold the store for one run; a second run waits up to ``timeout_s`` then gets ``StoreBusy``.

        Whoever holds the lock knows no other run is alive, so runs still marked ``running`` (killed
        before they could finish) are marked ``interrupted`` on the way in.
        """
        path = sqlite_path(self.url)
        if path is not None:
            lock = file_lock(Path(f"{path}.lock"), where=self.where, timeout_s=timeout_s)
        elif self.engine.dialect.name == "postgresql":
            lock = advisory_lock(self.engine, where=self.where, timeout_s=timeout_s)
        elif self.engine.dialect.name == "sqlite":  # in memory: no other process can see it
            lock = _no_lock()
        else:
            raise StoreError(
                f"no run lock for {self.engine.dialect.name} databases: use SQLite or PostgreSQL"
            )
        with lock:
            with self._writing() as connection:
                connection.execute(
                    update(m.Run)
                    .where(m.Run.status == RUNNING)
                    .values(status=INTERRUPTED, finished_at=_now())
                )
            yield

    def revision(self) -> str | None:
        """The schema revision the database is at."""
        with self.engine.connect() as connection:
            return next(iter(current_revisions(connection)), None)

    # documents -----------------------------------------------------------------------------------

    def versions(self) -> dict[str, str]:
        """Document id -> the version key it was analysed with."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(m.Document.id, m.Document.analysed_with))
            return {row.id: row.analysed_with for row in rows}

    def outdated(self, versions: str) -> list[str]:
        """Stored documents analysed with other model versions than ``versions`` (a promoted theme model,
        another spaCy pipeline or taxonomy), by source: what a run analyses again from the store."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(m.Document.id, m.Document.analysed_with).order_by(m.Document.source, m.Document.id)
            )
            return [row.id for row in rows if row.analysed_with.split(GIVEN_SEPARATOR)[0] != versions]

    def stored_documents(self, ids: Sequence[str], *, chunk: int = 32) -> Iterator[Document]:
        """The documents as they were read (text, segments, the facts a user gave), rebuilt from the
        store, so they can be analysed again without their sources."""
        for summary in self.iter_summaries(ids, chunk=chunk):
            yield Document(
                id=summary.id, source=summary.source, format=summary.format, kind=summary.kind,
                title=summary.title, date=summary.date, text=summary.text, segments=tuple(summary.segments),
                metadata=dict(summary.facts.given),
            )  # fmt: skip

    def needs_analysis(self, ids_to_versions: Mapping[str, str]) -> set[str]:
        """The ids not stored yet, or stored with another version key than the one given."""
        stored: dict[str, str] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(list(ids_to_versions)):
                query = select(m.Document.id, m.Document.analysed_with).where(m.Document.id.in_(chunk))
                stored.update((row.id, row.analysed_with) for row in connection.execute(query))
        return {doc_id for doc_id, key in ids_to_versions.items() if stored.get(doc_id) != key}

    def save_summaries(
        self,
        summaries: Iterable[DocumentSummary],
        *,
        version_key: str | Callable[[DocumentSummary], str] | None = None,
        run_id: str | None = None,
    ) -> int:
        """Replace the stored rows of these documents in one transaction; return how many were saved.

        ``version_key`` (one for all, or one per summary) defaults to each summary's own :func:`version_key`.
        A fresh analysis carries none of the analysts' decisions: they are applied again (see
        :meth:`pending_reviews`)."""
        return len(self.save_versions(summaries, version_key=version_key, run_id=run_id, replace=False)[0])

    def save_versions(
        self,
        summaries: Iterable[DocumentSummary],
        *,
        version_key: str | Callable[[DocumentSummary], str] | None = None,
        run_id: str | None = None,
        replace: bool = True,
    ) -> tuple[list[str], list[str]]:
        """Save the documents as :meth:`save_summaries` does and, with ``replace``, remove in the same
        transaction the earlier versions of their sources (a file edited since: same path, new text),
        so an edited file is never counted twice. The ids saved and the ids removed."""
        batch = list({s.id: s for s in summaries}.values())
        now = _now()
        rows: dict[type[m.Base], list[dict[str, Any]]] = defaultdict(list)
        for summary in batch:
            key = version_key(summary) if callable(version_key) else version_key
            for table, table_rows in summary_rows(summary, version_key=key, run_id=run_id, now=now).items():
                rows[table].extend(table_rows)
        ids = [s.id for s in batch]
        earlier: list[str] = []
        with self._writing() as connection:
            if replace:
                saving = set(ids)
                for chunk in _chunks(sorted({s.source for s in batch})):
                    query = select(m.Document.id).where(m.Document.source.in_(chunk))
                    earlier += [i for i in connection.execute(query).scalars() if i not in saving]
                self._replace(connection, earlier, {})
            self._replace(connection, ids, rows)
        return ids, earlier

    def _replace(
        self, connection: Connection, ids: list[str], rows: Mapping[type[m.Base], list[dict[str, Any]]]
    ) -> None:
        for chunk in _chunks(ids):
            for child in m.DOCUMENT_CHILDREN:
                connection.execute(delete(child).where(child.document_id.in_(chunk)))
            connection.execute(delete(m.Document).where(m.Document.id.in_(chunk)))
        for table in (m.Document, *reversed(m.DOCUMENT_CHILDREN)):
            if rows.get(table):
                connection.execute(insert(table), rows[table])

    def pending_reviews(self, document_id: str | None = None) -> dict[str, list[DecisionRecord]]:
        """Stored documents (all, or one) whose rows do not carry all their decisions yet: id -> the
        decisions made since the rows last took them in (all of them after a fresh analysis), in order."""
        applied = func.coalesce(m.Document.reviewed_through, 0)
        query = (
            select(m.Decision.__table__)
            .join(m.Document, m.Document.id == m.Decision.document_id)
            .where(m.Decision.id > applied)
            .order_by(m.Decision.id)
        )
        if document_id is not None:
            query = query.where(m.Decision.document_id == document_id)
        pending: dict[str, list[DecisionRecord]] = defaultdict(list)
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                pending[row.document_id].append(_decision(row))
        return dict(pending)

    def save_reviewed(self, summaries: Sequence[DocumentSummary], through: Mapping[str, int]) -> int:
        """Replace stored documents with their reviewed summaries (the analysis they came from, its run
        and version key kept) and record ``through[id]`` as the newest decision each one carries. A
        document re-analysed meanwhile (its version key changed) is left for the next publish."""
        ids = [s.id for s in summaries]
        with self._writing() as connection:
            stored = {
                row.id: row
                for chunk in _chunks(ids)
                for row in connection.execute(
                    select(
                        m.Document.id, m.Document.analysed_with, m.Document.run_id, m.Document.theme_model
                    ).where(m.Document.id.in_(chunk))
                )
            }
            now = _now()
            rows: dict[type[m.Base], list[dict[str, Any]]] = defaultdict(list)
            saved = []
            for summary in summaries:
                row = stored.get(summary.id)
                if row is None or row.theme_model != summary.model.theme_model:
                    continue
                made = summary_rows(
                    summary, version_key=row.analysed_with, run_id=row.run_id, now=now,
                    reviewed_through=through[summary.id],
                )  # fmt: skip
                for table, table_rows in made.items():
                    rows[table].extend(table_rows)
                saved.append(summary.id)
            self._replace(connection, saved, rows)
        return len(saved)

    def summaries(self, ids: Sequence[str] | None = None) -> list[DocumentSummary]:
        """Summaries rebuilt from the rows: of ``ids`` in that order (unknown ids skipped), or all."""
        return list(self.iter_summaries(ids, chunk=CHUNK))

    def documents_digest(self) -> str:
        """A digest of which documents the store holds, from where, and when each was last saved:
        outputs built from the same digest are built from the same summaries."""
        digest = hashlib.sha256()
        columns = (m.Document.id, m.Document.source, m.Document.analysed_with, m.Document.updated_at)
        with self.engine.connect() as connection:
            for row in connection.execute(select(*columns).order_by(m.Document.id)):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    def document_ids(self) -> list[str]:
        """Every stored document, in the order of :meth:`summaries` (by source, then id)."""
        with self.engine.connect() as connection:
            order = select(m.Document.id).order_by(m.Document.source, m.Document.id)
            return list(connection.execute(order).scalars())

    def documents_with_takeaways(self) -> set[str]:
        """The documents that have a draft (one needs a takeaway)."""
        with self.engine.connect() as connection:
            return set(connection.execute(select(m.Takeaway.document_id).distinct()).scalars())

    def resolve_id(self, prefix: str) -> str:
        """The one stored document whose id starts with ``prefix`` (the CLI prints short ids);
        :class:`StoreError` saying why when none or several do."""
        prefix = prefix.strip().lower()
        if not prefix or any(c not in "0123456789abcdef" for c in prefix):
            raise StoreError(f"{prefix!r} is not a document id: ids are hexadecimal")
        query = select(m.Document.id).where(m.Document.id.startswith(prefix, autoescape=True)).limit(2)
        with self.engine.connect() as connection:
            found = list(connection.execute(query).scalars())
        if len(found) != 1:
            many = "several documents" if found else "no document"
            raise StoreError(f"{many} in {self.where} with an id starting {prefix!r}")
        return found[0]

    def iter_summaries(
        self, ids: Sequence[str] | None = None, *, chunk: int = 32
    ) -> Iterator[DocumentSummary]:
        """Like :meth:`summaries`, loading ``chunk`` documents at a time: memory stays flat over a corpus."""
        ids = self.document_ids() if ids is None else ids
        unique, chunk = list(dict.fromkeys(ids)), min(chunk, CHUNK)
        for start in range(0, len(unique), chunk):
            with self.engine.connect() as connection:
                batch = _load(connection, unique[start : start + chunk])
            yield from batch

    # runs and errors -----------------------------------------------------------------------------

    def start_run(self, parameters: Mapping[str, Any] | None = None) -> str:
        """Record a run as ``running``; its id (call inside :meth:`run_lock`)."""
        run_id = uuid.uuid4().hex
        with self._writing() as connection:
            connection.execute(
                insert(m.Run).values(
                    id=run_id,
                    started_at=_now(),
                    status=RUNNING,
                    counts={},
                    parameters=_json_safe(dict(parameters or {})),
                )
            )
        return run_id

    def finish_run(self, run_id: str, status: str, counts: Mapping[str, int] | None = None) -> None:
        """Record how a run ended (``completed``, ``failed``, ...) and what it counted."""
        with self._writing() as connection:
            done = connection.execute(
                update(m.Run)
                .where(m.Run.id == run_id)
                .values(status=status, finished_at=_now(), counts=_json_safe(dict(counts or {})))
            )
            if done.rowcount != 1:
                raise StoreError(f"no run {run_id!r} in {self.where}")

    def record_errors(self, run_id: str, errors: Iterable[IngestError]) -> int:
        """Record a run's rejected inputs, one per path (recording a path again replaces it)."""
        by_path = {e.path: e for e in errors}
        if not by_path:
            return 0
        rows = [
            {"run_id": run_id, "path": p, "code": e.code.value, "reason": e.reason}
            for p, e in by_path.items()
        ]
        with self._writing() as connection:
            for chunk in _chunks(list(by_path)):
                connection.execute(
                    delete(m.RunError).where(m.RunError.run_id == run_id, m.RunError.path.in_(chunk))
                )
            connection.execute(insert(m.RunError), rows)
        return len(rows)

    # analysts' decisions -------------------------------------------------------------------------

    def record_decision(
        self,
        document_id: str,
        sentence_i: int,
        theme: str,
        action: Action,
        *,
        who: str,
        new_theme: str | None = None,
        note: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        """Log an analyst's accept / reject / relabel of a stored sentence's theme; the decision's id."""
        if action not in get_args(Action):
            raise StoreError(f"unknown action {action!r}: use one of {', '.join(get_args(Action))}")
        decision = NewDecision(
            document_id=document_id, sentence_i=sentence_i, theme=theme, action=action, new_theme=new_theme,
            who=who, at=_utc(at) if at is not None else _now(), note=note,
        )  # fmt: skip
        with self._writing() as connection:
            return _insert_decision(connection, decision, self.where)

    def import_decisions(self, decisions: Sequence[NewDecision]) -> int:
        """Add the decisions the store does not hold yet (same document, sentence, theme, action, new
        theme, analyst and time), all in one transaction; how many were added."""

        def key(d: NewDecision | DecisionRecord) -> tuple[object, ...]:
            return (d.document_id, d.sentence_i, d.theme, d.action, d.new_theme, d.who, _utc(d.at))

        added = 0
        with self._writing() as connection:
            documents = sorted({d.document_id for d in decisions})
            held = {
                key(_decision(row))
                for chunk in _chunks(documents)
                for row in connection.execute(
                    select(m.Decision.__table__).where(m.Decision.document_id.in_(chunk))
                )
            }
            for d in decisions:
                if key(d) not in held:
                    _insert_decision(connection, d, self.where)
                    held.add(key(d))
                    added += 1
        return added

    def sentence_span(self, document_id: str, sentence_i: int) -> tuple[int, int, str]:
        """(start, end, text) of a stored sentence; :class:`StoreError` when there is none."""
        with self.engine.connect() as connection:
            return _sentence_span(connection, document_id, sentence_i, self.where)

    def decisions(self, document_id: str | None = None) -> list[DecisionRecord]:
        """The decision log in the order it was written, of one document or of all."""
        query = select(m.Decision.__table__).order_by(m.Decision.id)
        if document_id is not None:
            query = query.where(m.Decision.document_id == document_id)
        with self.engine.connect() as connection:
            return [_decision(row) for row in connection.execute(query)]

    # overview ------------------------------------------------------------------------------------

    def status(self, *, last_runs: int = 5) -> dict[str, Any]:
        """What the store holds: counts, model versions, the last runs and the last run's errors."""
        with self.engine.connect() as connection:

            def count(model: type[m.Base]) -> int:
                return int(connection.execute(select(func.count()).select_from(model)).scalar_one())

            versions = connection.execute(
                select(m.Document.analysed_with, func.count()).group_by(m.Document.analysed_with)
            )
            runs = connection.execute(
                select(m.Run.__table__).order_by(m.Run.started_at.desc()).limit(last_runs)
            ).all()
            errors: list[Row[Any]] = []
            if runs:
                errors = list(
                    connection.execute(
                        select(m.RunError.path, m.RunError.code, m.RunError.reason)
                        .where(m.RunError.run_id == runs[0].id)
                        .order_by(m.RunError.path)
                    )
                )
            return {
                "store": self.where,
                "schema_revision": next(iter(current_revisions(connection)), None),
                "documents": count(m.Document),
                "sentences": count(m.Sentence),
                "takeaways": count(m.Takeaway),
                "decisions": count(m.Decision),
                "versions": dict(_by_model(versions.all())),
                "runs": count(m.Run),
                "last_runs": [_run_dict(row) for row in runs],
                "last_errors": [row._asdict() for row in errors],
            }


def _sentence_span(
    connection: Connection, document_id: str, sentence_i: int, where: str
) -> tuple[int, int, str]:
    query = select(m.Sentence.start, m.Sentence.end, m.Sentence.text).where(
        m.Sentence.document_id == document_id, m.Sentence.i == sentence_i
    )
    sentence = connection.execute(query).first()
    if sentence is None:
        raise StoreError(f"no sentence {sentence_i} in document {document_id} in {where}")
    return int(sentence.start), int(sentence.end), str(sentence.text)


def _insert_decision(connection: Connection, d: NewDecision, where: str) -> int:
    """Log one decision on a stored sentence, with the sentence's offsets and text; its id."""
    if (d.action == "relabel") != (d.new_theme is not None):
        raise StoreError("a relabel needs new_theme, and only a relabel has one")
    start, end, text = _sentence_span(connection, d.document_id, d.sentence_i, where)
    result = connection.execute(
        insert(m.Decision)
        .values(
            document_id=d.document_id,
            sentence_i=d.sentence_i,
            sentence_start=start,
            sentence_end=end,
            sentence_text=text,
            theme=d.theme,
            action=d.action,
            new_theme=d.new_theme,
            who=d.who,
            at=_utc(d.at),
            note=d.note,
        )
        .returning(m.Decision.id)
    )
    return int(result.scalar_one())


def _decision(row: Row[Any]) -> DecisionRecord:
    return DecisionRecord.model_validate({**row._asdict(), "at": _utc(row.at)})


def _by_model(rows: Iterable[Row[str, int]]) -> Counter[str]:
    """Documents per model version: the digest of user-given facts that an analysis key may carry
    (see ``GIVEN_SEPARATOR``) says nothing about the model, so it is left out of the mix."""
    counts: Counter[str] = Counter()
    for key, n in rows:
        counts[key.split(GIVEN_SEPARATOR)[0]] += n
    return counts


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes: every stored time is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    """Paths, dates and enums in run parameters become strings rather than failing the run."""
    safe: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return safe


def _key(summary: DocumentSummary) -> str:
    return version_key(summary.model)


def _run_dict(row: Row[Any]) -> dict[str, Any]:
    data = row._asdict()
    for name in ("started_at", "finished_at"):
        if data[name] is not None:
            data[name] = _utc(data[name]).isoformat(timespec="seconds")
    return data


def summary_rows(
    summary: DocumentSummary,
    *,
    version_key: str | None = None,
    run_id: str | None = None,
    now: dt.datetime | None = None,
    reviewed_through: int | None = None,
) -> dict[type[m.Base], list[dict[str, Any]]]:
    """The rows that store one summary, by table (the frames of an output folder use them too)."""
    doc = summary.id
    rows: dict[type[m.Base], list[dict[str, Any]]] = {
        table: [] for table in (m.Document, *m.DOCUMENT_CHILDREN)
    }
    rows[m.Document].append(
        {
            "id": doc,
            "schema_version": summary.schema_version,
            "source": summary.source,
            "title": summary.title,
            "format": summary.format,
            "kind": summary.kind,
            "date": summary.date,
            "speakers": list(summary.speakers),
            "text": summary.text,
            "keyphrases": list(summary.keyphrases),
            "facts": summary.facts.model_dump(mode="json"),
            "spacy_pipeline": summary.model.spacy_pipeline,
            "theme_model": summary.model.theme_model,
            "taxonomy": summary.model.taxonomy,
            "analysed_with": version_key or _key(summary),
            "run_id": run_id,
            "updated_at": now or _now(),
            "reviewed_through": reviewed_through,
        }
    )
    rows[m.Segment].extend(
        {"document_id": doc, "i": i, **seg.model_dump()} for i, seg in enumerate(summary.segments)
    )
    for s in summary.sentences:
        rows[m.Sentence].append(
            {
                "document_id": doc,
                **s.model_dump(include={"i", "text", "start", "end", "speaker", "candidate", "reviewed"}),
            }
        )
        themes = list(dict.fromkeys([*s.themes, *s.reasons]))
        rows[m.SentenceTheme].extend(
            {
                "document_id": doc,
                "sentence_i": s.i,
                "theme": theme,
                "position": position,
                "probability": s.themes.get(theme),
                "reason": s.reasons.get(theme),
            }
            for position, theme in enumerate(themes)
        )
    for t_i, t in enumerate(summary.takeaways):
        rows[m.Takeaway].append({"document_id": doc, "i": t_i, **t.model_dump(exclude={"evidence"})})
        rows[m.Evidence].extend(
            {"document_id": doc, "takeaway_i": t_i, "i": e_i, **e.model_dump()}
            for e_i, e in enumerate(t.evidence)
        )
    rows[m.Quote].extend({"document_id": doc, "i": i, **q.model_dump()} for i, q in enumerate(summary.quotes))
    rows[m.Entity].extend(
        {"document_id": doc, "i": i, **e.model_dump()} for i, e in enumerate(summary.entities)
    )
    return rows


def _children(connection: Connection, model: type[m.Base], ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """A child table's rows for ``ids``, grouped by document, in key order, without the document id."""
    table = model.__table__
    query = select(table).where(table.c.document_id.in_(ids)).order_by(*table.primary_key)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(query):
        data = row._asdict()
        grouped[data.pop("document_id")].append(data)
    return grouped


def _load(connection: Connection, ids: list[str]) -> list[DocumentSummary]:
    """Rebuild the summaries of ``ids`` (in that order) from their rows."""
    query = select(m.Document.__table__).where(m.Document.id.in_(ids))
    documents = {row.id: row._asdict() for row in connection.execute(query)}
    children = {model: _children(connection, model, ids) for model in m.DOCUMENT_CHILDREN}
    out = []
    for doc_id in ids:
        if doc_id not in documents:
            continue
        d = documents[doc_id]
        themes: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in sorted(children[m.SentenceTheme][doc_id], key=lambda r: (r["sentence_i"], r["position"])):
            themes[row["sentence_i"]].append(row)
        evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in children[m.Evidence][doc_id]:
            evidence[row["takeaway_i"]].append(_without(row, "takeaway_i", "i"))
        fields = {k: v for k, v in d.items() if k in DocumentSummary.model_fields}
        summary = {
            **fields,
            "model": {k: d[k] for k in ModelInfo.model_fields},
            "segments": [_without(row, "i") for row in children[m.Segment][doc_id]],
            "sentences": [_sentence(row, themes[row["i"]]) for row in children[m.Sentence][doc_id]],
            "takeaways": [
                {**_without(row, "i"), "evidence": evidence[row["i"]]} for row in children[m.Takeaway][doc_id]
            ],
            "quotes": [_without(row, "i") for row in children[m.Quote][doc_id]],
            "entities": [_without(row, "i") for row in children[m.Entity][doc_id]],
        }
        flags = ((s["candidate"], bool(s["themes"])) for s in summary["sentences"])
        summary["outside_taxonomy"] = outside_taxonomy(flags)
        out.append(DocumentSummary.model_validate(summary))
    return out


def _sentence(row: dict[str, Any], themes: list[dict[str, Any]]) -> dict[str, Any]:
    """A sentence record; a theme row may carry a probability, a reason, or both."""
    return {
        **row,
        "themes": {t["theme"]: t["probability"] for t in themes if t["probability"] is not None},
        "reasons": {t["theme"]: t["reason"] for t in themes if t["reason"] is not None},
    }


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in names}
