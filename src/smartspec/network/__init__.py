"""The collaboration network: organisations linked by shared projects, its communities and gaps, the region's
international network memberships, and partner search."""

from typing import TYPE_CHECKING

from smartspec.lazy import attach

if TYPE_CHECKING:  # imported on first use (smartspec.lazy): a command loads only what it runs
    from smartspec.network.communities import Communities, Community, CommunityMember, find_communities
    from smartspec.network.evaluate import H2020_FOLDER, HORIZON_FOLDER, Evaluation, evaluate, scratch_store
    from smartspec.network.export import write_csv, write_graphml
    from smartspec.network.gaps import AreaGaps, area_gaps
    from smartspec.network.graph import NetworkFilter, OrgGraph, PlaceGraph, build_graph, build_place_graph
    from smartspec.network.load import Collaborations, load_collaborations
    from smartspec.network.memberships import SeedResult, seed_memberships
    from smartspec.network.partners import (
        TOPICS_FILE,
        PartnerFilter,
        PartnerIndex,
        Suggestion,
        Suggestions,
        topic_title,
    )
    from smartspec.network.service import NetworkReport, check_filter, network_report, read

__all__ = [
    "H2020_FOLDER",
    "HORIZON_FOLDER",
    "TOPICS_FILE",
    "AreaGaps",
    "Collaborations",
    "Communities",
    "Community",
    "CommunityMember",
    "Evaluation",
    "NetworkFilter",
    "NetworkReport",
    "OrgGraph",
    "PartnerFilter",
    "PartnerIndex",
    "PlaceGraph",
    "SeedResult",
    "Suggestion",
    "Suggestions",
    "area_gaps",
    "build_graph",
    "build_place_graph",
    "check_filter",
    "evaluate",
    "find_communities",
    "load_collaborations",
    "network_report",
    "read",
    "scratch_store",
    "seed_memberships",
    "topic_title",
    "write_csv",
    "write_graphml",
]

attach(__name__)
