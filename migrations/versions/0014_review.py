"""review: analysts' decisions on proposals, merges that hold, sealed reasons and comments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 08:50:00
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('case_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('decided_at', hub.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accepted_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('retain_until', hub.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_into', sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_proposals_case_number'), ['case_number'])
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('text', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('agency', sa.String(length=40), nullable=True))
    op.create_table('link_joins',
    sa.Column('signal_a', sa.Uuid(), nullable=False),
    sa.Column('signal_b', sa.Uuid(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('signal_a < signal_b', name=op.f('ck_link_joins_ordered')),
    sa.ForeignKeyConstraint(['signal_a'], ['signals.id'], name=op.f('fk_link_joins_signal_a_signals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_b'], ['signals.id'], name=op.f('fk_link_joins_signal_b_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_a', 'signal_b', name=op.f('pk_link_joins'))
    )
    with op.batch_alter_table('link_joins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_joins_signal_a'), ['signal_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_joins_signal_b'), ['signal_b'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_joins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_joins_signal_b'))
        batch_op.drop_index(batch_op.f('ix_link_joins_signal_a'))
    op.drop_table('link_joins')
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_column('agency')
        batch_op.drop_column('text')
        batch_op.drop_column('text_key_id')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_proposals_case_number'), type_='unique')
        batch_op.drop_column('merged_into')
        batch_op.drop_column('retain_until')
        batch_op.drop_column('accepted_by')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('case_number')
        batch_op.drop_column('assigned_to')
