"""outbox: the relay's index holds unsent rows only

Revision ID: caca44e8c858
Revises: 47b5f17bb010
Create Date: 2026-12-05 03:10:00
"""
from shared.db.migrate import outbox_unsent_index_downgrade, outbox_unsent_index_upgrade


revision = 'caca44e8c858'
down_revision = '47b5f17bb010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_unsent_index_upgrade()


def downgrade() -> None:
    outbox_unsent_index_downgrade()
