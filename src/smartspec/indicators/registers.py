"""The registers councils keep for goals 4-6: clusters, international network memberships, communication
actions. Each can be added to one row at a time, imported from CSV (one transaction, idempotent: a row with
the same natural key is updated) and exported to CSV in the same format.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from smartspec.errors import InputError, Location, Problem
from smartspec.ingest.limits import DEFAULT_LIMITS, Limits
from smartspec.ingest.readers import read_table
from smartspec.spreadsheet import neutralise, write_xlsx
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.db import retrying
from smartspec.strategy import Strategy


def web_address(text: str | None) -> str | None:
    """An http(s) address of a web page, else a ValueError (a ``javascript:`` or ``data:`` link is never stored)."""
    if text is None:
        return None
    parts = urlsplit(text.strip())
    if parts.scheme.casefold() not in ("http", "https") or not parts.netloc:
        raise ValueError("a web address starting with https:// or http:// is needed")
    return text.strip()


WebAddress = Annotated[str | None, AfterValidator(web_address)]


class ClusterRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    region: str
    areas: list[str] = Field(default_factory=list)
    eccp_profile_url: WebAddress = None
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
    url: WebAddress = None
    reach: int | None = Field(default=None, ge=0)


class Register(ABC):
    """One register: its row model, its CSV columns, how a row is saved by its natural key and read back."""

    name: str
    row: type[BaseModel]
    columns: tuple[str, ...]
    model: type[Any]

    @abstractmethod
    def key(self, row: Any) -> dict[str, Any]:
        """The row's natural key, as column values of the register's table."""

    def find(self, session: Session, row: Any) -> Any:
        """The stored record with the row's natural key, or None."""
        return session.scalars(select(self.model).filter_by(**self.key(row))).first()

    @abstractmethod
    def save(self, session: Session, row: Any) -> tuple[int, str]:
        """Insert or update one row by its natural key; returns (id, 'inserted' or 'updated')."""

    @abstractmethod
    def read(self, session: Session, record: Any) -> BaseModel:
        """A stored record as the register's row model (the import format)."""


class ClusterRegister(Register):
    name, row, model = "cluster", ClusterRow, m.Cluster
    columns = ("name", "region", "areas", "eccp_profile_url", "eccp_fields", "label_level", "label_valid_from",
               "label_valid_until", "members")  # fmt: skip

    def key(self, row: ClusterRow) -> dict[str, Any]:
        return {"name": row.name, "region_code": row.region}

    def save(self, session: Session, row: ClusterRow) -> tuple[int, str]:
        cluster, action = _upsert(session, m.Cluster, self.key(row), {
            "area_codes": row.areas, "eccp_profile_url": row.eccp_profile_url, "eccp_fields": row.eccp_fields,
            "label_level": row.label_level, "label_valid_from": row.label_valid_from,
            "label_valid_until": row.label_valid_until})  # fmt: skip
        session.flush()
        session.execute(delete(m.ClusterMember).where(m.ClusterMember.cluster_id == cluster.id))
        for key in row.members:
            organisation = _organisation(session, key)
            if organisation is None:
                raise ValueError(f"no organisation with PIC or business ID {key!r} (import its projects first)")
            session.add(m.ClusterMember(cluster_id=cluster.id, organisation_id=organisation))
        return cluster.id, action

    def read(self, session: Session, record: m.Cluster) -> ClusterRow:
        members = session.execute(select(m.Organisation.pic, m.Organisation.business_id).join(
            m.ClusterMember, m.ClusterMember.organisation_id == m.Organisation.id).where(
            m.ClusterMember.cluster_id == record.id).order_by(m.ClusterMember.id))  # fmt: skip
        return ClusterRow(name=record.name, region=record.region_code or "", areas=record.area_codes or [],
                          eccp_profile_url=record.eccp_profile_url, eccp_fields=record.eccp_fields or {},
                          label_level=record.label_level, label_valid_from=record.label_valid_from,
                          label_valid_until=record.label_valid_until,
                          members=[pic or bid or "" for pic, bid in members])  # fmt: skip


