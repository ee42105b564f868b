"""The collaboration facts the network layer stands on, read from the store once: organisations, projects
(year, programme, competence areas) and who took part in which project with how much funding.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.store import models as m
from smartspec.store.queries import call_year, strategy_id
from smartspec.strategy import Strategy


@dataclass(frozen=True)
class OrgInfo:
    id: int
    name: str
    country: str | None
    region: str | None  # the strategy region the organisation is located in, if any
    type: str | None  # PRC HES REC PUB OTH
    pic: str | None = None


@dataclass(frozen=True)
class Member:
    organisation: int
    funding_cents: int
    place: str | None  # strategy region code, the strategy's country (rest of it), another country, or None


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    year: int | None
    programme: str | None
    source: str
    areas: frozenset[str]  # effective competence-area labels (I.1 … III.3)
    parts: frozenset[str] = frozenset()  # H2020 programme parts (ERC, SC3 …) where the source gives them


@dataclass
class Collaborations:
    """Every project's participants, with the organisations and projects they refer to."""

    country: str
    regions: list[str]  # the strategy's region codes, in the strategy's order
    organisations: dict[int, OrgInfo]
    projects: dict[int, ProjectInfo]
    members: dict[int, list[Member]]  # project id → its participants
    titles: dict[int, str] = field(default_factory=dict)  # project id → title or acronym, for evidence

    def projects_of(self) -> dict[int, list[int]]:
        """Organisation id → the projects it took part in."""
        out: dict[int, list[int]] = defaultdict(list)
        for project, members in self.members.items():
            for member in members:
                out[member.organisation].append(project)
        return dict(out)

    def place_kind(self, place: str | None) -> str:
        """'region' (one of the strategy's), 'country' (the rest of the strategy's country), 'abroad' or 'unknown'."""
        if place is None:
            return "unknown"
        if place in self.regions:
            return "region"
        return "country" if place == self.country else "abroad"


def place_of(nuts: str | None, country: str | None, nuts_to_region: dict[str, str], home: str) -> str | None:
    """Where a participation is: its strategy region, else its country code (the home country meaning the
    rest of it), else None."""
    if nuts and nuts in nuts_to_region:
        return nuts_to_region[nuts]
    if country:
        return country
    if nuts and len(nuts) >= 2:
        return nuts[:2]
    return None


def load_collaborations(session: Session, strategy: Strategy) -> Collaborations:
    """Read the store's projects, organisations and participations (one query each). Partners in the strategy's
    country (``Strategy.country_code``) but outside its regions count as the rest of the country, others as
    abroad."""
    country = strategy.country_code
    stored_id = strategy_id(session, strategy)  # read only: `init` loads the strategy
    nuts_to_region = strategy.nuts_to_region()
    regions = [region.code for region in strategy.regions]
    from smartspec.classify import effective_labels  # here: the classifier's modules load NumPy, not needed before

    labels = effective_labels(session, stored_id)
    parts: dict[int, set[str]] = defaultdict(set)
    for project_id, code in session.execute(
        select(m.ProjectLabel.project_id, m.ProjectLabel.code).where(m.ProjectLabel.scheme == "h2020-part")
    ):
        parts[project_id].add(code)
    projects: dict[int, ProjectInfo] = {}
    titles: dict[int, str] = {}
    query = select(m.Project.id, m.Project.start_date, m.Project.call_topic, m.Project.programme, m.Project.source,
                   m.Project.title, m.Project.acronym)  # fmt: skip
    for pid, start, topic, programme, source, title, acronym in session.execute(query):
        year = start.year if start is not None else call_year(topic)
        areas = frozenset(code for code in labels.get(pid, ()) if code.count(".") == 1)
        projects[pid] = ProjectInfo(pid, year, programme, source, areas, frozenset(parts.get(pid, ())))
        if title or acronym:
            titles[pid] = title or acronym or ""
    members: dict[int, list[Member]] = defaultdict(list)
    seen_places: dict[int, Counter[str]] = defaultdict(Counter)
    p = m.Participation
    for project, org, nuts, part_country, ec, public in session.execute(
        select(p.project_id, p.organisation_id, p.nuts_code, p.country, p.ec_contribution_cents, p.public_funding_cents)
    ):
        place = place_of(nuts, part_country, nuts_to_region, country)
        # EU programmes give the EU contribution; the structural-funds registers give granted public funding.
        members[project].append(Member(org, ec if ec is not None else (public or 0), place))
        if place is not None:
            seen_places[org][place] += 1
    organisations: dict[int, OrgInfo] = {}
    o = m.Organisation
    for oid, name, org_country, nuts, kind, pic in session.execute(
        select(o.id, o.name, o.country, o.nuts_code, o.org_type, o.pic)
    ):
        region = nuts_to_region.get(nuts or "")
        if region is None and seen_places[oid]:
            # Located by where its participations were (the most frequent place), when the record has no NUTS.
            place = seen_places[oid].most_common(1)[0][0]
            region = place if place in regions else None
        organisations[oid] = OrgInfo(oid, name, org_country, region, kind, pic)
    return Collaborations(country, regions, organisations, projects, dict(members), titles)
