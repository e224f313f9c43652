"""retracted index: linking tells active carriers by the few retracted signals

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

RETRACTED = sa.text("status = 'retracted'")


def upgrade() -> None:
    op.create_index(
        'ix_signals_retracted',
        'signals',
        ['id'],
        postgresql_where=RETRACTED,
        sqlite_where=RETRACTED,
    )


def downgrade() -> None:
    op.drop_index('ix_signals_retracted', table_name='signals')
