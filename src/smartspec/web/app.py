"""The application factory: ``create_app(settings)`` builds the FastAPI app over one Observatory.

No import-time globals: the Observatory lives in ``app.state`` and is closed when the app shuts down. Pages are
server-rendered (Jinja2) and work without JavaScript; the API lives under /api/v1 with its OpenAPI description at
/api/v1/openapi.json. Every response carries security headers; errors are one JSON shape under /api and a page
elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartspec.accounts import PermissionDenied
from smartspec.config import Settings
from smartspec.errors import InputError, NotFoundError, SmartspecError
from smartspec.observatory import Observatory
from smartspec.web import api, auth, pages
from smartspec.web.api.schemas import ErrorDetail, ErrorResponse
from smartspec.web.deps import render

API_PREFIX = "/api/v1"
# `smartspec serve --workers N` passes its settings (as JSON) to the worker processes in this variable.
WORKER_SETTINGS = "SMARTSPEC_SERVE_SETTINGS"
# No inline scripts or styles, nothing from elsewhere: the pages work without JavaScript.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(settings: Settings | None = None, *, observatory: Observatory | None = None) -> FastAPI:
    """The web observatory over ``observatory`` (or one opened from ``settings``)."""
    obs = observatory or Observatory(settings=settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if observatory is None:
            obs.close()

    app = FastAPI(title="smartspec", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=f"{API_PREFIX}/openapi.json",
                  description="The joint smart specialisation strategy of East and North Finland: strategy, "
                  "projects, organisations, indicators, classifications, registers and reports.",
                  dependencies=[Depends(auth.check_csrf)])  # fmt: skip
    app.state.observatory = obs
    key = obs.settings.secret_key
    app.state.csrf_secret = hashlib.sha256(key.encode()).digest() if key else secrets.token_bytes(32)
    app.mount("/static", StaticFiles(directory=str(resources.files("smartspec.web") / "static")), name="static")
    api.install(app, API_PREFIX)  # routes, the docs page (no CDN) and ETags
    for router in pages.routers():
        app.include_router(router)

    auth.install(app, _error)  # who is asking, and may they (before the headers, so refusals carry them)

    app.add_middleware(SecurityHeaders)  # added last: outermost, so the gate's refusals carry the headers too

    @app.exception_handler(SmartspecError)
    async def smartspec_error(request: Request, error: SmartspecError) -> Response:
        if isinstance(error, PermissionDenied):  # raised by the facade before it writes anything
            status = 401 if auth.user(request) is None else 403
            return _error(request, status, error.summary, [str(p) for p in error.problems], error.hint)
        status = 404 if isinstance(error, NotFoundError) or "there is no" in error.summary else (
            400 if isinstance(error, InputError) else 409)  # fmt: skip
        return _error(request, status, error.summary, [str(p) for p in error.problems], error.hint)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail), [], None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        return _error(request, 422, "the request's parameters are not valid", problems, "see /api/v1/docs")

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        # Called by Starlette's outermost middleware, which logs the traceback and re-raises after answering.
        return _error(request, 500, "the server failed to answer this request", [type(error).__name__],
                      "try again; if it fails again, report the URL to the observatory's maintainers")  # fmt: skip

    return app


class SecurityHeaders:
    """Adds the security headers to every response. A plain ASGI middleware: Starlette's ``@app.middleware("http")``
    runs each request through a task and a stream of its own, a visible share of a cached answer's cost."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def worker_app() -> FastAPI:
    """The app of one worker process of `smartspec serve --workers N`, with the settings the command resolved."""
    given = os.environ.get(WORKER_SETTINGS)
    if given is None:
        raise SmartspecError(f"{WORKER_SETTINGS} is not set", hint="start the workers with smartspec serve --workers N")
    return create_app(Settings.model_validate_json(given))


def _error(request: Request, status: int, message: str, problems: list[str], hint: str | None) -> Response:
    if request.url.path.startswith(API_PREFIX) or "application/json" in request.headers.get("accept", ""):
        body = ErrorResponse(error=ErrorDetail(status=status, message=message, problems=problems, hint=hint))
        return JSONResponse(body.model_dump(mode="json"), status_code=status)
    return render(request, "error.html", status_code=status, status=status, message=message, problems=problems,
                  hint=hint)  # fmt: skip
