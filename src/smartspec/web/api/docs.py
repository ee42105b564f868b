"""The API's documentation: ``/api/v1/docs`` lists the endpoints from the OpenAPI description on the server (in the
site's languages, without JavaScript, with no serious axe-core violation), and ``/api/v1/docs/swagger`` is Swagger
UI for trying requests. Swagger UI's files come from the ``swagger-ui-bundle-v2`` package installed from PyPI and
are served from here: nothing is loaded from a CDN. (axe-core finds contrast and nested-control problems in Swagger
UI's own markup, which is why it is the second page and not the docs page.)"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from smartspec.web.deps import environment, render

METHODS = ("get", "post", "put", "patch", "delete")
# Swagger UI styles some elements with inline style attributes; it runs no inline script and loads nothing else.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def endpoints(openapi: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the description: method, path, summary and parameters, grouped by their first tag."""
    out = []
    for path, operations in openapi.get("paths", {}).items():
        for method in METHODS:
            if method in operations:
                operation = operations[method]
                out.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": operation.get("summary", ""),
                        "tag": (operation.get("tags") or ["api"])[0],
                        "parameters": [
                            {
                                "name": p["name"],
                                "in": p["in"],
                                "required": p.get("required", False),
                                "description": p.get("description", ""),
                            }
                            for p in operation.get("parameters", [])
                        ],
                    }
                )
    return out


def install(app: FastAPI, prefix: str) -> None:
    app.mount(f"{prefix}/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get(f"{prefix}/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        listed = endpoints(request.app.openapi())
        tags = list(dict.fromkeys(e["tag"] for e in listed))
        return render(request, "api_docs.html", endpoints=listed, tags=tags, openapi_url=app.openapi_url,
                      swagger_url=f"{prefix}/docs/swagger")  # fmt: skip

    @app.get(f"{prefix}/docs/swagger", response_class=HTMLResponse, include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        html = (
            environment("en")
            .get_template("api_swagger.html")
            .render(assets=f"{prefix}/docs/assets", openapi_url=app.openapi_url, docs_url=f"{prefix}/docs")
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})
