"""The strategy as typed data: priorities, competence areas, sub-topics, regions, goals, networks, facts.

Nothing here is specific to East and North Finland: another region's strategy is another YAML file that
validates against the same models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["fi", "en"]
LANGS: tuple[Lang, ...] = ("fi", "en")

# NUTS codes: two-letter country code followed by one to three characters (NUTS-1 … NUTS-3).
NUTS_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,3}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A text in Finnish and English (Swedish where the source has it)."""

    fi: str = Field(min_length=1, description="Finnish")
    en: str = Field(min_length=1, description="English")
    sv: str | None = Field(default=None, description="Swedish, where the source has it")

    @field_validator("fi", "en", "sv")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value is not None else None

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to Finnish (the strategy's own language)."""
        value = getattr(self, lang, None)
        return value if isinstance(value, str) else self.fi


class Keywords(_Model):
    """Search keywords in both languages, for the classifier and for search."""

    fi: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)

    def get(self, lang: str) -> list[str]:
        return list(self.en if lang == "en" else self.fi)


class Topic(_Model):
    code: str
    label: Text
    description: Text
    keywords: Keywords


class Area(_Model):
    """A competence area (osaamisalue) of a priority."""

    code: str
    label: Text
    description: Text
    keywords: Keywords
    topics: list[Topic] = Field(min_length=1)


class Priority(_Model):
    code: str
    label: Text
    goal: Text
    areas: list[Area] = Field(min_length=1)


class RegionPriority(_Model):
    """One item of a region's own S3 priority list; items may nest."""

    label: Text
    children: list[RegionPriority] = Field(default_factory=list)


class CrossCutting(_Model):
    heading: Text
    items: list[Text] = Field(min_length=1)


class Region(_Model):
    code: str = Field(description="NUTS-3 code of the current NUTS edition")
    maakunta: str = Field(pattern=r"^\d{2}$", description="official two-digit region number")
    name: Text
    council: Text | None = None
    council_aliases: list[str] = Field(
        default_factory=list, description="how registers write the regional council's name"
    )
    legacy_codes: list[str] = Field(
        default_factory=list,
        description="codes of other NUTS editions (older ones, and NUTS 2024 where it renamed the region) that "
        "mean this region",
    )
    vision: Text
    priorities: list[RegionPriority] = Field(min_length=1)
    cross_cutting: CrossCutting | None = None

    @field_validator("code", "legacy_codes")
    @classmethod
    def _nuts(cls, value: str | list[str]) -> str | list[str]:
        for code in [value] if isinstance(value, str) else value:
            if not NUTS_CODE.match(code):
                raise ValueError(f"{code!r} is not a NUTS code (two capital letters and 1-3 characters)")
        return value

    @property
    def nuts_codes(self) -> frozenset[str]:
        return frozenset([self.code, *self.legacy_codes])


class Goal(_Model):
    code: str = Field(pattern=r"^G\d+$")
    label: Text


class Membership(_Model):
    """The regions' part in a network as the strategy states it: the seed of the G5 register."""

    role: Text = Field(description="member, founding member, pilot region … as the strategy words it")
    year_from: int | None = Field(default=None, ge=1990, le=2100, description="first year, where the text gives it")
    year_to: int | None = Field(default=None, ge=1990, le=2100, description="last year, where the text gives it")
    source: str | None = Field(default=None, description="where the strategy text says so (section, line)")


class Network(_Model):
    code: str
    name: Text
    description: Text
    url: str | None = None
    membership: Membership | None = Field(
        default=None, description="the regions' membership, where the strategy states one (else a platform only)"
    )


class Fact(_Model):
    code: str
    label: Text
    value: float
    unit: str
    text: Text | None = None
    source: Text | None = None


