"""One function per indicator of the catalogue. Each returns values per region (and area) for a year, every
value with the records behind it, so a reader can list them and check the sum.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.indicators.catalogue import Catalogue, Population
from smartspec.indicators.facts import Facts
from smartspec.store import models as m


@dataclass
class Value:
    indicator: str
    region: str | None
    area: str | None
    value: float
    kind: str  # what the record ids are: project, participation, cluster, membership, action
    ids: list[int] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    facts: Facts
    session: Session
    catalogue: Catalogue
    population: Population
    year: int

    @property
    def regions(self) -> list[str]:
        return [region.code for region in self.facts.strategy.regions]

    @property
    def areas(self) -> list[str]:
        return self.facts.strategy.area_codes()

    def this_year(self) -> range:
        return range(self.year, self.year + 1)

    def window(self) -> range:
        return range(self.year - 2, self.year + 1)


Function = Callable[[Context], list[Value]]
FUNCTIONS: dict[str, Function] = {}


def indicator(name: str) -> Callable[[Function], Function]:
    def register(function: Function) -> Function:
        FUNCTIONS[name] = function
        return function

    return register


# G1 cooperation --------------------------------------------------------------------------------------------


def _region_projects(c: Context, years: range | None = None) -> dict[str, list[int]]:
    return {r: c.facts.projects_in(r, years or c.this_year()) for r in c.regions}


@indicator("projects")
def projects(c: Context) -> list[Value]:
    return [Value("g1_projects", r, None, len(ids), "project", ids) for r, ids in _region_projects(c).items()]


def _elsewhere(c: Context, region: str, project: int) -> bool:
    """Whether the project also has a participant in a region other than ``region``."""
    return bool(c.facts.regions_of(project) - {region})


def _multi(c: Context, region: str, ids: list[int]) -> list[int]:
    return [p for p in ids if _elsewhere(c, region, p)]


def _count_projects(c: Context, indicator_id: str, keep: Callable[[str, int], bool]) -> list[Value]:
    """Per region, this year's projects that ``keep(region, project)`` accepts, counted and listed."""
    out = []
    for r, ids in _region_projects(c).items():
        hits = [p for p in ids if keep(r, p)]
        out.append(Value(indicator_id, r, None, len(hits), "project", hits))
    return out


@indicator("multi_region")
def multi_region(c: Context) -> list[Value]:
    return _count_projects(c, "g1_multi_region", lambda r, p: _elsewhere(c, r, p))


@indicator("multi_region_share")
def multi_region_share(c: Context) -> list[Value]:
    out = []
    for r, ids in _region_projects(c).items():
        multi = _multi(c, r, ids)
        share = len(multi) / len(ids) if ids else 0.0
        out.append(
            Value(
                "g1_multi_region_share",
                r,
                None,
                round(share, 4),
                "project",
                multi,
                {"numerator": len(multi), "denominator": len(ids)},
            )
        )
    return out


@indicator("finland_partners")
def finland_partners(c: Context) -> list[Value]:
    return _count_projects(
        c, "g1_finland_partners",
        lambda r, p: any(x.country == "FI" and x.region is None for x in c.facts.participants[p]),
    )  # fmt: skip


@indicator("international")
def international(c: Context) -> list[Value]:
    return _count_projects(
        c, "g1_international", lambda r, p: any(x.country not in (None, "FI") for x in c.facts.participants[p])
    )


@indicator("new_links")
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
        out.append(
            Value(
                "g1_new_links",
                r,
                None,
                len(links),
                "project",
                [p for _, p in links],
                {"partners": [b for b, _ in links]},
            )
        )
    return out


# G2 funding ------------------------------------------------------------------------------------------------


def _funding(c: Context, region: str, years: range, area: str | None, measure: str) -> tuple[list[int], int]:
    ids, total = [], 0
    for project in c.facts.projects_in(region, years):
        if area is not None and area not in c.facts.areas_of.get(project, set()):
            continue
        for x in c.facts.participants[project]:
            amount = x.ec_cents if measure == "ec" else x.public_cents
            if x.region == region and (measure == "ec" or c.facts.source_of[project] == "eura") and amount:
                ids.append(x.id)
                total += amount
    return ids, total


def _funding_values(c: Context, name: str, measure: str) -> list[Value]:
    out = []
    for r in c.regions:
        for area in [None, *c.areas]:
            ids, cents = _funding(c, r, c.this_year(), area, measure)
            if area is None or ids:
                out.append(Value(name, r, area, cents / 100, "participation", ids, {"cents": cents}))
    return out


@indicator("eu_funding")
def eu_funding(c: Context) -> list[Value]:
    return _funding_values(c, "g2_eu_funding", "ec")


