"""The API's own response models: the error shape, pages with a total, and views the facade's models lack."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from smartspec.classify.results import Explanation
from smartspec.indicators.catalogue import Indicator
from smartspec.search.models import Facet, QueryTerm, SearchItem, SearchQuery
from smartspec.store.profiles import ProjectDetail, RecordRow
from smartspec.store.queries import RegionFigures
from smartspec.strategy.models import CrossCutting, RegionPriority, Text


class ErrorDetail(BaseModel):
    status: int = Field(description="the HTTP status code")
    message: str = Field(description="what went wrong")
    problems: list[str] = Field(description="each problem found, with where it is (a parameter, a field)")
    hint: str | None = Field(description="what to do about it")


class ErrorResponse(BaseModel):
    """The one error shape of the API: ``{"error": {"status", "message", "problems", "hint"}}``."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A parameter names something the store or strategy lacks"},
    401: {"model": ErrorResponse, "description": "This read is not public: log in or send an API token"},
    403: {"model": ErrorResponse, "description": "The user or token may not do this"},
    404: {"model": ErrorResponse, "description": "No such record or path"},
    409: {"model": ErrorResponse, "description": "The store is not ready for this (no classifier, no values)"},
    422: {"model": ErrorResponse, "description": "A parameter is missing or not of its type"},
}


class PageBase(BaseModel):
    total: int = Field(description="how many items match, over all pages")
    page: int
    per_page: int


class ProjectPage(PageBase):
    """A page of project search results with the facets' counts (``GET /api/v1/projects``)."""

    pages: int
    items: list[SearchItem]
    facets: list[Facet]
    terms: list[QueryTerm]
    ignored_words: list[str]
    normaliser: str
    query: SearchQuery


class Project(ProjectDetail):
    explanation: Explanation | None = Field(
        description="why the classifier gave its labels; null where no classifier is stored"
    )


class RegionSummary(BaseModel):
    code: str
    maakunta: str
    name: Text = Field(description="the region's name in Finnish, English and (where the strategy has it) Swedish")
    council: Text | None
    figures: RegionFigures


class Region(RegionSummary):
    nuts_codes: list[str] = Field(description="current and legacy NUTS codes that map onto this region")
    vision: Text
    priorities: list[RegionPriority]
    cross_cutting: CrossCutting | None
    projects_by_area: dict[str, int] = Field(description="projects with a participant in the region, per area")


class ValueRecords(BaseModel):
    """One stored value with (up to ``records_limit`` of) the records it counts."""

    region: str | None
    area: str | None
    value: float
    unit: str
    details: dict[str, Any]
    kind: str = Field(description="what the records are: project, participation, organisation, cluster, …")
    total: int = Field(description="how many records the value counts (rows may list fewer)")
    rows: list[RecordRow]


class IndicatorRecords(BaseModel):
    """An indicator's values of a year, each with the records behind it."""

    year: int
    indicator: Indicator
    values: list[ValueRecords]


class RecordPage(PageBase):
    """A page of the records behind one stored value (``GET /indicators/{year}/{id}/records``)."""

    pages: int
    indicator: str
    year: int
    region: str | None
    area: str | None
    value: float
    unit: str
    kind: str
    items: list[RecordRow]
