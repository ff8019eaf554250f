"""meetings and trainings (会议与培训记录)

Revision ID: e7a41c2b9d10
Revises: d5cceee17797
Create Date: 2026-12-05 05:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'e7a41c2b9d10'
down_revision = 'd5cceee17797'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=True),
        sa.Column('host', sa.String(length=80), nullable=True),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('attendee_ids', sa.JSON(), nullable=False),
        sa.Column('headcount', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=True),
        sa.Column('points', sa.JSON(), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('school', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['congress_sessions.id'], name=op.f('fk_meetings_session_id_congress_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_school'), ['school'], unique=False)
        batch_op.create_index('ix_meetings_school_held_on', ['school', 'held_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_school_held_on')
        batch_op.drop_index(batch_op.f('ix_meetings_school'))
    op.drop_table('meetings')
