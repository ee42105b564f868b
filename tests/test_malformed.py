"""The malformed-file corpus: every bad file gets its clear error, and the database stays exactly as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select

from conftest import table_snapshot
from helpers import FIXTURES, cordis_zip
from smartspec.errors import InputError
from smartspec.ingest import import_path
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

CORPUS = FIXTURES / "malformed"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


def test_the_corpus_is_complete() -> None:
    files = {path.name for path in CORPUS.iterdir() if path.suffix in (".csv", ".zip", ".gz", ".xlsx")}
    assert {case["file"] for case in CASES} == files
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_malformed_file(engine: Engine, strategy: Strategy, tmp_path: Path, case: dict[str, Any]) -> None:
    import_path(engine, "cordis", cordis_zip(tmp_path / "good.zip"), strategy)  # a store with data in it
    before = table_snapshot(engine)
    options: dict[str, Any] = {"mapping": CORPUS / "mapping.yaml"} if case["source"] == "csv" else {}
    with pytest.raises(InputError) as caught:
        import_path(engine, case["source"], CORPUS / case["file"], strategy, **options)
    error = caught.value
    assert case["expect"] in str(error)
    assert error.hint or any(problem.hint for problem in error.problems), "every error says how to fix it"
    if "line" in case or "field" in case:
        located = [p for p in error.problems if p.where and case["expect"].split(" (")[0] in str(p)]
        assert located, str(error)
        where = located[0].where
        assert where is not None
        assert where.path.endswith(case["file"])
        if "line" in case:
            assert where.line == case["line"]
        if "field" in case:
            assert where.field == case["field"]
    assert table_snapshot(engine) == before
    with session_factory(engine)() as session:
        last = session.scalars(select(m.ImportBatch).order_by(m.ImportBatch.id.desc())).first()
        assert last is not None and last.status == "failed" and last.errors
