"""The store: migrations agree with the models, upgrades are repeatable, backups are consistent copies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from smartspec.errors import StoreError
from smartspec.store import create_store_engine, ensure_current, session_factory, sync_strategy, transaction, upgrade
from smartspec.store import models as m
from smartspec.store.backup import backup
from smartspec.strategy import Strategy


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": m.include_in_schema_compare}  # FTS5, tsvector: one backend
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, m.Base.metadata) == []


def test_upgrade_twice_and_strategy_rows(engine: Engine, strategy: Strategy) -> None:
    before, after = upgrade(engine)
    assert before == after
    with transaction(engine) as session:
        sync_strategy(session, strategy)  # loading again replaces, never duplicates
    with session_factory(engine)() as session:
        areas = session.scalars(select(m.Area.code).order_by(m.Area.id)).all()
        assert areas == strategy.area_codes()
        assert len(session.scalars(select(m.Topic)).all()) == 52
        assert session.scalar(select(m.Region.name_sv).where(m.Region.code == "FI1D8")) == "Kajanaland"
        assert len(session.scalars(select(m.Goal)).all()) == 7


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(m.Participation(project_id=999, organisation_id=999))


def test_uninitialised_database_says_run_init(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError, match="has not been set up") as caught:
        ensure_current(engine)
    assert "smartspec init" in (caught.value.hint or "")


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_sqlite_backup_is_a_consistent_copy(tmp_path: Path, strategy: Strategy) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        sync_strategy(session, strategy)
    copy = backup(engine, tmp_path / "copies" / "copy.db")
    with sqlite3.connect(copy) as connection:
        assert connection.execute("select count(*) from area").fetchone() == (12,)
    with pytest.raises(StoreError, match="overwrite the database itself"):
        backup(engine, tmp_path / "live.db")


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_backup_uses_pg_dump(engine: Engine, tmp_path: Path) -> None:
    archive = backup(engine, tmp_path / "dump.pgc")
    assert archive.read_bytes()[:5] == b"PGDMP"


def test_unsupported_url() -> None:
    with pytest.raises(StoreError, match="not supported"):
        create_store_engine("mysql://localhost/x")
    with pytest.raises(StoreError, match="not a database URL"):
        create_store_engine("not a url")
