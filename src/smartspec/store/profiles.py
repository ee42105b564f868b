"""Read-only profiles for the web pages: a project with its participants, an organisation with its projects,
partners and funding, and the records behind an indicator value (projects, participations, clusters, network
memberships, communication actions or organisations, as ``IndicatorValue.records`` names them).

Labels (competence areas) belong to the classifier, a layer above the store: the functions that need them take
``labels_of`` (project ids → their area and sub-topic codes), which the Observatory passes in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartspec.errors import InputError
from smartspec.money import Money, eur
from smartspec.store import models as m
from smartspec.store.queries import UtcDateTime
from smartspec.strategy import Strategy

LabelsOf = Callable[[list[int]], dict[int, set[str]]]
CORDIS_PROJECT_URL = "https://cordis.europa.eu/project/id/{source_id}"  # the public CORDIS record of a project
BATCH = 900  # ids per IN (...) list: under SQLite's default limit of variables


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else eur(cents)


def source_url(source: str, source_id: str) -> str | None:
    """The publisher's page of a project, where its id allows one (CORDIS project ids are numbers)."""
    if source == "cordis" and source_id.isdigit():
        return CORDIS_PROJECT_URL.format(source_id=source_id)
    return None


# A project ---------------------------------------------------------------------------------------------------


class Participant(BaseModel):
    organisation_id: int
    name: str
    org_type: str | None
    role: str | None
    country: str | None
    nuts_code: str | None
    region: str | None = Field(description="the strategy region the participation is located in, if any")
    ec_contribution: Money | None
    public_funding: Money | None


class Review(BaseModel):
    code: str
    status: str  # accepted | rejected | manual
    by: str | None
    at: UtcDateTime | None  # SQLite gives it back without its zone: UTC, for an RFC 3339 date-time in JSON


class ProjectDetail(BaseModel):
    id: int
    source: str
    source_id: str
    source_url: str | None
    acronym: str | None
    title: str | None
    summary: str | None
    language: str | None
    programme: str | None
    fund: str | None
    fund_name_fi: str | None
    fund_name_en: str | None
    call_topic: str | None
    call_topic_title: str | None
    status: str | None
    authority: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    total_cost: Money | None
    ec_contribution: Money | None
    public_funding: Money | None
    regions: list[str]
    labels: list[str] = Field(description="the project's area and sub-topic codes (model labels and reviews)")
    reviews: list[Review]
    participants: list[Participant]


def project_detail(session: Session, strategy: Strategy, project_id: int, labels_of: LabelsOf,
                   reviews: list[Review]) -> ProjectDetail:  # fmt: skip
    project = session.get(m.Project, project_id)
    if project is None:
        raise InputError(f"there is no project {project_id}", hint="search for projects at /search")
    fund = session.get(m.FundingSource, project.funding_source_id) if project.funding_source_id else None
    regions = strategy.nuts_to_region()
    o, p = m.Organisation, m.Participation
    rows = session.execute(
        select(p, o.name, o.org_type).join(o, o.id == p.organisation_id).where(p.project_id == project_id)
        .order_by(p.position.nulls_last(), o.name)
    ).all()  # fmt: skip
    participants = [
        Participant(organisation_id=part.organisation_id, name=name, org_type=org_type, role=part.role,
                    country=part.country, nuts_code=part.nuts_code, region=regions.get(part.nuts_code or ""),
                    ec_contribution=_money(part.ec_contribution_cents),
                    public_funding=_money(part.public_funding_cents))
        for part, name, org_type in rows
    ]  # fmt: skip
    order = {r.code: i for i, r in enumerate(strategy.regions)}
    return ProjectDetail(
        id=project.id, source=project.source, source_id=project.source_id,
        source_url=source_url(project.source, project.source_id), acronym=project.acronym, title=project.title,
        summary=project.summary, language=project.language, programme=project.programme,
        fund=fund.code if fund else None, fund_name_fi=fund.name_fi if fund else None,
        fund_name_en=fund.name_en if fund else None, call_topic=project.call_topic,
        call_topic_title=project.call_topic_title, status=project.status, authority=project.authority,
        start_date=project.start_date, end_date=project.end_date, total_cost=_money(project.total_cost_cents),
        ec_contribution=_money(project.ec_max_contribution_cents), public_funding=_money(project.public_funding_cents),
        regions=sorted({x.region for x in participants if x.region}, key=order.__getitem__),
        labels=sorted(labels_of([project_id]).get(project_id, set())), reviews=reviews, participants=participants,
    )  # fmt: skip


# An organisation ---------------------------------------------------------------------------------------------


