"""outbox: the relay's index holds unsent rows only

Revision ID: aa1ebe90f47b
Revises: 80bc70fdb76b
Create Date: 2026-12-05 03:10:00
"""
from shared.db.migrate import outbox_unsent_index_downgrade, outbox_unsent_index_upgrade


revision = 'aa1ebe90f47b'
down_revision = '80bc70fdb76b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_unsent_index_upgrade()


def downgrade() -> None:
    outbox_unsent_index_downgrade()
