"""The data revision: one number in the store that changes with every committed write to the data, and a cache of
reads that is valid while it stays the same.

Every engine made by ``create_store_engine`` watches what its connections execute: a transaction that inserted,
updated or deleted rows of a data table sets ``data_revision.revision`` to a new random number just before it
commits, in the same transaction, so the new number becomes visible exactly when the new data does (and a rolled
back write leaves both as they were). Imports, classification runs, reviews, register edits, indicator runs and
whatever a later module writes all pass through an engine, so none of them has to remember to bump anything.
A random number rather than a counter: a restored backup brings back the revision it was taken at together with the
data it had, so a number seen once always stands for the same data.

``RevisionCache`` keeps read results of one process (a web worker) keyed by the revision and what was asked; it
reads the revision (one primary-key lookup) before every answer, so after a write in any process (another web
worker, the command line) the next answer is computed afresh and never older than the store's data.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, event, text

T = TypeVar("T")
TABLE = "data_revision"
WAIT_S = 60.0  # how long a request waits for another thread's computation of the same entry before doing it itself
# Tables whose rows no cached read shows: the schema's version, the revision itself, the accounts (sessions are
# touched on every logged-in request) and the embedding cache (vectors the classifier computes while it reads).
UNTRACKED = frozenset({"alembic_version", TABLE, "user_account", "user_session", "api_token", "login_attempt",
                       "audit_log", "embedding_cache"})  # fmt: skip
_WROTE = "smartspec_wrote"  # key in a connection's ``info``: this transaction wrote to a data table
# The table a raw SQL write names (statements built with SQLAlchemy carry their table instead).
_WRITE_SQL = re.compile(r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)"
                        r"\s+[\"`]?(\w+)", re.IGNORECASE)  # fmt: skip


def written_table(statement: str, context: Any) -> str | None:
    """The table a statement writes (None: it writes none, e.g. a SELECT or DDL)."""
    compiled = getattr(context, "compiled", None)
    if compiled is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(compiled.statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            return name
    found = _WRITE_SQL.match(statement)
    return found.group(1).lower() if found else None


def track_writes(engine: Engine) -> None:
    """Make every transaction on ``engine`` that writes a data table change the revision when it commits."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        table = written_table(statement, context)
        if table is not None and table not in UNTRACKED:
            conn.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    def _bump(conn: Connection) -> None:  # called just before the database commits
        if conn.info.pop(_WROTE, False):
            bump(conn)

    @event.listens_for(engine, "rollback")
    def _forget(conn: Connection) -> None:
        conn.info.pop(_WROTE, None)

    @event.listens_for(engine, "reset")  # the pool rolled back a connection given back in a transaction
    def _reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        record.info.pop(_WROTE, None)


def bump(conn: Connection) -> None:
    """Set a new revision in the connection's transaction (on the driver's own cursor: inside the commit event
    SQLAlchemy's ``execute`` would start another round of events). A database without the table (one being
    migrated to the schema that adds it) is left alone."""
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "sqlite":
            cursor.execute(f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'")
        else:
            cursor.execute(f"SELECT 1 WHERE to_regclass('{TABLE}') IS NOT NULL")
        if cursor.fetchone() is None:
            return
        value = new_revision()  # an integer made here: safe to write into the statement
        cursor.execute(f"UPDATE {TABLE} SET revision = {value} WHERE id = 1")
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO {TABLE} (id, revision) VALUES (1, {value})")
    finally:
        cursor.close()


def new_revision() -> int:
    """A random positive 62-bit number (fits PostgreSQL's BIGINT and SQLite's INTEGER)."""
    return secrets.randbits(62) + 1


def current(engine: Engine) -> int | None:
    """The store's revision now (None: a store without the table, which nothing may cache)."""
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT revision FROM {TABLE} WHERE id = 1")).scalar()
    return int(value) if value is not None else None


class Memo(Protocol):
    """``memo(key, compute)``: a remembered result for ``key``, else ``compute()``."""

    def __call__(self, key: Hashable, compute: Callable[[], T], /) -> T: ...


class RevisionCache:
    """Results of reads by (revision, key): an answer computed at one revision serves every later request that finds
    the same revision (at most ``size`` entries, the least recently used dropped first). Thread-safe; two threads
    missing the same key both compute it. Callers share the cached objects and must not change them."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}  # entries being computed, set when done
        self.hits = self.misses = 0

    def get(self, engine: Engine, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for ``key`` at the store's current revision, else ``compute()`` (kept for later)."""
        return self.at(current(engine), key, compute)

    def memo(self, engine: Engine) -> Memo:
        """``memo(key, compute)`` answering at the revision read now (one read for several parts of an answer)."""
        return _Bound(self, current(engine))

    def at(self, revision: int | None, key: Hashable, compute: Callable[[], T]) -> T:
        """The result for ``key`` kept at ``revision``, else ``compute()``. The caller reads the revision before
        the data, so a result is never kept under a revision newer than what it shows (None: keep nothing).
        Entries of earlier revisions are never asked for again and leave as the least recently used. While one
        thread computes an entry, the others asking for it wait for its result instead of computing it too (20
        requests for the overview just after an import would otherwise draw it 20 times at once)."""
        if revision is None:
            return compute()
        entry = (revision, key)
        with self._lock:
            if entry in self._entries:
                found: T = self._hit(entry)
                return found
            pending = self._pending.get(entry)
            if pending is None:
                self._pending[entry] = threading.Event()
            self.misses += 1
        if pending is not None:  # another thread computes it: wait, then take its result (or compute, if it failed)
            pending.wait(WAIT_S)
            with self._lock:
                if entry in self._entries:
                    waited: T = self._hit(entry)
                    return waited
            return compute()
        try:
            value = compute()
            with self._lock:
                self._entries[entry] = value
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(entry).set()

    def _hit(self, entry: Hashable) -> Any:
        self._entries.move_to_end(entry)
        self.hits += 1
        return self._entries[entry]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _Bound:
    def __init__(self, cache: RevisionCache, revision: int | None) -> None:
        self.cache, self.revision = cache, revision

    def __call__(self, key: Hashable, compute: Callable[[], T], /) -> T:
        return self.cache.at(self.revision, key, compute)