class NameSpelling(BaseModel):
    name: str
    source: str


class OrganisationProject(BaseModel):
    id: int
    source: str
    title: str | None
    acronym: str | None
    year: int | None
    role: str | None
    areas: list[str]
    ec_contribution: Money | None  # this organisation's share
    public_funding: Money | None


class Partner(BaseModel):
    id: int
    name: str
    country: str | None
    region: str | None
    projects: int = Field(description="projects shared with the organisation")


class FundingRow(BaseModel):
    key: str = Field(description="a year, or an area code ('none': projects without an area)")
    projects: int
    ec_contribution: Money
    public_funding: Money


class OrganisationProfile(BaseModel):
    id: int
    name: str
    short_name: str | None
    names: list[NameSpelling]
    org_type: str | None
    sme: bool | None
    pic: str | None
    business_id: str | None
    city: str | None
    country: str | None
    nuts_code: str | None
    region: str | None
    url: str | None
    projects: list[OrganisationProject]
    partners: list[Partner]
    by_year: list[FundingRow]
    by_area: list[FundingRow] = Field(description="a project with several areas counts in each of them")


def _years(session: Session, ids: list[int]) -> dict[int, int | None]:
    """Each project's year as the search index has it (start year, else call year), else its start year."""
    out: dict[int, int | None] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        query = (select(m.Project.id, m.ProjectSearch.year, m.Project.start_date)
                 .outerjoin(m.ProjectSearch, m.ProjectSearch.project_id == m.Project.id)
                 .where(m.Project.id.in_(chunk)))  # fmt: skip
        for pid, year, start_date in session.execute(query):
            out[pid] = year if year is not None else (start_date.year if start_date else None)
    return out


def organisation_profile(session: Session, strategy: Strategy, organisation_id: int,
                         labels_of: LabelsOf) -> OrganisationProfile:  # fmt: skip
    org = session.get(m.Organisation, organisation_id)
    if org is None:
        raise InputError(f"there is no organisation {organisation_id}", hint="open an organisation from a project")
    regions = strategy.nuts_to_region()
    names = [NameSpelling(name=n, source=s) for n, s in session.execute(
        select(m.OrganisationName.name, m.OrganisationName.source)
        .where(m.OrganisationName.organisation_id == organisation_id).order_by(m.OrganisationName.name))]  # fmt: skip
    p, pr = m.Participation, m.Project
    rows = session.execute(
        select(p.project_id, p.role, p.ec_contribution_cents, p.public_funding_cents, pr.source, pr.title, pr.acronym)
        .join(pr, pr.id == p.project_id).where(p.organisation_id == organisation_id)
    ).all()  # fmt: skip
    ids = [row.project_id for row in rows]
    labels = labels_of(ids) if ids else {}
    years = _years(session, ids)
    areas_of = {pid: sorted(c for c in labels.get(pid, set()) if c.count(".") == 1) for pid in ids}
    projects = sorted(
        (OrganisationProject(id=r.project_id, source=r.source, title=r.title, acronym=r.acronym,
                             year=years.get(r.project_id), role=r.role, areas=areas_of[r.project_id],
                             ec_contribution=_money(r.ec_contribution_cents),
                             public_funding=_money(r.public_funding_cents)) for r in rows),
        key=lambda x: (-(x.year or 0), x.title or ""),
    )  # fmt: skip
    by_year = _funding(projects, lambda x: [str(x.year)] if x.year else [])
    by_area = _funding(projects, lambda x: x.areas or ["none"])
    area_order = {code: i for i, code in enumerate([*strategy.area_codes(), "none"])}
    return OrganisationProfile(
        id=org.id, name=org.name, short_name=org.short_name, names=names, org_type=org.org_type, sme=org.sme,
        pic=org.pic, business_id=org.business_id, city=org.city, country=org.country, nuts_code=org.nuts_code,
        region=regions.get(org.nuts_code or ""), url=org.url, projects=projects,
        partners=_partners(session, regions, organisation_id, ids),
        by_year=sorted(by_year, key=lambda f: f.key, reverse=True),
        by_area=sorted(by_area, key=lambda f: area_order.get(f.key, len(area_order))),
    )  # fmt: skip


def _funding(projects: list[OrganisationProject], keys: Callable[[OrganisationProject], list[str]]) -> list[FundingRow]:
    count: Counter[str] = Counter()
    ec: dict[str, Decimal] = defaultdict(Decimal)
    public: dict[str, Decimal] = defaultdict(Decimal)
    for project in projects:
        for key in keys(project):
            count[key] += 1
            ec[key] += project.ec_contribution or 0
            public[key] += project.public_funding or 0
    return [FundingRow(key=k, projects=n, ec_contribution=ec[k], public_funding=public[k]) for k, n in count.items()]


