"""An import killed with SIGKILL at random moments leaves the store exactly as before or exactly as after, and the
next import completes."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from conftest import table_snapshot
from helpers import cordis_zip
from processes import cordis_participants, has_open, start_cli
from smartspec.ingest import import_path
from smartspec.strategy import Strategy

pytestmark = [pytest.mark.crash, pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")]

KILLS = 3
ROWS = 24_000  # more than one batch of 20,000 rows written inside the import's one transaction


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cordis_participants(tmp_path_factory.mktemp("crash") / "organization.csv", ROWS)


@pytest.mark.parametrize("kill", range(KILLS))
def test_sigkill_during_import_leaves_before_or_after(
    engine: Engine, db_url: str, strategy: Strategy, tmp_path: Path, big_file: Path, kill: int
) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "good.zip"), strategy)  # a store with data in it
    before = table_snapshot(engine)
    process = start_cli(db_url, "import", "cordis", str(big_file))
    deadline = time.monotonic() + 60
    while not has_open(process.pid, big_file) and process.poll() is None and time.monotonic() < deadline:
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
