"""Where a stored record is, in the strategy's regions: what an editor's rights are checked against."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.store import models as m
from smartspec.strategy import Strategy


def project_regions(session: Session, strategy: Strategy, project_id: int) -> frozenset[str]:
    """The regions (current NUTS-3 codes) of a project's participants and of the project's own location."""
    lookup = strategy.nuts_to_region()
    codes = set(session.scalars(select(m.Participation.nuts_code).where(m.Participation.project_id == project_id)))
    codes.add(session.scalar(select(m.Project.nuts_code).where(m.Project.id == project_id)))
    return frozenset(lookup[code] for code in codes if code and code in lookup)
