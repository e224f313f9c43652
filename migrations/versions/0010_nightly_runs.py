"""nightly runs: the run log of `hub nightly` and the lease that keeps runs apart on SQLite

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import hub.db
from sqlalchemy.dialects import postgresql


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nightly_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('started_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'interrupted')", name=op.f('ck_nightly_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nightly_runs'))
    )
    op.create_index('ix_nightly_runs_report_date', 'nightly_runs', ['report_date'], unique=False)
    op.create_index('ix_nightly_runs_run_id', 'nightly_runs', ['run_id'], unique=False)
    lease = op.create_table('nightly_lease',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('expires_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nightly_lease'))
    )
    # The one lease row exists from the start, so taking it is a single atomic UPDATE.
    op.bulk_insert(lease, [{'id': 1, 'owner': None, 'expires_at': None}])


def downgrade() -> None:
    op.drop_table('nightly_lease')
    op.drop_index('ix_nightly_runs_run_id', table_name='nightly_runs')
    op.drop_index('ix_nightly_runs_report_date', table_name='nightly_runs')
    op.drop_table('nightly_runs')
