"""Read-only lists for the API beside the profiles (``store/profiles.py``): a project's classification rows, pages
of organisations with their project counts and funding, and pages of the import log. Nothing here writes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from smartspec.errors import InputError, NotFoundError
from smartspec.money import Money, eur
from smartspec.store import models as m
from smartspec.store.queries import ImportBatchInfo, UtcDateTime, strategy_id
from smartspec.strategy import Strategy

OrgType = Literal["PRC", "HES", "REC", "PUB", "OTH"]


class Label(BaseModel):
    """One classification row of a record (the model's, a reviewer's or an aggregate)."""

    code: str
    kind: Literal["area", "topic", "none"]
    score: float | None
    method: str
    status: str
    model_version: str | None
    decided_by: str | None
    decided_at: UtcDateTime | None


class OrganisationSummary(BaseModel):
    id: int
    name: str
    org_type: str | None
    country: str | None
    nuts_code: str | None
    region: str | None
    projects: int
    ec_contribution: Money = Field(description="the EU contribution of all its participations, EUR")
    public_funding: Money = Field(description="the public funding of all its participations, EUR")


class OrganisationPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[OrganisationSummary]


class ImportPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[ImportBatchInfo]


def _kind(code: str) -> Literal["area", "topic", "none"]:
    return "none" if code == "none" else "area" if code.count(".") == 1 else "topic"


def _labels(session: Session, sid: int, record_type: str, record_id: int) -> list[Label]:
    c = m.Classification
    query = select(c).where(c.strategy_id == sid, c.record_type == record_type, c.record_id == record_id)
    return [Label(code=row.code, kind=_kind(row.code), score=row.score, method=row.method, status=row.status,
                  model_version=row.model_version, decided_by=row.decided_by, decided_at=row.decided_at)
            for row in session.scalars(query.order_by(c.code, c.id))]  # fmt: skip


def project_labels(session: Session, strategy: Strategy, project_id: int) -> list[Label]:
    """Every classification row of a project (including rejected ones, which say what a reviewer turned down)."""
    if session.get(m.Project, project_id) is None:
        raise NotFoundError(f"there is no project {project_id}", hint="find projects with GET /api/v1/projects")
    return _labels(session, strategy_id(session, strategy), "project", project_id)


def _organisation_totals() -> Select[*tuple[Any, ...]]:
    p, o = m.Participation, m.Organisation
    return (
        select(o.id, o.name, o.org_type, o.country, o.nuts_code, func.count(func.distinct(p.project_id)),
               func.coalesce(func.sum(p.ec_contribution_cents), 0), func.coalesce(func.sum(p.public_funding_cents), 0))
        .outerjoin(p, p.organisation_id == o.id)
        .group_by(o.id, o.name, o.org_type, o.country, o.nuts_code)
    )  # fmt: skip


def _summary(row: Any, nuts: dict[str, str]) -> OrganisationSummary:
    oid, name, org_type, country, nuts_code, projects, ec, public = row
    return OrganisationSummary(id=oid, name=name, org_type=org_type, country=country, nuts_code=nuts_code,
                               region=nuts.get(nuts_code or ""), projects=projects, ec_contribution=eur(int(ec)),
                               public_funding=eur(int(public)))  # fmt: skip


def organisation_page(session: Session, strategy: Strategy, *, q: str = "", region: str | None = None,
                      org_type: str | None = None, country: str | None = None, sort: str = "projects",
                      page: int = 1, per_page: int = 20) -> OrganisationPage:  # fmt: skip
    """Organisations matching a name (any spelling, case-insensitive), region, type and country, with their project
    counts and funding; ``sort`` is projects (most first), funding (EU contribution, largest first) or name."""
    o = m.Organisation
    query = _organisation_totals()
    if q.strip():
        pattern = f"%{q.strip().casefold()}%"
        spelled = select(m.OrganisationName.organisation_id).where(func.lower(m.OrganisationName.name).like(pattern))
        query = query.where(or_(func.lower(o.name).like(pattern), o.id.in_(spelled)))
    if region:
        found = strategy.region(region)
        if found is None:
            raise InputError(f"{region!r} is not a region of {strategy.code}",
                             hint=f"use one of {', '.join(r.code for r in strategy.regions)}")  # fmt: skip
        query = query.where(o.nuts_code.in_(sorted(found.nuts_codes)))
    if org_type:
        query = query.where(o.org_type == org_type)
    if country:
        query = query.where(o.country == country.upper())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    orders: dict[str, list[Any]] = {"projects": [func.count(func.distinct(m.Participation.project_id)).desc(), o.id],
              "funding": [func.coalesce(func.sum(m.Participation.ec_contribution_cents), 0).desc(), o.id],
              "name": [func.lower(o.name), o.id]}  # fmt: skip
    rows = session.execute(query.order_by(*orders[sort]).limit(per_page).offset((page - 1) * per_page))
    nuts = strategy.nuts_to_region()
    return OrganisationPage(total=total, page=page, per_page=per_page, items=[_summary(row, nuts) for row in rows])


def import_page(session: Session, page: int = 1, per_page: int = 20) -> ImportPage:
    """A page of the import log, newest first, each batch with its first 20 errors."""
    total = session.scalar(select(func.count()).select_from(m.ImportBatch)) or 0
    query = select(m.ImportBatch).order_by(m.ImportBatch.id.desc()).limit(per_page).offset((page - 1) * per_page)
    items = []
    for batch in session.scalars(query):
        info = ImportBatchInfo.model_validate(batch)
        items.append(info.model_copy(update={"errors": info.errors[:20]}))
    return ImportPage(total=total, page=page, per_page=per_page, items=items)
