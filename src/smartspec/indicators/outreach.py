"""G5 international network memberships and G6 communication actions, from the councils' registers."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from smartspec.indicators.base import Context, Value, indicator
from smartspec.store import models as m


@indicator("g5_memberships")
def memberships(c: Context) -> list[Value]:
    rows = list(c.session.scalars(select(m.NetworkMembership)))
    out = []
    for r in c.regions:
        active = [x for x in rows if x.region_code == r and (x.year_from is None or x.year_from <= c.year)
                  and (x.year_to is None or x.year_to >= c.year)]  # fmt: skip
        out.append(Value(r, None, len(active), "membership", [x.id for x in active],
                         {"networks": sorted({x.network_code for x in active})}))  # fmt: skip
    return out


@indicator("g6_actions")
def actions(c: Context) -> list[Value]:
    rows = list(c.session.scalars(select(m.CommunicationAction)))
    out = []
    for r in c.regions:
        mine = [x for x in rows if x.region_code == r and x.date is not None and x.date.year == c.year]
        kinds: dict[str, int] = defaultdict(int)
        for x in mine:
            kinds[x.kind] += 1
        out.append(Value(r, None, len(mine), "action", [x.id for x in mine], {"kinds": dict(kinds)}))
    return out
