"""The registers councils keep for goals 4-6: clusters, international network memberships, communication
actions. Each can be added to one row at a time, imported from CSV (one transaction, idempotent: a row with
the same natural key is updated) and exported to CSV in the same format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from smartspec.errors import InputError, Location, Problem
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy


class ClusterRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    region: str
    areas: list[str] = Field(default_factory=list)
    eccp_profile_url: str | None = None
    eccp_fields: dict[str, Any] = Field(default_factory=dict)
    label_level: str | None = Field(default=None, pattern=r"^(bronze|silver|gold)$")
    label_valid_from: dt.date | None = None
    label_valid_until: dt.date | None = None
    members: list[str] = Field(default_factory=list, description="PICs or Finnish business IDs")


class NetworkRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    network: str
    region: str
    role: str | None = None
    year_from: int | None = Field(default=None, ge=1990, le=2100)
    year_to: int | None = Field(default=None, ge=1990, le=2100)
    note: str | None = None


class ActionRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str
    kind: str = Field(pattern=r"^(event|publication|news|other)$")
    title: str = Field(min_length=1)
    date: dt.date
    priority: str | None = None
    url: str | None = None
    reach: int | None = Field(default=None, ge=0)


@dataclass(frozen=True)
class Register:
    name: str
    row: type[BaseModel]
    columns: tuple[str, ...]


REGISTERS = {
    "cluster": Register(
        "cluster",
        ClusterRow,
        (
            "name",
            "region",
            "areas",
            "eccp_profile_url",
            "eccp_fields",
            "label_level",
            "label_valid_from",
            "label_valid_until",
            "members",
        ),
    ),
    "network": Register("network", NetworkRow, ("network", "region", "role", "year_from", "year_to", "note")),
    "communication": Register(
        "communication", ActionRow, ("region", "kind", "title", "date", "priority", "url", "reach")
    ),
}


def parse_row(register: Register, raw: dict[str, str]) -> BaseModel:
    """A CSV row (text cells) as the register's row model; lists are ';'-separated, eccp_fields is k=v;k=v."""
    values: dict[str, Any] = {}
    for key, text in raw.items():
        text = (text or "").strip()
        if key in ("areas", "members"):
            values[key] = [part.strip() for part in text.split(";") if part.strip()]
        elif key == "eccp_fields":
            pairs = [part.split("=", 1) for part in text.split(";") if "=" in part]
            values[key] = {k.strip(): v.strip() for k, v in pairs}
        elif text:
            values[key] = text
    return register.row.model_validate(values)


def _check(row: BaseModel, strategy: Strategy) -> list[str]:
    problems = []
    region = getattr(row, "region", None)
    if region and strategy.region(region) is None:
        problems.append(f"region {region!r} is not a region of {strategy.code}")
    for area in getattr(row, "areas", []) or []:
        if area not in strategy.area_codes():
            problems.append(f"{area!r} is not a competence area")
    network = getattr(row, "network", None)
    if network and network not in {n.code for n in strategy.networks}:
        problems.append(
            f"network {network!r} is not one the strategy names ({', '.join(n.code for n in strategy.networks)})"
        )
    priority = getattr(row, "priority", None)
    if priority and priority not in {p.code for p in strategy.priorities}:
        problems.append(f"priority {priority!r} is not I, II or III")
    return problems


def _organisation(session: Session, key: str) -> int | None:
    query = select(m.Organisation.id).where((m.Organisation.pic == key) | (m.Organisation.business_id == key))
    return session.scalars(query).first()


def _upsert(session: Session, model: type[Any], key: dict[str, Any], values: dict[str, Any]) -> tuple[Any, str]:
    """The row of ``model`` with this natural key, created if missing, with ``values`` set."""
    found = session.scalars(select(model).filter_by(**key)).first()
    record = found or model(**key)
    for name, value in values.items():
        setattr(record, name, value)
    session.add(record)
    return record, "updated" if found else "inserted"


def _save(session: Session, register: Register, row: BaseModel) -> str:
    """Insert or update one row by its natural key; returns 'inserted' or 'updated'."""
    if isinstance(row, ClusterRow):
        cluster, action = _upsert(session, m.Cluster, {"name": row.name, "region_code": row.region}, {
            "area_codes": row.areas, "eccp_profile_url": row.eccp_profile_url, "eccp_fields": row.eccp_fields,
            "label_level": row.label_level, "label_valid_from": row.label_valid_from,
            "label_valid_until": row.label_valid_until})  # fmt: skip
        session.flush()
        session.query(m.ClusterMember).filter(m.ClusterMember.cluster_id == cluster.id).delete()
        for key in row.members:
            organisation = _organisation(session, key)
            if organisation is None:
                raise ValueError(f"no organisation with PIC or business ID {key!r} (import its projects first)")
            session.add(m.ClusterMember(cluster_id=cluster.id, organisation_id=organisation))
        return action
    if isinstance(row, NetworkRow):
        return _upsert(session, m.NetworkMembership,
                       {"network_code": row.network, "region_code": row.region, "year_from": row.year_from},
                       {"role": row.role, "year_to": row.year_to, "note": row.note})[1]  # fmt: skip
    assert isinstance(row, ActionRow)
    values = {"kind": row.kind, "priority_code": row.priority, "url": row.url, "reach": row.reach}
    return _upsert(session, m.CommunicationAction,
                   {"title": row.title, "date": row.date, "region_code": row.region}, values)[1]  # fmt: skip


