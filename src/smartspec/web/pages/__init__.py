"""The server-rendered pages, one module per page family; each module has a ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from smartspec.web.pages import overview


def routers() -> list[APIRouter]:
    return [overview.router]
