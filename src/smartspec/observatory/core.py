"""The observatory's core operations: the store, classification, monitoring, the report and the main job."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Collection, Hashable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from smartspec import accounts as acc
from smartspec import classify as cl
from smartspec import indicators as ind
from smartspec import network as net
from smartspec import report as rp
from smartspec.accounts import Action
from smartspec.accounts import Actor as Actor  # re-exported: smartspec.Actor and smartspec.observatory.Actor
from smartspec.accounts.regions import project_regions, projects_in_regions
from smartspec.config import Settings
from smartspec.errors import InputError
from smartspec.indicators import registers as reg
from smartspec.ingest import ImportResult, import_path, sources
from smartspec.ingest.batch import Progress, Writer
from smartspec.ingest.fetch import fetch as fetch_files
from smartspec.ingest.fetch import missing_data_message
from smartspec.ingest.limits import Limits
from smartspec.search.index import ReindexResult, batch_projects, reindex
from smartspec.search.models import SearchQuery, SearchResult
from smartspec.search.query import search_projects
from smartspec.store import (
    create_store_engine,
    ensure_current,
    session_factory,
    sync_strategy,
    transaction,
    upgrade,
)
from smartspec.store.backup import RestoreResult
from smartspec.store.backup import backup as backup_store
from smartspec.store.backup import restore as restore_store
from smartspec.store.queries import ImportBatchInfo, Stats, import_log, region_figures, strategy_id
from smartspec.store.revision import Memo, RevisionCache
from smartspec.strategy import Strategy, cached_strategy

T = TypeVar("T")


class InitResult(BaseModel):
    database: str
    schema_before: str | None
    schema_after: str = Field(serialization_alias="schema")
    strategy: str


class SourceInfo(BaseModel):
    name: str
    description: str
    options: list[str]


class BackupResult(BaseModel):
    path: Path
    bytes: int


class AreaCounts(BaseModel):
    """Projects per competence area (and ``none``) and region."""

    source: str | None
    areas: dict[str, dict[str, int]]


class DemoResult(BaseModel):
    """What `smartspec demo` did, in order."""

    data_dir: Path
    init: InitResult
    imports: list[ImportResult]
    stats: dict[str, Stats]  # "all", then per source
    training: cl.TrainResult
    classification: cl.RunResult
    areas: AreaCounts
    year: int
    indicators: ind.Computed
    reports: list[Path]


# What the demo imports, relative to the data directory: the shared layout first, then what `fetch` saves.
DEMO_SOURCES = (
    ("cordis", ("cordis_horizon_europe",)),
    ("eura", ("eura_structural_funds_fi/eura_2014_2020_projects.csv",)),
)
REPORT_STEMS = {"fi": "raportti", "en": "report"}
REPORT_MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


class ReportFile(BaseModel):
    """A written report: its file name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


