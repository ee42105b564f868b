"""Writing many rows fast and idempotently: insert what is new, update what changed, leave the rest.

Importers hand over plain dicts; this module compares them with what the table holds under a natural key
and issues executemany INSERT … RETURNING and UPDATE statements. A value of None in an incoming row keeps
the stored value: a source that omits a field does not erase what another source said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from smartspec.store.models import Base

Key = tuple[Any, ...]


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class KeyedTable:
    """A table seen through its natural key, loaded once and then kept in step with the writes.

    Each key is counted once (inserted, updated or unchanged) however many ``write`` calls mention it;
    ``counts`` and ``counted`` can be shared by several KeyedTables over the same table (an import that
    writes in batches loads each batch's rows afresh, with ``load_in(..., batch_id=)``). Inserted and updated
    rows are counted when written; a row written again by a later batch of the same import is recognised by
    its import_batch_id, so only rows left unchanged are remembered.
    """

    model: type[Base]
    key: tuple[str, ...]
    values: tuple[str, ...]
    existing: dict[Key, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    counted: dict[int, str] = field(default_factory=dict)  # row id -> "inserted" | "updated" | "unchanged"
    # Rows this import already wrote in an earlier batch (their import_batch_id is this import's): they were
    # counted then, so they need no entry in ``counted`` (which then stays empty on a first import).
    written_before: set[int] = field(default_factory=set)

    def _columns(self) -> list[Any]:
        table = self.model.__table__
        return [table.c.id, *(table.c[name] for name in self.key), *(table.c[name] for name in self.values)]

    def _keep(self, rows: Iterable[Any]) -> None:
        width = len(self.key)
        for row in rows:
            self.existing[tuple(row[1 : 1 + width])] = (row[0], tuple(row[1 + width :]))

    def load(self, session: Session, where: ColumnElement[bool] | None = None) -> None:
        query = select(*self._columns())
        if where is not None:
            query = query.where(where)
        self._keep(session.execute(query))

    def load_in(
        self,
        session: Session,
        column: str,
        ids: Iterable[Any],
        *,
        batch_id: int | None = None,
        chunk: int = 500,
        where: ColumnElement[bool] | None = None,
    ) -> None:
        """Load the rows whose ``column`` is one of ``ids`` (in chunks: SQLite limits bound parameters) and that
        match ``where``; with ``batch_id``, remember which of them that import batch wrote."""
        ordered = sorted(ids)
        table = self.model.__table__
        target = table.c[column]
        for start in range(0, len(ordered), chunk):
            query = select(*self._columns()).where(target.in_(ordered[start : start + chunk]))
            if where is not None:
                query = query.where(where)
            if batch_id is None:
                self._keep(session.execute(query))
                continue
            rows = session.execute(query.add_columns(table.c.import_batch_id)).all()
            self.written_before.update(row[0] for row in rows if row[-1] == batch_id)
            self._keep(row[:-1] for row in rows)

    def _count(self, row_id: int, outcome: str) -> None:
        if row_id in self.written_before:
            return
        before = self.counted.get(row_id)
        if before is None:
            if outcome == "unchanged":
                self.counted[row_id] = outcome
            else:  # a KeyedTable kept across batches (projects) sees its own writes again
                self.written_before.add(row_id)
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
        elif outcome == "updated":  # an earlier batch left it unchanged, this one changed it
            del self.counted[row_id]
            self.written_before.add(row_id)
            self.counts.unchanged -= 1
            self.counts.updated += 1

    def write(
        self,
        session: Session,
        rows: Iterable[tuple[Any, ...]],
        *,
        stamp: dict[str, Any] | None = None,
        remember: bool = True,
    ) -> dict[Key, int]:
        """Insert or update ``rows``: tuples of the key columns then the value columns, in declared order.

        ``stamp`` holds columns set on every inserted or changed row (the import batch, updated_at).
        Returns key → id for every row when ``remember`` (else an empty dict, and inserted rows are not
        kept in ``existing``: for tables written once per batch).
        """
        stamp = stamp or {}
        width = len(self.key)
        existing = self.existing
        to_insert: list[tuple[Any, ...]] = []
        to_update: list[dict[str, Any]] = []
        ids: dict[Key, int] = {}
        for row in rows:
            key = row[:width]
            found = existing.get(key)
            if found is None:
                to_insert.append(row)
                continue
            row_id, stored = found
            merged = tuple(new if new is not None else old for new, old in zip(row[width:], stored, strict=True))
            if remember:
                ids[key] = row_id
            if merged == stored:
                self._count(row_id, "unchanged")
                continue
            existing[key] = (row_id, merged)
            change = {name: value for name, value, old in zip(self.values, merged, stored, strict=True)
                      if value != old}  # fmt: skip
            to_update.append({"id": row_id, **change, **stamp})
            self._count(row_id, "updated")
        for start in range(0, len(to_insert), INSERT_CHUNK):
            chunk = to_insert[start : start + INSERT_CHUNK]
            new_ids = allocate_ids(session, self.model, len(chunk))
            for row, row_id in zip(chunk, new_ids, strict=True):
                self._count(row_id, "inserted")
                if remember:
                    ids[row[:width]] = row_id
                    existing[row[:width]] = (row_id, row[width:])
            insert_tuples(
                session, self.model, ("id", *self.key, *self.values),
                [(row_id, *row) for row_id, row in zip(new_ids, chunk, strict=True)], stamp,
            )  # fmt: skip
        for group in group_by_columns(to_update):
            session.execute(update(self.model), group)
        return ids


# Rows per INSERT executemany: the driver's parameter list is a converted copy, so big imports insert in slices.
INSERT_CHUNK = 10_000


def group_by_columns(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split update rows into groups with the same columns (one executemany each)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())


def allocate_ids(session: Session, model: type[Base], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, so that bulk inserts need no RETURNING round trips.

    PostgreSQL draws them from the column's sequence. On SQLite the import already holds the database's only
    write lock (it wrote its import_batch row first), so the next ids after the current maximum are free.
    """
    if count == 0:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        sequence = select(func.pg_get_serial_sequence(model.__tablename__, "id")).scalar_subquery()
        query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        return [int(value) for value in session.scalars(query)]
    start = session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    return list(range(start + 1, start + 1 + count))


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``, dicts with the same keys, through ``insert_tuples`` (SQLAlchemy's ORM bulk insert spends
    more per row than the database: a full search reindex took 8 s, 5 s of it there)."""
    if not rows:
        return
    names = tuple(rows[0])
    if any(len(row) != len(names) for row in rows):
        raise ValueError(f"rows for {model.__tablename__} must all have the columns {names}")
    insert_tuples(session, model, names, [tuple(row[name] for name in names) for row in rows])


def insert_tuples(
    session: Session,
    model: type[Base],
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (tuples in the order of ``names``) with the driver's own executemany.

    SQLAlchemy's executemany builds and processes a parameter dict per row; for imports of 100k rows that is
    most of the time spent. Here each value goes through its column type's bind processor (so dates, JSON and
    booleans are stored exactly as the ORM stores them), constant columns are processed once, and the driver
    gets plain tuples. Python-side column defaults (created_at …) are filled in as the ORM would.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__
    fixed = {**_python_defaults(table, [*names, *(constants or {})]), **(constants or {})}
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    tail = tuple(
        processor(value) if (processor := table.c[name].type._cached_bind_processor(dialect)) else value
        for name, value in fixed.items()
    )
    varying = [(index, processor) for index, processor in enumerate(processors) if processor]
    if varying:
        converted = []
        for row in rows:
            values = list(row)
            for index, processor in varying:
                values[index] = processor(values[index])
            converted.append((*values, *tail))
        params = converted
    else:
        params = [(*row, *tail) for row in rows] if tail else rows
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    all_names = [*names, *fixed]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in all_names)}) VALUES ({', '.join([marker] * len(all_names))})"
    )
    connection.exec_driver_sql(sql, params)


def _python_defaults(table: Any, given: list[str]) -> dict[str, Any]:
    """Values of the Python-side column defaults (created_at …) that ``given`` leaves out."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or column.primary_key:
            continue
        if default.is_callable:
            values[column.name] = default.arg(None)
        elif default.is_scalar:
            values[column.name] = default.arg
    return values


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
