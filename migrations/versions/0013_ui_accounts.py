"""ui accounts: analysts' local and single-sign-on accounts, and their server-side sessions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 08:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ui_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('external_id', sa.String(length=400), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('analyst', 'admin')", name=op.f('ck_ui_users_role')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_ui_users_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ui_users')),
    sa.UniqueConstraint('external_id', name=op.f('uq_ui_users_external_id')),
    sa.UniqueConstraint('username', name=op.f('uq_ui_users_username'))
    )
    with op.batch_alter_table('ui_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ui_users_agency_id'), ['agency_id'], unique=False)

    # Only a SHA-256 of the session token is stored: a copy of this table opens no session.
    op.create_table('ui_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ui_users.id'], name=op.f('fk_ui_sessions_user_id_ui_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ui_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_ui_sessions_token_hash'))
    )
    with op.batch_alter_table('ui_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ui_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ui_sessions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ui_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ui_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_ui_sessions_expires_at'))

    op.drop_table('ui_sessions')
    with op.batch_alter_table('ui_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ui_users_agency_id'))

    op.drop_table('ui_users')