def add(engine: Engine, strategy: Strategy, kind: str, values: dict[str, str], who: str = "cli") -> str:
    register = REGISTERS[kind]
    try:
        row = parse_row(register, values)
    except ValidationError as exc:
        raise InputError(
            f"the {kind} is not valid",
            [Problem(f"{'.'.join(map(str, e['loc']))}: {e['msg']}") for e in exc.errors()],
            hint=f"fields: {', '.join(register.columns)}",
        ) from exc
    problems = _check(row, strategy)
    if problems:
        raise InputError(f"the {kind} is not valid", [Problem(p) for p in problems])
    with session_factory(engine)() as session, session.begin():
        try:
            result = _save(session, register, row)
        except ValueError as exc:
            raise InputError(str(exc), hint="import the organisation's projects, or leave it out") from exc
        session.add(
            m.AuditLog(
                actor=who,
                action=f"register.{kind}.{result}",
                entity=kind,
                entity_id=None,
                detail=row.model_dump(mode="json"),
            )
        )
    return result


def import_csv(engine: Engine, strategy: Strategy, kind: str, path: Path, who: str = "cli") -> dict[str, int]:
    """Import a register CSV in one transaction; any bad row stops it with file:line and nothing is written."""
    register = REGISTERS[kind]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist", hint="check the path") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8", hint="save it as UTF-8 (Excel: CSV UTF-8)") from exc
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    unknown = [c for c in reader.fieldnames or [] if c not in register.columns]
    missing = [
        c
        for c in register.columns
        if c not in (reader.fieldnames or []) and c in ("name", "region", "network", "title", "date", "kind")
    ]
    if unknown or missing:
        raise InputError(
            f"{path} is not a {kind} register file",
            [
                Problem(
                    f"unknown columns {unknown}" if unknown else f"missing columns {missing}", Location(str(path), 1)
                )
            ],
            hint=f"the columns are: {', '.join(register.columns)}",
        )
    parsed: list[tuple[int, BaseModel]] = []
    problems: list[Problem] = []
    for raw in reader:
        line = reader.line_num
        try:
            row = parse_row(register, raw)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(map(str, error["loc"]))
                problems.append(Problem(error["msg"], Location(str(path), line, field=field)))
            continue
        problems += [Problem(p, Location(str(path), line)) for p in _check(row, strategy)]
        parsed.append((line, row))
    if problems:
        raise InputError(
            f"{path}: {len(problems)} problem(s); nothing was imported",
            problems,
            hint="correct the rows listed and import again",
        )
    counts = {"inserted": 0, "updated": 0}
    with session_factory(engine)() as session, session.begin():
        for line, row in parsed:
            try:
                counts[_save(session, register, row)] += 1
            except ValueError as exc:
                raise InputError(f"{path}:{line}: {exc}", hint="nothing was imported; correct the row") from exc
        session.add(
            m.AuditLog(actor=who, action=f"register.{kind}.import", entity=kind, entity_id=str(path), detail=counts)
        )
    return counts


def export_csv(engine: Engine, kind: str, path: Path) -> int:
    register = REGISTERS[kind]
    rows: list[dict[str, Any]] = []
    with session_factory(engine)() as session:
        if kind == "cluster":
            pics: dict[int, list[str]] = {}
            for cluster_id, pic, bid in session.execute(
                select(m.ClusterMember.cluster_id, m.Organisation.pic, m.Organisation.business_id).join(
                    m.Organisation, m.Organisation.id == m.ClusterMember.organisation_id
                )
            ):
                pics.setdefault(cluster_id, []).append(pic or bid or "")
            for c in session.scalars(select(m.Cluster).order_by(m.Cluster.id)):
                rows.append(
                    {
                        "name": c.name,
                        "region": c.region_code,
                        "areas": ";".join(c.area_codes or []),
                        "eccp_profile_url": c.eccp_profile_url or "",
                        "eccp_fields": ";".join(f"{k}={v}" for k, v in (c.eccp_fields or {}).items()),
                        "label_level": c.label_level or "",
                        "label_valid_from": c.label_valid_from or "",
                        "label_valid_until": c.label_valid_until or "",
                        "members": ";".join(pics.get(c.id, [])),
                    }
                )
        elif kind == "network":
            for n in session.scalars(select(m.NetworkMembership).order_by(m.NetworkMembership.id)):
                rows.append(
                    {
                        "network": n.network_code,
                        "region": n.region_code,
                        "role": n.role or "",
                        "year_from": n.year_from or "",
                        "year_to": n.year_to or "",
                        "note": n.note or "",
                    }
                )
        else:
            for a in session.scalars(select(m.CommunicationAction).order_by(m.CommunicationAction.id)):
                rows.append(
                    {
                        "region": a.region_code,
                        "kind": a.kind,
                        "title": a.title,
                        "date": a.date or "",
                        "priority": a.priority_code or "",
                        "url": a.url or "",
                        "reach": a.reach if a.reach is not None else "",
                    }
                )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(register.columns))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