class NetworkRegister(Register):
    name, row, model = "network", NetworkRow, m.NetworkMembership
    columns = ("network", "region", "role", "year_from", "year_to", "note")

    def key(self, row: NetworkRow) -> dict[str, Any]:
        return {"network_code": row.network, "region_code": row.region, "year_from": row.year_from}

    def save(self, session: Session, row: NetworkRow) -> tuple[int, str]:
        record, action = _upsert(session, m.NetworkMembership, self.key(row),
                                 {"role": row.role, "year_to": row.year_to, "note": row.note})  # fmt: skip
        session.flush()
        return record.id, action

    def read(self, session: Session, record: m.NetworkMembership) -> NetworkRow:
        return NetworkRow(network=record.network_code, region=record.region_code or "", role=record.role,
                          year_from=record.year_from, year_to=record.year_to, note=record.note)  # fmt: skip


class ActionRegister(Register):
    name, row, model = "communication", ActionRow, m.CommunicationAction
    columns = ("region", "kind", "title", "date", "priority", "url", "reach")

    def key(self, row: ActionRow) -> dict[str, Any]:
        return {"title": row.title, "date": row.date, "region_code": row.region}

    def save(self, session: Session, row: ActionRow) -> tuple[int, str]:
        values = {"kind": row.kind, "priority_code": row.priority, "url": row.url, "reach": row.reach}
        record, action = _upsert(session, m.CommunicationAction, self.key(row), values)
        session.flush()
        return record.id, action

    def read(self, session: Session, record: m.CommunicationAction) -> ActionRow:
        assert record.date is not None
        return ActionRow(region=record.region_code or "", kind=record.kind, title=record.title, date=record.date,
                         priority=record.priority_code, url=record.url, reach=record.reach)  # fmt: skip


REGISTERS: dict[str, Register] = {r.name: r for r in (ClusterRegister(), NetworkRegister(), ActionRegister())}


class RegisterEntry(BaseModel):
    id: int
    values: dict[str, Any]


class RegisterList(BaseModel):
    kind: str
    columns: list[str]
    entries: list[RegisterEntry]


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


def get_register(kind: str) -> Register:
    try:
        return REGISTERS[kind]
    except KeyError:
        raise InputError(f"unknown register {kind!r}", hint=f"use {', '.join(REGISTERS)}") from None


# Why the importing user may not write a row of a region (None: they may); built from the accounts policy.
RegionCheck = Callable[[str], str | None]


class Saved(BaseModel):
    kind: str
    id: int
    action: str  # inserted | updated


class ImportedRows(BaseModel):
    kind: str
    inserted: int
    updated: int


def validate(strategy: Strategy, kind: str, values: dict[str, str]) -> BaseModel:
    """One entry's fields as the register's row model, checked against the strategy (InputError if not)."""
    register = get_register(kind)
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
    return row


def _save_logged(session: Session, register: Register, row: BaseModel, who: str, via: str | None,
                 address: str | None) -> tuple[int, str]:  # fmt: skip
    """Save one row and log it with the entry as it was before (None for a new one) and after."""
    found = register.find(session, row)
    before = register.read(session, found).model_dump(mode="json") if found is not None else None
    record_id, action = register.save(session, row)
    session.add(m.AuditLog(actor=who, via=via, address=address, action=f"register.{register.name}.{action}",
                           entity=register.name, entity_id=str(record_id),
                           detail={"before": before, "after": row.model_dump(mode="json"), "via": via}))  # fmt: skip
    return record_id, action


def add(engine: Engine, strategy: Strategy, kind: str, values: dict[str, str], who: str,
        via: str | None = None, address: str | None = None) -> Saved:  # fmt: skip
    """Add one entry, or update the entry with the same natural key; logged with its before and after."""
    register = get_register(kind)
    row = validate(strategy, kind, values)

    def write() -> Saved:
        with session_factory(engine)() as session, session.begin():
            try:
                record_id, action = _save_logged(session, register, row, who, via, address)
            except ValueError as exc:
                raise InputError(str(exc), hint="import the organisation's projects, or leave it out") from exc
        return Saved(kind=kind, id=record_id, action=action)

    return retrying(write)  # a long import can hold the write lock past the busy timeout (store/db.py)


