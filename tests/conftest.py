"""Shared fixtures: one database fixture parametrised over SQLite and PostgreSQL, factories, data paths.

PostgreSQL is at SMARTSPEC_TEST_POSTGRES_URL (default: postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test gets its own schema there. When the server is unreachable the PostgreSQL cases skip with a
visible reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from smartspec.store import create_store_engine, sync_strategy, transaction, upgrade
from smartspec.store import models as m
from smartspec.strategy import Strategy, load_strategy

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("SMARTSPEC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except OperationalError as exc:
        return str(exc).splitlines()[0]
    return None


_PG_PROBLEM: str | None = None
_PG_CHECKED = False


def postgres_or_skip() -> None:
    global _PG_PROBLEM, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_PROBLEM, _PG_CHECKED = _postgres_available(), True
    if _PG_PROBLEM:
        message = f"PostgreSQL at {PG_URL} is unreachable: {_PG_PROBLEM}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def strategy() -> Strategy:
    return load_strategy()


@pytest.fixture
def engine(db_url: str, strategy: Strategy) -> Iterator[Engine]:
    """An upgraded store with the strategy loaded."""
    store = create_store_engine(db_url)
    upgrade(store)
    with transaction(store) as session:
        sync_strategy(session, strategy)
    yield store
    store.dispose()


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every data table (what a failed import must leave untouched)."""
    tables = (m.Project, m.Organisation, m.OrganisationName, m.Participation, m.ProjectLabel, m.FundingSource)
    with engine.connect() as connection:
        return {t.__tablename__: connection.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def table_snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables, for exact before/after comparisons."""
    tables = (m.Project, m.Organisation, m.OrganisationName, m.Participation, m.ProjectLabel, m.FundingSource)
    with engine.connect() as connection:
        return {
            t.__tablename__: sorted(tuple(map(repr, row)) for row in connection.execute(select(t.__table__)))
            for t in tables
        }
