"""Logging in and out, and the admin pages: accounts (add, disable, enable, reset, tokens) and the audit log."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from smartspec.accounts import LoginFailedError, LoginThrottledError, NewToken
from smartspec.errors import InputError
from smartspec.web import auth
from smartspec.web.deps import observatory, render

router = APIRouter(include_in_schema=False)
USER_CHANGES = ("disable", "enable", "reset", "token", "revoke")


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site only (never another site: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next), error=None, hint=None, username="")


@router.post("/login", response_model=None)
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    obs = observatory(request)
    try:
        result = obs.login(username, password, auth.address(request),
                           user_agent=request.headers.get("user-agent"),
                           replaces=request.cookies.get(auth.SESSION_COOKIE))  # fmt: skip
    except (LoginFailedError, LoginThrottledError) as exc:
        status = 429 if isinstance(exc, LoginThrottledError) else 401
        return render(request, "login.html", status_code=status, next=safe_next(next), error=exc.summary,
                      hint=exc.hint, username=username)  # fmt: skip
    response = RedirectResponse(safe_next(next), status_code=303)
    auth.set_cookie(request, response, auth.SESSION_COOKIE, result.token)
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token:
        observatory(request).logout(token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=auth.is_https(request))
    return response


def _users_page(request: Request, status_code: int = 200, *, message: str | None = None,
                problems: list[str] | None = None, new_token: NewToken | None = None) -> HTMLResponse:  # fmt: skip
    obs = observatory(request)
    return render(request, "admin_users.html", status_code=status_code, users=obs.users(), tokens=obs.tokens(),
                  message=message, problems=problems or [], new_token=new_token)  # fmt: skip


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request) -> HTMLResponse:
    return _users_page(request)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(request: Request, username: str = Form(""), role: str = Form("viewer"), regions: str = Form(""),
             password: str = Form("")) -> HTMLResponse:  # fmt: skip
    try:
        added = observatory(request).add_user(
            username.strip(), role, password, regions=regions.replace(",", " ").split()
        )
    except InputError as exc:
        return _users_page(request, 400, message=exc.summary, problems=[str(p) for p in exc.problems])
    return _users_page(request, message=f"{added.username}: {added.role.value}")


@router.post("/admin/users/{username}/{change}", response_class=HTMLResponse)
def change_user(request: Request, username: str, change: str, password: str = Form(""), label: str = Form(""),
                role: str = Form(""), token_id: int = Form(0)) -> HTMLResponse:  # fmt: skip
    obs = observatory(request)
    try:
        if change == "disable":
            obs.disable_user(username)
        elif change == "enable":
            obs.enable_user(username)
        elif change == "reset":
            obs.reset_password(username, password)
        elif change == "token":
            made = obs.create_token(username, label=label or None, role=role or None)
            return _users_page(request, message=f"{username}: token {made.info.id}", new_token=made)
        elif change == "revoke":
            obs.revoke_token(token_id)
        else:
            raise InputError(f"unknown change {change!r}", hint=f"use one of {', '.join(USER_CHANGES)}")
    except InputError as exc:
        return _users_page(request, 400, message=exc.summary, problems=[str(p) for p in exc.problems])
    return _users_page(request, message=f"{username}: {change}")


@router.get("/admin/audit", response_class=HTMLResponse)
def audit(request: Request, limit: int = 100, entity: str | None = None) -> HTMLResponse:
    entries = observatory(request).audit(max(1, min(limit, 1000)), entity or None)
    return render(request, "admin_audit.html", entries=entries, entity=entity or "", limit=limit)


@router.get("/admin/audit.csv")
def audit_csv(request: Request) -> Response:
    with tempfile.TemporaryDirectory(prefix="smartspec-audit-") as folder:
        path = Path(folder) / "audit.csv"
        observatory(request).export_audit(path)
        content = path.read_bytes()
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="smartspec-audit.csv"'})  # fmt: skip
