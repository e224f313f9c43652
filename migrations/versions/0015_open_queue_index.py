"""open queue index: the review queue reads open proposals strongest first from one index

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 09:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('new', 'in_review')")


def upgrade() -> None:
    # Read backwards for score DESC, pk DESC. Without it PostgreSQL counted the visible members of every open proposal before it could
    # sort them: 90-100 ms for a queue page at 5,000 proposals, 30 ms with it.
    op.create_index(
        'ix_proposals_open_score',
        'proposals',
        ['score', 'pk'],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index('ix_proposals_open_score', table_name='proposals')
