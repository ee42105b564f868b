"""The store: SQLAlchemy models, Alembic migrations, and the queries services share."""

from smartspec.store.db import create_store_engine, is_sqlite, retrying, session_factory, transaction
from smartspec.store.migrate import ensure_current, sync_strategy, upgrade

__all__ = ["create_store_engine", "ensure_current", "is_sqlite", "retrying", "session_factory", "sync_strategy",
           "transaction", "upgrade"]  # fmt: skip
