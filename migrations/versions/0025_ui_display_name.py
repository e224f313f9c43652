"""ui display name: the name an analyst goes by, shown to colleagues in a proposal's history

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ui_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ui_users', schema=None) as batch_op:
        batch_op.drop_column('display_name')
