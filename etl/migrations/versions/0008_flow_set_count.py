"""the Flows page's figure sets as a summary table kept by the loader (flow_set_count)

Listing the figure sets with no place chosen grouped every current figure of the period: 1-5 s at 10 M figures on
SQLite. The table holds one row per set and its number of links; the loader keeps it current in each file's
transaction (etl/summaries.py). Filled here from the figures already in the store.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 00:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flow_set_count',
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('population_group', sa.String(length=3), nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('links', sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('country', 'governorate')", name=op.f('ck_flow_set_count_level_known')),
    sa.CheckConstraint('links > 0', name=op.f('ck_flow_set_count_links_positive')),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_flow_set_count_series_id_series')),
    sa.PrimaryKeyConstraint('level', 'series_id', 'population_group', 'measure', 'unit', 'period_start',
                            'period_end', name=op.f('pk_flow_set_count'))
    )
    with op.batch_alter_table('flow_set_count', schema=None) as batch_op:
        batch_op.create_index('ix_flow_set_count_level_end', ['level', 'period_end'], unique=False)

    from etl import summaries
    summaries.rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('flow_set_count', schema=None) as batch_op:
        batch_op.drop_index('ix_flow_set_count_level_end')
    op.drop_table('flow_set_count')
