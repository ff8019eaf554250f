"""committee copy (who may lead a trip route), the draw's seed, team rosters

Revision ID: 6b2376bf89a7
Revises: 300379d7a323
Create Date: 2026-12-05 03:21:03.586550
"""
from alembic import op
import sqlalchemy as sa


revision = '6b2376bf89a7'
down_revision = '300379d7a323'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('committee_positions',
    sa.Column('position_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('member_name', sa.String(length=60), nullable=False),
    sa.Column('portfolio', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('school', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('position_id', name=op.f('pk_committee_positions'))
    )
    with op.batch_alter_table('committee_positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_positions_school'), ['school'], unique=False)
        batch_op.create_index('ix_committee_positions_school_member', ['school', 'member_id'], unique=False)

    with op.batch_alter_table('entrants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster', sa.JSON(), nullable=True))

    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw_seed', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.drop_column('draw_seed')

    with op.batch_alter_table('entrants', schema=None) as batch_op:
        batch_op.drop_column('roster')

    with op.batch_alter_table('committee_positions', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_positions_school_member')
        batch_op.drop_index(batch_op.f('ix_committee_positions_school'))

    op.drop_table('committee_positions')
