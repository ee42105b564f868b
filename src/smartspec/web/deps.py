"""What every route shares: the app's Observatory (one per app, shared by requests), the page language and the
templates. Routes call the facade and add presentation only."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from smartspec.accounts import policy
from smartspec.observatory import Observatory
from smartspec.report import format as fmt
from smartspec.web import auth
from smartspec.web.i18n import LANGS, choose, translations


def observatory(request: Request) -> Observatory:
    """The Observatory acting as the request's user (set by the gate in web/auth.py), else the app's."""
    obs: Observatory = getattr(request.state, "observatory", None) or request.app.state.observatory
    return obs


def language(request: Request) -> str:
    return choose(request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language"))


@lru_cache(maxsize=len(LANGS))
def environment(lang: str) -> Environment:
    """Jinja2 with autoescaping and the i18n extension bound to the language's catalogue."""
    env = Environment(loader=PackageLoader("smartspec.web", "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    report_lang = "fi" if lang == "fi" else "en"
    env.filters["number"] = lambda value, digits=0: fmt.number(value, report_lang, digits)
    env.filters["money"] = lambda value: fmt.money(value, report_lang)
    env.filters["percent"] = lambda value: fmt.percent(value, report_lang)
    env.filters["date"] = lambda value: fmt.date(value, report_lang)
    env.tests["web_address"] = is_web_address
    env.globals["LANGS"] = LANGS
    return env


def is_web_address(value: Any) -> bool:
    """Whether a stored address may be a link: http(s) only, never ``javascript:`` or ``data:`` (records stored
    before the registers checked their addresses are shown as text)."""
    parts = urlsplit(str(value or "").strip())
    return parts.scheme.casefold() in ("http", "https") and bool(parts.netloc)


def url_with(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one): keeps filters in links."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        pairs.extend((key, str(v)) for v in value) if isinstance(value, list | tuple) else pairs.append(
            (key, str(value))
        )
    query = urlencode(pairs)
    return request.url.path + (f"?{query}" if query else "")


def fragment(request: Request, template: str, key: Hashable, context: Callable[[], dict[str, Any]]) -> Markup:
    """A part of a page that depends only on the data, the language, the path and ``key`` (never on the user, the
    cookies or other parameters), rendered from ``template`` once per data revision and then served from the
    facade's cache."""
    obs, lang = observatory(request), language(request)

    def draw() -> Markup:
        page = environment(lang).get_template(template)
        return Markup(page.render(request=request, lang=lang, strategy=obs.strategy, **context()))

    return obs.cached(("fragment", template, lang, request.url.path, key), draw)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language; the language switch links keep the page and its filters."""
    lang = language(request)
    obs = observatory(request)
    user = auth.user(request)

    def can(action: str) -> bool:  # what the navigation offers (the gate and the facade decide)
        regions = user.regions if user is not None else None
        return policy.allowed(user, policy.Action(action), None, regions, public_read=obs.settings.public_read)

    html = (
        environment(lang)
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            strategy=obs.strategy,
            url_with=lambda **c: url_with(request, **c),
            Markup=Markup,
            user=user,
            can=can,
            csrf_field=auth.CSRF_FIELD,
            csrf=auth.csrf_token(request),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    if auth.CSRF_COOKIE not in request.cookies:
        auth.set_cookie(request, response, auth.CSRF_COOKIE, auth.csrf_nonce(request), samesite="strict")
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
