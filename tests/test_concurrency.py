"""Writers, readers and an import running together lose nothing and see no "database is locked"; a writer that
finds the database busy tries again with backoff."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from processes import cordis_participants
from smartspec.errors import StoreError
from smartspec.indicators.registers import add
from smartspec.ingest import import_path
from smartspec.store import create_store_engine, retrying
from smartspec.store import models as m
from smartspec.store.db import is_transient
from smartspec.strategy import Strategy, load_strategy

pytestmark = pytest.mark.crash

ROWS = 12_000  # an import that lasts while the writers and readers run (about a second)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cordis_participants(tmp_path_factory.mktemp("concurrency") / "organization.csv", ROWS)


def _writer(url: str, number: int, entries: int, go: Any, failures: Any) -> None:
    try:
        engine = create_store_engine(url)
        strategy = load_strategy()
        go.wait(30)
        for i in range(entries):
            add(engine, strategy, "communication",
                {"region": "FI1D9", "kind": "event", "title": f"writer {number} entry {i}", "date": "2024-03-01"},
                who=f"w{number}")  # fmt: skip
        engine.dispose()
    except BaseException as error:  # reported to the parent: a child's traceback is otherwise lost
        failures.put(f"writer {number}: {type(error).__name__}: {error}")


def _reader(url: str, go: Any, stop: Any, failures: Any, reads: Any) -> None:
    try:
        engine = create_store_engine(url)
        go.wait(30)
        while not stop.is_set():
            with engine.connect() as connection:
                connection.execute(select(func.count()).select_from(m.Project)).scalar()
                connection.execute(select(func.count()).select_from(m.CommunicationAction)).scalar()
            with reads.get_lock():
                reads.value += 1
        engine.dispose()
    except BaseException as error:
        failures.put(f"reader: {type(error).__name__}: {error}")


def test_writers_readers_and_an_import_together(
    engine: Engine, db_url: str, strategy: Strategy, big_file: Path
) -> None:
    """8 writer processes add register entries and 2 readers query while an import runs: nothing is lost."""
    writers, entries = 8, 8
    context = multiprocessing.get_context("fork")  # children inherit the imported modules: no 3 s start each
    go, stop, failures, reads = context.Event(), context.Event(), context.Queue(), context.Value("i", 0)
    engine.dispose()  # no pooled connection crosses the fork
    children = [context.Process(target=_writer, args=(db_url, n, entries, go, failures)) for n in range(writers)]
    children += [context.Process(target=_reader, args=(db_url, go, stop, failures, reads)) for _ in range(2)]
    for child in children:
        child.start()
    go.set()
    result = import_path(engine, "cordis", big_file, strategy)
    for child in children[:writers]:
        child.join(60)
    stop.set()
    for child in children[writers:]:
        child.join(60)
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == []
    assert all(child.exitcode == 0 for child in children)
    assert result.rows_read == ROWS and result.rows_rejected == 0
    assert reads.value > 0
    with engine.connect() as connection:
        titles = connection.execute(select(m.CommunicationAction.title)).scalars().all()
        audited = connection.execute(text("select count(*) from audit_log where actor like 'w%'")).scalar()
        participations = connection.execute(select(func.count()).select_from(m.Participation)).scalar()
    assert sorted(titles) == sorted(f"writer {n} entry {i}" for n in range(writers) for i in range(entries))
    assert audited == writers * entries
    assert participations == ROWS


def test_register_writes_retry_while_the_database_is_busy(tmp_path: Path, strategy: Strategy) -> None:
    """A writer that finds SQLite locked past its busy timeout tries again with backoff instead of failing."""
    from smartspec.store import transaction, upgrade

    path = tmp_path / "busy.db"
    engine = create_store_engine(f"sqlite:///{path}", query_timeout_s=0.05)
    upgrade(engine)
    from smartspec.store import sync_strategy

    with transaction(engine) as session:
        sync_strategy(session, strategy)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")  # what a long import's transaction looks like to other writers
    timer = threading.Timer(0.4, blocker.rollback)
    timer.start()
    try:
        values = {"region": "FI1D9", "kind": "news", "title": "kesken", "date": "2024-03-01"}
        assert add(engine, strategy, "communication", values, who="test").action == "inserted"
    finally:
        timer.join()
        blocker.close()
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(m.CommunicationAction)).scalar() == 1
    engine.dispose()


def test_transient_errors_are_told_apart() -> None:
    class SerializationError(Exception):
        sqlstate = "40001"

    assert is_transient(OperationalError("update", {}, SerializationError()))
    assert is_transient(OperationalError("insert", {}, sqlite3.OperationalError("database is locked")))
    assert not is_transient(OperationalError("select", {}, sqlite3.OperationalError("no such table: x")))
    calls: list[int] = []

    def never_free() -> None:
        calls.append(1)
        raise OperationalError("insert", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(StoreError, match="stayed busy"):
        retrying(never_free, attempts=3, first_delay_s=0.001)
    assert len(calls) == 3
