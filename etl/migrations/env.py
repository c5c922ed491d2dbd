"""Alembic environment: migrations run on the connection the ETL hands over, or on sqlalchemy.url."""
from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from etl.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    # render_as_batch: ALTER TABLE through copy-and-move, so migrations also run on SQLite.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_migrations(conn)
