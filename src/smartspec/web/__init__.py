"""The web observatory: server-rendered pages and the REST API under /api/v1, both over the Observatory facade."""

from smartspec.web.app import create_app

__all__ = ["create_app"]
