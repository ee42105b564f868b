"""Consistent copies of the store: SQLite's online backup API, or pg_dump for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from smartspec.errors import StoreError


def backup(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the database to ``target`` (a SQLite file, or a pg_dump custom archive)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError("an in-memory database cannot be backed up", hint="use a SQLite file")
        if target.resolve() == Path(url.database).resolve():
            raise StoreError("the backup would overwrite the database itself", hint="give another path")
        source = sqlite3.connect(url.database)
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)  # a consistent snapshot even while others read
            finally:
                destination.close()
        finally:
            source.close()
        return target
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise StoreError(
            "pg_dump is not installed",
            hint="install the PostgreSQL client tools (apt install postgresql-client)",
        )
    command = [pg_dump, "--format=custom", f"--file={target}", "--no-owner",
               url.set(drivername="postgresql").render_as_string(hide_password=False)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StoreError(f"pg_dump failed: {result.stderr.strip()}", hint="check the database URL and permissions")
    return target
