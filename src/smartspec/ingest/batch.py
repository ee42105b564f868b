"""Running an import: one transaction, an import_batch row, bad rows reported with file:line:column.

A file with bad rows writes nothing unless ``skip_bad_rows`` is set, in which case the good rows are written
and the bad ones are listed in the batch. A failed import leaves the data untouched; the attempt itself is
logged as a batch with status ``failed`` so ``smartspec imports`` shows it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from smartspec.errors import InputError, Problem, SmartspecError
from smartspec.ingest.limits import DEFAULT_LIMITS, Limits
from smartspec.ingest.readers import Table
from smartspec.ingest.records import Records
from smartspec.ingest.result import ImportResult, ProblemInfo
from smartspec.store import models as m
from smartspec.store.bulk import now
from smartspec.store.db import session_factory
from smartspec.strategy import Strategy

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Where long imports report progress (a rich bar on a terminal, log lines otherwise)."""

    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def finish(self) -> None: ...


class QuietProgress:
    def start(self, description: str, total: int | None) -> None:
        log.info("%s (%s rows)", description, total if total is not None else "?")

    def advance(self, amount: int = 1) -> None:
        return None

    def finish(self) -> None:
        return None


@dataclass
class ImportContext:
    """What an importer gets: the session, the records to fill, the strategy and an error list."""

    session: Session
    records: Records
    strategy: Strategy
    batch_id: int
    progress: Progress
    errors: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS

    def reject(self, table: Table, line: int, column: int | None, message: str, hint: str | None = None) -> None:
        self.errors.append(Problem(message, table.where(line, column), hint))

    def rows(self, table: Table, description: str) -> Iterator[tuple[int, list[str]]]:
        """The table's rows, with progress, field-count checks and the read/rejected counters kept."""
        width = len(table.header)
        self.progress.start(description, table.total)
        read = rejected = 0
        try:
            for line, values in table.rows:
                read += 1
                if len(values) != width:
                    rejected += 1
                    self.reject(
                        table, line, None,
                        f"the row has {len(values)} fields, the header has {width}",
                        "a field that contains the delimiter or a line break must be in double quotes",
                    )  # fmt: skip
                    continue
                before = len(self.errors)
                self.records.where = table.where(line, None)
                yield line, values
                self.errors.extend(self.records.take_problems())
                if len(self.errors) > before:
                    rejected += 1
                if read % 5000 == 0:
                    self.progress.advance(5000)
        finally:
            self.records.where = None
            self.progress.advance(read % 5000)
            self.progress.finish()
            self.rows_read += read
            self.rows_rejected += rejected
            self.files.append({"file": table.name, "rows": read, "rejected": rejected})


# Given a project's regions (current NUTS-3 codes of the strategy), why the importing user may not write it, or
# None when they may. The Observatory builds it from the accounts policy (ingest does not decide permissions).
RegionCheck = Callable[[frozenset[str]], str | None]


@dataclass(frozen=True)
class Writer:
    """Who runs an import, for the audit log."""

    name: str
    via: str | None = None
    address: str | None = None


def check_regions(context: ImportContext, check: RegionCheck) -> None:
    """Reject (and forget) every collected project the check refuses, with the file and line it was read from."""
    lookup = context.strategy.nuts_to_region()
    records = context.records
    for key in list(records.projects):
        refused = check(records.regions(key, lookup))
        if refused is None:
            continue
        hint = "leave the row out, or ask an editor of its region or an admin to import it"
        context.errors.append(Problem(f"project {key[1]}: {refused}", records.origins.get(key), hint))
        context.rows_rejected += 1
        records.drop(key)


def file_digest(path: Path) -> str:
    """SHA-256 of a file, or of every file in a folder (names and contents, in name order)."""
    digest = hashlib.sha256()
    files: Iterable[Path] = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _timed() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start


def run_import(
    engine: Engine,
    *,
    source: str,
    path: Path,
    strategy: Strategy,
    work: Callable[[ImportContext], None],
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    options: dict[str, Any] | None = None,
    region_check: RegionCheck | None = None,
    writer: Writer | None = None,
    limits: Limits | None = None,
) -> ImportResult:
    """Run ``work`` in one transaction and record the batch. Raises InputError when nothing was imported."""
    if not path.exists():
        raise InputError(f"{path} does not exist", hint="check the path; folders and zip files both work")
    digest = file_digest(path)
    sessions = session_factory(engine)
    with _timed() as elapsed:
        try:
            with sessions() as session, session.begin():
                batch = m.ImportBatch(source=source, path=str(path), file_sha256=digest, status="running",
                                      details={"options": options or {}})  # fmt: skip
                session.add(batch)
                session.flush()
                # Rows are written in batches as they are read, except when a region check may still drop projects.
                records = Records.for_session(session, None if region_check is not None else batch.id)
                context = ImportContext(session, records, strategy, batch.id,
                                        progress or QuietProgress(), limits=limits or DEFAULT_LIMITS)  # fmt: skip
                work(context)
                context.errors.extend(records.take_problems())  # from importers that read without ``rows``
                records.drop_bad()
                if region_check is not None:
                    check_regions(context, region_check)
                if context.errors and not skip_bad_rows:
                    raise InputError(
                        f"{path}: {len(context.errors)} bad row(s); nothing was imported",
                        context.errors,
                        hint="correct the rows listed, or run again with --skip-bad-rows to import the rest",
                    )
                counts = context.records.save(session, batch.id)
                batch.status = "done"
                batch.finished_at = now()
                batch.duration_s = elapsed()
                batch.rows_read = context.rows_read
                batch.rows_rejected = context.rows_rejected
                batch.rows_inserted = sum(c["inserted"] for c in counts.values())
                batch.rows_updated = sum(c["updated"] for c in counts.values())
                batch.rows_unchanged = sum(c["unchanged"] for c in counts.values())
                batch.errors = [problem.as_dict() for problem in context.errors[:1000]]
                batch.details = {"options": options or {}, "files": context.files, "counts": counts}
                batch_id = batch.id
                if writer is not None:
                    after = {"source": source, "path": str(path), "counts": counts,
                             "rows_rejected": context.rows_rejected}  # fmt: skip
                    session.add(m.AuditLog(actor=writer.name, via=writer.via, address=writer.address, action="import",
                                           entity="import_batch", entity_id=str(batch_id),
                                           detail={"before": None, "after": after}))  # fmt: skip
        except SmartspecError as error:
            _log_failure(engine, source, path, digest, error, elapsed())
            raise
        except Exception as error:
            _log_failure(engine, source, path, digest, InputError(f"{type(error).__name__}: {error}"), elapsed())
            raise
    return ImportResult(batch_id=batch_id, source=source, path=str(path), status="done", rows_read=context.rows_read,
                        rows_rejected=context.rows_rejected, counts=counts, duration_s=batch.duration_s or 0.0,
                        errors=[ProblemInfo.of(problem) for problem in context.errors])  # fmt: skip


def _log_failure(engine: Engine, source: str, path: Path, digest: str, error: SmartspecError, took: float) -> None:
    problems = error.problems or [Problem(error.summary)]
    try:
        with session_factory(engine)() as session, session.begin():
            session.add(
                m.ImportBatch(
                    source=source,
                    path=str(path),
                    file_sha256=digest,
                    status="failed",
                    finished_at=now(),
                    duration_s=took,
                    errors=[problem.as_dict() for problem in problems[:1000]],
                    details={"summary": error.summary},
                )
            )
    except Exception:  # pragma: no cover - logging the failure must never hide the failure itself
        log.exception("could not record the failed import of %s", path)
