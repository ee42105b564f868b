"""The REST API under /api/v1 (read only): the facade's typed results as JSON, exports as CSV and XLSX, ETags,
one error shape, and its documentation page without anything from elsewhere."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from smartspec.strategy import Strategy
from smartspec.web.api import docs, indicators, network, organisations, projects, strategy
from smartspec.web.api.etag import ETagMiddleware
from smartspec.web.api.schemas import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)
for module in (strategy, projects, organisations, indicators, network):
    router.include_router(module.router)


def install(app: FastAPI, prefix: str) -> None:
    """Add the API's routes, its docs page and assets, and its ETags to ``app``."""
    app.include_router(router, prefix=prefix)
    docs.install(app, prefix)
    app.add_middleware(ETagMiddleware, prefix=prefix)
    describe = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            obs = app.state.observatory
            app.openapi_schema = with_codes(
                describe(), obs.strategy, [i.id for i in obs.indicator_catalogue().indicators]
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_codes(spec: dict[str, Any], strategy: Strategy, indicator_ids: list[str]) -> dict[str, Any]:
    """The description with the values of the strategy's codes listed (``enum``) for the parameters that take
    them: the strategy is data, so the routes cannot name them, but clients and schemathesis should know them."""
    codes = {
        "region": [r.code for r in strategy.regions],
        "area": strategy.area_codes(),
        "topic": [t.code for t in strategy.topics()],
        "indicator_id": indicator_ids,
    }
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in codes:
                    _set_enum(parameter["schema"], codes[parameter["name"]])
    return spec


def _set_enum(schema: dict[str, Any], values: list[str]) -> None:
    if schema.get("type") == "array":
        _set_enum(schema["items"], values)
    elif schema.get("type") == "string":
        schema["enum"] = values
    for variant in schema.get("anyOf", []):
        _set_enum(variant, values)
