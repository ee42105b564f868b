"""The server-rendered pages, one module per page family; each module has a ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from smartspec.web.pages import data, overview, regions, reports, strategy


def routers() -> list[APIRouter]:
    return [overview.router, strategy.router, regions.router, reports.router, data.router]
