"""The store's tables (SQLAlchemy 2). Money is integer cents (EUR); every imported row knows its batch.

The schema is the data model of DESIGN.md. Alembic migrations in ``migrations/`` create it; a test checks
that the models and the migrations agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so that migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Cents = BigInteger  # EUR amounts as integer cents: exact on every backend


# Strategy ---------------------------------------------------------------------------------------------------


class StrategyVersion(Base):
    """One loaded strategy file. Its priorities, areas, topics, regions and goals hang below it."""

    __tablename__ = "strategy_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title_fi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    file_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Priority(Base):
    __tablename__ = "priority"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    label_fi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    goal_fi: Mapped[str] = mapped_column(Text)
    goal_en: Mapped[str] = mapped_column(Text)


class Area(Base):
    """A competence area (I.1 … III.3)."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    label_fi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    description_fi: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)


class Topic(Base):
    """A sub-topic of a competence area (I.1.1 …)."""

    __tablename__ = "topic"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    label_fi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)


class Region(Base):
    """A region of a strategy, by its NUTS-3 code."""

    __tablename__ = "region"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    maakunta: Mapped[str] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(Integer)
    name_fi: Mapped[str] = mapped_column(Text)
    name_sv: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)


class Goal(Base):
    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    label_fi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)


# Imports ----------------------------------------------------------------------------------------------------


class ImportBatch(Base):
    """One run of an importer over one file or folder: what it read, wrote and rejected."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[float | None] = mapped_column(Float)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @property
    def rows_written(self) -> int:
        return self.rows_inserted + self.rows_updated


# Organisations, projects, participations --------------------------------------------------------------------


class Organisation(Base):
    """An organisation, one row across projects and sources (matched by PIC, business ID/VAT, then name)."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    pic: Mapped[str | None] = mapped_column(String(20), unique=True)
    business_id: Mapped[str | None] = mapped_column(String(20), index=True)  # Finnish Y-tunnus 1234567-8
    vat: Mapped[str | None] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(String(300))  # normalised name for matching (done in memory)
    org_type: Mapped[str | None] = mapped_column(String(3))  # PRC HES REC PUB OTH
    sme: Mapped[bool | None] = mapped_column(Boolean)
    street: Mapped[str | None] = mapped_column(Text)
    post_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    nuts_code: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    names: Mapped[list[OrganisationName]] = relationship(back_populates="organisation", lazy="raise")


class OrganisationName(Base):
    """Every name an organisation is known by in any source (CORDIS writes ITA-SUOMEN YLIOPISTO …)."""

    __tablename__ = "organisation_name"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="names", lazy="raise")


