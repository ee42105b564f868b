"""G4 clusters: registered clusters, ECCP PRO profiles, valid EUCLES labels and the members' EU funding."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from smartspec.indicators.base import Context, Value, indicator
from smartspec.money import eur
from smartspec.store import models as m


def _clusters(c: Context) -> list[m.Cluster]:
    return list(c.session.scalars(select(m.Cluster)))


def pro_level(cluster: m.Cluster, mandatory: list[str], optional: list[str]) -> bool:
    """ECCP PRO: every mandatory field and at least half of the optional fields filled in."""
    fields = cluster.eccp_fields or {}

    def filled(name: str) -> bool:
        return fields.get(name) not in (None, "", [], {})

    return all(filled(f) for f in mandatory) and sum(filled(f) for f in optional) * 2 >= len(optional)


def _count_per_region(c: Context, rows: list[m.Cluster]) -> list[Value]:
    """How many of these clusters each region has, with their ids."""
    return [Value(r, None, len(ids), "cluster", ids)
            for r in c.regions for ids in [[x.id for x in rows if x.region_code == r]]]  # fmt: skip


@indicator("g4_clusters")
def clusters(c: Context) -> list[Value]:
    return _count_per_region(c, _clusters(c))


@indicator("g4_eccp_pro")
def eccp_pro(c: Context) -> list[Value]:
    e = c.catalogue.eccp
    return _count_per_region(c, [x for x in _clusters(c) if pro_level(x, e.mandatory, e.optional)])


@indicator("g4_labelled")
def labelled(c: Context) -> list[Value]:
    end = dt.date(c.year, 12, 31)
    rows = _clusters(c)
    out = []
    for r in c.regions:
        valid = [x for x in rows if x.region_code == r and x.label_level
                 and (x.label_valid_from is None or x.label_valid_from <= end)
                 and (x.label_valid_until is None or x.label_valid_until >= end)]  # fmt: skip
        out.append(Value(r, None, len(valid), "cluster", [x.id for x in valid],
                         {"levels": sorted(str(x.label_level) for x in valid)}))  # fmt: skip
    return out


@indicator("g4_member_funding")
def member_funding(c: Context) -> list[Value]:
    members: dict[str, set[int]] = defaultdict(set)
    clusters_by_id = {x.id: x for x in _clusters(c)}
    for cluster_id, org in c.session.execute(select(m.ClusterMember.cluster_id, m.ClusterMember.organisation_id)):
        cluster = clusters_by_id[cluster_id]
        if cluster.region_code:
            members[cluster.region_code].add(org)
            if cluster.organisation_id:
                members[cluster.region_code].add(cluster.organisation_id)
    out = []
    for r in c.regions:
        ids, cents = [], 0
        for project in c.facts.projects_of(c.this_year()):
            for x in c.facts.participants[project]:
                if x.organisation_id in members[r] and x.ec_cents:
                    ids.append(x.id)
                    cents += x.ec_cents
        out.append(Value(r, None, eur(cents), "participation", ids, {"cents": cents}))
    return out
