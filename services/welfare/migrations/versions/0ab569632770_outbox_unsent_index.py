"""outbox: the relay's index holds unsent rows only

Revision ID: 0ab569632770
Revises: 6c42b0226465
Create Date: 2026-12-05 03:10:00
"""
from shared.db.migrate import outbox_unsent_index_downgrade, outbox_unsent_index_upgrade


revision = '0ab569632770'
down_revision = '6c42b0226465'
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_unsent_index_upgrade()


def downgrade() -> None:
    outbox_unsent_index_downgrade()
