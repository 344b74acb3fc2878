"""The store's tables, as SQLAlchemy 2.0 declarative models (one module, one schema).

Every row that belongs to an analysed document is keyed by ``(document_id, position)``: re-saving a
document deletes and re-inserts exactly the same keys, so a write repeated after a crash or a retry
leaves the same rows behind. Analysts' decisions are *not* tied to those rows by foreign keys: they are a
log that must survive a re-analysis, so they name a sentence by document id and character offsets too.

Columns are portable (no dialect-only types except JSONB as a PostgreSQL variant of JSON), so the same
models serve SQLite and PostgreSQL. Change them only together with a new Alembic revision in
``flows/store/migrations/versions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere; binary JSONB on PostgreSQL."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so later migrations can alter them on every backend."""

DECISION_ACTIONS = ("accept", "reject", "relabel")

ID = String(64)  # sha256 hex of the normalized text
CASCADE = "CASCADE"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Run(Base):
    """One ``takeaways run``: its parameters, outcome and counts."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(32))
    counts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class Document(Base):
    """One analysed document; ``analysed_with`` is the version key that decides re-analysis."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date | None] = mapped_column(Date)
    speakers: Mapped[list[str]] = mapped_column(JsonType)
    text: Mapped[str] = mapped_column(Text)
    keyphrases: Mapped[list[str]] = mapped_column(JsonType)
    facts: Mapped[dict[str, Any]] = mapped_column(JsonType)
    spacy_pipeline: Mapped[str] = mapped_column(Text)
    theme_model: Mapped[str] = mapped_column(Text)
    taxonomy: Mapped[str] = mapped_column(Text)
    analysed_with: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reviewed_through: Mapped[int | None] = mapped_column(Integer)
    """The newest decision the rows carry; decisions after it are applied at the next run's publish."""


def _document_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("documents.id", ondelete=CASCADE), primary_key=True)


class Segment(Base):
    __tablename__ = "segments"

    document_id: Mapped[str] = _document_fk()
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    speaker: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32))
    source_index: Mapped[int | None] = mapped_column(Integer)


class Sentence(Base):
    __tablename__ = "sentences"

    document_id: Mapped[str] = _document_fk()
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(Text)
    candidate: Mapped[bool] = mapped_column(Boolean)
    reviewed: Mapped[bool] = mapped_column(Boolean, server_default=false())


class SentenceTheme(Base):
    """A theme assigned to a sentence; ``position`` keeps the order of the summary's mapping."""

    __tablename__ = "sentence_themes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["document_id", "sentence_i"], ["sentences.document_id", "sentences.i"], ondelete=CASCADE
        ),
        Index("ix_sentence_themes_theme", "theme"),
    )

    document_id: Mapped[str] = mapped_column(ID, primary_key=True)
    sentence_i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    theme: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(16))


class Takeaway(Base):
    __tablename__ = "takeaways"

    document_id: Mapped[str] = _document_fk()
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rank: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(64))
    theme_label: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    keyphrases: Mapped[list[str]] = mapped_column(JsonType)
    reason: Mapped[str] = mapped_column(Text)


class Evidence(Base):
    """A sentence supporting a takeaway; keyed by the takeaway's position and its own."""

    __tablename__ = "evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["document_id", "takeaway_i"], ["takeaways.document_id", "takeaways.i"], ondelete=CASCADE
        ),
    )

    document_id: Mapped[str] = mapped_column(ID, primary_key=True)
    takeaway_i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(Text)


class Quote(Base):
    __tablename__ = "quotes"

    document_id: Mapped[str] = _document_fk()
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(Text)
    speaker_start: Mapped[int | None] = mapped_column(Integer)
    speaker_end: Mapped[int | None] = mapped_column(Integer)


class Entity(Base):
    __tablename__ = "entities"

    document_id: Mapped[str] = _document_fk()
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class RunError(Base):
    """An input a run rejected; one row per (run, path), so recording twice replaces."""

    __tablename__ = "errors"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete=CASCADE), primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)


class Decision(Base):
    """An analyst's accept / reject / relabel of one sentence's theme: an append-only log.

    The sentence is named by ``(document_id, sentence_i)`` and, because sentence numbering could change
    with another spaCy version, also by its character offsets and text, which stay valid for as long as
    the document (whose id hashes its text) exists.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("action IN ('accept', 'reject', 'relabel')", name="action"),
        Index("ix_decisions_sentence", "document_id", "sentence_i"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ID)
    sentence_i: Mapped[int] = mapped_column(Integer)
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    sentence_text: Mapped[str] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    new_theme: Mapped[str | None] = mapped_column(String(64))
    who: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


DOCUMENT_CHILDREN = (Evidence, Takeaway, SentenceTheme, Sentence, Segment, Quote, Entity)
"""Tables holding a document's analysis, children before parents (the order to delete them in)."""
