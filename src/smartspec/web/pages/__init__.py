"""The server-rendered pages, one module per page family; each module has a ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from smartspec.web.pages import (
    accounts,
    data,
    editing,
    indicators,
    overview,
    profiles,
    regions,
    reports,
    search,
    strategy,
)


def routers() -> list[APIRouter]:
    return [overview.router, strategy.router, regions.router, search.router, profiles.router, indicators.router,
            reports.router, data.router, accounts.router, editing.router]  # fmt: skip
