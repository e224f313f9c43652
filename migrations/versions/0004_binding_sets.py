"""signals point at a binding set of covenant versions instead of one row per covenant

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 03:50:00

The policy then tests one column of the signal row instead of looking up a binding per row,
which let PostgreSQL's planner misjudge list pages (bitmap scans and sorts of whole agencies).
"""

from collections import defaultdict

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_old = sa.table('signal_covenants', sa.column('signal_id', sa.Uuid()), sa.column('covenant_id'),
                sa.column('covenant_version'))
_sets = sa.table('covenant_bindings', sa.column('id'), sa.column('key'))
_terms = sa.table('covenant_binding_terms', sa.column('binding_id'), sa.column('covenant_id'),
                  sa.column('covenant_version'))
_signals = sa.table('signals', sa.column('id', sa.Uuid()), sa.column('binding_id'))


def upgrade() -> None:
    op.create_table('covenant_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=2000), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant_bindings')),
    sa.UniqueConstraint('key', name=op.f('uq_covenant_bindings_key'))
    )
    op.create_table('covenant_binding_terms',
    sa.Column('binding_id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.String(length=80), nullable=False),
    sa.Column('covenant_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['binding_id'], ['covenant_bindings.id'], name=op.f('fk_covenant_binding_terms_binding_id_covenant_bindings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['covenant_id', 'covenant_version'], ['covenant_versions.covenant_id', 'covenant_versions.version'], name=op.f('fk_covenant_binding_terms_covenant_id_covenant_versions')),
    sa.PrimaryKeyConstraint('binding_id', 'covenant_id', name=op.f('pk_covenant_binding_terms'))
    )
    # A plain ADD COLUMN with its REFERENCES clause: on SQLite a batch (copy, drop, rename) of
    # `signals` would cascade the drop into every table that references it.
    columns = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('signals')}
    if op.get_bind().dialect.name == 'sqlite':
        if 'binding_id' not in columns:  # left behind by a downgrade
            op.execute('ALTER TABLE signals ADD COLUMN binding_id INTEGER CONSTRAINT '
                       'fk_signals_binding_id_covenant_bindings REFERENCES covenant_bindings (id)')
    else:
        op.add_column('signals', sa.Column('binding_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_signals_binding_id_covenant_bindings'), 'signals', 'covenant_bindings', ['binding_id'], ['id'])

    bind = op.get_bind()
    terms_of: dict = defaultdict(list)
    for signal_id, covenant_id, version in bind.execute(sa.select(_old)):
        terms_of[signal_id].append((covenant_id, version))
    signals_of: dict = defaultdict(list)
    for signal_id, terms in terms_of.items():
        signals_of[tuple(sorted(terms))].append(signal_id)
    for terms, signal_ids in signals_of.items():
        key = ",".join(f"{cid}@{version}" for cid, version in terms)
        bind.execute(_sets.insert().values(key=key))
        binding_id = bind.execute(sa.select(_sets.c.id).where(_sets.c.key == key)).scalar_one()
        bind.execute(_terms.insert(), [
            {"binding_id": binding_id, "covenant_id": c, "covenant_version": v} for c, v in terms
        ])
        for start in range(0, len(signal_ids), 500):
            chunk = signal_ids[start:start + 500]
            bind.execute(_signals.update().where(_signals.c.id.in_(chunk)).values(binding_id=binding_id))

    op.drop_table('signal_covenants')


def downgrade() -> None:
    op.create_table('signal_covenants',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('covenant_id', sa.String(length=80), nullable=False),
    sa.Column('covenant_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['covenant_id', 'covenant_version'], ['covenant_versions.covenant_id', 'covenant_versions.version'], name=op.f('fk_signal_covenants_covenant_id_covenant_versions')),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_signal_covenants_signal_id_signals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signal_id', 'covenant_id', name=op.f('pk_signal_covenants'))
    )
    bind = op.get_bind()
    bind.execute(_old.insert().from_select(
        ['signal_id', 'covenant_id', 'covenant_version'],
        sa.select(_signals.c.id, _terms.c.covenant_id, _terms.c.covenant_version)
        .join(_terms, _terms.c.binding_id == _signals.c.binding_id),
    ))
    if bind.dialect.name == 'sqlite':
        # SQLite 3.35+ drops a column in place (a batch would cascade, see upgrade), but not
        # one a constraint names: the REFERENCES clause stays; the column is unused and NULL.
        bind.execute(_signals.update().values(binding_id=None))
    else:
        op.drop_constraint(op.f('fk_signals_binding_id_covenant_bindings'), 'signals', type_='foreignkey')
        op.drop_column('signals', 'binding_id')

    op.drop_table('covenant_binding_terms')
    op.drop_table('covenant_bindings')
