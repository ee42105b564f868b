"""Queries the services and commands share: per-region figures and the import log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.store import models as m
from smartspec.strategy import Strategy


@dataclass
class RegionFigures:
    """What the store knows about one region's actors."""

    code: str
    projects: int = 0
    organisations: int = 0
    ec_contribution_cents: int = 0
    public_funding_cents: int = 0
    multi_region_projects: int = 0

    @property
    def multi_region_share(self) -> float | None:
        return self.multi_region_projects / self.projects if self.projects else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "projects": self.projects,
            "organisations": self.organisations,
            "ec_contribution_eur": cents_to_eur(self.ec_contribution_cents),
            "public_funding_eur": cents_to_eur(self.public_funding_cents),
            "multi_region_projects": self.multi_region_projects,
            "multi_region_share": None if self.multi_region_share is None else round(self.multi_region_share, 4),
        }


def cents_to_eur(cents: int) -> float:
    """Cents as a JSON-friendly EUR number with exactly the cents' digits (Decimal → float of 2 decimals)."""
    return float(Decimal(cents) / 100)


def region_figures(session: Session, strategy: Strategy, source: str | None = None) -> dict[str, RegionFigures]:
    """Per region of the strategy: distinct projects with at least one participation by an organisation
    located in the region, distinct such organisations, the sum of those participations' EU contribution
    (and of their public funding, which covers EU + national money in the structural-funds registers), and how
    many of those projects also have participants in another region of the strategy."""
    nuts_to_region = strategy.nuts_to_region()
    p, pr = m.Participation.__table__, m.Project.__table__
    query = select(p.c.project_id, p.c.organisation_id, p.c.nuts_code, p.c.ec_contribution_cents,
                   p.c.public_funding_cents).where(p.c.nuts_code.in_(sorted(nuts_to_region)))  # fmt: skip
    if source is not None:
        query = query.join(pr, pr.c.id == p.c.project_id).where(pr.c.source == source)
    figures = {region.code: RegionFigures(region.code) for region in strategy.regions}
    projects: dict[str, set[int]] = defaultdict(set)
    organisations: dict[str, set[int]] = defaultdict(set)
    regions_of_project: dict[int, set[str]] = defaultdict(set)
    for project_id, organisation_id, nuts, ec, public in session.execute(query):
        region = nuts_to_region[nuts]
        projects[region].add(project_id)
        organisations[region].add(organisation_id)
        regions_of_project[project_id].add(region)
        figures[region].ec_contribution_cents += ec or 0
        figures[region].public_funding_cents += public or 0
    for code, figure in figures.items():
        figure.projects = len(projects[code])
        figure.organisations = len(organisations[code])
        figure.multi_region_projects = sum(1 for pid in projects[code] if len(regions_of_project[pid]) >= 2)
    return figures


def import_log(session: Session, limit: int = 50) -> list[m.ImportBatch]:
    query = select(m.ImportBatch).order_by(m.ImportBatch.id.desc()).limit(limit)
    return list(session.scalars(query))