def _partners(session: Session, regions: dict[str, str], organisation_id: int, ids: list[int]) -> list[Partner]:
    """The organisations in the same projects, most shared projects first."""
    shared: Counter[int] = Counter()
    p = m.Participation
    for start in range(0, len(ids), BATCH):
        query = (select(p.organisation_id, func.count(func.distinct(p.project_id)))
                 .where(p.project_id.in_(ids[start : start + BATCH]), p.organisation_id != organisation_id)
                 .group_by(p.organisation_id))  # fmt: skip
        shared.update({int(org): int(n) for org, n in session.execute(query)})
    if not shared:
        return []
    o = m.Organisation
    top = [i for i, _ in shared.most_common(BATCH)]
    found = {row.id: row for row in session.execute(select(o.id, o.name, o.country, o.nuts_code).where(o.id.in_(top)))}
    return sorted(
        (Partner(id=i, name=found[i].name, country=found[i].country,
                 region=regions.get(found[i].nuts_code or ""), projects=n) for i, n in shared.items() if i in found),
        key=lambda x: (-x.projects, x.name),
    )  # fmt: skip


# The records behind an indicator value -----------------------------------------------------------------------

RECORD_KINDS = ("project", "participation", "cluster", "membership", "action", "organisation")


class RecordRow(BaseModel):
    """One record behind an indicator value; which fields are filled depends on the kind."""

    id: int
    title: str | None = Field(None, description="project title, cluster or organisation name, network, action title")
    project_id: int | None = None
    project_title: str | None = None
    organisation_id: int | None = None
    organisation_name: str | None = None
    region: str | None = None
    country: str | None = None
    year: int | None = None
    date: dt.date | None = None
    detail: str | None = Field(None, description="role, cluster label level, action kind, organisation type …")
    amount: Money | None = Field(None, description="EU contribution, else public funding (projects, participations)")
    url: str | None = None


class RecordList(BaseModel):
    indicator: str
    year: int
    region: str | None
    area: str | None
    value: float
    unit: str
    kind: str
    total: int
    page: int
    pages: int
    rows: list[RecordRow]


def record_rows(session: Session, strategy: Strategy, kind: str, ids: list[int]) -> list[RecordRow]:
    """The rows of ``ids`` (records of ``kind``), in the order of ``ids``; ids no longer stored are left out."""
    if kind not in RECORD_KINDS:
        raise InputError(f"unknown record kind {kind!r}", hint="one of " + ", ".join(RECORD_KINDS))
    regions = strategy.nuts_to_region()
    found: dict[int, RecordRow] = {}
    for start in range(0, len(ids), BATCH):
        for row in _RECORDS[kind](session, regions, ids[start : start + BATCH]):
            found[row.id] = row
    return [found[i] for i in ids if i in found]


def _project_rows(session: Session, regions: dict[str, str], ids: list[int]) -> list[RecordRow]:
    pr = m.Project
    query = (select(pr.id, pr.title, pr.acronym, pr.source, pr.source_id, pr.start_date, pr.ec_max_contribution_cents,
                    pr.public_funding_cents, m.ProjectSearch.year)
             .outerjoin(m.ProjectSearch, m.ProjectSearch.project_id == pr.id).where(pr.id.in_(ids)))  # fmt: skip
    return [RecordRow(id=r.id, title=r.title or r.acronym, project_id=r.id, project_title=r.title, detail=r.source,
                      year=r.year if r.year is not None else (r.start_date.year if r.start_date else None),
                      amount=_money(r.ec_max_contribution_cents if r.ec_max_contribution_cents is not None
                                    else r.public_funding_cents), url=source_url(r.source, r.source_id))
            for r in session.execute(query)]  # fmt: skip


def _participation_rows(session: Session, regions: dict[str, str], ids: list[int]) -> list[RecordRow]:
    p, pr, o = m.Participation, m.Project, m.Organisation
    query = (select(p.id, p.project_id, pr.title, pr.acronym, p.organisation_id, o.name, p.role, p.country,
                    p.nuts_code, p.ec_contribution_cents, p.public_funding_cents, pr.start_date)
             .join(pr, pr.id == p.project_id).join(o, o.id == p.organisation_id).where(p.id.in_(ids)))  # fmt: skip
    return [RecordRow(id=r.id, title=r.title or r.acronym, project_id=r.project_id, project_title=r.title or r.acronym,
                      organisation_id=r.organisation_id, organisation_name=r.name, detail=r.role, country=r.country,
                      region=regions.get(r.nuts_code or ""), year=r.start_date.year if r.start_date else None,
                      amount=_money(r.ec_contribution_cents if r.ec_contribution_cents is not None
                                    else r.public_funding_cents))
            for r in session.execute(query)]  # fmt: skip


