"""WGS: retention extensions past the cap (art. 1.8(7)) and the signal assessment (art. 2.23)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 08:44:00.911387
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retention_extensions',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=True),
    sa.Column('until', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=40), nullable=False),
    sa.Column('reason_key_id', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=False),
    sa.Column('revoked_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_retention_extensions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_retention_extensions')),
    sa.UniqueConstraint('id', name=op.f('uq_retention_extensions_id'))
    )
    with op.batch_alter_table('retention_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_extensions_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('retention_extension_members',
    sa.Column('extension_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['extension_pk'], ['retention_extensions.pk'], name=op.f('fk_retention_extension_members_extension_pk_retention_extensions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_retention_extension_members_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('extension_pk', 'signal_id', name=op.f('pk_retention_extension_members'))
    )
    with op.batch_alter_table('retention_extension_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_extension_members_signal_id'), ['signal_id'], unique=False)

    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment_key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('assessment', sa.LargeBinary(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_column('assessment')
        batch_op.drop_column('assessment_key_id')

    with op.batch_alter_table('retention_extension_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_extension_members_signal_id'))

    op.drop_table('retention_extension_members')
    with op.batch_alter_table('retention_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_extensions_proposal_id'))

    op.drop_table('retention_extensions')
