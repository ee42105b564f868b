"""The G5 register's first entries: the international networks the strategy itself says its regions belong to.

The strategy's regions are members jointly (the regional councils act together through the joint S3 work), so
the seed writes one row per region per network, each with the strategy as its source in ``note``. A network
whose membership the strategy states without a start year gets the strategy's own year: the text attests the
membership from then, and earlier years are not claimed. Seeding is idempotent and never overwrites: where
the register already has a row for the network and region (seeded before, entered or edited by a person), it
is kept as it is.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.store import models as m
from smartspec.strategy import Strategy

SOURCE_PREFIX = "Source: strategy"


class SeedResult(BaseModel):
    inserted: int = Field(description="rows written now")
    kept: int = Field(description="rows already in the register (seeded earlier or entered by a person), untouched")
    networks: list[str] = Field(description="networks the strategy states a membership of")


def seed_note(strategy: Strategy, source: str | None, year_stated: bool) -> str:
    where = f" ({source})" if source else ""
    start = "" if year_stated else f"; start year not stated, the strategy's year {strategy.valid_from.year} used"
    return (f"{SOURCE_PREFIX} {strategy.code}{where}: joint membership of the strategy's "
            f"{len(strategy.regions)} regions{start}. / Lähde: strategia, maakuntien yhteinen jäsenyys.")  # fmt: skip


def seed_memberships(session: Session, strategy: Strategy, who: str = "strategy", via: str = "seed") -> SeedResult:
    """Write the strategy's memberships into network_membership, one row per region, where none is there yet."""
    existing = {(code, region) for code, region in session.execute(
        select(m.NetworkMembership.network_code, m.NetworkMembership.region_code))}  # fmt: skip
    inserted = kept = 0
    networks = []
    for network in strategy.networks:
        membership = network.membership
        if membership is None:
            continue
        networks.append(network.code)
        for region in strategy.regions:
            if (network.code, region.code) in existing:
                kept += 1
                continue
            session.add(m.NetworkMembership(
                network_code=network.code, region_code=region.code, role=membership.role.en,
                year_from=membership.year_from or strategy.valid_from.year, year_to=membership.year_to,
                note=seed_note(strategy, membership.source, membership.year_from is not None)))  # fmt: skip
            inserted += 1
    if inserted:
        detail = {"before": None, "after": {"inserted": inserted, "kept": kept}, "via": via}
        session.add(m.AuditLog(actor=who, via=via, action="register.network.seed", entity="network",
                               entity_id=strategy.code, detail=detail))  # fmt: skip
    session.flush()
    return SeedResult(inserted=inserted, kept=kept, networks=networks)