class FundingSource(Base):
    """A funding programme or fund: Horizon Europe, Horizon 2020, ERDF (EAKR), ESF (ESR) …"""

    __tablename__ = "funding_source"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_fi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30))  # eu-direct | eu-structural | national | other


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(String(100))
    programme: Mapped[str | None] = mapped_column(String(40), index=True)
    funding_source_id: Mapped[int | None] = mapped_column(ForeignKey("funding_source.id"))
    acronym: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(2))
    call_topic: Mapped[str | None] = mapped_column(Text)
    call_topic_title: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(String(100))
    funding_scheme: Mapped[str | None] = mapped_column(String(100))
    master_call: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(100))
    authority: Mapped[str | None] = mapped_column(Text)
    priority_axis: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    total_cost_cents: Mapped[int | None] = mapped_column(Cents)
    ec_max_contribution_cents: Mapped[int | None] = mapped_column(Cents)
    public_funding_cents: Mapped[int | None] = mapped_column(Cents)  # granted EU + national public funding
    public_funding_paid_cents: Mapped[int | None] = mapped_column(Cents)
    planned_public_cents: Mapped[int | None] = mapped_column(Cents)
    realised_public_cents: Mapped[int | None] = mapped_column(Cents)
    nuts_code: Mapped[str | None] = mapped_column(String(20))  # where the source locates the project
    doi: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ProjectLabel(Base):
    """A label a source gives a project: EuroSciVoc fields of science, programme parts …"""

    __tablename__ = "project_label"
    __table_args__ = (UniqueConstraint("project_id", "scheme", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    scheme: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class Participation(Base):
    """An organisation in a project: its role, its funding and where it was located."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("project_id", "organisation_id"),
        Index("ix_participation_nuts_project", "nuts_code", "project_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int | None] = mapped_column(Integer)
    ec_contribution_cents: Mapped[int | None] = mapped_column(Cents)
    net_ec_contribution_cents: Mapped[int | None] = mapped_column(Cents)
    public_funding_cents: Mapped[int | None] = mapped_column(Cents)
    total_cost_cents: Mapped[int | None] = mapped_column(Cents)
    country: Mapped[str | None] = mapped_column(String(2))
    nuts_code: Mapped[str | None] = mapped_column(String(20))
    location_basis: Mapped[str | None] = mapped_column(String(40))  # address | granting-authority | mapping
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


# Classification ---------------------------------------------------------------------------------------------


class Classification(Base):
    """A record's label in the strategy (area or topic) with score, evidence and review status."""

    __tablename__ = "classification"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "strategy_id", "code", "method"),
        Index("ix_classification_record", "record_type", "record_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))  # project | organisation
    record_id: Mapped[int] = mapped_column(Integer)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))  # area, topic or 'none'
    score: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[str | None] = mapped_column(String(100))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="auto")  # auto | accepted | rejected | manual
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class EmbeddingCache(Base):
    """A text's embedding, computed once per model (the key is the SHA-256 of the exact text embedded)."""

    __tablename__ = "embedding_cache"
    text_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClassifierModel(Base):
    """A trained area classifier: its configuration, training data digest, and the fitted parameters."""

    __tablename__ = "classifier_model"
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(100), index=True)  # digest of configuration and training data
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    training: Mapped[dict[str, Any]] = mapped_column(default=dict)  # counts per source and area
    blob: Mapped[bytes] = mapped_column(LargeBinary)  # pickled fitted estimators (written and read by smartspec only)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class IndicatorValue(Base):
    """One indicator value per region, year and (where meaningful) competence area, with its records."""

    __tablename__ = "indicator_value"
    __table_args__ = (Index("ix_indicator_value_year", "year", "indicator"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    area_code: Mapped[str | None] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))
    record_kind: Mapped[str] = mapped_column(String(40))  # what record_ids are: project, participation, …
    record_ids: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


# Project search ---------------------------------------------------------------------------------------------


class ProjectSearch(Base):
    """A project's normalised search terms (space-separated), written by ``smartspec.search.reindex``.

    Full-text indexes over ``words`` and ``parts`` depend on the backend and are made by migration 0004 alone:
    on SQLite the FTS5 table ``project_search_fts`` (kept in step by triggers), on PostgreSQL the generated
    ``tsvector`` columns ``words_tsv`` and ``terms_tsv`` with GIN indexes. ``include_in_schema_compare``
    keeps them out of the models-vs-migrations comparison."""

    __tablename__ = "project_search"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    normaliser: Mapped[str] = mapped_column(String(40))  # a different normaliser means: rebuild the index
    words: Mapped[str] = mapped_column(Text)  # whole-word terms
    parts: Mapped[str] = mapped_column(Text)  # compound-part terms
    year: Mapped[int | None] = mapped_column(Integer, index=True)  # start year, else the call year
    title_key: Mapped[str] = mapped_column(Text)  # case-folded title, so both backends sort titles alike
    funding_cents: Mapped[int | None] = mapped_column(Cents)  # EU contribution, else public funding
    indexed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ProjectFacet(Base):
    """One facet value of a project (region, area, topic, programme, fund, year, org_type), for filters and
    counts; rebuilt with the project's search terms."""

    __tablename__ = "project_facet"
    __table_args__ = (Index("ix_project_facet_value", "facet", "value", "project_id"),)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)


