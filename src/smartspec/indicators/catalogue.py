"""The indicator catalogue, loaded from YAML: one entry per indicator, keyed by its id."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from smartspec.strategy import Text


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    publisher: Text
    licence: str
    url: str | None = None


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    goal: str = Field(pattern=r"^G\d$")
    unit: str
    sources: list[str]
    title: Text
    definition: Text
    caveats: Text | None = None
    by_area: bool = False
    parameters: dict[str, Any] = Field(default_factory=dict, description="settings the indicator's function reads")

    @property
    def money(self) -> bool:
        return self.unit == "EUR"


class Eccp(BaseModel):
    mandatory: list[str]
    optional: list[str]


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: dict[str, Source]
    indicators: list[Indicator]
    eccp: Eccp

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)


def data_file(name: str) -> Any:
    return yaml.safe_load((resources.files("smartspec.indicators") / "data" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The catalogue, checked against the registered indicator functions (one name each, both ways)."""
    from smartspec.indicators.base import check_registry  # the registry imports the catalogue's types

    catalogue = Catalogue.model_validate(data_file("catalogue.yaml"))
    check_registry(catalogue)
    return catalogue
