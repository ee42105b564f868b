"""Who is asking, and may they: the gate every request passes, and the forms' CSRF tokens.

The gate (an HTTP middleware, so that it sees every route, mounts included) finds the request's user from the
session cookie or an ``Authorization: Bearer`` API token, looks the route up in ``web.access.RULES`` and asks the
one policy (``smartspec.accounts.policy.allowed``). A request that passes gets an Observatory acting as its user
(``request.state.observatory``): the facade checks each write again for the record's region and audits it with
the user, how they came and their address.

CSRF: a signed double-submit token. A random nonce lives in an HttpOnly ``SameSite=Strict`` cookie; each form
carries HMAC(secret, nonce, session) in a hidden field, which a site elsewhere can neither read nor compute.
Requests with an API token and no session cookie need none (a browser never sends a token by itself).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Mount, compile_path

from smartspec.accounts import Actor, UserInfo
from smartspec.accounts import policy as pol
from smartspec.observatory import Observatory
from smartspec.web import access

SESSION_COOKIE = "smartspec_session"
CSRF_COOKIE = "smartspec_csrf"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/v1"
CSRF_REFUSED = ("the form has expired or did not come from this site (CSRF check failed); reload the page and send "
                "it again / lomake on vanhentunut tai se ei tullut tältä sivustolta; lataa sivu uudelleen")  # fmt: skip
ErrorPage = Callable[[Request, int, str, list[str], str | None], Response]


def user(request: Request) -> UserInfo | None:
    """The request's user (None: anonymous), as the gate found it."""
    found: UserInfo | None = getattr(request.state, "user", None)
    return found


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, samesite: str = "lax") -> None:
    """A cookie scripts cannot read, sent back only to this site (and only over HTTPS when the request was)."""
    response.set_cookie(name, value, httponly=True, samesite=samesite, secure=is_https(request), path="/")  # type: ignore[arg-type]


# CSRF ---------------------------------------------------------------------------------------------------------------


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce: its cookie, or a new one (set by ``render`` on the page that carries the form)."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
    if not nonce:
        nonce = request.state.csrf_nonce = secrets.token_urlsafe(32)
    return str(nonce)


def csrf_token(request: Request) -> str:
    """The hidden field of every form: bound to the nonce cookie and to the login session (if any)."""
    session = hashlib.sha256(request.cookies.get(SESSION_COOKIE, "").encode()).hexdigest()
    secret: bytes = request.app.state.csrf_secret
    return hmac.new(secret, f"{csrf_nonce(request)}|{session}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, sent: object) -> bool:
    return (CSRF_COOKIE in request.cookies and isinstance(sent, str)
            and hmac.compare_digest(sent, csrf_token(request)))  # fmt: skip


async def check_csrf(request: Request) -> None:
    """An app-wide dependency: every write through a form carries the CSRF token of this browser's session."""
    if request.method in SAFE_METHODS or (bearer(request) and SESSION_COOKIE not in request.cookies):
        return
    form = await request.form()  # Starlette caches it: the route reads the same form
    if not csrf_valid(request, form.get(CSRF_FIELD)):
        raise HTTPException(403, CSRF_REFUSED)


# The gate -----------------------------------------------------------------------------------------------------------


class RouteTable:
    """The app's own routes (as FastAPI includes them) with their path patterns, compiled once."""

    def __init__(self, app: FastAPI) -> None:
        self.routes: list[tuple[re.Pattern[str] | None, str, frozenset[str]]] = []
        for context in iter_route_contexts(app.routes):
            path = str(context.path)
            if isinstance(context.original_route, Mount):
                self.routes.append((None, path, frozenset({"MOUNT"})))
            else:
                methods = frozenset(str(method) for method in getattr(context, "methods", None) or {"GET"})
                self.routes.append((compile_path(path)[0], path, methods))

    def find(self, method: str, path: str) -> tuple[str, str] | None:
        """(method key, route path) of the route that answers; None when none does (the app answers 404/405)."""
        method = "GET" if method == "HEAD" else method
        for pattern, route, methods in self.routes:
            if pattern is None:
                if path == route or path.startswith(route + "/"):
                    return "MOUNT", route
            elif pattern.match(path) and method in methods:
                return method, route
        return None


def install(app: FastAPI, error: ErrorPage) -> None:
    """Add the gate to ``app`` (before the security headers' middleware, so its refusals carry them too)."""
    table: list[RouteTable] = []

    def resolve(obs: Observatory, request: Request) -> tuple[UserInfo | None, str, bool]:
        token = bearer(request)
        if token:
            found = obs.token_user(token)
            return found, "token", found is not None
        cookie = request.cookies.get(SESSION_COOKIE)
        return (obs.session_user(cookie) if cookie else None), "session", True

    @app.middleware("http")
    async def gate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        obs: Observatory = request.app.state.observatory
        request.state.user = None
        if not table:
            table.append(RouteTable(app))
        found = table[0].find(request.method, request.url.path)
        if found is None:
            return await call_next(request)
        rule = access.rule(*found)
        if rule is None:
            return error(request, 403, f"{request.method} {found[1]} has no access rule; it is refused", [],
                         "add the route to smartspec.web.access.RULES")  # fmt: skip
        who, via, token_ok = await run_in_threadpool(resolve, obs, request)
        request.state.user = who
        if not token_ok:
            response = error(request, 401, "the API token is not valid (unknown, revoked or its user disabled)", [],
                             "ask an admin for a new token: smartspec user token NAME")  # fmt: skip
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if rule.action is not None:
            region = who.regions if who is not None and rule.action in pol.REGIONAL else None
            if not pol.allowed(who, rule.action, rule.resource, region, public_read=obs.settings.public_read):
                return refuse(request, who, rule, region, error)
        limit = obs.settings.max_upload_mb * 1024 * 1024
        if request.method not in SAFE_METHODS and int(request.headers.get("content-length") or 0) > limit:
            return error(request, 413, f"the upload is larger than {obs.settings.max_upload_mb} MB / tiedosto on liian "
                         "suuri", [], "split the file, or ask an admin to raise SMARTSPEC_MAX_UPLOAD_MB")  # fmt: skip
        acting = request.state.observatory = obs.acting_as(Actor.of(who, via, address(request)))
        response = await call_next(request)
        share_loaded(obs, acting)
        return response


def refuse(request: Request, who: UserInfo | None, rule: access.Rule, region: Any, error: ErrorPage) -> Response:
    """401 (API) or the login page (pages) for anonymous readers; 403 for users without the right."""
    assert rule.action is not None
    if who is None and not request.url.path.startswith(API_PREFIX):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    message = pol.denial(who, rule.action, rule.resource, region)
    response = error(request, 401 if who is None else 403, message, [], pol.denial_hint(who, rule.action))
    if who is None:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def share_loaded(base: Observatory, acting: Observatory) -> None:
    """Keep what a request's observatory loaded (the classifier, the partner index) for the next requests: loading
    the model takes a second, and ``acting_as`` copies these from the base observatory."""
    if acting._model is not None:
        base._model = acting._model
    if acting._partners is not None:
        base._partners = acting._partners