def _cluster_rows(session: Session, regions: dict[str, str], ids: list[int]) -> list[RecordRow]:
    c, o = m.Cluster, m.Organisation
    query = (select(c.id, c.name, c.region_code, c.label_level, c.eccp_profile_url, c.organisation_id, o.name)
             .outerjoin(o, o.id == c.organisation_id).where(c.id.in_(ids)))  # fmt: skip
    return [RecordRow(id=r[0], title=r[1], region=r[2], detail=r[3], url=r[4], organisation_id=r[5],
                      organisation_name=r[6]) for r in session.execute(query)]  # fmt: skip


def _membership_rows(session: Session, regions: dict[str, str], ids: list[int]) -> list[RecordRow]:
    n, o = m.NetworkMembership, m.Organisation
    query = (select(n.id, n.network_code, n.region_code, n.role, n.year_from, n.organisation_id, o.name)
             .outerjoin(o, o.id == n.organisation_id).where(n.id.in_(ids)))  # fmt: skip
    return [RecordRow(id=r[0], title=r[1], region=r[2], detail=r[3], year=r[4], organisation_id=r[5],
                      organisation_name=r[6]) for r in session.execute(query)]  # fmt: skip


def _action_rows(session: Session, regions: dict[str, str], ids: list[int]) -> list[RecordRow]:
    a = m.CommunicationAction
    query = select(a.id, a.title, a.region_code, a.kind, a.date, a.url).where(a.id.in_(ids))
    return [RecordRow(id=r[0], title=r[1], region=r[2], detail=r[3], date=r[4], year=r[4].year if r[4] else None,
                      url=r[5]) for r in session.execute(query)]  # fmt: skip


def _organisation_rows(session: Session, regions: dict[str, str], ids: list[int]) -> list[RecordRow]:
    o = m.Organisation
    query = select(o.id, o.name, o.country, o.nuts_code, o.org_type).where(o.id.in_(ids))
    return [RecordRow(id=r[0], title=r[1], organisation_id=r[0], organisation_name=r[1], country=r[2],
                      region=regions.get(r[3] or ""), detail=r[4]) for r in session.execute(query)]  # fmt: skip


_RECORDS: dict[str, Callable[[Session, dict[str, str], list[int]], list[RecordRow]]] = {
    "project": _project_rows, "participation": _participation_rows, "cluster": _cluster_rows,
    "membership": _membership_rows, "action": _action_rows, "organisation": _organisation_rows,
}  # fmt: skip


def indicator_years(session: Session, strategy_id: int) -> list[int]:
    """The years with stored indicator values, newest first."""
    query = (select(m.IndicatorValue.year).where(m.IndicatorValue.strategy_id == strategy_id).distinct()
             .order_by(m.IndicatorValue.year.desc()))  # fmt: skip
    return list(session.scalars(query))


def indicator_record_list(session: Session, strategy: Strategy, strategy_id: int, year: int, indicator: str,
                          region: str | None, area: str | None, page: int = 1,
                          per_page: int | None = None) -> RecordList:  # fmt: skip
    """The records behind one stored value (``per_page`` None: all of them)."""
    v = m.IndicatorValue
    query = select(v).where(v.strategy_id == strategy_id, v.year == year, v.indicator == indicator,
                            v.region_code.is_(None) if region is None else v.region_code == region,
                            v.area_code.is_(None) if area is None else v.area_code == area)  # fmt: skip
    stored = session.scalars(query.limit(1)).first()
    if stored is None:
        where = ", ".join(x for x in (region, area) if x)
        raise InputError(f"there is no stored value of {indicator} for {year}{f' ({where})' if where else ''}",
            hint=f"compute it (smartspec indicators --year {year}), or pick a value at /indicators")  # fmt: skip
    ids = [int(i) for i in stored.record_ids]
    size = per_page or max(1, len(ids))
    chosen = ids[(page - 1) * size : page * size]
    return RecordList(indicator=indicator, year=year, region=region, area=area, value=stored.value, unit=stored.unit,
                      kind=stored.record_kind, total=len(ids), page=page, pages=max(1, -(-len(ids) // size)),
                      rows=record_rows(session, strategy, stored.record_kind, chosen))  # fmt: skip
