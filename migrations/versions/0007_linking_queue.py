"""linking queue: signals waiting for the worker to re-link their neighbourhood

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 06:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('linking_queue',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('queued_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_linking_queue'))
    )


def downgrade() -> None:
    op.drop_table('linking_queue')
