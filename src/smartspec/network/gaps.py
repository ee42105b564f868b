"""Gaps in the strategy regions' collaboration, per competence area, read off the place network of the area's
projects: the regions' organisations work only with partners outside the regions; a region is active in the
area with no link to any of the other regions; the regions have no partner abroad in the area.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from smartspec.network.graph import NetworkFilter, build_place_graph
from smartspec.network.load import Collaborations


class AreaGaps(BaseModel):
    area: str
    regions_active: list[str] = Field(description="strategy regions with projects in the area")
    # A project counts once for every pair of places it links (see PlaceGraph).
    links_inside: int = Field(description="project links between places of the strategy's regions (same or "
                              "different region)")  # fmt: skip
    links_country: int = Field(description="project links between the regions and the rest of the country")
    links_abroad: int = Field(description="project links between the regions and other countries")
    only_outside: bool = Field(description="the regions' organisations have partners, but none in the regions")
    isolated_regions: list[str] = Field(description="active regions with no link to any other strategy region")
    no_partner_abroad: bool = Field(description="the regions are active in the area with no partner abroad")

    @property
    def gaps(self) -> list[str]:
        out = []
        if self.only_outside:
            out.append("only_outside")
        if self.isolated_regions:
            out.append("isolated_regions")
        if self.no_partner_abroad:
            out.append("no_partner_abroad")
        return out


def area_gaps(data: Collaborations, areas: list[str], base: NetworkFilter | None = None) -> list[AreaGaps]:
    """The gaps of every area in ``areas``, within the projects ``base`` selects (its area is replaced)."""
    regions = set(data.regions)
    out = []
    for area in areas:
        where = (base or NetworkFilter()).model_copy(update={"area": area})
        places = build_place_graph(data, where)
        active = [r for r in data.regions if places.active[r]]
        inside = country = abroad = 0
        linked: set[str] = set()
        for (p, q), count in places.links.items():
            kinds = {data.place_kind(p), data.place_kind(q)}
            if p in regions and q in regions:
                inside += count
                if p != q:
                    linked.update((p, q))
            elif kinds == {"region", "country"}:
                country += count
            elif kinds == {"region", "abroad"}:
                abroad += count
        outside = country + abroad
        out.append(AreaGaps(
            area=area, regions_active=active, links_inside=inside, links_country=country, links_abroad=abroad,
            only_outside=bool(active) and inside == 0 and outside > 0,
            isolated_regions=[r for r in active if r not in linked],
            no_partner_abroad=bool(active) and abroad == 0))  # fmt: skip
    return out
