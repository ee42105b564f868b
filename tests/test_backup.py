"""Backup while a writer runs gives a consistent snapshot; restore checks it and brings it back, on both backends."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from conftest import _admin, _database_url
from helpers import cordis_zip
from smartspec.errors import StoreError
from smartspec.ingest import import_path
from smartspec.store import create_store_engine, transaction
from smartspec.store import models as m
from smartspec.store.backup import backup, restore
from smartspec.strategy import Strategy

WRITTEN = ("organisation", "organisation_name", "data_revision")  # the tables the writer thread changes


def dump(engine: Engine, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for exact comparisons."""
    with engine.connect() as connection:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in connection.execute(select(table)))
            for table in m.Base.metadata.sorted_tables
            if table.name not in skip
        }


class Writer(threading.Thread):
    """Adds organisations with their name, one transaction per pair, until stopped."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine, self.stop, self.count = engine, threading.Event(), 0

    def run(self) -> None:
        while not self.stop.is_set():
            with transaction(self.engine) as session:
                organisation = m.Organisation(name=f"W{self.count}", name_key=f"w{self.count}")
                session.add(organisation)
                session.flush()
                session.add(m.OrganisationName(organisation_id=organisation.id, name=f"W{self.count}", source="t"))
            self.count += 1
            time.sleep(0.001)


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend as ``db_url``: a new SQLite file, or a new PostgreSQL database."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"r_{uuid.uuid4().hex[:10]}"
    _admin(f"CREATE DATABASE {name}")
    yield _database_url(name)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_backup_under_writes_restores_a_consistent_copy(
    engine: Engine, strategy: Strategy, tmp_path: Path, empty_url: str
) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "good.zip"), strategy)
    writer = Writer(engine)
    writer.start()
    try:
        while writer.count < 20:
            time.sleep(0.01)
        archive = backup(engine, tmp_path / "copy.backup")
        written_at_backup = writer.count
        while writer.count < written_at_backup + 20:  # the writer went on after the snapshot
            time.sleep(0.01)
    finally:
        writer.stop.set()
        writer.join()
    target = create_store_engine(empty_url)
    result = restore(target, archive)
    assert result.upgraded_to is None and result.rows["project"] > 0
    restored, source = dump(target), dump(engine)
    # Every table the writer left alone is identical; the writer's rows are a whole prefix of what it wrote.
    assert {k: v for k, v in restored.items() if k not in WRITTEN} == {
        k: v for k, v in source.items() if k not in WRITTEN
    }
    with target.connect() as connection:
        names = connection.execute(text("select name from organisation where name like 'W%'")).scalars().all()
        pairs = connection.execute(
            text(
                "select count(*) from organisation o join organisation_name n on n.organisation_id = o.id "
                "where o.name like 'W%' and n.name = o.name"
            )
        ).scalar()
    snapshot = len(names)
    assert snapshot >= 20 and sorted(names) == sorted(f"W{i}" for i in range(snapshot))
    assert pairs == snapshot  # no organisation without its name: transactions were copied whole
    assert snapshot < writer.count
    # A database with data is not overwritten without force.
    with pytest.raises(StoreError, match="holds data") as caught:
        restore(target, archive)
    assert "--force" in (caught.value.hint or "")
    with transaction(target) as session:
        session.execute(text("delete from organisation_name where name = 'W0'"))
    restore(target, archive, force=True)
    assert dump(target) == restored
    target.dispose()


def test_restore_checks_the_copy(db_url: str, engine: Engine, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a"):
        restore(engine, garbage)
    with pytest.raises(StoreError, match="does not exist"):
        restore(engine, tmp_path / "missing.backup")


def test_restore_refuses_a_newer_schema(tmp_path: Path, strategy: Strategy) -> None:
    source = create_store_engine(f"sqlite:///{tmp_path / 'live.db'}")
    from smartspec.store import upgrade

    upgrade(source)
    copy = backup(source, tmp_path / "copy.db")
    with sqlite3.connect(copy) as connection:
        connection.execute("update alembic_version set version_num = '9999_from_the_future'")
    target = create_store_engine(f"sqlite:///{tmp_path / 'target.db'}")
    with pytest.raises(StoreError, match="newer smartspec") as caught:
        restore(target, copy)
    assert "upgrade smartspec" in (caught.value.hint or "")
    with sqlite3.connect(copy) as connection:
        connection.execute("drop table alembic_version")
    with pytest.raises(StoreError, match="not a smartspec backup"):
        restore(target, copy)


def test_the_observatory_restores(tmp_path: Path, strategy: Strategy) -> None:
    from smartspec import Observatory

    with Observatory(f"sqlite:///{tmp_path / 'live.db'}") as live:
        live.init()
        live.import_file("cordis", cordis_zip(tmp_path / "good.zip"))
        copy = live.backup(tmp_path / "copy.db").path
    with Observatory(f"sqlite:///{tmp_path / 'new.db'}") as new:
        result = new.restore(copy)
        assert result.rows["project"] == 3 and result.upgraded_to is None
        with pytest.raises(StoreError, match="holds data"):
            new.restore(copy)
        assert new.restore(copy, force=True).rows == result.rows
