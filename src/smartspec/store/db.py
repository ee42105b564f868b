"""Opening the store: engines for SQLite (WAL, foreign keys on, one writer) and PostgreSQL, each of which changes
the data revision when a transaction that wrote data commits (``smartspec.store.revision``)."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from smartspec.errors import StoreError
from smartspec.store.revision import track_writes

log = logging.getLogger(__name__)
T = TypeVar("T")
# SQLite: a transaction that read before it writes gets SQLITE_BUSY at once, without waiting for busy_timeout,
# when another writer committed since its read began (https://sqlite.org/wal.html#sometimes_queries_return_
# sqlite_busy_in_wal_mode); PostgreSQL: serialization failures and deadlocks (SQLSTATE 40001, 40P01) ask the
# client to run the transaction again.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_PG_RETRY = ("40001", "40P01")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_store_engine(url: str, *, query_timeout_s: float = 30.0, read_only: bool = False) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"{url!r} is not a database URL",
            hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host:5432/dbname",
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if read_only and database not in ("", ":memory:"):
            # Readers open the file read-only, so only the importer ever writes (SQLite has one writer).
            engine = create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False),
            )
        else:
            engine = create_engine(parsed, connect_args={"timeout": query_timeout_s})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            if not read_only:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA cache_size=-65536")  # 64 MB: bulk imports maintain several indexes
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(query_timeout_s * 1000)}")
            cursor.close()

        track_writes(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Options given in the URL (?options=-csearch_path%3Dschema) are kept and extended.
        given = parsed.query.get("options")
        parsed = parsed.difference_update_query(["options"])
        options = f"{given} " if isinstance(given, str) else ""
        options += f"-c statement_timeout={int(query_timeout_s * 1000)}"
        if read_only:
            options += " -c default_transaction_read_only=on"
        engine = create_engine(parsed, connect_args={"options": options}, pool_pre_ping=True)
        track_writes(engine)
        return engine
    raise StoreError(
        f"database backend {parsed.get_backend_name()!r} is not supported",
        hint="use SQLite (sqlite:///file.db) or PostgreSQL (postgresql+psycopg://…)",
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One session in one transaction: committed when the block ends, rolled back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


def is_transient(error: OperationalError) -> bool:
    """Whether the database asks for the transaction to be run again (busy, serialization failure, deadlock)."""
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return any(text in str(original) for text in _SQLITE_BUSY)
    return getattr(original, "sqlstate", None) in _PG_RETRY


def retrying(transaction_body: Callable[[], T], *, attempts: int = 8, first_delay_s: float = 0.02) -> T:
    """Run ``transaction_body`` (which opens and commits its own transaction), again with growing, jittered
    waits while the database answers that it is busy; other errors pass through at once."""
    for attempt in range(attempts):
        try:
            return transaction_body()
        except OperationalError as error:
            if not is_transient(error):
                raise
            if attempt == attempts - 1:
                raise StoreError(
                    f"the database stayed busy through {attempts} attempts: {error.orig}",
                    hint="another long write (an import?) holds it; run the command again when that has finished",
                ) from error
            log.info("database busy (%s), trying again (%d/%d)", error.orig, attempt + 1, attempts)
        time.sleep(first_delay_s * 2**attempt * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # pragma: no cover
