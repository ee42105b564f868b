"""Shared fixtures: one database fixture parametrised over SQLite and PostgreSQL, the trained model, the clock.

Expensive work is done once per session and shared: the store is migrated once into a template that each test
copies (a file copy for SQLite, CREATE DATABASE … TEMPLATE for PostgreSQL), and the classifier is trained once and
installed into the stores that need it.

PostgreSQL is at SMARTSPEC_TEST_POSTGRES_URL (default: postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test gets its own database there. When the server is unreachable the PostgreSQL cases skip with a
visible reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import pickle
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from smartspec import Observatory
from smartspec.accounts import passwords
from smartspec.store import create_store_engine, session_factory, sync_strategy, transaction, upgrade
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


SHIPPED_HASHER = passwords._hasher  # the hasher smartspec ships, before the suite swaps it for a cheap one


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id with its cheapest parameters while testing: with the shipped ones (RFC 9106, t=3, 64 MiB, p=4) each
    hash and each login costs 0.16 s here, and the suite makes hundreds. tests/test_accounts.py checks the shipped
    parameters (``SHIPPED_HASHER``). Servers the tests start in this process (threads) use the cheap ones too."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", lambda: cheap)
        yield


@pytest.fixture(scope="session")
def strategy() -> Strategy:
    return load_strategy()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, strategy: Strategy) -> Path:
    """A SQLite store migrated once per session, with the strategy loaded; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _prepare(f"sqlite:///{path}", strategy)
    return path


@pytest.fixture(scope="session")
def postgres_template(strategy: Strategy) -> Iterator[str]:
    """A PostgreSQL database migrated once per session; each test gets a database created from it (TEMPLATE)."""
    postgres_or_skip()
    name = f"smartspec_tmpl_{uuid.uuid4().hex[:10]}"
    _admin(f"CREATE DATABASE {name}")
    _prepare(_database_url(name), strategy)
    yield name
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _prepare(url: str, strategy: Strategy) -> None:
    store = create_store_engine(url)
    upgrade(store)
    with transaction(store) as session:
        sync_strategy(session, strategy)
    store.dispose()


def _database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _admin(statement: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a store at the newest schema with the strategy loaded (a copy of the session's template): a SQLite
    file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _database_url(name)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, not migrated (restores, upgrades from old schemas): a new SQLite file, or a
    new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    postgres_or_skip()
    name = f"e_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name}")
    yield _database_url(name)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The store of ``db_url``."""
    store = create_store_engine(db_url)
    yield store
    store.dispose()


@pytest.fixture
def imported(engine: Engine, tmp_path: Path) -> Engine:
    """The store with the fixture CORDIS zip and EURA list imported through the facade."""
    from helpers import cordis_zip

    obs = Observatory(engine=engine)
    obs.import_file("cordis", cordis_zip(tmp_path / "c.zip"))
    obs.import_file("eura", FIXTURES / "eura" / "eura2014.csv")
    return engine


@pytest.fixture(scope="session")
def trained_model(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The classifier, trained once per test run on the shipped examples (as `smartspec classify train` does);
    ``install_model`` copies it into a test's store, where `train` then finds it and reuses it.

    With pytest-xdist every worker has its own session: the first to get here trains and leaves the model in the
    run's shared temporary folder, under a file lock; the others load it."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else \
        tmp_path_factory.getbasetemp()  # fmt: skip
    saved = shared / "trained-model.pickle"
    with (shared / "trained-model.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if saved.exists():
            loaded: dict[str, Any] = pickle.loads(saved.read_bytes())  # written by this test run, just now
            return loaded
        path = tmp_path_factory.mktemp("trained") / "trained.db"
        shutil.copyfile(sqlite_template, path)
        with Observatory(f"sqlite:///{path}") as obs:
            # the fixture records, as ``imported`` holds them: gold ids that name them bring their metadata, which
            # is part of the model's version, so a store with the same records reuses this model
            from helpers import cordis_zip

            obs.import_file("cordis", cordis_zip(path.parent / "c.zip"))
            obs.import_file("eura", FIXTURES / "eura" / "eura2014.csv")
            result = obs.train()
            assert result.trained
            with session_factory(obs.engine)() as session:
                row = session.scalars(select(m.ClassifierModel)).one()
                columns = ("version", "config", "training", "blob", "created_at")
                model = {column: getattr(row, column) for column in columns}
        saved.write_bytes(pickle.dumps(model))
        return model


@pytest.fixture
def install_model(trained_model: dict[str, Any]) -> Callable[[Engine], None]:
    def install(engine: Engine) -> None:
        with transaction(engine) as session:
            strategy_id = session.scalars(select(m.StrategyVersion.id)).one()
            session.add(m.ClassifierModel(strategy_id=strategy_id, **trained_model))

    return install


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    """The clock at 1 June 2026, so that what depends on today (the demo's report year) does not change."""
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=True):
        yield dt.date(2026, 6, 1)


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


# The web observatory ------------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def web_db(sqlite_template: Path, trained_model: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small observatory for the pages: the fixture projects, classified, with indicators for 2022-2025."""
    from helpers import cordis_zip

    folder = tmp_path_factory.mktemp("web")
    path = folder / "web.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    with Observatory(url) as obs:
        obs.import_file("cordis", cordis_zip(folder / "c.zip"))
        obs.import_file("eura", FIXTURES / "eura" / "eura2014.csv")
        with transaction(obs.engine) as session:
            session.add(m.ClassifierModel(strategy_id=session.scalars(select(m.StrategyVersion.id)).one(),
                                          **trained_model))  # fmt: skip
        obs.classify()
        obs.compute_indicators([2015, 2016, 2022, 2023, 2024, 2025])
    return url


@contextmanager
def serve(database_url: str, **settings: Any) -> Iterator[str]:
    """A web observatory over ``database_url`` served by uvicorn on a free loopback port; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from smartspec.config import Settings
    from smartspec.web import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(database_url=database_url, **settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(web_db: str) -> Iterator[str]:
    """The web observatory served by uvicorn on a free loopback port, for the browser tests."""
    with serve(web_db) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (its own browser download does not work offline)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (make installs it from Debian)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
    opened = context.new_page()
    yield opened
    context.close()
