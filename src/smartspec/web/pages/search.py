"""Project search: full text with facets, sorting and pages; every filter is in the URL (bookmarkable)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from smartspec.observatory import Observatory
from smartspec.search.models import LIST_FIELDS, SearchQuery, Sort
from smartspec.web.deps import fragment, observatory, render

router = APIRouter()
PAGE_PARAMS = ("lang",)  # the page's own parameters, not the search's
SHOWN_VALUES = 8  # facet values shown before "show all" (a <details> element: no JavaScript needed)


def search_params(request: Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k not in PAGE_PARAMS]


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request) -> HTMLResponse:
    """The page around its content, which is drawn once per data revision, language and search (the facets' links
    are most of the page's work)."""
    query = SearchQuery.from_params(search_params(request))
    lang_pairs = [(k, v) for k, v in request.query_params.multi_items() if k in PAGE_PARAMS]
    obs = observatory(request)
    key = (tuple(query.to_params()), tuple(lang_pairs))
    content = fragment(request, "_search.html", key, lambda: search_content(obs, query, lang_pairs))
    return render(request, "search.html", content=content)


def search_content(obs: Observatory, query: SearchQuery, lang_pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """What the search page's content shows (see ``_search.html``)."""
    result = obs.search(query)

    def link(**changes: object) -> str:
        """/search with the query changed (a filter toggled, another order or page); the page goes back to 1 when
        anything but the page changes."""
        data = query.model_dump()
        if "page" not in changes:
            data["page"] = 1
        data.update(changes)
        return "/search?" + urlencode(SearchQuery.model_validate(data).to_params() + lang_pairs)

    def toggle(name: str, value: str) -> str:
        values = [str(v) for v in getattr(query, name)]
        return link(**{name: [v for v in values if v != value] if value in values else [*values, value]})

    selected = [(name, str(value)) for name in LIST_FIELDS for value in getattr(query, name)]
    export = urlencode([(k, v) for k, v in query.to_params() if k not in ("page", "per_page")])
    clear_all = link(**{name: [] for name in LIST_FIELDS})
    return {"query": query, "result": result, "link": link, "toggle": toggle, "selected": selected,
            "sorts": list(Sort), "export": export, "clear_all": clear_all, "shown_values": SHOWN_VALUES,
            "hidden": [(k, v) for k, v in query.to_params() if k not in ("q", "page")] + lang_pairs}  # fmt: skip
