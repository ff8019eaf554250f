"""archive filings (教代会档案报送)

Revision ID: f3b9d2e61a57
Revises: e7a41c2b9d10
Create Date: 2026-12-05 05:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b9d2e61a57'
down_revision = 'e7a41c2b9d10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'archive_filings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=True),
        sa.Column('contents', sa.JSON(), nullable=False),
        sa.Column('school', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_filings')),
        sa.UniqueConstraint('school', 'school_year', name='uq_archive_filings_school_year'),
    )
    with op.batch_alter_table('archive_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_filings_school'), ['school'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('archive_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_filings_school'))
    op.drop_table('archive_filings')
