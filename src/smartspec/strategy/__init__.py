"""The strategy as data: pydantic models and the YAML files that fill them."""

from smartspec.strategy.loader import cached_strategy, default_strategy_path, load_strategy, parse_strategy
from smartspec.strategy.models import (
    LANGS,
    Area,
    Fact,
    Goal,
    Keywords,
    Membership,
    Network,
    Priority,
    Region,
    RegionPriority,
    Strategy,
    Text,
    Topic,
)

__all__ = [
    "LANGS",
    "Area",
    "Fact",
    "Goal",
    "Keywords",
    "Membership",
    "Network",
    "Priority",
    "Region",
    "RegionPriority",
    "Strategy",
    "Text",
    "Topic",
    "cached_strategy",
    "default_strategy_path",
    "load_strategy",
    "parse_strategy",
]
