"""Alembic environment: the engine comes from smartspec (``config.attributes['engine']``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from smartspec.store.models import Base, include_in_schema_compare

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):  # pragma: no cover - only when alembic is run by hand
        from smartspec.config import Settings
        from smartspec.store.db import create_store_engine

        engine = create_store_engine(Settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_in_schema_compare,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
