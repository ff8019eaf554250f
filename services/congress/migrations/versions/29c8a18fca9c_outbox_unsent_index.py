"""outbox: the relay's index holds unsent rows only

Revision ID: 29c8a18fca9c
Revises: ca63041b4e28
Create Date: 2026-12-05 03:10:00
"""
from shared.db.migrate import outbox_unsent_index_downgrade, outbox_unsent_index_upgrade


revision = '29c8a18fca9c'
down_revision = 'ca63041b4e28'
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_unsent_index_upgrade()


def downgrade() -> None:
    outbox_unsent_index_downgrade()
