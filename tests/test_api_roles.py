"""The API with an API token of each role (admin, a Kainuu editor, viewer): schemathesis finds no server error and
no answer outside the OpenAPI description for any of them, and no role (nor an anonymous client) gets a 2xx for
a write. The API has no write routes today: every write method on every API path of the app's own route table is
answered 405 and changes nothing; a write route added later is held to the access rules instead."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select
from starlette.routing import Mount

from smartspec import Observatory
from smartspec.accounts import UserInfo, allowed
from smartspec.config import Settings
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.web import access, create_app

API = "/api/v1"
ROLES = {"admin": ("admin", []), "editor": ("editor", ["FI1D8"]), "viewer": ("viewer", [])}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
PARAMS = {"code": "FI1D8", "project_id": "1", "organisation_id": "1", "year": "2023", "output_format": "csv",
          "indicator_id": "g1_projects", "kind": "cluster", "topic": "HORIZON-CL5-2022-D3-01-01"}  # fmt: skip
# Read from the description at collection (no database needed), as in tests/test_web_api.py.
OPERATIONS = [(method.upper(), path) for path, operations in create_app().openapi()["paths"].items()
              for method in operations]  # fmt: skip


@pytest.fixture(scope="module")
def role_db(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str], dict[str, UserInfo]]:
    """A copy of the web observatory with an account and an API token for each role."""
    target = tmp_path_factory.mktemp("roles") / "roles.db"
    with sqlite3.connect(web_db.removeprefix("sqlite:///")) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    tokens, users = {}, {}
    with Observatory(url) as obs:
        for role, (name, regions) in ROLES.items():
            users[role] = obs.add_user(f"api-{role}", name, f"{role} password 2026", regions=regions)
            tokens[role] = obs.create_token(f"api-{role}", label="schemathesis").token
    return url, tokens, users


@pytest.fixture(scope="module")
def role_app(role_db: tuple[str, dict[str, str], dict[str, UserInfo]]) -> FastAPI:
    return create_app(Settings(database_url=role_db[0]))


@pytest.fixture(scope="module")
def role_schema(role_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi(f"{API}/openapi.json", role_app)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_role_gets_answers_true_to_the_description(role_schema: Any, role_db: Any, role: str, method: str,
                                                         path: str) -> None:  # fmt: skip
    operation = role_schema[path][method]
    token = role_db[1][role]

    @given(case=operation.as_strategy())
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        if path == f"{API}/reports/{{year}}":  # WeasyPrint takes seconds a report: rendering is tested elsewhere
            case.path_parameters = {**(case.path_parameters or {}), "year": 1999}
        # An inverted year range of the network is a 400 that says so (a rule OpenAPI cannot state).
        excluded = [positive_data_acceptance] if path == f"{API}/network" else []
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)
        assert response.status_code not in (401, 403), (role, response.text[:300])  # every role reads the API

    check()


def _api_routes(app: FastAPI) -> dict[str, set[str]]:
    """Every API path of the app's own route table with the methods it serves (a mount: a file under it)."""
    routes: dict[str, set[str]] = {}
    for context in iter_route_contexts(app.routes):
        path = str(context.path)
        if not path.startswith(API):
            continue
        if isinstance(context.original_route, Mount):
            routes[path + "/swagger-ui.css"] = set()
        else:
            routes.setdefault(path, set()).update(getattr(context, "methods", None) or {"GET"})
    return routes


def _changes(url: str) -> tuple[int, ...]:
    obs = Observatory(url)
    with session_factory(obs.engine)() as session:
        counted = tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (m.AuditLog, m.Project, m.Classification, m.Cluster, m.User, m.ApiToken)
        )
    obs.close()
    return counted


def test_no_role_writes_through_the_api(role_app: FastAPI, role_db: Any) -> None:
    url, tokens, users = role_db
    routes = _api_routes(role_app)
    assert len(routes) >= 25
    before = _changes(url)
    tried = 0
    with TestClient(role_app) as client:
        for path, methods in routes.items():
            target = path
            for name, value in PARAMS.items():
                target = target.replace("{" + name + "}", value)
            for method in WRITES:
                rule = access.rule(method, path) if method in methods else None
                for role in [None, *ROLES]:
                    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
                    answer = client.request(method, target, headers=headers)
                    tried += 1
                    if method not in methods:  # no such write: the method is not allowed, whoever asks
                        assert answer.status_code == 405, (method, target, role, answer.status_code)
                        continue
                    assert rule is not None and rule.action is not None, f"{method} {path} has no access rule"
                    user = users[role] if role else None
                    if not allowed(user, rule.action, rule.resource, user.regions if user else None):
                        assert answer.status_code in (401, 403), (method, target, role, answer.status_code)
                    assert answer.status_code < 500
    assert tried == len(routes) * len(WRITES) * (len(ROLES) + 1)
    assert _changes(url) == before
