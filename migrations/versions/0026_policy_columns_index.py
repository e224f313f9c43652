"""policy columns index: a member's policy columns read from the index alone

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 17:30:00
"""

from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The same key, now carrying the columns the policy's SQL form tests (source, region,
    # binding): the review queue probes it once per member of every open proposal, and a
    # heap fetch for each was a third of that query. One index still, so inserts pay no more.
    op.drop_index('ix_signals_id_status', table_name='signals')
    op.create_index(
        'ix_signals_id_status',
        'signals',
        ['id', 'status'],
        unique=False,
        postgresql_include=['agency_id', 'region', 'binding_id'],
    )


def downgrade() -> None:
    op.drop_index('ix_signals_id_status', table_name='signals')
    op.create_index('ix_signals_id_status', 'signals', ['id', 'status'], unique=False)