class Strategy(_Model):
    """A whole smart specialisation strategy."""

    schema_version: Literal[1]
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Text
    valid_from: dt.date
    publisher: Text
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="ISO code of the country the strategy's regions are in; when absent, the regions' NUTS codes "
        "say it (their first two letters)",
    )
    publication: str | None = None
    approved: Text | None = None
    priorities: list[Priority] = Field(min_length=1)
    regions: list[Region] = Field(min_length=1)
    goals: list[Goal] = Field(default_factory=list)
    networks: list[Network] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Strategy:
        problems = consistency_problems(self)
        if problems:
            # One line per problem, each starting with the path of the value, so that the loader can point
            # at the right line of the file.
            raise ValueError("\n".join(f"{path}: {message}" for path, message in problems))
        return self

    # Look-ups -----------------------------------------------------------------------------------------------

    @property
    def country_code(self) -> str:
        """The country of the strategy's regions (``country``, else the prefix their NUTS codes share)."""
        if self.country:
            return self.country
        prefixes = {region.code[:2] for region in self.regions}
        return prefixes.pop() if len(prefixes) == 1 else ""

    def areas(self) -> Iterator[Area]:
        for priority in self.priorities:
            yield from priority.areas

    def topics(self) -> Iterator[Topic]:
        for area in self.areas():
            yield from area.topics

    def area_codes(self) -> list[str]:
        return [area.code for area in self.areas()]

    def find(self, code: str) -> Priority | Area | Topic | Region | Goal | Network | None:
        """The priority, area, topic, region, goal or network with this code, or None."""
        for priority in self.priorities:
            if priority.code == code:
                return priority
            for area in priority.areas:
                if area.code == code:
                    return area
                for topic in area.topics:
                    if topic.code == code:
                        return topic
        for group in (self.regions, self.goals, self.networks):
            for item in group:
                if item.code == code:
                    return item
        return None

    def region(self, code: str) -> Region | None:
        """The region with this NUTS code, current or legacy."""
        for region in self.regions:
            if code in region.nuts_codes:
                return region
        return None

    def region_for_council(self, authority: str) -> Region | None:
        """The region whose regional council is named ``authority`` (whitespace and case are ignored)."""
        wanted = " ".join(authority.split()).casefold()
        for region in self.regions:
            names = [*region.council_aliases]
            if region.council:
                names.append(region.council.fi)
            if any(" ".join(name.split()).casefold() == wanted for name in names):
                return region
        return None

    def nuts_to_region(self) -> dict[str, str]:
        """Every NUTS code (current and legacy) mapped to its region's current code."""
        return {code: region.code for region in self.regions for code in region.nuts_codes}


def consistency_problems(strategy: Strategy) -> list[tuple[str, str]]:
    """(dotted path, message) for every code that is duplicated, misplaced or ambiguous."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()

    def unique(code: str, what: str, path: str) -> None:
        if code in seen:
            problems.append((path, f"{what} code {code!r} is used twice"))
        seen.add(code)

    for p_index, priority in enumerate(strategy.priorities):
        p_path = f"priorities.{p_index}"
        unique(priority.code, "priority", f"{p_path}.code")
        for a_index, area in enumerate(priority.areas):
            a_path = f"{p_path}.areas.{a_index}"
            unique(area.code, "area", f"{a_path}.code")
            if not area.code.startswith(priority.code + "."):
                problems.append((f"{a_path}.code", f"area {area.code!r} must start with its priority's code "
                                 f"{priority.code + '.'!r}"))  # fmt: skip
            for t_index, topic in enumerate(area.topics):
                t_path = f"{a_path}.topics.{t_index}.code"
                unique(topic.code, "topic", t_path)
                if not topic.code.startswith(area.code + "."):
                    problems.append(
                        (t_path, f"topic {topic.code!r} must start with its area's code {area.code + '.'!r}")
                    )
    if "none" in seen:
        problems.append(("priorities", "'none' is reserved for records that fit no area"))
    nuts_owner: dict[str, str] = {}
    maakunnat: set[str] = set()
    for r_index, region in enumerate(strategy.regions):
        for code in sorted(region.nuts_codes):
            if code in nuts_owner:
                owner = nuts_owner[code]
                problems.append((f"regions.{r_index}.code", f"NUTS code {code!r} belongs to {owner} and {region.code}"))
            nuts_owner[code] = region.code
        if region.maakunta in maakunnat:
            problems.append((f"regions.{r_index}.maakunta", f"maakunta number {region.maakunta!r} is used twice"))
        maakunnat.add(region.maakunta)
    groups: tuple[tuple[str, list[str]], ...] = (
        ("goals", [goal.code for goal in strategy.goals]),
        ("networks", [network.code for network in strategy.networks]),
        ("facts", [fact.code for fact in strategy.facts]),
    )
    for group, codes in groups:
        for index, code in enumerate(codes):
            if code in codes[:index]:
                problems.append((f"{group}.{index}.code", f"{group[:-1]} code {code!r} is used twice"))
    return problems
