"""revocation and audit hash v2: clients refuse tokens issued before a cut-off; audit events
carry the version of the rule their hash was made with

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 06:00:00
"""

from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tokens_valid_from', hub.db.UTCDateTime(timezone=True), nullable=True))
    # Events already stored keep their version-1 hashes (which leave out id and owner); they
    # verify under that rule, and every new event is written under version 2.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.SmallInteger(), server_default='1', nullable=False))


def downgrade() -> None:
    # Version 2 chooses audit ids itself (they are hashed), so PostgreSQL's sequence stood still;
    # the code before it lets the sequence choose again.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), "
            "COALESCE((SELECT max(id) FROM audit_events), 0) + 1, false)"
        )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('hash_version')
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.drop_column('tokens_valid_from')
