"""Initial schema: documents and their analysis, runs, errors, analysts' decisions.

Revision ID: tk0001
Revises:
Create Date: 2026-11-29

A frozen snapshot: it does not import the models, so later model changes need a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "tk0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=64)


def _document_id() -> sa.Column[str]:
    return sa.Column("document_id", ID, nullable=False)


def _index(name: str = "i") -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), autoincrement=False, nullable=False)


def _span() -> list[sa.Column[int] | sa.Column[str]]:
    return [
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
    ]


def _child_keys(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f(f"fk_{table}_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "i", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "documents",
        sa.Column("id", ID, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("speakers", JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("keyphrases", JSON, nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("spacy_pipeline", sa.Text(), nullable=False),
        sa.Column("theme_model", sa.Text(), nullable=False),
        sa.Column("taxonomy", sa.Text(), nullable=False),
        sa.Column("analysed_with", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_documents_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_table(
        "errors",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_errors_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "path", name=op.f("pk_errors")),
    )
    op.create_table(
        "segments",
        _document_id(),
        _index(),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_index", sa.Integer(), nullable=True),
        *_child_keys("segments"),
    )
    op.create_table(
        "sentences",
        _document_id(),
        _index(),
        *_span(),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("candidate", sa.Boolean(), nullable=False),
        *_child_keys("sentences"),
    )
    op.create_table(
        "sentence_themes",
        _document_id(),
        _index("sentence_i"),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id", "sentence_i"],
            ["sentences.document_id", "sentences.i"],
            name=op.f("fk_sentence_themes_document_id_sentences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "sentence_i", "theme", name=op.f("pk_sentence_themes")),
    )
    op.create_index("ix_sentence_themes_theme", "sentence_themes", ["theme"])
    op.create_table(
        "takeaways",
        _document_id(),
        _index(),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("theme_label", sa.Text(), nullable=False),
        *_span(),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("keyphrases", JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_child_keys("takeaways"),
    )
    op.create_table(
        "evidence",
        _document_id(),
        _index("takeaway_i"),
        _index(),
        *_span(),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id", "takeaway_i"],
            ["takeaways.document_id", "takeaways.i"],
            name=op.f("fk_evidence_document_id_takeaways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "takeaway_i", "i", name=op.f("pk_evidence")),
    )
    op.create_table(
        "quotes",
        _document_id(),
        _index(),
        *_span(),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("speaker_start", sa.Integer(), nullable=True),
        sa.Column("speaker_end", sa.Integer(), nullable=True),
        *_child_keys("quotes"),
    )
    op.create_table(
        "entities",
        _document_id(),
        _index(),
        *_span(),
        sa.Column("label", sa.String(length=32), nullable=False),
        *_child_keys("entities"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _document_id(),
        _index("sentence_i"),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("new_theme", sa.String(length=64), nullable=True),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("action IN ('accept', 'reject', 'relabel')", name=op.f("ck_decisions_action")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index("ix_decisions_sentence", "decisions", ["document_id", "sentence_i"])


def downgrade() -> None:
    for table in ("decisions", "entities", "quotes", "evidence", "takeaways", "sentence_themes", "sentences"):
        op.drop_table(table)
    for table in ("segments", "errors", "documents", "runs"):
        op.drop_table(table)
