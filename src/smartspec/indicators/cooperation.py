"""G1 cooperation: projects with the region's actors, across regions, in Finland and abroad, and new links."""

from __future__ import annotations

from smartspec.indicators.base import Context, Value, count_per_region, indicator


def _elsewhere(c: Context, region: str, project: int) -> bool:
    """Whether the project also has a participant in a region other than ``region``."""
    return bool(c.facts.regions_of(project) - {region})


@indicator("g1_projects")
def projects(c: Context) -> list[Value]:
    return count_per_region(c, lambda r, p: True)


@indicator("g1_multi_region")
def multi_region(c: Context) -> list[Value]:
    return count_per_region(c, lambda r, p: _elsewhere(c, r, p))


@indicator("g1_multi_region_share")
def multi_region_share(c: Context) -> list[Value]:
    out = []
    for r in c.regions:
        ids = c.facts.projects_in(r, c.this_year())
        multi = [p for p in ids if _elsewhere(c, r, p)]
        share = len(multi) / len(ids) if ids else 0.0
        out.append(Value(r, None, round(share, 4), "project", multi,
                         {"numerator": len(multi), "denominator": len(ids)}))  # fmt: skip
    return out


@indicator("g1_finland_partners")
def finland_partners(c: Context) -> list[Value]:
    return count_per_region(
        c, lambda r, p: any(x.country == c.country and x.region is None for x in c.facts.participants[p])
    )


@indicator("g1_international")
def international(c: Context) -> list[Value]:
    return count_per_region(c, lambda r, p: any(x.country not in (None, c.country) for x in c.facts.participants[p]))


@indicator("g1_new_links")
def new_links(c: Context) -> list[Value]:
    first: dict[tuple[str, str], tuple[int, int]] = {}  # (region, partner) → (first year, project)
    for project, parts in c.facts.participants.items():
        year = c.facts.year_of.get(project)
        if year is None:
            continue
        regions = {x.region for x in parts if x.region}
        for a in regions:
            for b in regions - {a}:
                known = first.get((a, b))
                if known is None or (year, project) < known:
                    first[(a, b)] = (year, project)
    out = []
    for r in c.regions:
        links = sorted((b, p) for (a, b), (y, p) in first.items() if a == r and y == c.year)
        out.append(Value(r, None, len(links), "project", [p for _, p in links], {"partners": [b for b, _ in links]}))
    return out
