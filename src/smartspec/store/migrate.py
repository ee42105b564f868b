"""Creating and upgrading the store with Alembic, and loading the strategy into it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from smartspec.errors import StoreError
from smartspec.store import models as m
from smartspec.strategy import Strategy

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration this smartspec ships. Read once: Alembic loads every migration script to find it (13 ms,
    a third of a web search when every read checked it), and the package's scripts do not change while it runs."""
    script = ScriptDirectory.from_config(alembic_config_for_scripts())
    head = script.get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise StoreError("no migrations found in the smartspec package")
    return head


def alembic_config_for_scripts() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the database to the newest schema (or to ``revision``). Returns (revision before, revision after)."""
    try:
        before = current_revision(engine)
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the database {engine.url.render_as_string(hide_password=True)}",
            hint="check SMARTSPEC_DATABASE_URL or --db; for PostgreSQL, that the server runs and the database exists",
        ) from exc
    return before, head_revision() if revision == "head" else revision


def ensure_current(engine: Engine) -> None:
    """Fail with a clear message when the database is missing or older than this smartspec.

    Every read of the facade asks, so the usual answer comes from one plain query on the version table (Alembic's
    own check inspects the database first: several times the cost, a tenth of a cached web answer); only when that
    fails does Alembic look, to say what is wrong."""
    try:
        with engine.connect() as connection:
            if connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]:
                return
    except DBAPIError:
        pass  # no version table, or no database: Alembic's check below says which
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the database {engine.url.render_as_string(hide_password=True)}",
            hint="check SMARTSPEC_DATABASE_URL or --db",
        ) from exc
    if revision is None:
        raise StoreError(
            f"the database {engine.url.render_as_string(hide_password=True)} has not been set up",
            hint="run `smartspec init` first",
        )
    if revision != head_revision():
        raise StoreError(
            f"the database is at schema {revision}, this smartspec needs {head_revision()}",
            hint="run `smartspec init` to upgrade it (make a `smartspec backup` first)",
        )


def strategy_sha256(strategy: Strategy) -> str:
    return hashlib.sha256(strategy.model_dump_json().encode()).hexdigest()


def sync_strategy(session: Session, strategy: Strategy) -> m.StrategyVersion:
    """Store the strategy's codes and labels (replacing an earlier load of the same strategy code)."""
    digest = strategy_sha256(strategy)
    version = session.scalar(select(m.StrategyVersion).where(m.StrategyVersion.code == strategy.code))
    if version is not None and version.file_sha256 == digest:
        return version
    if version is None:
        version = m.StrategyVersion(code=strategy.code)
        session.add(version)
    version.title_fi, version.title_en = strategy.title.fi, strategy.title.en
    version.valid_from, version.file_sha256 = strategy.valid_from, digest
    session.flush()
    for table in (m.Topic, m.Area, m.Priority, m.Region, m.Goal):
        session.execute(delete(table).where(table.strategy_id == version.id))
    for p_pos, priority in enumerate(strategy.priorities):
        p_row = m.Priority(
            strategy_id=version.id, code=priority.code, position=p_pos,
            label_fi=priority.label.fi, label_en=priority.label.en,
            goal_fi=priority.goal.fi, goal_en=priority.goal.en,
        )  # fmt: skip
        session.add(p_row)
        session.flush()
        for a_pos, area in enumerate(priority.areas):
            a_row = m.Area(
                strategy_id=version.id, priority_id=p_row.id, code=area.code, position=a_pos,
                label_fi=area.label.fi, label_en=area.label.en,
                description_fi=area.description.fi, description_en=area.description.en,
            )  # fmt: skip
            session.add(a_row)
            session.flush()
            session.add_all(
                m.Topic(
                    strategy_id=version.id,
                    area_id=a_row.id,
                    code=topic.code,
                    position=t_pos,
                    label_fi=topic.label.fi,
                    label_en=topic.label.en,
                )
                for t_pos, topic in enumerate(area.topics)
            )
    session.add_all(
        m.Region(
            strategy_id=version.id,
            code=region.code,
            maakunta=region.maakunta,
            position=pos,
            name_fi=region.name.fi,
            name_sv=region.name.sv,
            name_en=region.name.en,
        )
        for pos, region in enumerate(strategy.regions)
    )
    session.add_all(
        m.Goal(strategy_id=version.id, code=goal.code, label_fi=goal.label.fi, label_en=goal.label.en)
        for goal in strategy.goals
    )
    session.flush()
    return version
