"""covenants: versions, signal binding, disclosure columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:11:40.569924
"""

from alembic import op
import sqlalchemy as sa
import hub.db
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('covenant_versions',
    sa.Column('covenant_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('covenant_id', 'version', name=op.f('pk_covenant_versions'))
    )
    op.create_table('signal_covenants',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('covenant_id', sa.String(length=80), nullable=False),
    sa.Column('covenant_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['covenant_id', 'covenant_version'], ['covenant_versions.covenant_id', 'covenant_versions.version'], name=op.f('fk_signal_covenants_covenant_id_covenant_versions')),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_covenants_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'covenant_id', name=op.f('pk_signal_covenants'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('covenant_id', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('covenant_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rule_id', sa.String(length=80), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('rule_id')
        batch_op.drop_column('covenant_version')
        batch_op.drop_column('covenant_id')
        batch_op.drop_column('level')

    op.drop_table('signal_covenants')
    op.drop_table('covenant_versions')
