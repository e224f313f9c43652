"""spine: agencies, clients, signals, identifiers, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 01:29:05.717958
"""

from alembic import op
import sqlalchemy as sa
import hub.db
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('emm', 'riec', 'liec', 'kmar', 'ind', 'szw', 'police', 'municipality', 'other')", name=op.f('ck_agencies_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('agency', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.String(length=40), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_agency'), ['agency'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('used_assertions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('jti', sa.String(length=255), nullable=False),
    sa.Column('expires_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_assertions')),
    sa.UniqueConstraint('client_id', 'jti', name=op.f('uq_used_assertions_client_id_jti'))
    )
    with op.batch_alter_table('used_assertions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_assertions_expires_at'), ['expires_at'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_idempotency_records_agency_id_agencies')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('agency_id', 'key', name=op.f('uq_idempotency_records_agency_id_key'))
    )
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_records_created_at'), ['created_at'], unique=False)

    op.create_table('oauth_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('secret_hash', sa.String(length=100), nullable=True),
    sa.Column('jwks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('auth_method', sa.String(length=40), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_oauth_clients_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_clients_client_id'))
    )
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_clients_agency_id'), ['agency_id'], unique=False)

    op.create_table('signals',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('external_ref', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('observed_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('municipality', sa.String(length=6), nullable=True),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('reliability', sa.String(length=1), nullable=True),
    sa.Column('credibility', sa.String(length=1), nullable=True),
    sa.Column('summary_key_id', sa.String(length=16), nullable=True),
    sa.Column('summary', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retracted_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("status IN ('active', 'retracted')", name=op.f('ck_signals_status')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_signals_version')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_signals_agency_id_agencies')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_signals')),
    sa.UniqueConstraint('agency_id', 'external_ref', name=op.f('uq_signals_agency_id_external_ref')),
    sa.UniqueConstraint('id', name=op.f('uq_signals_id'))
    )
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_municipality'), ['municipality'], unique=False)
        batch_op.create_index(batch_op.f('ix_signals_observed_at'), ['observed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signals_region'), ['region'], unique=False)
        batch_op.create_index('ix_signals_updated_at_pk', ['updated_at', 'pk'], unique=False)

    op.create_table('signal_barriers',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('barrier', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_barriers_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'barrier', name=op.f('pk_signal_barriers'))
    )
    with op.batch_alter_table('signal_barriers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signal_barriers_barrier'), ['barrier'], unique=False)

    op.create_table('signal_indicators',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_indicators_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'code', name=op.f('pk_signal_indicators'))
    )
    with op.batch_alter_table('signal_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signal_indicators_code'), ['code'], unique=False)

    op.create_table('signal_versions',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('changed_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('snapshot', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_versions_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'version', name=op.f('pk_signal_versions'))
    )
    op.create_table('subjects',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_subjects_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'position', name=op.f('pk_subjects'))
    )
    op.create_table('identifiers',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('subject_position', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('value', sa.LargeBinary(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['signal_id', 'subject_position'], ['subjects.signal_id', 'subjects.position'], name=op.f('fk_identifiers_signal_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'subject_position', 'type', name=op.f('pk_identifiers'))
    )
    with op.batch_alter_table('identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identifiers_token'), ['token'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identifiers_token'))

    op.drop_table('identifiers')
    op.drop_table('subjects')
    op.drop_table('signal_versions')
    with op.batch_alter_table('signal_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signal_indicators_code'))

    op.drop_table('signal_indicators')
    with op.batch_alter_table('signal_barriers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signal_barriers_barrier'))

    op.drop_table('signal_barriers')
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_updated_at_pk')
        batch_op.drop_index(batch_op.f('ix_signals_region'))
        batch_op.drop_index(batch_op.f('ix_signals_observed_at'))
        batch_op.drop_index(batch_op.f('ix_signals_municipality'))

    op.drop_table('signals')
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_clients_agency_id'))

    op.drop_table('oauth_clients')
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_records_created_at'))

    op.drop_table('idempotency_records')
    with op.batch_alter_table('used_assertions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_assertions_expires_at'))

    op.drop_table('used_assertions')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_object_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_agency'))

    op.drop_table('audit_events')
    op.drop_table('agencies')
