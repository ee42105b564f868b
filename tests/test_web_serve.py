"""`smartspec serve`: one process, or worker processes that each build the app from the command's settings."""

from __future__ import annotations

import os
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import cli
from smartspec.config import Settings
from smartspec.errors import SmartspecError
from smartspec.web.app import WORKER_SETTINGS, worker_app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `smartspec serve` hands to uvicorn (which is not started)."""
    import uvicorn

    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.update(app=app, **options))
    monkeypatch.delenv(WORKER_SETTINGS, raising=False)
    monkeypatch.delenv("SMARTSPEC_SECRET_KEY", raising=False)
    return calls


def test_workers_get_the_commands_settings(started: dict[str, Any], db_url: str) -> None:
    assert cli("serve", "--db", db_url, "--port", "8123", "--workers", "3") == 0
    assert started["app"] == "smartspec.web.app:worker_app" and started["factory"] is True
    assert started["workers"] == 3 and started["port"] == 8123
    # A worker process starts with the parent's environment and builds the app from it.
    given = Settings.model_validate_json(os.environ[WORKER_SETTINGS])
    assert given.database_url == db_url  # --db, which no environment variable holds
    assert given.secret_key  # one key for every worker, so that a form from one is accepted by another
    app = worker_app()
    assert app.state.observatory.settings == given
    with TestClient(app) as client:
        assert client.get("/api/v1/regions").status_code == 200


def test_one_process_serves_the_app_itself(started: dict[str, Any], db_url: str) -> None:
    assert cli("serve", "--db", db_url) == 0
    assert isinstance(started["app"], FastAPI) and "workers" not in started
    assert WORKER_SETTINGS not in os.environ
    assert started["app"].state.observatory.settings.database_url == db_url


def test_a_worker_without_the_settings_says_how_to_start_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKER_SETTINGS, raising=False)
    with pytest.raises(SmartspecError, match="smartspec serve --workers"):
        worker_app()
