"""Analysts' decisions applied to the stored analysis: which sentences were reviewed, and up to which
decision each document's rows already carry.

Revision ID: tk0002
Revises: tk0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "tk0002"
down_revision: str | None = "tk0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("sentences") as batch:
        batch.add_column(sa.Column("reviewed", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("reviewed_through", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("reviewed_through")
    with op.batch_alter_table("sentences") as batch:
        batch.drop_column("reviewed")
