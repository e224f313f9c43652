"""audit sequencer: events are written unsealed (no place in the chain yet) and a single
sequencer chains them in commit order; signed checkpoints of the chain's head get a table

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-03 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0024'
down_revision = '0021'
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', _SEQ, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('token', sa.String(length=4000), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_seq'), ['seq'], unique=False)
    # The head the hub last signed becomes the first checkpoint.
    op.execute(
        "INSERT INTO audit_checkpoints (seq, hash, signed_at, token) "
        "SELECT h.signed_seq, e.hash, h.signed_at, h.signed_token "
        "FROM audit_head h JOIN audit_events e ON e.seq = h.signed_seq "
        "WHERE h.signed_token IS NOT NULL AND h.signed_at IS NOT NULL"
    )
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('signed_token')
        batch_op.drop_column('signed_seq')
        batch_op.drop_column('signed_at')
    # NULL chain fields mark an event the sequencer has not sealed yet.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=_SEQ, nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(
            'ix_audit_events_unsealed', ['id'], unique=False,
            postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'),
        )


def downgrade() -> None:
    # Unsealed events cannot go back under NOT NULL: seal them first (`hub audit seal`).
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE seq IS NULL")).scalar():
        raise RuntimeError("unsealed audit events: run `hub audit seal` before downgrading")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_unsealed',
                            postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'))
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=_SEQ, nullable=False)
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_at', hub.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signed_seq', _SEQ, nullable=True))
        batch_op.add_column(sa.Column('signed_token', sa.String(length=4000), nullable=True))
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_seq'))
    op.drop_table('audit_checkpoints')
