"""index current figures by date, and by place and date

The first figure after a period (the Overview's and People's "nothing in the period: the next figure is on ...")
scanned every current figure when no place was chosen: 0.4 s at 1 M rows on SQLite, nothing with the index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 23:25:00
"""
from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_latest_end', ['is_latest', 'period_end'], unique=False)
        batch_op.create_index('ix_observation_latest_location_end', ['is_latest', 'location_code', 'period_end'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_latest_location_end')
        batch_op.drop_index('ix_observation_latest_end')
