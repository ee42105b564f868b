"""API answers kept as JSON bytes until the data change.

A route that reads only the store's data (never the user, cookies or headers) can answer from the facade's cache of
reads (``Observatory.cached``, keyed by the data revision): the body is serialised once per revision and query,
and later requests skip the search, the validation and the serialisation. The route keeps its ``response_model``
for the OpenAPI description; the body is the model's JSON as FastAPI would write it (field names by alias).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from fastapi import Request, Response
from pydantic import BaseModel

from smartspec.observatory import Observatory


def cached_json(obs: Observatory, request: Request, build: Callable[[], BaseModel], key: Hashable = None) -> Response:
    """The JSON of ``build()`` for this path and query (and ``key``), computed once per data revision."""
    query = tuple(sorted(request.query_params.multi_items()))
    body = obs.cached(("api-json", request.url.path, query, key), lambda: build().model_dump_json(by_alias=True)
                      .encode())  # fmt: skip
    return Response(body, media_type="application/json")
