"""covering index of current totals by place

The Overview's cards for a place read every current total figure at that place (all its history, to say how
stale the latest is). At 10 M rows on SQLite those 28,000 figures lay on as many pages of the table: 0.5-0.8 s
for the rows alone. This index holds every column the cards' choice reads, in place order, so the query reads
one stretch of the index and never the table (SQLite: COVERING INDEX; PostgreSQL: an index-only scan).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 08:40:00
"""
from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COLUMNS = ['is_latest', 'location_code', 'sex', 'age_group', 'breakdown', 'period_end', 'population_group',
           'measure', 'unit', 'origin_code', 'period_start', 'series_id', 'value', 'qualifier', 'release_id',
           'document_id', 'is_secondary', 'is_rounded', 'id']


def upgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_latest_totals_cover', COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_latest_totals_cover')
