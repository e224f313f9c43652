"""linking: case proposals, their members, links and history; exclusions; the linking lock

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 04:15:47.879649
"""

from alembic import op
import sqlalchemy as sa
import hub.db
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_exclusions',
    sa.Column('key_type', sa.String(length=20), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('key_type', 'token', name=op.f('pk_link_exclusions'))
    )
    op.create_table('linking_lock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relinked_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linking_lock'))
    )
    op.execute("INSERT INTO linking_lock (id) VALUES (1)")
    op.create_table('proposals',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('score_parts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('barriers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('agencies', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_reason', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('new', 'in_review', 'accepted', 'rejected', 'merged', 'closed')", name=op.f('ck_proposals_status')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_proposals')),
    sa.UniqueConstraint('id', name=op.f('uq_proposals_id'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_status_score', ['status', 'score'], unique=False)

    op.create_table('proposal_events',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_proposal_events'))
    )
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_events_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_links',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('signal_a', sa.Uuid(), nullable=False),
    sa.Column('signal_b', sa.Uuid(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('bridge', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_links_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_a'], ['signals.id'], name=op.f('fk_proposal_links_signal_a_signals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_b'], ['signals.id'], name=op.f('fk_proposal_links_signal_b_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'signal_a', 'signal_b', name=op.f('pk_proposal_links'))
    )
    with op.batch_alter_table('proposal_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_links_signal_a'), ['signal_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_links_signal_b'), ['signal_b'], unique=False)

    op.create_table('proposal_members',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_members_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_proposal_members_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'signal_id', name=op.f('pk_proposal_members'))
    )
    with op.batch_alter_table('proposal_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_members_signal_id'), ['signal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('proposal_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_members_signal_id'))

    op.drop_table('proposal_members')
    with op.batch_alter_table('proposal_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_links_signal_b'))
        batch_op.drop_index(batch_op.f('ix_proposal_links_signal_a'))

    op.drop_table('proposal_links')
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_events_proposal_id'))

    op.drop_table('proposal_events')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_status_score')

    op.drop_table('proposals')
    op.drop_table('linking_lock')
    op.drop_table('link_exclusions')
