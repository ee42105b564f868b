"""The audit log: one row per change (who, via, address, what record, before and after), read and exported."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.accounts.models import Actor, AuditEntry
from smartspec.spreadsheet import neutralise
from smartspec.store import models as m

COLUMNS = ("id", "at", "actor", "via", "address", "action", "entity", "entity_id", "before", "after", "detail")
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection, OWASP): quote it.


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: object, *, before: Any = None,
           after: Any = None, **extra: Any) -> None:  # fmt: skip
    """Add one entry to the session's transaction (written with the change, or not at all)."""
    detail: dict[str, Any] = {"before": before, "after": after, **extra}
    if actor.user is not None and actor.user.token_id is not None:
        detail["token_id"] = actor.user.token_id
    session.add(m.AuditLog(actor=actor.name, via=actor.via, address=actor.address, action=action, entity=entity,
                           entity_id=None if entity_id is None else str(entity_id), detail=detail))  # fmt: skip


def entries(session: Session, limit: int = 50, entity: str | None = None) -> list[AuditEntry]:
    """The newest entries first (``limit`` 0: all), optionally of one kind of record."""
    query = select(m.AuditLog).order_by(m.AuditLog.id.desc())
    if entity:
        query = query.where(m.AuditLog.entity == entity)
    if limit:
        query = query.limit(limit)
    return [_entry(row) for row in session.scalars(query)]


def _entry(row: m.AuditLog) -> AuditEntry:
    detail = dict(row.detail or {})
    before, after = detail.pop("before", None), detail.pop("after", None)
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
    return AuditEntry(id=row.id, at=at, actor=row.actor, via=row.via, address=row.address, action=row.action,
                      entity=row.entity, entity_id=row.entity_id, before=before, after=after,
                      detail=detail)  # fmt: skip


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text: JSON for structures, a leading ' before formula characters."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.datetime) else value
    if not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False, sort_keys=True, default=str)
    return neutralise(text)


def export_csv(session: Session, path: Path) -> int:
    """Every entry, oldest first, as UTF-8 CSV; returns the number of rows."""
    rows = list(reversed(entries(session, 0)))
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for entry in rows:
            values = entry.model_dump()
            writer.writerow([safe_cell(values[column]) for column in COLUMNS])
    return len(rows)
