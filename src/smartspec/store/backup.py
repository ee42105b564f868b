"""Consistent copies of the store and their restoration: SQLite's online backup API, or pg_dump/pg_restore.

A SQLite backup is one step of the online backup API (``sqlite3.Connection.backup`` with all pages at once),
which reads one consistent snapshot while writers go on in WAL mode. A PostgreSQL backup is a pg_dump custom
archive of the schema in use, taken in one repeatable-read snapshot. ``restore`` checks the copy (SQLite's
``PRAGMA integrity_check``; for an archive, that pg_restore can list it), checks its schema version (an
Alembic revision this smartspec knows: a newer one is refused), refuses to overwrite a database that holds
data unless ``force`` is given, restores, and upgrades an older schema to the newest.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from pydantic import BaseModel
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL

from smartspec.errors import StoreError
from smartspec.store import models as m
from smartspec.store.migrate import alembic_config_for_scripts, current_revision, head_revision, upgrade

# Tables filled by `smartspec init` from the strategy file: a database holding only these is empty of data.
STRATEGY_TABLES = frozenset({"strategy_version", "priority", "area", "topic", "region", "goal", "alembic_version"})
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z_][A-Za-z0-9_$]*)")


class RestoreResult(BaseModel):
    """What ``restore`` did."""

    path: str
    backend: str
    revision: str
    upgraded_to: str | None
    rows: dict[str, int]


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise StoreError("an in-memory database cannot be backed up or restored", hint="use a SQLite file")
    return Path(url.database)


def schema_in_use(url: URL) -> str:
    """The PostgreSQL schema the URL's ``options=-csearch_path=…`` names, or ``public``."""
    options = url.query.get("options")
    found = _SEARCH_PATH.search(options if isinstance(options, str) else " ".join(options or ()))
    return found.group(1) if found else "public"


def current_schema(engine: Engine) -> str:
    """The schema the engine's connections use (create_store_engine moves ``options`` out of the URL)."""
    with engine.connect() as connection:
        return str(connection.execute(select(func.current_schema())).scalar_one())


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StoreError(
            f"{name} is not installed", hint="install the PostgreSQL client tools (apt install postgresql-client)"
        )
    return path


def backup(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the database to ``target`` (a SQLite file, or a pg_dump custom archive)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = _sqlite_file(url)
        if target.resolve() == database.resolve():
            raise StoreError("the backup would overwrite the database itself", hint="give another path")
        source = sqlite3.connect(database)
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)  # all pages in one step: one consistent snapshot while others write
            finally:
                destination.close()
        finally:
            source.close()
        return target
    command = [_tool("pg_dump"), "--format=custom", f"--file={target}", "--no-owner",
               f"--schema={current_schema(engine)}", _libpq_url(url)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StoreError(f"pg_dump failed: {result.stderr.strip()}", hint="check the database URL and permissions")
    return target


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config_for_scripts()).walk_revisions()}


def _check_revision(revision: str | None, path: Path) -> str:
    if revision is None:
        raise StoreError(f"{path} is not a smartspec backup: it has no schema version (alembic_version)",
                         hint="give a file written by `smartspec backup`")  # fmt: skip
    if revision not in known_revisions():
        raise StoreError(
            f"{path} was written by a newer smartspec (schema {revision}; this one knows up to {head_revision()})",
            hint="upgrade smartspec, then restore",
        )
    return revision


def data_rows(engine: Engine) -> dict[str, int]:
    """Rows per table outside the strategy tables (what `restore` will not overwrite without force)."""
    names = set(inspect(engine).get_table_names()) - STRATEGY_TABLES
    tables = [table for table in m.Base.metadata.sorted_tables if table.name in names]
    with engine.connect() as connection:
        return {table.name: connection.scalar(select(func.count()).select_from(table)) or 0 for table in tables}


def _refuse_overwrite(engine: Engine, force: bool) -> None:
    held = {name: count for name, count in data_rows(engine).items() if count}
    if held and not force:
        shown = ", ".join(f"{name} {count:,}" for name, count in sorted(held.items())[:6])
        raise StoreError(
            f"the database {engine.url.render_as_string(hide_password=True)} holds data ({shown}); "
            "restoring would replace it",
            hint="restore into an empty database, or give --force to replace this one (make a backup first)",
        )


def restore(engine: Engine, path: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database's content with the backup at ``path`` (see the module's docstring)."""
    if not path.is_file():
        raise StoreError(f"{path} does not exist", hint="give the file `smartspec backup` wrote")
    url = engine.url
    if url.get_backend_name() == "sqlite":
        revision = _check_sqlite_copy(path)
        _refuse_overwrite(engine, force)
        target = _sqlite_file(url)
        if target.resolve() == path.resolve():
            raise StoreError("the backup is the database itself", hint="give another path")
        engine.dispose()  # no pooled connection may hold the file while its pages are replaced
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    else:
        schema = current_schema(engine)
        revision = _check_archive(path, schema)
        _refuse_overwrite(engine, force)
        engine.dispose()
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                   "--exit-on-error", f"--schema={schema}", f"--dbname={_libpq_url(url)}", str(path)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise StoreError(f"pg_restore failed, the database is unchanged: {result.stderr.strip()}",
                             hint="check the database URL and that its user may create tables")  # fmt: skip
    upgraded = None
    if current_revision(engine) != head_revision():
        upgraded = upgrade(engine)[1]
    return RestoreResult(path=str(path), backend=url.get_backend_name(), revision=revision, upgraded_to=upgraded,
                         rows=data_rows(engine))  # fmt: skip


def _check_sqlite_copy(path: Path) -> str:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise StoreError(f"{path} is damaged: {'; '.join(problems[:5])}",
                                 hint="restore an older backup; this one fails SQLite's integrity check")  # fmt: skip
            has_version = connection.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'alembic_version'"
            ).fetchone()
            row = connection.execute("select version_num from alembic_version").fetchone() if has_version else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is not a SQLite database: {exc}", hint="give a file written by `smartspec backup`"
        ) from exc
    return _check_revision(row[0] if row else None, path)


def _check_archive(path: Path, schema: str) -> str:
    listing = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise StoreError(f"{path} is not a readable pg_dump archive: {listing.stderr.strip()}",
                         hint="give a file written by `smartspec backup` on PostgreSQL")  # fmt: skip
    schemas = set(re.findall(r"^\d+; \d+ \d+ TABLE (\S+) ", listing.stdout, flags=re.MULTILINE))
    if schemas and schema not in schemas:
        raise StoreError(
            f"{path} holds schema {', '.join(sorted(schemas))}, the database URL uses schema {schema}",
            hint=f"restore into a database whose URL uses that schema (?options=-csearch_path%3D{min(schemas)})",
        )
    data = subprocess.run([_tool("pg_restore"), "--data-only", f"--schema={schema}", "--table=alembic_version",
                           "--file=-", str(path)], capture_output=True, text=True, check=False)  # fmt: skip
    found = re.search(r"COPY \S*alembic_version \(version_num\) FROM stdin;\n([^\n\\]+)\n", data.stdout)
    return _check_revision(found.group(1).strip() if found else None, path)
