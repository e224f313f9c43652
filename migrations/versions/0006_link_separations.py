"""link separations: pairs of signals an analyst said do not belong together

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 04:45:01.142996
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_separations',
    sa.Column('signal_a', sa.Uuid(), nullable=False),
    sa.Column('signal_b', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('signal_a < signal_b', name=op.f('ck_link_separations_ordered')),
    sa.ForeignKeyConstraint(['signal_a'], ['signals.id'], name=op.f('fk_link_separations_signal_a_signals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_b'], ['signals.id'], name=op.f('fk_link_separations_signal_b_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_a', 'signal_b', name=op.f('pk_link_separations'))
    )
    with op.batch_alter_table('link_separations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_separations_signal_a'), ['signal_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_separations_signal_b'), ['signal_b'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('link_separations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_separations_signal_b'))
        batch_op.drop_index(batch_op.f('ix_link_separations_signal_a'))

    op.drop_table('link_separations')
