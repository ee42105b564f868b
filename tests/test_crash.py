"""The guarantees as tests: an import killed with SIGKILL leaves the store as before or as after and the next
import completes; writers, readers and an import running together lose nothing and see no "database is locked".
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from conftest import table_snapshot
from helpers import cordis_zip
from smartspec.errors import StoreError
from smartspec.indicators.registers import add
from smartspec.ingest import import_path
from smartspec.store import create_store_engine, retrying
from smartspec.store import models as m
from smartspec.store.db import is_transient
from smartspec.strategy import Strategy, load_strategy

pytestmark = [pytest.mark.crash, pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")]

SRC = Path(__file__).resolve().parents[1] / "src"
HEADER = ("projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;"
          "country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;"
          "netEcContribution;totalCost;endOfParticipation;active\n")  # fmt: skip
KILLS = 5
ROWS = 24_000


def cordis_participants(path: Path, rows: int) -> Path:
    """A CORDIS Horizon Europe participants file (organization.csv) with ``rows`` rows over rows/6 projects."""
    regions = ("FI1D9", "FI1D7", "FI1D2", "FI1B1", "SE332", "DE300")
    lines = [HEADER]
    for i in range(rows):
        project, org = 101_200_000 + i // 6, 900_000_000 + (i * 7919) % (rows // 3)
        lines.append(
            f"{project};ACR{i // 6};{org};FI{org % 10**8:08d};ORGANISATION {org};O{org};{'true' if i % 2 else 'false'};"
            f"HES;Katu {i % 90};90014;Kaupunki {org % 50};FI;{regions[org % 6]};\"65.0,25.4\";http://o{org}.fi;;"
            f"2024-05-29 16:05:51;{i};{1 + i % 6};{'coordinator' if i % 6 == 0 else 'participant'};"
            f"{1000 + i},5;{1000 + i},5;{2000 + i};false;\n"
        )  # fmt: skip
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cordis_participants(tmp_path_factory.mktemp("crash") / "organization.csv", ROWS)


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The participants with their projects (started in 2023, so the year's indicators have work to do)."""
    folder = tmp_path_factory.mktemp("crash_folder")
    cordis_participants(folder / "organization.csv", ROWS // 2)
    lines = ["id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;frameworkProgramme\n"]
    for n in range(ROWS // 12):
        lines.append(f"{101_200_000 + n};ACR{n};SIGNED;Project {n} on hydrogen and wood;2023-{1 + n % 12:02d}-01;"
                     f"2026-12-31;{100_000 + n};{90_000 + n};HORIZON.2.5;HORIZON\n")  # fmt: skip
    (folder / "project.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def _has_open(pid: int, path: Path) -> bool:
    try:
        return any(link.readlink() == path for link in Path(f"/proc/{pid}/fd").iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


@pytest.mark.parametrize("kill", range(KILLS))
def test_sigkill_during_import_leaves_before_or_after(
    engine: Engine, db_url: str, strategy: Strategy, tmp_path: Path, big_file: Path, kill: int
) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "good.zip"), strategy)  # a store with data in it
    before = table_snapshot(engine)
    environment = {**os.environ, "PYTHONPATH": str(SRC), "SMARTSPEC_DATABASE_URL": db_url,
                   "SMARTSPEC_PROGRESS": "false"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "smartspec.cli.main", "import", "cordis", str(big_file)],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while not _has_open(process.pid, big_file) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)  # the importer opens the file to hash it, right before its transaction begins
    time.sleep(random.Random(kill).uniform(0.0, 1.5))  # somewhere in the import (about 1-2 s here)
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    finished = process.returncode == 0
    assert process.returncode in (0, -signal.SIGKILL), stderr.decode()
    killed = table_snapshot(engine)
    result = import_path(engine, "cordis", big_file, strategy)  # the next import completes
    assert result.rows_read == ROWS and result.rows_rejected == 0
    after = table_snapshot(engine)
    assert after != before
    assert killed in (before, after)
    if finished:
        assert killed == after
    # A kill after the commit (while the CLI prints its report) also leaves "after"; shown with pytest -rP.
    print(f"kill {kill}: {'after' if killed == after else 'before'} (exit {process.returncode})")


def _connected(pid: int, db_url: str, engine: Engine, application: str) -> bool:
    """Whether the process has opened the store: the SQLite file among its descriptors, or its PostgreSQL
    session (named by PGAPPNAME) in pg_stat_activity."""
    if engine.dialect.name == "sqlite":
        return _has_open(pid, Path(engine.url.database or ""))
    with engine.connect() as connection:
        query = text("select count(*) from pg_stat_activity where application_name = :name")
        return bool(connection.execute(query, {"name": application}).scalar())


def _indicator_rows(engine: Engine) -> list[tuple[Any, ...]]:
    table = m.IndicatorValue
    query = select(table.indicator, table.region_code, table.area_code, table.year, table.value, table.record_ids)
    with engine.connect() as connection:
        return sorted(tuple(map(repr, row)) for row in connection.execute(query))


@pytest.mark.parametrize("kill", range(3))
def test_sigkill_during_indicators_leaves_before_or_after(
    engine: Engine, db_url: str, strategy: Strategy, big_folder: Path, kill: int
) -> None:
    from smartspec.config import Settings
    from smartspec.indicators.reference import load_reference
    from smartspec.indicators.service import compute_and_store

    reference = load_reference(strategy, Settings().data_dir)  # what the CLI run below reads too

    compute_and_store(engine, strategy, [2023], reference)  # values of an empty store
    import_path(engine, "cordis", big_folder, strategy)  # then data arrives
    before = _indicator_rows(engine)
    application = f"kill-{uuid.uuid4().hex[:8]}"
    environment = {**os.environ, "PYTHONPATH": str(SRC), "SMARTSPEC_DATABASE_URL": db_url, "PGAPPNAME": application}
    process = subprocess.Popen([sys.executable, "-m", "smartspec.cli.main", "indicators", "--year", "2023"],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while not _connected(process.pid, db_url, engine, application) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    # Connected, the CLI loads facts, computes (0.2 s here), commits, prints: 1-2.5 s on this machine.
    time.sleep(random.Random(100 + kill).uniform(0.0, 3.0))
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGKILL), stderr.decode()
    killed = _indicator_rows(engine)
    compute_and_store(engine, strategy, [2023], reference)  # the next run completes
    after = _indicator_rows(engine)
    assert after != before
    assert killed in (before, after)
    print(f"indicators kill {kill}: {'after' if killed == after else 'before'} (exit {process.returncode})")


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
