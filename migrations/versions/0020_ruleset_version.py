"""ruleset version: proposals and their links record the version and hash of the linking rules
that made them (WGS art. 1.9(6))

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TABLES = ('proposals', 'proposal_links')


def upgrade() -> None:
    # Null for what was linked before the rules had a version: the next relink records it.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('ruleset_version', sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column('ruleset_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('ruleset_hash')
            batch_op.drop_column('ruleset_version')