# Database objects only one backend has, made by a migration and not by the models (see ProjectSearch).
BACKEND_ONLY_TABLE_PREFIXES = ("project_search_fts",)  # the FTS5 table and its shadow tables
BACKEND_ONLY_COLUMNS = {("project_search", "words_tsv"), ("project_search", "terms_tsv")}
BACKEND_ONLY_INDEXES = {"ix_project_search_words_tsv", "ix_project_search_terms_tsv"}


def include_in_schema_compare(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: leave out what only one backend's migration makes."""
    if type_ == "table" and name and name.startswith(BACKEND_ONLY_TABLE_PREFIXES):
        return False
    if (
        type_ == "column"
        and (getattr(obj, "table", None) is not None)
        and (obj.table.name, name) in BACKEND_ONLY_COLUMNS
    ):
        return False
    return not (type_ == "index" and name in BACKEND_ONLY_INDEXES)


# Registers (goals 4-6) --------------------------------------------------------------------------------------


class Cluster(Base):
    """A cluster organisation, its ECCP profile and its EUCLES label."""

    __tablename__ = "cluster"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    region_code: Mapped[str | None] = mapped_column(String(10))
    area_codes: Mapped[list[Any]] = mapped_column(default=list)
    eccp_profile_url: Mapped[str | None] = mapped_column(Text)
    eccp_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    label_level: Mapped[str | None] = mapped_column(String(20))  # bronze | silver | gold
    label_valid_from: Mapped[dt.date | None] = mapped_column(Date)
    label_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClusterMember(Base):
    __tablename__ = "cluster_member"
    __table_args__ = (UniqueConstraint("cluster_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    since: Mapped[dt.date | None] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)


class NetworkMembership(Base):
    """A region's or an actor's part in an international network (Vanguard, ECA, EUCLES, S3 partnerships …)."""

    __tablename__ = "network_membership"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_code: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str | None] = mapped_column(String(10))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str | None] = mapped_column(Text)
    year_from: Mapped[int | None] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class CommunicationAction(Base):
    """An event, publication or news item that makes the cooperation visible (goal 6)."""

    __tablename__ = "communication_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(10))
    priority_code: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))  # event | publication | news | other
    title: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)
    reach: Mapped[int | None] = mapped_column(Integer)


# Users and audit --------------------------------------------------------------------------------------------


class User(Base):
    """An account: admin (everything), editor (the registers, reviews and imports of ``regions``) or viewer."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))  # admin | editor | viewer
    regions: Mapped[list[Any]] = mapped_column(default=list)  # an editor's NUTS-3 codes
    password_hash: Mapped[str] = mapped_column(Text)  # Argon2id, PHC string format
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords in a row (reset at login)
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class UserSession(Base):
    """A server-side login session. The id is the SHA-256 of the cookie's random token, so a copy of the table
    does not let anyone in."""

    __tablename__ = "user_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # absolute end, idle or not
    address: Mapped[str | None] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A token for scripts, scoped to a role no higher than its user's; stored as the SHA-256 of the token."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Every login attempt, for throttling per address (per account, the user row keeps the count)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_address_at", "address", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(100))
    ok: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(40))  # ok | wrong-password | unknown-user | disabled | throttled


class AuditLog(Base):
    """Every change: who (actor, and how: via, address), what record (entity, entity_id), before and after (in
    ``detail``), when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # before, after, and what else the action says
    via: Mapped[str | None] = mapped_column(String(40))  # os | session | token
    address: Mapped[str | None] = mapped_column(String(100))  # the client's address, or the token's label


class DataRevision(Base):
    """One row: a number that every committed write to the data changes (see ``smartspec.store.revision``), so
    that caches of reads, in any process, know when they are out of date."""

    __tablename__ = "data_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
