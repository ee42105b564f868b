"""The facts indicators are computed from, read from the store once per run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.store import models as m
from smartspec.store.queries import call_year
from smartspec.store.queries import strategy_id as stored_strategy_id
from smartspec.strategy import Strategy


@dataclass(frozen=True)
class Participant:
    id: int
    project_id: int
    organisation_id: int
    region: str | None  # the strategy region of the participation's location, if any
    country: str | None
    ec_cents: int
    public_cents: int


@dataclass
class Facts:
    strategy: Strategy
    strategy_id: int
    year_of: dict[int, int]  # project id → start year
    source_of: dict[int, str]
    areas_of: dict[int, set[str]]  # project id → area codes (classified projects only)
    participants: dict[int, list[Participant]]  # project id → its participations
    org_type: dict[int, str | None] = field(default_factory=dict)
    funding_kind_of: dict[int, str | None] = field(default_factory=dict)  # project → its funding source's kind
    cache: dict[str, object] = field(default_factory=dict)  # what indicators read once and share across years
    # Projects per year, and per (region, year): built once, since every indicator asks these questions.
    by_year: dict[int, list[int]] = field(default_factory=dict, init=False)
    by_region_year: dict[tuple[str, int], list[int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for project, parts in self.participants.items():
            year = self.year_of.get(project)
            if year is None:
                continue
            self.by_year.setdefault(year, []).append(project)
            for region in {x.region for x in parts if x.region}:
                self.by_region_year.setdefault((region, year), []).append(project)

    def projects_in(self, region: str, years: range) -> list[int]:
        return [p for year in years for p in self.by_region_year.get((region, year), [])]

    def projects_of(self, years: range) -> list[int]:
        return [p for year in years for p in self.by_year.get(year, [])]

    def regions_of(self, project: int) -> set[str]:
        return {x.region for x in self.participants[project] if x.region}


def load_facts(session: Session, strategy: Strategy) -> Facts:
    """Read once what the indicators need (the store is only read)."""
    strategy_id = stored_strategy_id(session, strategy)
    nuts = strategy.nuts_to_region()
    year_of: dict[int, int] = {}
    source_of: dict[int, str] = {}
    kind_of: dict[int, str | None] = {}
    projects = (select(m.Project.id, m.Project.start_date, m.Project.source, m.Project.call_topic, m.FundingSource.kind)
                .outerjoin(m.FundingSource, m.FundingSource.id == m.Project.funding_source_id))  # fmt: skip
    for project_id, start, source, topic, kind in session.execute(projects):
        year = start.year if start is not None else call_year(topic)
        if year is not None:
            year_of[project_id] = year
        source_of[project_id] = source
        kind_of[project_id] = kind
    participants: dict[int, list[Participant]] = defaultdict(list)
    query = select(m.Participation.id, m.Participation.project_id, m.Participation.organisation_id,
                   m.Participation.nuts_code, m.Participation.country, m.Participation.ec_contribution_cents,
                   m.Participation.public_funding_cents)  # fmt: skip
    for pid, project, org, code, country, ec, public in session.execute(query):
        participants[project].append(
            Participant(pid, project, org, nuts.get(code or ""), country, ec or 0, public or 0)
        )
    from smartspec.classify import effective_labels  # here: the classifier's modules load NumPy, not needed before

    labels = effective_labels(session, strategy_id)
    areas_of = {project: {c for c in codes if c.count(".") == 1} for project, codes in labels.items()}
    org_type = {org: kind for org, kind in session.execute(select(m.Organisation.id, m.Organisation.org_type))}
    return Facts(strategy, strategy_id, year_of, source_of, areas_of, dict(participants), org_type, kind_of)
