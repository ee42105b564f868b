"""Where a stored record is, in the strategy's regions: what an editor's rights are checked against."""

from __future__ import annotations

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from smartspec.store import models as m
from smartspec.strategy import Strategy


def project_regions(session: Session, strategy: Strategy, project_id: int) -> frozenset[str]:
    """The regions (current NUTS-3 codes) of a project's participants and of the project's own location."""
    lookup = strategy.nuts_to_region()
    codes = set(session.scalars(select(m.Participation.nuts_code).where(m.Participation.project_id == project_id)))
    codes.add(session.scalar(select(m.Project.nuts_code).where(m.Project.id == project_id)))
    return frozenset(lookup[code] for code in codes if code and code in lookup)


def projects_in_regions(strategy: Strategy, regions: list[str] | frozenset[str]) -> Select[tuple[int]]:
    """The ids of the projects with a participant, or their own location, in one of ``regions`` (as a query, for
    ``IN``): the projects an editor of those regions may review."""
    codes = [code for code, region in strategy.nuts_to_region().items() if region in set(regions)]
    located = union(select(m.Participation.project_id).where(m.Participation.nuts_code.in_(codes)),
                    select(m.Project.id).where(m.Project.nuts_code.in_(codes))).subquery()  # fmt: skip
    return select(located.c[0])
