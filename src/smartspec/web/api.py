"""The REST API under /api/v1: the facade's typed results as JSON (read only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from smartspec.observatory import Observatory
from smartspec.store.queries import Stats
from smartspec.strategy import Strategy
from smartspec.web.deps import observatory

router = APIRouter(tags=["observatory"])


@router.get("/strategy", response_model=Strategy, summary="The strategy: priorities, areas, sub-topics, regions, goals")
def strategy(obs: Observatory = Depends(observatory)) -> Strategy:
    return obs.strategy


@router.get("/stats", response_model=Stats, summary="Per region: projects, organisations, EU and public funding")
def stats(source: str | None = None, obs: Observatory = Depends(observatory)) -> Stats:
    return obs.stats(source)
