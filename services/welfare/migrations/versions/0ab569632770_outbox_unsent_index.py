"""outbox: the relay's index holds unsent rows only

Revision ID: 0ab569632770
Revises: 6c42b0226465
Create Date: 2026-12-05 03:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0ab569632770'
down_revision = '6c42b0226465'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')
        batch_op.create_index('ix_outbox_unsent', ['id'], unique=False, postgresql_where=sa.text('sent_at IS NULL'),
                              sqlite_where=sa.text('sent_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unsent', postgresql_where=sa.text('sent_at IS NULL'),
                            sqlite_where=sa.text('sent_at IS NULL'))
        batch_op.create_index('ix_outbox_pending', ['sent_at', 'next_attempt_at', 'id'], unique=False)
