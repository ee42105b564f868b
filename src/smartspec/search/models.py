"""What a project search asks and answers (pydantic), and its round trip through URL query parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartspec.errors import InputError, Location, Problem


class Sort(StrEnum):
    relevance = "relevance"  # whole-word matches, then compound-part ones; full-text rank; newest
    newest = "newest"
    oldest = "oldest"
    title = "title"  # type: ignore[assignment]  # an enum member, not str.title
    funding = "funding"  # EU contribution (CORDIS) or public funding (EURA), largest first


LIST_FIELDS = ("region", "area", "topic", "programme", "fund", "year", "org_type")
SCALAR_FIELDS = ("q", "sort", "page", "per_page")


class SearchQuery(BaseModel):
    """A search: text, filters (several values of one filter are alternatives, filters combine), order, page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str = Field(default="", max_length=500, description="Words to find, Finnish or English; empty lists all")
    region: list[str] = Field(default_factory=list, description="NUTS-3 codes of the strategy's regions")
    area: list[str] = Field(default_factory=list, description="Competence area codes (I.1 …)")
    topic: list[str] = Field(default_factory=list, description="Sub-topic codes (I.1.1 …)")
    programme: list[str] = Field(default_factory=list, description="Programme codes as the sources give them")
    fund: list[str] = Field(default_factory=list, description="Funding source codes (HORIZON, EAKR, ESR …)")
    year: list[int] = Field(default_factory=list, description="Start years (call years where no start date)")
    org_type: list[Literal["PRC", "HES", "REC", "PUB", "OTH"]] = Field(
        default_factory=list, description="Participants' organisation types"
    )
    sort: Sort = Sort.relevance
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=20, ge=1, le=100)

    def to_params(self) -> list[tuple[str, str]]:
        """URL query parameters, defaults left out: ``urllib.parse.urlencode(query.to_params())``."""
        out: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name in LIST_FIELDS:
            out.extend((name, str(value)) for value in getattr(self, name))
        defaults = SearchQuery()
        out.extend((name, str(getattr(self, name))) for name in SCALAR_FIELDS[1:]
                   if getattr(self, name) != getattr(defaults, name))  # fmt: skip
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]) -> SearchQuery:
        """A query from URL parameters (pairs, or a mapping of names to a value or a list of values).

        Raises InputError naming every bad parameter."""
        pairs = _pairs(params)
        values: dict[str, list[str]] = {}
        problems: list[Problem] = []
        for name, value in pairs:
            if name not in LIST_FIELDS and name not in SCALAR_FIELDS:
                problems.append(_problem(name, f"unknown parameter {name!r}",
                                         "use " + ", ".join((*SCALAR_FIELDS, *LIST_FIELDS))))  # fmt: skip
                continue
            values.setdefault(name, []).append(value.strip())
        data: dict[str, object] = {}
        for name, given in values.items():
            if name in SCALAR_FIELDS:
                if len(given) > 1:
                    problems.append(_problem(name, f"{name!r} is given {len(given)} times", "give it once"))
                data[name] = given[-1]
            else:
                data[name] = [v for v in given if v]
        try:
            query = cls.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"][:1])
                problems.append(_problem(field, f"{field} = {error.get('input')!r}: {error['msg']}", _HINTS.get(field)))
        if problems:
            raise InputError(
                "the search parameters are not valid / hakuehdot eivät kelpaa",
                problems=problems,
            )
        return query


_HINTS = {
    "sort": "sort is one of " + ", ".join(s.value for s in Sort),
    "page": "page is a whole number from 1",
    "per_page": "per_page is a whole number from 1 to 100",
    "year": "year is a four-digit year such as 2021",
    "org_type": "org_type is one of PRC (company), HES (higher education), REC (research), PUB (public), OTH",
    "q": "shorten the search text to 500 characters",
}


def _problem(field: str, message: str, hint: str | None) -> Problem:
    return Problem(message, where=Location("search parameters", field=field), hint=hint)


def _pairs(params: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        out: list[tuple[str, str]] = []
        for name, value in params.items():
            out.extend((name, value) for value in ([value] if isinstance(value, str) else value))
        return out
    return list(params)


class MatchedTerm(BaseModel):
    word: str  # the query word
    term: str  # the normalised term that matched
    kind: Literal["word", "part"]  # a whole word of the project's text, or a part of one of its compounds


class SearchItem(BaseModel):
    id: int
    source: str
    source_id: str
    title: str | None
    acronym: str | None
    year: int | None
    programme: str | None
    fund: str | None
    areas: list[str]
    topics: list[str]
    regions: list[str]
    ec_contribution_cents: int | None  # the project's EU contribution (CORDIS: EC maximum contribution)
    public_funding_cents: int | None  # granted EU and national public funding (structural funds)
    match: Literal["word", "part"] | None  # "word" when every query word matched a whole word; None: no text
    matched: list[MatchedTerm]


class FacetValue(BaseModel):
    value: str
    label_fi: str
    label_en: str
    count: int  # matching projects, counted with every other filter applied (not this facet's own)
    selected: bool


class Facet(BaseModel):
    name: str
    values: list[FacetValue]


class QueryTerm(BaseModel):
    word: str
    forms: list[str]


class SearchResult(BaseModel):
    query: SearchQuery
    total: int
    pages: int
    items: list[SearchItem]
    facets: list[Facet]
    terms: list[QueryTerm]  # the query's words and the forms searched for each
    ignored_words: list[str]  # stop words left out of the search
    normaliser: str
