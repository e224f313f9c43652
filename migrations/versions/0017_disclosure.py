"""disclosure: what acceptance opens, and requests to the sources for the rest

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 05:31:26.203833
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disclosure_requests',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('agency', sa.String(length=40), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason_key_id', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_disclosure_requests_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_disclosure_requests')),
    sa.UniqueConstraint('id', name=op.f('uq_disclosure_requests_id'))
    )
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_requests_agency'), ['agency'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_requests_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('case_openings',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('agency', sa.String(length=40), nullable=False),
    sa.Column('opened_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_case_openings_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_case_openings_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'signal_id', name=op.f('pk_case_openings'))
    )
    with op.batch_alter_table('case_openings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_openings_signal_id'), ['signal_id'], unique=False)

    op.create_table('disclosure_items',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('source_agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision_key_id', sa.String(length=16), nullable=True),
    sa.Column('decision_reason', sa.LargeBinary(), nullable=True),
    sa.Column('revoked_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.Column('revocation_key_id', sa.String(length=16), nullable=True),
    sa.Column('revocation_reason', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'granted', 'refused', 'revoked')", name=op.f('ck_disclosure_items_status')),
    sa.ForeignKeyConstraint(['request_pk'], ['disclosure_requests.pk'], name=op.f('fk_disclosure_items_request_pk_disclosure_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_disclosure_items_signal_id_signals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_agency_id'], ['agencies.id'], name=op.f('fk_disclosure_items_source_agency_id_agencies')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_disclosure_items'))
    )
    with op.batch_alter_table('disclosure_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_items_request_pk'), ['request_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_items_signal_id'), ['signal_id'], unique=False)
        batch_op.create_index('ix_disclosure_items_source_status', ['source_agency_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('disclosure_items', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_items_source_status')
        batch_op.drop_index(batch_op.f('ix_disclosure_items_signal_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_items_request_pk'))

    op.drop_table('disclosure_items')
    with op.batch_alter_table('case_openings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_openings_signal_id'))

    op.drop_table('case_openings')
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_agency'))

    op.drop_table('disclosure_requests')
