"""subject requests: the contact point's data-subject requests, the corrections routed to
sources, signal restrictions, and the dpo role of UI accounts

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 09:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import hub.db


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('analyst', 'admin')"
ROLES_AFTER = "role IN ('analyst', 'admin', 'dpo')"


def _roles(check: str) -> None:
    with op.batch_alter_table('ui_users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ui_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ui_users_role'), check)


def upgrade() -> None:
    op.create_table('subject_requests',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agency', sa.String(length=40), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    # Blind-index tokens and ids only: never the name, BSN or document number searched for.
    sa.Column('tokens', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('found', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notes_key_id', sa.String(length=16), nullable=True),
    sa.Column('notes', sa.LargeBinary(), nullable=True),
    sa.Column('ground', sa.String(length=40), nullable=True),
    sa.Column('decided_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('lifted_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('access', 'rectify', 'erase', 'restrict')", name=op.f('ck_subject_requests_kind')),
    sa.CheckConstraint("status IN ('open', 'done', 'refused', 'lifted')", name=op.f('ck_subject_requests_status')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_subject_requests')),
    sa.UniqueConstraint('id', name=op.f('uq_subject_requests_id'))
    )
    with op.batch_alter_table('subject_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_requests_opened_at'), ['opened_at'], unique=False)

    op.create_table('signal_restrictions',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('ground', sa.String(length=40), nullable=False),
    sa.Column('restricted_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_signal_restrictions_request_id_subject_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_restrictions_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'request_id', name=op.f('pk_signal_restrictions'))
    )
    with op.batch_alter_table('signal_restrictions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signal_restrictions_request_id'), ['request_id'], unique=False)

    op.create_table('subject_corrections',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('source_agency_id', sa.Integer(), nullable=False),
    sa.Column('subject_positions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('signal_version', sa.Integer(), nullable=False),
    sa.Column('note_key_id', sa.String(length=16), nullable=False),
    sa.Column('note', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_corrections_request_id_subject_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_subject_corrections_signal_id_signals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_agency_id'], ['agencies.id'], name=op.f('fk_subject_corrections_source_agency_id_agencies')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_subject_corrections')),
    sa.UniqueConstraint('id', name=op.f('uq_subject_corrections_id'))
    )
    with op.batch_alter_table('subject_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_corrections_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_corrections_signal_id'), ['signal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_corrections_source_agency_id'), ['source_agency_id'], unique=False)

    _roles(ROLES_AFTER)


def downgrade() -> None:
    # Contact-point accounts have no role before this revision: they go with it.
    op.execute("DELETE FROM ui_users WHERE role = 'dpo'")
    _roles(ROLES_BEFORE)
    with op.batch_alter_table('subject_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_corrections_source_agency_id'))
        batch_op.drop_index(batch_op.f('ix_subject_corrections_signal_id'))
        batch_op.drop_index(batch_op.f('ix_subject_corrections_request_id'))
    op.drop_table('subject_corrections')
    with op.batch_alter_table('signal_restrictions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signal_restrictions_request_id'))
    op.drop_table('signal_restrictions')
    with op.batch_alter_table('subject_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_requests_opened_at'))
    op.drop_table('subject_requests')