@indicator("public_funding")
def public_funding(c: Context) -> list[Value]:
    return _funding_values(c, "g2_public_funding", "public")


@indicator("eu_funding_per_capita")
def eu_funding_per_capita(c: Context) -> list[Value]:
    out = []
    for r in c.regions:
        ids, cents = _funding(c, r, c.this_year(), None, "ec")
        people = c.population.regions.get(r)
        value = round(cents / 100 / people, 2) if people else 0.0
        out.append(
            Value(
                "g2_eu_funding_per_capita",
                r,
                None,
                value,
                "participation",
                ids,
                {"cents": cents, "population": people, "population_year": c.population.year},
            )
        )
    return out


@indicator("share_of_finland")
def share_of_finland(c: Context) -> list[Value]:
    finland = sum(x.ec_cents for p in c.facts.projects_of(c.this_year()) for x in c.facts.participants[p]
                  if x.country == "FI")  # fmt: skip
    out = []
    for r in c.regions:
        ids, cents = _funding(c, r, c.this_year(), None, "ec")
        out.append(
            Value(
                "g2_share_of_finland",
                r,
                None,
                round(cents / finland, 4) if finland else 0.0,
                "participation",
                ids,
                {"cents": cents, "finland_cents": finland},
            )
        )
    return out


def _area_shares(
    c: Context, projects: list[int], participant_filter: Callable[[Any], bool]
) -> tuple[dict[str, int], int]:
    per_area: dict[str, int] = defaultdict(int)
    total = 0
    for project in projects:
        areas = c.facts.areas_of.get(project)
        if areas is None:
            continue
        cents = sum(x.ec_cents for x in c.facts.participants[project] if participant_filter(x))
        total += cents
        for area in areas:
            per_area[area] += cents
    return per_area, total


def _rca(c: Context, name: str, reference: Callable[[Any], bool]) -> list[Value]:
    window = c.window()
    in_window = c.facts.projects_of(window)
    ref_area, ref_total = _area_shares(c, in_window, reference)
    out = []
    for r in c.regions:
        mine = c.facts.projects_in(r, window)
        own_area, own_total = _area_shares(c, mine, _located_in(r))
        for area in c.areas:
            if not own_total or not ref_total or not ref_area.get(area):
                continue
            value = (own_area.get(area, 0) / own_total) / (ref_area[area] / ref_total)
            ids = [p for p in mine if area in c.facts.areas_of.get(p, set())]
            out.append(
                Value(
                    name,
                    r,
                    area,
                    round(value, 3),
                    "project",
                    ids,
                    {
                        "region_share": round(own_area.get(area, 0) / own_total, 4),
                        "reference_share": round(ref_area[area] / ref_total, 4),
                        "window": [window.start, window.stop - 1],
                    },
                )
            )
    return out


def _located_in(region: str) -> Callable[[Any], bool]:
    def check(participant: Any) -> bool:
        return bool(participant.region == region)

    return check


@indicator("rca_finland")
def rca_finland(c: Context) -> list[Value]:
    return _rca(c, "rca_finland", lambda x: x.country == "FI")


@indicator("rca_eu")
def rca_eu(c: Context) -> list[Value]:
    return _rca(c, "rca_eu", lambda x: True)


# G3 value networks -----------------------------------------------------------------------------------------


@indicator("communities")
def communities(c: Context) -> list[Value]:
    out = []
    upto = range(1900, c.year + 1)
    for area in c.areas:
        graph = nx.Graph()
        for project, parts in c.facts.participants.items():
            if c.facts.year_of.get(project) not in upto or area not in c.facts.areas_of.get(project, set()):
                continue
            local = [(x.organisation_id, x.region) for x in parts if x.region]
            for org, region in local:
                graph.add_node(org, region=region)
            for i, (a, _) in enumerate(local):
                for b, _ in local[i + 1 :]:
                    if a != b:
                        graph.add_edge(a, b)
        components = [set(group) for group in nx.connected_components(graph)]
        for r in c.regions:
            found = []
            for group in components:
                regions = {graph.nodes[n]["region"] for n in group}
                if r in regions and len(regions) >= 2:
                    found.append(group)
            if not found:
                continue
            ids = sorted(n for group in found for n in group)
            spans = [len({graph.nodes[n]["region"] for n in group}) for group in found]
            types = sorted({str(c.facts.org_type.get(n)) for group in found for n in group})
            out.append(
                Value(
                    "g3_communities",
                    r,
                    area,
                    len(found),
                    "organisation",
                    ids,
                    {"regions_spanned": spans, "organisation_types": types, "sizes": [len(group) for group in found]},
                )
            )
    return out


# G4-G6 registers -------------------------------------------------------------------------------------------


