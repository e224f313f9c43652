"""linking reads carriers from indexes alone: token carriers and signal status

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 07:30:00.000000
"""

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_identifiers_token_carriers', 'identifiers', ['token', 'type', 'signal_id', 'subject_position'], unique=False)
    # The new index starts with the token: it serves every look-up the old one did.
    op.drop_index('ix_identifiers_token', table_name='identifiers')
    op.create_index('ix_signals_id_status', 'signals', ['id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_signals_id_status', table_name='signals')
    op.create_index('ix_identifiers_token', 'identifiers', ['token'], unique=False)
    op.drop_index('ix_identifiers_token_carriers', table_name='identifiers')