class ObservatoryCore:
    """The observatory's core: the store, classification, monitoring, report and the main job (``Observatory``
    adds the read models of the web pages and the accounts)."""

    def __init__(self, database: str | None = None, *, settings: Settings | None = None, actor: Actor | None = None,
                 clock: Callable[[], dt.date] = dt.date.today, engine: Engine | None = None) -> None:  # fmt: skip
        """``database`` is a SQLAlchemy URL (else the settings' one); ``engine`` shares an engine the caller owns
        (then ``close`` leaves it open)."""
        base = settings or Settings()
        if engine is not None and not database:
            database = engine.url.render_as_string(hide_password=False)
        self.settings = base.model_copy(update={"database_url": database}) if database else base
        self.actor = actor or Actor.from_os()
        self.clock = clock
        self._engine: Engine | None = engine
        self._owns_engine = engine is None
        self._strategy: Strategy | None = None
        self._toolkits: dict[str, cl.Toolkit] = {}
        self._model: cl.LoadedModel | None = None
        self._partners: net.PartnerIndex | None = None
        self._reads = RevisionCache()  # answers of reads, valid while the data revision stays (acting_as shares it)

    # Lifetime ---------------------------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_store_engine(
                self.settings.database_url, query_timeout_s=self.settings.query_timeout_s
            )
        return self._engine

    @property
    def strategy(self) -> Strategy:
        if self._strategy is None:
            self._strategy = cached_strategy(self.settings.strategy_file)
        return self._strategy

    def close(self) -> None:
        if self._engine is not None and self._owns_engine:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _ready(self) -> Engine:
        """The engine of a database at the current schema (else a message saying to run `smartspec init`)."""
        ensure_current(self.engine)
        return self.engine

    def _require(self, action: Action, resource: str | None = None,
                 region: str | Collection[str] | None = None) -> None:  # fmt: skip
        """PermissionDenied unless the actor may (the OS user of a command acts as admin)."""
        if not self.actor.is_os:
            acc.require(self.actor.user, action, resource, region, public_read=self.settings.public_read)

    def _require_some(self, action: Action, resource: str) -> None:
        """For a regional write whose rows are checked one by one: the actor may make it in some region."""
        user = self.actor.user
        self._require(action, resource, user.regions if user is not None else None)

    def _region_check(self, action: Action, resource: str) -> Callable[[frozenset[str]], str | None] | None:
        """Why the actor may not write a record located in some regions (None: they may); None for the OS user."""
        if self.actor.is_os:
            return None
        user, public = self.actor.user, self.settings.public_read

        def check(regions: frozenset[str]) -> str | None:
            if acc.allowed(user, action, resource, regions, public_read=public):
                return None
            return acc.policy.denial(user, action, resource, regions)

        return check

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, a value made from the store's data alone (a read, a rendered part of a page), kept for
        ``key`` until a write changes the data (see smartspec.store.revision: every process reads the store's
        revision first, so none serves stale data). The value is shared: callers must not change it."""
        return self._reads.get(self._ready(), key, compute)

    def _strategy_id(self) -> int:
        with session_factory(self._ready())() as session:
            return strategy_id(session, self.strategy)

    # The store --------------------------------------------------------------------------------------------------

    def init(self) -> InitResult:
        """Create the database or upgrade it to the newest schema, and load the strategy into it."""
        self._require(Action.OPERATE, "store")
        before, after = upgrade(self.engine)
        with transaction(self.engine) as session:
            sync_strategy(session, self.strategy)
            # The G5 register starts with the memberships the strategy states (never overwriting an entry).
            net.seed_memberships(session, self.strategy, self.actor.name, self.actor.via)
        return InitResult(database=self.engine.url.render_as_string(hide_password=True), schema_before=before,
                          schema_after=after, strategy=self.strategy.code)  # fmt: skip

    def sources(self) -> list[SourceInfo]:
        """The data sources ``import_file`` knows (built-in and plug-ins)."""
        return [SourceInfo(name=s.name, description=s.description, options=[o.name for o in s.options])
                for s in sources()]  # fmt: skip

    def import_file(self, source: str, path: Path, *, skip_bad_rows: bool = False, progress: Progress | None = None,
                    **options: Any) -> ImportResult:  # fmt: skip
        """Import a file, folder or zip with a registered source, as one transaction logged as a batch; the search
        index follows. An editor's import refuses the projects located outside their regions, row by row."""
        self._require_some(Action.IMPORT, "project")
        options.setdefault("limits", Limits.from_settings(self.settings))  # SMARTSPEC_MAX_* bound every file
        result = import_path(self._ready(), source, Path(path), self.strategy, skip_bad_rows=skip_bad_rows,
                             progress=progress, region_check=self._region_check(Action.IMPORT, "project"),
                             writer=Writer(self.actor.name, self.actor.via, self.actor.address), **options)  # fmt: skip
        with session_factory(self._ready())() as session:
            touched = batch_projects(session, result.batch_id)
        if touched:  # the index follows what the import changed (a repeated import changes nothing)
            self.reindex(touched)
        return result

    def imports(self, limit: int = 20) -> list[ImportBatchInfo]:
        """The import log, newest first."""
        with session_factory(self._ready())() as session:
            return import_log(session, limit)

    def stats(self, source: str | None = None) -> Stats:
        """Per region: projects, organisations, EU and public funding, multi-region share."""
        with session_factory(self._ready())() as session:
            return Stats(source=source, regions=region_figures(session, self.strategy, source))

    def search(self, query: SearchQuery | None = None, **filters: Any) -> SearchResult:
        """Projects matching a query (text, filters, order, page), with facet counts: ``obs.search(q="matkailu",
        region=["FI1D7"])`` or ``obs.search(SearchQuery.from_params(url_parameters))``."""
        chosen = query or SearchQuery.model_validate(filters)
        engine = self._ready()
        return self._search(chosen, self._reads.memo(engine), engine)

    def _search(self, query: SearchQuery, memo: Memo, engine: Engine) -> SearchResult:
        with session_factory(engine)() as session:
            return search_projects(session, self.strategy, query, timeout_s=self.settings.query_timeout_s, memo=memo)

    def reindex(self, project_ids: list[int] | None = None) -> ReindexResult:
        """Rebuild the search index (all projects, or some); imports, classification and reviews call it."""
        return reindex(self._ready(), self.strategy, project_ids)

    def backup(self, path: Path) -> BackupResult:
        """A consistent copy of the database (SQLite online backup, or pg_dump for PostgreSQL)."""
        self._require(Action.OPERATE, "store")
        target = backup_store(self._ready(), Path(path))
        return BackupResult(path=target, bytes=target.stat().st_size)

    def restore(self, path: Path, *, force: bool = False) -> RestoreResult:
        """Replace the database with a backup after checking its integrity and schema version; a database that
        holds data is only replaced with ``force``. An older backup is upgraded to the current schema."""
        return restore_store(self.engine, Path(path), force=force)

    @staticmethod
    def fetch(dest: Path) -> list[Path]:
        """Download the official source files into ``dest`` where the network allows (offline: a clear error)."""
        return fetch_files(Path(dest))

    # Classification ---------------------------------------------------------------------------------------------

    def toolkit(self, normaliser: str = "auto") -> cl.Toolkit:
        """The classifier's tools for a normaliser (auto, voikko, simplemma, snowball), built once per observatory;
        ``auto`` is the ``normaliser`` setting (SMARTSPEC_NORMALISER), itself ``auto`` by default: Voikko where
        installed, else simplemma, else Snowball."""
        if normaliser == "auto":
            normaliser = self.settings.normaliser
        if normaliser not in cl.NORMALISERS:
            raise InputError(f"{normaliser!r} is not a normaliser", hint=f"use one of {', '.join(cl.NORMALISERS)}")
        if normaliser not in self._toolkits:
            self._toolkits[normaliser] = cl.Toolkit.build(self.strategy, self.engine, normaliser=normaliser)
        return self._toolkits[normaliser]

    def train(self, *, normaliser: str = "auto", force: bool = False) -> cl.TrainResult:
        """Train the classifier on the shipped gold sets and every review, and store it (reused when nothing
        changed, unless ``force``)."""
        self._require(Action.TRAIN, "classifier")
        result = cl.train_and_store(self._ready(), self.toolkit(normaliser), self._strategy_id(), force=force)
        self._model = None
        return result

    def model(self) -> cl.LoadedModel:
        """The newest stored classifier (loaded once; reloaded when a newer one is stored)."""
        with session_factory(self._ready())() as session:
            sid = strategy_id(session, self.strategy)
            if self._model is not None:
                newest = cl.classifier.newest_model_row(session, sid)
                if newest is not None and newest.version == self._model.info.version:
                    self._model.info = cl.classifier.model_info(session, newest, sid)
                    return self._model
            self._model = cl.load_model(session, sid)
        return self._model

    def _model_toolkit(self, loaded: cl.LoadedModel) -> cl.Toolkit:
        try:
            return self.toolkit(loaded.info.normaliser)
        except (ImportError, OSError) as exc:
            raise cl.ModelMissingError(
                f"the stored classifier was trained with the {loaded.info.normaliser} normaliser, which is not "
                "installed here",
                hint="install Voikko (apt-get install libvoikko1 voikko-fi) or " + cl.classifier.TRAIN_HINT,
            ) from exc

    def classify(self, *, only_new: bool = True, sources: list[str] | None = None, country: str | None = None,
                 progress: Callable[[str, int | None], None] | None = None) -> cl.RunResult:  # fmt: skip
        """Classify projects with the stored model (those it has not classified yet, or all) and aggregate
        organisations; ``country`` keeps projects with a participant in that country."""
        self._require(Action.OPERATE, "classifier")
        loaded = self.model()
        result = cl.run(self.engine, self._strategy_id(), loaded, self._model_toolkit(loaded), only_new=only_new,
                        sources=sources, country=country, progress=progress)  # fmt: skip
        self.reindex()  # the areas and sub-topics are search facets
        return result

    def explain(self, project_id: int) -> cl.Explanation:
        """Why a project has its labels (read only)."""
        loaded = self.model()
        toolkit = self._model_toolkit(loaded)
        with session_factory(self.engine)() as session:
            return cl.explain(session, self.strategy, strategy_id(session, self.strategy), loaded, toolkit,
                              project_id)  # fmt: skip

    def review_queue(self, limit: int = 20) -> list[cl.ReviewItem]:
        """Unreviewed projects whose labels are least certain, first (read only). An editor's queue holds only the
        projects they may review: those with a participant (or a location) in their regions."""
        self.model()  # the queue ranks the stored model's labels: without a model there is nothing to review
        scope = acc.policy.regional_scope(self.actor.user)
        among = None if scope is None else projects_in_regions(self.strategy, scope)
        with session_factory(self.engine)() as session:
            return cl.review_queue(session, strategy_id(session, self.strategy), limit, among)

    def decide(self, project_id: int, code: str, action: str, *, by: str | None = None) -> cl.Decision:
        """Accept, reject or add a label; the decision wins over the model and marks the model stale. An editor may
        review only projects with a participant (or a location) in their regions."""
        if not self.actor.is_os:
            with session_factory(self._ready())() as session:
                regions = project_regions(session, self.strategy, project_id)
            self._require(Action.REVIEW, f"project {project_id}", regions)
        decision = cl.decide(self._ready(), self.strategy, self._strategy_id(), project_id, code, action,
                             by or self.actor.name, self.actor.via, self.actor.address)  # fmt: skip
        self.reindex([project_id])
        return decision

    def evaluate(self, gold: Path, *, folds: int | None = None, ablation: bool = False, normaliser: str = "auto",
                 errors: Path | None = None, text_only: bool = False) -> cl.Evaluation:  # fmt: skip
        """Score the classifier on a gold file it never learns from (trained in memory; nothing is stored). Gold
        ids that name a stored record (``cordis:ID``, ``eura:CODE``) bring its metadata, unless ``text_only``; with
        ``errors``, every wrong item is written there as CSV (id, language, gold, predicted, probabilities,
        evidence, text)."""
        examples = cl.load_gold(Path(gold), self.strategy)
        with session_factory(self._ready())() as session:
            training = cl.training_examples(session, self.strategy, strategy_id(session, self.strategy))
            if not text_only:
                examples = cl.with_metadata(session, examples)
        return cl.evaluate_gold(self.toolkit, examples, training, normaliser=normaliser, folds=folds,
                                ablation=ablation, errors=errors, text_only=text_only)  # fmt: skip

    def area_counts(self, source: str | None = None) -> AreaCounts:
        """Projects per competence area and region."""
        with session_factory(self._ready())() as session:
            counts = cl.area_region_counts(session, self.strategy, strategy_id(session, self.strategy), source)
        return AreaCounts(source=source, areas=counts)

    # Monitoring -------------------------------------------------------------------------------------------------

    def reference(self, population: Path | None = None) -> ind.Reference:
        """Population and GDP per region and year (data directory, or the shipped figures, or ``population``)."""
        return ind.load_reference(self.strategy, self.settings.data_dir, population)

    def compute_indicators(self, years: list[int], *, population: Path | None = None) -> ind.Computed:
        """Compute the goals' indicators for the years and store them (replacing earlier values)."""
        self._require(Action.OPERATE, "indicators")
        return ind.compute_and_store(self._ready(), self.strategy, years, self.reference(population))

    def indicators(self, year: int, region: str | None = None) -> ind.Indicators:
        """The stored values of a year (and region), with the catalogue's definitions and each value's records."""
        if region and self.strategy.region(region) is None:
            raise InputError(f"{region!r} is not a region of {self.strategy.code}",
                             hint=f"use one of {', '.join(r.code for r in self.strategy.regions)}")  # fmt: skip

        def compute() -> ind.Indicators:
            with session_factory(self._ready())() as session:
                return ind.stored_values(session, self.strategy, year, region)

        return self.cached(("indicators", year, region), compute)

    def alerts(self, year: int) -> list[ind.Alert]:
        """Gap alerts of a year, from its stored values and the year before's."""

        def compute() -> list[ind.Alert]:
            current = self.indicators(year)  # both years' values come from the cache when a page read them
            ind.require_stored(current)
            before = self.indicators(year - 1)
            with session_factory(self._ready())() as session:
                return ind.alerts(session, self.strategy, current, before)

        return self.cached(("alerts", year), compute)

    def registers(self, kind: str) -> reg.RegisterList:
        """Every entry of a register (cluster, network, communication)."""
        with session_factory(self._ready())() as session:
            return reg.entries(session, kind)

    def register_add(self, kind: str, values: dict[str, str]) -> reg.Saved:
        """Add an entry to a register, or update the one with the same natural key (an editor: of their regions)."""
        row = reg.validate(self.strategy, kind, values)
        self._require(Action.EDIT_REGISTER, kind, getattr(row, "region", None))
        return reg.add(self._ready(), self.strategy, kind, values, self.actor.name, self.actor.via,
                       self.actor.address)  # fmt: skip

    def register_entry(self, kind: str, entry_id: int) -> reg.RegisterEntry:
        """One entry of a register by its id."""
        with session_factory(self._ready())() as session:
            return reg.entry(session, kind, entry_id)

    def register_update(self, kind: str, entry_id: int, values: dict[str, str]) -> reg.Saved:
        """Change an entry (its key fields too); an editor needs both its old and its new region."""
        old = self.register_entry(kind, entry_id)
        self._require(Action.EDIT_REGISTER, kind, old.values.get("region"))
        row = reg.validate(self.strategy, kind, values)
        self._require(Action.EDIT_REGISTER, kind, getattr(row, "region", None))
        return reg.update(self._ready(), self.strategy, kind, entry_id, values, self.actor.name, self.actor.via,
                          self.actor.address)  # fmt: skip

    def register_delete(self, kind: str, entry_id: int) -> reg.RegisterEntry:
        """Delete an entry (an editor: of their regions); the audit log keeps what it was."""
        old = self.register_entry(kind, entry_id)
        self._require(Action.EDIT_REGISTER, kind, old.values.get("region"))
        return reg.delete_entry(self._ready(), kind, entry_id, self.actor.name, self.actor.via, self.actor.address)

    def register_import(self, kind: str, path: Path, *, name: str | None = None,
                        encoding: str = "utf-8") -> reg.ImportedRows:  # fmt: skip
        """Import a register file (CSV or XLSX, the export's columns) in one transaction: a bad row, or for an
        editor a row of another region, writes nothing and is listed with its line. ``name``: the file's name in
        messages and the audit log (an upload's own name rather than its temporary path)."""
        self._require_some(Action.EDIT_REGISTER, kind)
        check = self._region_check(Action.EDIT_REGISTER, kind)
        row_check = None if check is None else lambda region: check(frozenset([region]))
        return reg.import_table(self._ready(), self.strategy, kind, Path(path), self.actor.name, self.actor.via,
                                self.actor.address, row_check, name=name, encoding=encoding,
                                limits=Limits.from_settings(self.settings))  # fmt: skip

    def register_export(self, kind: str, path: Path) -> int:
        """Write a register in its import format, as CSV or (a path ending in .xlsx) an Excel workbook, with
        formula-like cells neutralised; returns the number of rows."""
        with session_factory(self._ready())() as session:
            return reg.export_file(session, kind, Path(path))

    # Networks and partners ------------------------------------------------------------------------------------

    def network(self, *, area: str | None = None, region: str | None = None, year_from: int | None = None,
                year_to: int | None = None, programme: str | None = None, top: int = 10,
                graphml: Path | None = None, csv_dir: Path | None = None) -> net.NetworkReport:  # fmt: skip
        """The collaboration network of the selected projects: places, communities (the ``top`` largest described)
        and gaps per area; with ``graphml`` / ``csv_dir`` also written out (nodes.csv, edges.csv)."""
        try:
            where = net.NetworkFilter(area=area, region=region, year_from=year_from, year_to=year_to,
                                      programme=programme)  # fmt: skip
        except ValueError as exc:
            raise InputError("the network filter is not valid", hint=str(exc).splitlines()[-1]) from exc
        problems = net.check_filter(self.strategy, where)
        if problems:
            raise InputError("the network filter is not valid", hint="; ".join(problems))
        with session_factory(self._ready())() as session:
            data = net.load_collaborations(session, self.strategy)
        report = net.network_report(data, self.strategy, where, top=top)
        files: list[Path] = []
        if graphml is not None or csv_dir is not None:
            graph = net.build_graph(data, where)
            if graphml is not None:
                files.append(net.write_graphml(data, graph, Path(graphml)))
            if csv_dir is not None:
                files.extend(net.write_csv(data, graph, Path(csv_dir)))
        return report.model_copy(update={"files": [str(f) for f in files]})

    def partners(self, text: str | None = None, *, org: int | None = None, topic: str | None = None,
                 region: str | None = None, area: str | None = None, org_type: str | None = None,
                 country: str | None = None, limit: int = 10, lang: str = "en") -> net.Suggestions:  # fmt: skip
        """Partner suggestions with their reasons: organisations fitting a text (Finnish or English), the next
        partners of an organisation (``org``), or the regions' organisations and outside partners for a call topic.
        The index of project texts is built on first use and kept (embeddings come from the store's cache)."""
        if sum(x is not None for x in (text, org, topic)) != 1:
            raise InputError("give exactly one of: a search text, an organisation id (--org) or a call topic (--topic)",
                             hint='e.g. smartspec partners "vihreä vety" or smartspec partners --org 46')  # fmt: skip
        if lang not in ("fi", "en"):
            raise InputError(f"language {lang!r} is not fi or en", hint="use --lang fi or --lang en")
        where = net.PartnerFilter(region=region, area=area, type=org_type, country=country)
        where.check(self.strategy)
        if self._partners is None:
            self._partners = net.PartnerIndex.build(self._ready(), self.strategy)
        if text is not None:
            return self._partners.search(text, where, limit, lang)
        if org is not None:
            return self._partners.for_organisation(org, where, limit, lang)
        assert topic is not None
        folder = self.settings.data_dir
        topics = folder / net.TOPICS_FILE if folder is not None else None
        return self._partners.for_topic(topic, net.topic_title(self.engine, topic, topics), limit, lang)

    def evaluate_partners(self, cutoff: int = 2020, *, data_dir: Path | None = None,
                          store: Path | None = None) -> net.Evaluation:  # fmt: skip
        """The partner recommender on a time split (see smartspec.network.evaluate): H2020 and Horizon Europe
        participations from the data directory are imported once into a scratch SQLite store (``store``, by
        default in the temporary directory), never into this database."""
        folder = data_dir or self.settings.data_dir
        if folder is None or not (folder / net.H2020_FOLDER).is_dir() or not (folder / net.HORIZON_FOLDER).is_dir():
            raise missing_data_message(folder)
        path = store or Path(tempfile.gettempdir()) / "smartspec-partner-evaluation.db"
        engine, _ = net.scratch_store(folder, path, self.strategy)
        try:
            with session_factory(engine)() as session:
                data = net.load_collaborations(session, self.strategy)
        finally:
            engine.dispose()
        return net.evaluate(data, cutoff)

    # Report -----------------------------------------------------------------------------------------------------

    def report(self, year: int, lang: str = "fi", data_dir: Path | None = None) -> rp.Report:
        """The annual monitoring report of a year, from its stored indicator values."""
        with session_factory(self._ready())() as session:
            data = rp.load_report_data(session, self.strategy, year, data_dir or self.settings.data_dir, self.clock())
        return rp.build(data, lang)

    def write_report(self, year: int, out: Path, *, lang: str = "fi", output_format: str = "html",
                     data_dir: Path | None = None) -> Path:  # fmt: skip
        if output_format not in rp.FORMATS:
            raise InputError(f"unknown format {output_format!r}", hint="use --format html or --format pdf")
        return rp.write(self.report(year, lang, data_dir), Path(out), output_format)

    # The main job -----------------------------------------------------------------------------------------------

    def demo(self, data_dir: Path | None = None, *, out_dir: Path = Path("smartspec-reports"),
             progress: Progress | None = None) -> DemoResult:  # fmt: skip
        """Set up the database, import CORDIS Horizon Europe and EURA 2014-2020 from the data directory, train and
        run the classifier on the projects of the strategy's country, compute the indicators of the latest full year
        and the one before, and write the report in both languages as HTML and PDF into ``out_dir``."""
        folder = data_dir or self.settings.data_dir
        if folder is None or not folder.is_dir():
            raise missing_data_message(folder)
        inputs = find_inputs(folder)
        if not inputs:
            raise missing_data_message(folder)
        started = self.init()
        imported = [self.import_file(source, path, progress=progress) for source, path in inputs]
        stats = {"all": self.stats(), **{source: self.stats(source) for source, _ in DEMO_SOURCES}}
        training = self.train()
        run = self.classify(country=self.strategy.country_code)
        with session_factory(self.engine)() as session:
            facts = ind.load_facts(session, self.strategy)  # read once, for the year and the indicators
        year = report_year(facts, self.clock())
        computed = ind.compute_and_store(self.engine, self.strategy, [year - 1, year], self.reference(), facts)
        written = []
        for lang, stem in REPORT_STEMS.items():
            document = self.report(year, lang, folder)
            for output in rp.FORMATS:
                written.append(rp.write(document, out_dir / f"{stem}-{year}.{output}", output))
        return DemoResult(data_dir=folder, init=started, imports=imported, stats=stats, training=training,
                          classification=run, areas=self.area_counts(), year=year, indicators=computed,
                          reports=written)  # fmt: skip


def find_inputs(data_dir: Path) -> list[tuple[str, Path]]:
    inputs = []
    for source, candidates in DEMO_SOURCES:
        for candidate in candidates:
            path = data_dir / candidate
            if path.exists():
                inputs.append((source, path))
                break
    return inputs


def report_year(facts: ind.Facts, today: dt.date, minimum: int = 20) -> int:
    """The latest past year in which the strategy's regions have at least ``minimum`` projects."""
    per_year: dict[int, set[int]] = {}
    for (_, year), projects in facts.by_region_year.items():
        per_year.setdefault(year, set()).update(projects)
    past = [y for y, found in per_year.items() if len(found) >= minimum and y < today.year]
    return max(past) if past else today.year - 1