def _clusters(c: Context) -> list[m.Cluster]:
    return list(c.session.scalars(select(m.Cluster)))


def pro_level(cluster: m.Cluster, mandatory: list[str], optional: list[str]) -> bool:
    """ECCP PRO: every mandatory field and at least half of the optional fields filled in."""
    fields = cluster.eccp_fields or {}

    def filled(name: str) -> bool:
        value = fields.get(name)
        return value not in (None, "", [], {})

    return all(filled(f) for f in mandatory) and sum(filled(f) for f in optional) * 2 >= len(optional)


def _count_per_region(c: Context, indicator_id: str, rows: list[m.Cluster]) -> list[Value]:
    """How many of these clusters each region has, with their ids."""
    return [Value(indicator_id, r, None, len(ids), "cluster", ids)
            for r in c.regions for ids in [[x.id for x in rows if x.region_code == r]]]  # fmt: skip


@indicator("clusters")
def clusters(c: Context) -> list[Value]:
    return _count_per_region(c, "g4_clusters", _clusters(c))


@indicator("eccp_pro")
def eccp_pro(c: Context) -> list[Value]:
    rows = _clusters(c)
    e = c.catalogue.eccp
    return _count_per_region(c, "g4_eccp_pro", [x for x in rows if pro_level(x, e.mandatory, e.optional)])


@indicator("labelled")
def labelled(c: Context) -> list[Value]:
    end = dt.date(c.year, 12, 31)
    rows = _clusters(c)
    out = []
    for r in c.regions:
        valid = [
            x
            for x in rows
            if x.region_code == r
            and x.label_level
            and (x.label_valid_from is None or x.label_valid_from <= end)
            and (x.label_valid_until is None or x.label_valid_until >= end)
        ]
        out.append(
            Value(
                "g4_labelled",
                r,
                None,
                len(valid),
                "cluster",
                [x.id for x in valid],
                {"levels": sorted(str(x.label_level) for x in valid)},
            )
        )
    return out


@indicator("member_funding")
def member_funding(c: Context) -> list[Value]:
    members: dict[str, set[int]] = defaultdict(set)
    clusters_by_id = {x.id: x for x in _clusters(c)}
    for cluster_id, org in c.session.execute(select(m.ClusterMember.cluster_id, m.ClusterMember.organisation_id)):
        region = clusters_by_id[cluster_id].region_code
        if region:
            members[region].add(org)
        if clusters_by_id[cluster_id].organisation_id and region:
            members[region].add(clusters_by_id[cluster_id].organisation_id)  # type: ignore[arg-type]
    out = []
    for r in c.regions:
        ids, cents = [], 0
        for project in c.facts.projects_of(c.this_year()):
            for x in c.facts.participants[project]:
                if x.organisation_id in members[r] and x.ec_cents:
                    ids.append(x.id)
                    cents += x.ec_cents
        out.append(Value("g4_member_funding", r, None, cents / 100, "participation", ids, {"cents": cents}))
    return out


@indicator("memberships")
def memberships(c: Context) -> list[Value]:
    rows = list(c.session.scalars(select(m.NetworkMembership)))
    out = []
    for r in c.regions:
        active = [
            x
            for x in rows
            if x.region_code == r
            and (x.year_from is None or x.year_from <= c.year)
            and (x.year_to is None or x.year_to >= c.year)
        ]
        out.append(
            Value(
                "g5_memberships",
                r,
                None,
                len(active),
                "membership",
                [x.id for x in active],
                {"networks": sorted({x.network_code for x in active})},
            )
        )
    return out


@indicator("actions")
def actions(c: Context) -> list[Value]:
    rows = list(c.session.scalars(select(m.CommunicationAction)))
    out = []
    for r in c.regions:
        mine = [x for x in rows if x.region_code == r and x.date is not None and x.date.year == c.year]
        kinds: dict[str, int] = defaultdict(int)
        for x in mine:
            kinds[x.kind] += 1
        out.append(Value("g6_actions", r, None, len(mine), "action", [x.id for x in mine], {"kinds": dict(kinds)}))
    return out


# G7 follow-up ----------------------------------------------------------------------------------------------


@indicator("coverage")
def coverage(c: Context) -> list[Value]:
    out = []
    for r in c.regions:
        ids = c.facts.projects_in(r, c.this_year())
        by_source: dict[str, int] = defaultdict(int)
        for p in ids:
            by_source[c.facts.source_of[p]] += 1
        classified = sum(1 for p in ids if p in c.facts.areas_of)
        out.append(
            Value(
                "g7_records",
                r,
                None,
                len(ids),
                "project",
                ids,
                {"by_source": dict(by_source), "classified": classified},
            )
        )
    return out
