"""reports: the nightly trend report, one row per date with its JSON, HTML and CSV renditions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('generated_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('schema_version', sa.String(length=16), nullable=False),
    sa.Column('json_text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('csv', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('report_date', name=op.f('uq_reports_report_date'))
    )


def downgrade() -> None:
    op.drop_table('reports')
