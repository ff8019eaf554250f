"""outbox: the relay's index holds unsent rows only

Revision ID: 300379d7a323
Revises: ccb0067dd0c5
Create Date: 2026-12-05 03:10:00
"""
from shared.db.migrate import outbox_unsent_index_downgrade, outbox_unsent_index_upgrade


revision = '300379d7a323'
down_revision = 'ccb0067dd0c5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_unsent_index_upgrade()


def downgrade() -> None:
    outbox_unsent_index_downgrade()