def import_table(engine: Engine, strategy: Strategy, kind: str, path: Path, who: str, via: str | None = None,
                 address: str | None = None, region_check: RegionCheck | None = None, *, name: str | None = None,
                 encoding: str = "utf-8", limits: Limits = DEFAULT_LIMITS) -> ImportedRows:  # fmt: skip
    """Import a register file (CSV, or the first sheet of an XLSX workbook) in one transaction; any bad row stops
    it with file:line and nothing is written. ``region_check`` says why the importing user may not write a row of
    that region (None: they may); ``name`` is the file's name in messages (an upload's, not its temporary path)."""
    register = get_register(kind)
    shown = name or str(path)
    try:
        table = read_table(Path(path), encoding=encoding, limits=limits)
    except InputError as exc:
        raise _renamed(exc, str(path), shown) from exc
    header = table.header
    unknown = [c for c in header if c not in register.columns]
    required = ("name", "region", "network", "title", "date", "kind")
    missing = [c for c in register.columns if c not in header and c in required]
    if unknown or missing:
        problem = f"unknown columns {unknown}" if unknown else f"missing columns {missing}"
        raise InputError(f"{shown} is not a {kind} register file", [Problem(problem, Location(shown, 1))],
                         hint=f"the columns are: {', '.join(register.columns)}")  # fmt: skip
    parsed: list[tuple[int, BaseModel]] = []
    problems: list[Problem] = []
    for line, cells in table.rows:
        raw = dict(zip(header, cells, strict=False))
        try:
            row = parse_row(register, raw)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(map(str, error["loc"]))
                problems.append(Problem(error["msg"], Location(shown, line, field=field)))
            continue
        problems += [Problem(p, Location(shown, line)) for p in _check(row, strategy)]
        refused = region_check(getattr(row, "region", "")) if region_check is not None else None
        if refused is not None:
            problems.append(Problem(refused, Location(shown, line, field="region"),
                                    "leave the row out, or ask an editor of that region or an admin"))  # fmt: skip
        parsed.append((line, row))
    if problems:
        raise InputError(f"{shown}: {len(problems)} problem(s); nothing was imported", problems,
                         hint="correct the rows listed and import again")  # fmt: skip
    counts = {"inserted": 0, "updated": 0}
    with session_factory(engine)() as session, session.begin():
        for line, row in parsed:
            try:
                counts[_save_logged(session, register, row, who, via, address)[1]] += 1
            except ValueError as exc:
                raise InputError(f"{shown}:{line}: {exc}", hint="nothing was imported; correct the row") from exc
        # entity_id holds 100 characters: the end of a long path (its file name) there, the whole of it in detail
        session.add(m.AuditLog(actor=who, via=via, address=address, action=f"register.{kind}.import", entity=kind,
                               entity_id=shown[-100:], detail={**counts, "file": shown, "via": via}))  # fmt: skip
    return ImportedRows(kind=kind, **counts)


def _renamed(error: InputError, path: str, name: str) -> InputError:
    """The reader's error with the file's own name instead of its temporary path."""
    if path == name:
        return error
    problems = [Problem(p.message.replace(path, name), None if p.where is None else
                        dataclasses.replace(p.where, path=p.where.path.replace(path, name)), p.hint)
                for p in error.problems]  # fmt: skip
    return InputError(error.summary.replace(path, name), problems, hint=error.hint)


def entries(session: Session, kind: str) -> RegisterList:
    """Every entry of a register, in the import format, with its id."""
    register = get_register(kind)
    records = session.scalars(select(register.model).order_by(register.model.id))
    return RegisterList(kind=kind, columns=list(register.columns), entries=[
        RegisterEntry(id=record.id, values=register.read(session, record).model_dump(mode="json"))
        for record in records])  # fmt: skip


