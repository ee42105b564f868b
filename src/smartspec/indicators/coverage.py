"""G7 follow-up: what the store holds per region and year, by source, and how much of it is classified."""

from __future__ import annotations

from collections import defaultdict

from smartspec.indicators.base import Context, Value, indicator


@indicator("g7_records")
def coverage(c: Context) -> list[Value]:
    out = []
    for r in c.regions:
        ids = c.facts.projects_in(r, c.this_year())
        by_source: dict[str, int] = defaultdict(int)
        for p in ids:
            by_source[c.facts.source_of[p]] += 1
        classified = sum(1 for p in ids if p in c.facts.areas_of)
        out.append(Value(r, None, len(ids), "project", ids, {"by_source": dict(by_source), "classified": classified}))
    return out
