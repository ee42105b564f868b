"""What the classification operations return: typed results the CLI, the web pages and scripts share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ModelInfo(BaseModel):
    """The stored classifier a command uses."""

    version: str
    created_at: dt.datetime
    normaliser: str
    embedding_model: str
    training: dict[str, Any] = Field(default_factory=dict, description="examples per source, language and area")
    reviews_behind: int = Field(0, description="review decisions made after the model was trained")

    @property
    def stale(self) -> bool:
        return self.reviews_behind > 0


class TrainResult(BaseModel):
    model: ModelInfo
    trained: bool = Field(description="false when a stored model with the same training data was reused")
    examples: int
    duration_s: float


class RunResult(BaseModel):
    model_version: str
    projects: int
    organisations: int
    embedded: int
    areas: dict[str, int] = Field(default_factory=dict)
    stale: bool = Field(False, description="the model is behind the reviews: run `smartspec classify train`")


class AreaEvidence(BaseModel):
    area: str
    label: str
    probability: float
    terms: list[tuple[str, float]] = Field(description="matched lexical terms with their weight, strongest first")
    keywords: list[tuple[str, float]] = Field(description="the area's keywords nearest in meaning, with cosine")


class TopicEvidence(BaseModel):
    area: str
    topic: str
    label: str
    keywords: list[tuple[str, float]]


class Neighbour(BaseModel):
    id: str
    similarity: float
    areas: list[str]
    text: str


class ReviewInfo(BaseModel):
    code: str
    status: str
    by: str | None
    at: str | None


class Explanation(BaseModel):
    """Why a project has its labels."""

    project_id: int
    source: str
    source_id: str
    lang: str
    text: str
    model_version: str
    threshold: float
    labels: list[str]
    areas: list[AreaEvidence]
    topics: list[TopicEvidence]
    neighbours: list[Neighbour]
    reviews: list[ReviewInfo]
    metadata: list[str] = Field(default_factory=list, description="the record's metadata the classifier used")
    organisation_prior: dict[str, Any] = Field(
        default_factory=dict, description="the organisations' labelled projects behind the organisation prior"
    )
    thresholds: dict[str, float] = Field(default_factory=dict, description="each area's threshold (text's language)")


class AreaProbability(BaseModel):
    area: str
    probability: float


class ReviewItem(BaseModel):
    project_id: int
    source: str
    source_id: str
    title: str
    margin: float
    labels: list[str]
    top: list[AreaProbability]


class Decision(BaseModel):
    project_id: int
    code: str
    action: str
    status: str
    by: str
    model_reviews_behind: int = Field(description="review decisions the stored model has not learnt from")


class Evaluation(BaseModel):
    """`classify evaluate`: micro and macro figures, per area and language, and optional parts."""

    micro: dict[str, int | float]
    macro_f1: float
    per_area: dict[str, dict[str, int | float]]
    per_lang: dict[str, dict[str, int | float]]
    n: int
    multi: dict[str, int | float] = Field(default_factory=dict, description="items with two or more gold areas")
    setup: dict[str, Any]
    topics: dict[str, Any] | None = None
    ablation: dict[str, dict[str, float | None]] | None = None
    errors: dict[str, Any] | None = Field(None, description="where the wrong items were written, and how many")
