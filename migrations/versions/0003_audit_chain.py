"""audit hash chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:24:56.346879
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('signed_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('signed_token', sa.String(length=4000), nullable=True),
    sa.Column('signed_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('owner', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_owner'), ['owner'], unique=False)

    # Chain the events written before the chain existed, in the order they were written.
    from hub.audit.chain import GENESIS, link

    bind = op.get_bind()
    events = sa.table(
        'audit_events', sa.column('id'), sa.column('occurred_at', hub.db.UTCDateTime()),
        sa.column('agency'), sa.column('client_id'), sa.column('action'),
        sa.column('object_type'), sa.column('object_id'), sa.column('purpose'),
        sa.column('level'), sa.column('covenant_id'), sa.column('covenant_version'),
        sa.column('rule_id'), sa.column('detail', hub.db.JSONType),
        sa.column('seq'), sa.column('prev_hash'), sa.column('hash'),
    )
    prev, seq = GENESIS, 0
    for row in bind.execute(sa.select(events).order_by(events.c.id)).mappings().all():
        seq += 1
        entry = dict(row) | {"seq": seq}
        digest = link(prev, entry)
        bind.execute(events.update().where(events.c.id == row["id"])
                     .values(seq=seq, prev_hash=prev, hash=digest))
        prev = digest
    bind.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :hash)"),
                 {"seq": seq, "hash": prev})

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_owner'))
        batch_op.drop_column('owner')
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    op.drop_table('audit_head')
