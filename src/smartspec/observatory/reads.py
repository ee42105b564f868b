"""The read models the web pages and the API show: project and organisation profiles, indicator records,
headlines, region profiles, data sources, organisation pages, the import log and report files."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from smartspec import classify as cl
from smartspec import indicators as ind
from smartspec.accounts import Actor as Actor  # re-exported: smartspec.Actor and smartspec.observatory.Actor
from smartspec.errors import InputError
from smartspec.indicators import sources as sources_info
from smartspec.indicators import trends
from smartspec.observatory.core import REPORT_MEDIA_TYPES, REPORT_STEMS, ObservatoryCore, ReportFile
from smartspec.search.models import SearchItem, SearchQuery
from smartspec.store import models as m
from smartspec.store import profiles as pr
from smartspec.store import (
    records,
    session_factory,
)
from smartspec.store.queries import strategy_id

if TYPE_CHECKING:  # imported where used: the labels bring NumPy, the charts the Vega-Lite converter
    from smartspec.indicators import specialisation

T = TypeVar("T")


class Reads(ObservatoryCore):
    # Web: profiles ------------------------------------------------------------------------------------------------

    def project(self, project_id: int) -> pr.ProjectDetail:
        """A project with its participants, funding, source record, labels and reviews (read only)."""
        from smartspec.classify.labels import REVIEW, of_strategy

        with session_factory(self._ready())() as session:
            sid = strategy_id(session, self.strategy)
            reviews = [pr.Review(code=c.code, status=c.status, by=c.decided_by, at=c.decided_at)
                       for c in session.scalars(of_strategy(select(m.Classification), sid,
                                                                       method=REVIEW)
                                                .where(m.Classification.record_id == project_id)
                                                .order_by(m.Classification.id))]  # fmt: skip
            return pr.project_detail(session, self.strategy, project_id,
                                     lambda ids: cl.effective_labels(session, sid, ids), reviews)  # fmt: skip

    def organisation(self, organisation_id: int) -> pr.OrganisationProfile:
        """An organisation: every spelling of its name, its projects, partners and funding by year and area."""
        with session_factory(self._ready())() as session:
            sid = strategy_id(session, self.strategy)
            return pr.organisation_profile(session, self.strategy, organisation_id,
                                           lambda ids: cl.effective_labels(session, sid, ids))  # fmt: skip

    def indicator_records(self, year: int, indicator_id: str, region: str | None = None, area: str | None = None,
                          *, page: int = 1, per_page: int | None = None) -> pr.RecordList:  # fmt: skip
        """The records behind one stored indicator value (of a region and area; None: all), a page of them or all."""
        try:
            ind.load_catalogue().get(indicator_id)
        except KeyError:
            raise InputError(f"there is no indicator {indicator_id!r}",
                             hint="use an id of the catalogue: " +
                             ", ".join(i.id for i in ind.load_catalogue().indicators)) from None  # fmt: skip
        if region and self.strategy.region(region) is None:
            raise InputError(f"{region!r} is not a region of {self.strategy.code}",
                             hint=f"use one of {', '.join(r.code for r in self.strategy.regions)}")  # fmt: skip
        if page < 1 or (per_page is not None and per_page < 1):
            raise InputError("page and per_page are whole numbers from 1")
        with session_factory(self._ready())() as session:
            return pr.indicator_record_list(session, self.strategy, strategy_id(session, self.strategy), year,
                                            indicator_id, region or None, area or None, page, per_page)  # fmt: skip

    # Web: pages (overview, strategy, region profiles, reports, data) -------------------------------------------

    def indicator_years(self, *, with_projects: bool = False) -> list[int]:
        """Years with stored indicator values, oldest first (``with_projects``: only years in which projects of the
        strategy's regions started)."""

        def compute() -> list[int]:
            with session_factory(self._ready())() as session:
                return trends.stored_years(session, self.strategy, with_projects=with_projects)

        return self.cached(("indicator_years", with_projects), compute)

    def headlines(self, year: int, region: str | None = None) -> trends.Headlines:
        """Each goal's headline value per region in ``year``, with the change from the year before and the values
        over the stored years."""
        self._check_region(region)

        def compute() -> trends.Headlines:
            with session_factory(self._ready())() as session:
                return trends.headlines(session, self.strategy, year, region)

        return self.cached(("headlines", year, region), compute)

    def strategy_figures(self) -> specialisation.StrategyFigures:
        """Projects, organisations and funding per priority, area and sub-topic, all regions and per region."""
        from smartspec.indicators import specialisation

        def compute() -> specialisation.StrategyFigures:
            with session_factory(self._ready())() as session:
                return specialisation.strategy_figures(session, self.strategy)

        return self.cached(("strategy_figures",), compute)

    def region_profile(self, code: str, year: int | None = None) -> specialisation.RegionProfile:
        """A region's specialisation (with RCA), trends, alerts, top organisations and partner regions."""
        from smartspec.indicators import specialisation

        def compute() -> specialisation.RegionProfile:
            with session_factory(self._ready())() as session:
                return specialisation.region_profile(session, self.strategy, code, year)

        return self.cached(("region_profile", code, year), compute)

    def data_sources(self) -> list[sources_info.DataSource]:
        """The indicator catalogue's sources with their licences and last import."""
        with session_factory(self._ready())() as session:
            return sources_info.data_sources(session)

    def indicator_catalogue(self) -> ind.Catalogue:
        """The indicators' definitions, units, caveats and sources (shipped with smartspec)."""
        return ind.load_catalogue()

    def map_topojson(self) -> dict[str, Any] | None:
        """The regions' boundaries (TopoJSON) from the data directory; None when the file is not there."""
        from smartspec.report.charts import load_topojson
        from smartspec.report.data import MAP_FILE

        folder = self.settings.data_dir
        return load_topojson(folder / MAP_FILE) if folder else None

    def _check_region(self, region: str | None) -> None:
        if region and self.strategy.region(region) is None:
            raise InputError(f"{region!r} is not a region of {self.strategy.code}",
                             hint=f"use one of {', '.join(r.code for r in self.strategy.regions)}")  # fmt: skip

    # Web API: organisation pages, classification rows, the import log, exports, report files ------------------

    def project_labels(self, project_id: int) -> list[records.Label]:
        """Every classification row of a project: the model's, reviewers' (rejected ones too)."""
        with session_factory(self._ready())() as session:
            return records.project_labels(session, self.strategy, project_id)

    def organisations(self, *, q: str = "", region: str | None = None, org_type: str | None = None,
                      country: str | None = None, sort: str = "projects", page: int = 1,
                      per_page: int = 20) -> records.OrganisationPage:  # fmt: skip
        """A page of organisations by name (any spelling), region, type and country, with projects and funding."""
        with session_factory(self._ready())() as session:
            return records.organisation_page(session, self.strategy, q=q, region=region, org_type=org_type,
                                             country=country, sort=sort, page=page, per_page=per_page)  # fmt: skip

    def import_page(self, page: int = 1, per_page: int = 20) -> records.ImportPage:
        """A page of the import log with its total, newest first."""
        with session_factory(self._ready())() as session:
            return records.import_page(session, page, per_page)

    def search_all(self, query: SearchQuery, limit: int = 10_000) -> list[SearchItem]:
        """Every project a search finds (up to ``limit``), in its order: what an export of the results holds.
        Pages of 1,000 (more than a page of the web may ask for) keep the facet counting to a few rounds."""
        items: list[SearchItem] = []
        page = 1
        engine = self._ready()
        cached = self._reads.memo(engine)

        def counts_only(key: Hashable, compute: Callable[[], T], /) -> T:  # pages of 1,000 would crowd the cache
            return cached(key, compute) if key[0] == "search-counts" else compute()  # type: ignore[index]

        while len(items) < limit:
            # model_copy skips validation on purpose: per_page is capped at 100 for requests, not for exports
            found = self._search(query.model_copy(update={"page": page, "per_page": 1_000}), counts_only, engine)
            items.extend(found.items)
            if page >= found.pages:
                break
            page += 1
        return items[:limit]

    def report_file(self, year: int, lang: str = "fi", output_format: str = "html") -> ReportFile:
        """The annual report of a year as the bytes of an HTML or PDF file (nothing is left on disk)."""
        with tempfile.TemporaryDirectory(prefix="smartspec-report-") as folder:
            stem = REPORT_STEMS.get(lang, "report")
            path = self.write_report(year, Path(folder) / f"{stem}-{year}.{output_format}", lang=lang,
                                     output_format=output_format)  # fmt: skip
            return ReportFile(filename=path.name, media_type=REPORT_MEDIA_TYPES[output_format],
                              content=path.read_bytes())  # fmt: skip