def cell(value: Any) -> str:
    """A register value as the import CSV (and the editing form) writes it: lists ';'-separated, fields k=v;k=v."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def export_file(session: Session, kind: str, path: Path) -> int:
    """Write a register in its import format, as CSV or (a path ending in .xlsx) a workbook; cells a spreadsheet
    would run as formulas are neutralised. Returns the number of rows."""
    listed = entries(session, kind)
    rows = [[cell(entry.values.get(column)) for column in listed.columns] for entry in listed.entries]
    if path.suffix.casefold() == ".xlsx":
        write_xlsx(path, listed.columns, rows, kind)
        return len(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(listed.columns)
        writer.writerows([neutralise(value) for value in row] for row in rows)
    return len(rows)


def entry(session: Session, kind: str, entry_id: int) -> RegisterEntry:
    """One entry of a register by its id (InputError "there is no …" when it does not exist)."""
    register = get_register(kind)
    record = session.get(register.model, entry_id)
    if record is None:
        raise InputError(f"there is no {kind} {entry_id}", hint=f"see the list of the {kind} register")
    return RegisterEntry(id=record.id, values=register.read(session, record).model_dump(mode="json"))


def update(engine: Engine, strategy: Strategy, kind: str, entry_id: int, values: dict[str, str], who: str,
           via: str | None = None, address: str | None = None) -> Saved:  # fmt: skip
    """Change an entry, its natural key (a cluster's name, …) included; refused when another entry has the new key.
    Logged with its before and after."""
    register = get_register(kind)
    row = validate(strategy, kind, values)

    def write() -> Saved:
        with session_factory(engine)() as session, session.begin():
            record = session.get(register.model, entry_id)
            if record is None:
                raise InputError(f"there is no {kind} {entry_id}", hint=f"see the list of the {kind} register")
            other = register.find(session, row)
            if other is not None and other.id != entry_id:
                raise InputError(f"another {kind} ({other.id}) already has these key fields",
                                 hint=f"edit {kind} {other.id} instead, or choose other values")  # fmt: skip
            before = register.read(session, record).model_dump(mode="json")
            for column, value in register.key(row).items():  # the key first: save() then finds this record
                setattr(record, column, value)
            session.flush()
            try:
                record_id, _ = register.save(session, row)
            except ValueError as exc:
                raise InputError(str(exc), hint="import the organisation's projects, or leave it out") from exc
            after = row.model_dump(mode="json")
            session.add(m.AuditLog(actor=who, via=via, address=address, action=f"register.{kind}.updated",
                                   entity=kind, entity_id=str(record_id),
                                   detail={"before": before, "after": after, "via": via}))  # fmt: skip
        return Saved(kind=kind, id=record_id, action="updated")

    return retrying(write)


def delete_entry(engine: Engine, kind: str, entry_id: int, who: str, via: str | None = None,
                 address: str | None = None) -> RegisterEntry:  # fmt: skip
    """Delete an entry (a cluster's member list with it); logged with what it was. Returns the deleted entry."""
    register = get_register(kind)

    def write() -> RegisterEntry:
        with session_factory(engine)() as session, session.begin():
            record = session.get(register.model, entry_id)
            if record is None:
                raise InputError(f"there is no {kind} {entry_id}", hint=f"see the list of the {kind} register")
            gone = RegisterEntry(id=record.id, values=register.read(session, record).model_dump(mode="json"))
            if isinstance(record, m.Cluster):
                session.execute(delete(m.ClusterMember).where(m.ClusterMember.cluster_id == record.id))
            session.delete(record)
            session.add(m.AuditLog(actor=who, via=via, address=address, action=f"register.{kind}.deleted",
                                   entity=kind, entity_id=str(entry_id),
                                   detail={"before": gone.values, "after": None, "via": via}))  # fmt: skip
        return gone

    return retrying(write)
