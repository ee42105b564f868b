"""`smartspec indicators` and `smartspec classify run` killed with SIGKILL at random moments, and while their write
transaction is open, leave the store's values and labels exactly as before or exactly as after (never a part), and
the next run completes to what an uninterrupted run gives."""

from __future__ import annotations

import csv
import json
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from processes import SRC, connected, cordis_participants, start_cli, writing
from smartspec import Observatory
from smartspec.ingest import import_path
from smartspec.store import models as m
from smartspec.strategy import Strategy

pytestmark = [pytest.mark.crash, pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")]


def _kill(engine: Engine, application: str, process: subprocess.Popen[bytes], when: str, chance: random.Random,
          latest_s: float) -> int:  # fmt: skip
    """Wait until the process has opened the store, then kill it ``when``: "random" (0 to ``latest_s`` later) or
    "writing" (as soon as its write transaction is seen open; at the end if it never is). Its exit status."""
    deadline = time.monotonic() + 60
    while not connected(process.pid, engine, application) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    if when == "random":
        time.sleep(chance.uniform(0.0, latest_s))
    else:
        while process.poll() is None and not writing(engine, application):
            assert time.monotonic() < deadline
            time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGKILL), stderr.decode()
    return process.returncode


# Indicators ---------------------------------------------------------------------------------------------------------

ROWS = 12_000


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Participants with their projects (started in 2023, so the year's indicators have work to do)."""
    folder = tmp_path_factory.mktemp("crash_folder")
    cordis_participants(folder / "organization.csv", ROWS)
    lines = ["id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;frameworkProgramme\n"]
    for n in range(ROWS // 6):
        lines.append(f"{101_200_000 + n};ACR{n};SIGNED;Project {n} on hydrogen and wood;2023-{1 + n % 12:02d}-01;"
                     f"2026-12-31;{100_000 + n};{90_000 + n};HORIZON.2.5;HORIZON\n")  # fmt: skip
    (folder / "project.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def _indicator_rows(engine: Engine) -> list[tuple[Any, ...]]:
    table = m.IndicatorValue
    query = select(table.indicator, table.region_code, table.area_code, table.year, table.value, table.record_ids)
    with engine.connect() as connection:
        return sorted(tuple(map(repr, row)) for row in connection.execute(query))


@pytest.mark.parametrize("when", ["random", "writing"])
def test_sigkill_during_indicators_leaves_before_or_after(
    engine: Engine, db_url: str, strategy: Strategy, big_folder: Path, when: str
) -> None:
    from smartspec.config import Settings
    from smartspec.indicators.reference import load_reference
    from smartspec.indicators.service import compute_and_store

    reference = load_reference(strategy, Settings().data_dir)  # what the CLI run below reads too
    compute_and_store(engine, strategy, [2023], reference)  # values of an empty store
    import_path(engine, "cordis", big_folder, strategy)  # then data arrives
    before = _indicator_rows(engine)
    application = f"kill-{uuid.uuid4().hex[:8]}"
    process = start_cli(db_url, "indicators", "--year", "2023", application=application)
    # Connected, the CLI loads facts, computes (0.2 s here), commits, prints: 1-2.5 s on this machine.
    code = _kill(engine, application, process, when, random.Random(100), latest_s=3.0)
    killed = _indicator_rows(engine)
    compute_and_store(engine, strategy, [2023], reference)  # the next run completes
    after = _indicator_rows(engine)
    assert after != before
    assert killed in (before, after)
    print(f"indicators kill ({when}): {'after' if killed == after else 'before'} (exit {code})")


# Classification -----------------------------------------------------------------------------------------------------

GOLD = SRC / "smartspec" / "classify" / "data" / "gold-dev.csv"
CLASSIFIED = 600  # projects: more than one chunk of 500 classified before the run's one write transaction


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


def test_sigkill_during_classify_run_leaves_all_labels_before_or_after(
    engine: Engine, db_url: str, strategy: Strategy, gold_folder: Path, install_model: Callable[[Engine], None]
) -> None:
    """`smartspec classify run` is all or nothing: killed while it loads and classifies, while its one write
    transaction is open, or at a random moment, the store holds no label of the run or all of them (projects
    and the organisations' aggregate), and the next run completes to exactly what an uninterrupted run gives."""
    import_path(engine, "cordis", gold_folder, strategy)
    install_model(engine)
    with Observatory(engine=engine) as obs:
        obs.classify()  # an uninterrupted run, for the "after" state
        after = _labels(engine)
        assert sum(key[0] == "project" for key in after) == CLASSIFIED
        assert any(key[0] == "organisation" for key in after)
        for kill, when in enumerate(("random", "writing", "random")):
            with engine.begin() as connection:
                connection.execute(delete(m.Classification))  # the "before" state: nothing classified
            application = f"kill-{uuid.uuid4().hex[:8]}"
            process = start_cli(db_url, "classify", "run", application=application)
            code = _kill(engine, application, process, when, random.Random(200 + kill), latest_s=4.0)
            killed = _labels(engine)
            assert killed in ({}, after)
            obs.classify()  # the next run completes
            assert _labels(engine) == after
            print(f"classify kill {kill} ({when}): {'after' if killed else 'before'} (exit {code})")
