"""The server-rendered pages, one module per page family; each module has a ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from smartspec.web.pages import indicators, overview, profiles, search


def routers() -> list[APIRouter]:
    return [overview.router, search.router, profiles.router, indicators.router]
