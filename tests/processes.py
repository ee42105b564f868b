"""What the crash and concurrency tests share: a large CORDIS participants file, starting the CLI as a process
of its own over a test's store, and telling from outside when that process has opened the store or holds a
write transaction in it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text

SRC = Path(__file__).resolve().parents[1] / "src"
HEADER = ("projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;"
          "country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;"
          "netEcContribution;totalCost;endOfParticipation;active\n")  # fmt: skip


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


def start_cli(db_url: str, *args: str, application: str = "") -> subprocess.Popen[bytes]:
    """`smartspec ARGS` as a process of its own over the store at ``db_url`` (its PostgreSQL sessions named
    ``application``), its stderr kept for the assertion message."""
    environment = {**os.environ, "PYTHONPATH": str(SRC), "SMARTSPEC_DATABASE_URL": db_url,
                   "SMARTSPEC_PROGRESS": "false", "PGAPPNAME": application}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "smartspec.cli.main", *args], env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def has_open(pid: int, path: Path) -> bool:
    """Whether the process holds ``path`` open (Linux /proc)."""
    try:
        return any(link.readlink() == path for link in Path(f"/proc/{pid}/fd").iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def connected(pid: int, engine: Engine, application: str) -> bool:
    """Whether the process has opened the store: the SQLite file among its descriptors, or its PostgreSQL
    session (named by PGAPPNAME) in pg_stat_activity."""
    if engine.dialect.name == "sqlite":
        return has_open(pid, Path(engine.url.database or ""))
    with engine.connect() as connection:
        query = text("select count(*) from pg_stat_activity where application_name = :name")
        return bool(connection.execute(query, {"name": application}).scalar())


def writing(engine: Engine, application: str) -> bool:
    """Whether some process holds an open write transaction in the store: on SQLite another connection cannot
    take the write lock at once; on PostgreSQL the named session's transaction has written (it has an xid)."""
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(engine.url.database or "", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with engine.connect() as connection:
        query = text("select count(*) from pg_stat_activity where application_name = :name "
                     "and backend_xid is not null")  # fmt: skip
        return bool(connection.execute(query, {"name": application}).scalar())
