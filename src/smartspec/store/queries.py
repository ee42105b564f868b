"""Queries the services and commands share: per-region figures and the import log."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.errors import StoreError
from smartspec.money import Money, eur
from smartspec.store import models as m
from smartspec.strategy import Strategy


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time with its zone: SQLite returns DateTime(timezone=True) columns without one, and the store
    writes UTC (so that JSON carries an RFC 3339 date-time with its offset)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


UtcDateTime = Annotated[dt.datetime, AfterValidator(as_utc)]


class RegionFigures(BaseModel):
    """What the store knows about one region's actors."""

    code: str = Field(exclude=True)
    projects: int = 0
    organisations: int = 0
    ec_contribution_cents: int = Field(default=0, exclude=True)
    public_funding_cents: int = Field(default=0, exclude=True)
    multi_region_projects: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ec_contribution_eur(self) -> Money:
        return eur(self.ec_contribution_cents)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def public_funding_eur(self) -> Money:
        return eur(self.public_funding_cents)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def multi_region_share(self) -> float | None:
        return round(self.multi_region_projects / self.projects, 4) if self.projects else None

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Stats(BaseModel):
    """Per region of the strategy, what `smartspec stats` prints."""

    source: str | None
    regions: dict[str, RegionFigures]


class ImportBatchInfo(BaseModel):
    """One entry of the import log."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    source: str
    path: str
    status: str
    started_at: UtcDateTime
    finished_at: UtcDateTime | None = Field(default=None, exclude=True)
    duration_s: float | None
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    file_sha256: str
    errors: list[dict[str, Any]]


_CALL_YEAR = re.compile(r"-(20[0-9]{2})-")


def call_year(topic: str | None) -> int | None:
    """The year in a call topic code (HORIZON-CL5-2022-D3-01-01 → 2022): CORDIS gives many projects no start
    date in the shared extracts, and their call year is the nearest fact (projects start within about a year).
    Indicators, the network and search all date projects by it."""
    if not topic:
        return None
    match = _CALL_YEAR.search(topic)
    return int(match.group(1)) if match else None


def strategy_id(session: Session, strategy: Strategy) -> int:
    """The stored strategy's id, read only: commands that read never write (`init` loads the strategy)."""
    found = session.scalar(select(m.StrategyVersion.id).where(m.StrategyVersion.code == strategy.code))
    if found is None:
        raise StoreError(
            f"the strategy {strategy.code} is not loaded into this database",
            hint="run `smartspec init` (it loads the strategy)",
        )
    return int(found)


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
    figures = {region.code: RegionFigures(code=region.code) for region in strategy.regions}
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


def import_log(session: Session, limit: int = 50) -> list[ImportBatchInfo]:
    """The newest ``limit`` import batches, newest first (each with its first 20 errors)."""
    query = select(m.ImportBatch).order_by(m.ImportBatch.id.desc()).limit(limit)
    out = []
    for batch in session.scalars(query):
        info = ImportBatchInfo.model_validate(batch)
        out.append(info.model_copy(update={"errors": info.errors[:20]}))
    return out
