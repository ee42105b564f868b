"""The indicator catalogue and the reference data it needs (population), loaded from YAML."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
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
    function: str
    sources: list[str]
    title: Text
    definition: Text
    caveats: Text | None = None
    by_area: bool = False


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


class Population(BaseModel):
    source: dict[str, str]
    year: int
    caveat: Text | None = None
    regions: dict[str, int]
    finland: int


def _data(name: str) -> Any:
    return yaml.safe_load((resources.files("smartspec.indicators") / "data" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    return Catalogue.model_validate(_data("catalogue.yaml"))


def load_population(path: Path | None = None) -> Population:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path else _data("population.yaml")
    return Population.model_validate(data)
