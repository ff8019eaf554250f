"""outbox: the relay's index holds unsent rows only

Revision ID: 892d3837328a
Revises: c0b8a3c354f4
Create Date: 2026-12-05 03:10:00
"""
from shared.db.migrate import outbox_unsent_index_downgrade, outbox_unsent_index_upgrade


revision = '892d3837328a'
down_revision = 'c0b8a3c354f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_unsent_index_upgrade()


def downgrade() -> None:
    outbox_unsent_index_downgrade()
