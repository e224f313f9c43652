"""birth-date blocks keep their members' sealed persons, read from one covering index range

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Blocks stored before this hold the block key only; linking reads those persons from
    # their person rows, as it did, until the signal is stored again.
    op.create_index(
        'ix_identifiers_blocks', 'identifiers', ['token', 'signal_id', 'subject_position'],
        unique=False,
        postgresql_include=['key_id', 'value'],
        postgresql_where=sa.text("type = 'person-dob'"),
        sqlite_where=sa.text("type = 'person-dob'"),
    )


def downgrade() -> None:
    op.drop_index('ix_identifiers_blocks', table_name='identifiers')
