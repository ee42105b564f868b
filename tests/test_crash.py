"""The guarantees as tests: an import, an indicators run or a classification run killed with SIGKILL leaves the
store as before or as after (a classification run: each project's labels) and the next run completes; writers,
readers and an import running together lose nothing and see no "database is locked".
"""

from __future__ import annotations

import csv
import json
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.exc import OperationalError

from conftest import table_snapshot
from helpers import cordis_zip
from smartspec import Observatory
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


GOLD = SRC / "smartspec" / "classify" / "data" / "gold-dev.csv"
CLASSIFIED = 1_100  # projects: the runner replaces labels 500 projects at a time, each chunk in its own transaction


@pytest.fixture(scope="module")
def gold_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CORDIS projects titled with texts of the shipped gold set, whose embeddings ship with smartspec (so that
    classifying them runs no embedding model), with six participants each."""
    folder = tmp_path_factory.mktemp("crash_classify")
    with GOLD.open(encoding="utf-8") as handle:
        texts = list(dict.fromkeys(row["text"].strip() for row in csv.DictReader(handle)))[:120]
    cordis_participants(folder / "organization.csv", CLASSIFIED * 6)
    with (folder / "project.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["id", "acronym", "title", "startDate", "frameworkProgramme"])
        out.writerows([101_200_000 + n, f"ACR{n}", texts[n % len(texts)], "2023-01-01", "HORIZON"]
                      for n in range(CLASSIFIED))  # fmt: skip
    return folder


def _labels(engine: Engine) -> dict[tuple[str, int], list[tuple[Any, ...]]]:
    """Each record's classification rows, without their ids and times."""
    c = m.Classification
    query = select(c.record_type, c.record_id, c.code, c.score, c.method, c.model_version, c.status, c.evidence)
    found: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for kind, record, code, score, method, version, status, evidence in connection.execute(query):
            row = (code, repr(score), method, version, status, json.dumps(evidence, sort_keys=True))
            found.setdefault((kind, record), []).append(row)
    return {key: sorted(rows) for key, rows in found.items()}


def test_sigkill_during_classify_run_leaves_each_project_before_or_after(
    engine: Engine, db_url: str, strategy: Strategy, gold_folder: Path, install_model: Callable[[Engine], None]
) -> None:
    """`smartspec classify run` killed at random moments: every project's labels are exactly its labels before
    the run or after it (never a part of them), the organisations' aggregate likewise as a whole, and the next
    run completes to exactly what an uninterrupted run gives. (The runner commits 500 projects at a time, so a
    kill between chunks leaves some projects labelled and the rest as before; the next run labels the rest.)"""
    import_path(engine, "cordis", gold_folder, strategy)
    install_model(engine)
    with Observatory(engine=engine) as obs:
        obs.classify()  # an uninterrupted run, for the "after" state
        after = _labels(engine)
        projects = [key for key in after if key[0] == "project"]
        assert len(projects) == CLASSIFIED
        after_organisations = {key: rows for key, rows in after.items() if key[0] == "organisation"}
        # Kill points: soon after the CLI connects (loading the model), and after 1 and 2 chunks are committed.
        for kill, labelled_first in enumerate((0, 1, 501)):
            with engine.begin() as connection:
                connection.execute(delete(m.Classification))  # the "before" state: nothing classified
            killed, code = _kill_classify_run(engine, db_url, labelled_first, random.Random(200 + kill))
            assert all(killed.get(key) in (None, after[key]) for key in projects)
            organisations = {key: rows for key, rows in killed.items() if key[0] == "organisation"}
            assert organisations in ({}, after_organisations)
            obs.classify()  # the next run completes
            assert _labels(engine) == after
            print(f"classify kill {kill}: {sum(key in killed for key in projects)} of {CLASSIFIED} projects "
                  f"labelled, organisations {'after' if organisations else 'before'} (exit {code})")  # fmt: skip


def _kill_classify_run(engine: Engine, db_url: str, labelled_first: int, chance: random.Random
                       ) -> tuple[dict[tuple[str, int], list[tuple[Any, ...]]], int]:  # fmt: skip
    """Start `smartspec classify run`, wait until it has connected and ``labelled_first`` projects have labels,
    kill it a random 0-0.5 s later; the labels it left and its exit status."""
    application = f"kill-{uuid.uuid4().hex[:8]}"
    environment = {**os.environ, "PYTHONPATH": str(SRC), "SMARTSPEC_DATABASE_URL": db_url, "PGAPPNAME": application,
                   "SMARTSPEC_PROGRESS": "false"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "smartspec.cli.main", "classify", "run"],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    count = select(func.count(func.distinct(m.Classification.record_id))).where(
        m.Classification.record_type == "project"
    )
    while process.poll() is None:
        assert time.monotonic() < deadline
        if _connected(process.pid, db_url, engine, application):
            with engine.connect() as connection:
                if (connection.execute(count).scalar() or 0) >= labelled_first:
                    break
        time.sleep(0.005)
    time.sleep(chance.uniform(0.0, 0.5))
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGKILL), stderr.decode()
    return _labels(engine), process.returncode


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
