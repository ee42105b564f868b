"""CORDIS: EU research projects (Horizon Europe, Horizon 2020, FP7) and their participants.

Reads the zip the EU publishes (https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip and the
H2020/FP7 equivalents: project.csv, organization.csv, euroSciVoc.csv, topics.csv, ';'-separated, decimal
commas in some columns) and the reshaped files in ../shared/data/cordis_* (','-separated, extra columns,
gzip). Each table is recognised by its header, not its file name.
"""

from __future__ import annotations

from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from smartspec.errors import InputError
from smartspec.ingest.batch import ImportContext
from smartspec.ingest.cells import AMOUNT_HINT, DATE_HINT, Cells
from smartspec.ingest.limits import Limits
from smartspec.ingest.parse import clean, normalise_vat, parse_amount_cents, parse_bool, parse_date, parse_int
from smartspec.ingest.readers import Table, iter_zip_tables, open_table
from smartspec.ingest.records import ProjectKey
from smartspec.store import models as m

SOURCE = "cordis"
PROGRAMMES = ("HORIZON", "H2020", "FP7")
_SEEN_CAP = 20_000  # distinct organisation cells remembered while reading participants (memory stays flat)


def guess_programme(legal_basis: str | None, framework: str | None, grant_id: str) -> str | None:
    """The framework programme from the legal basis (HORIZON.…, H2020-…, FP7-…) or the grant number.

    Grant numbers are sequential across programmes: Horizon Europe grants start at 101038000, Horizon 2020
    ones at 633000 (earlier numbers are FP7).
    """
    for text in (legal_basis, framework):
        if text:
            upper = text.upper()
            for programme in PROGRAMMES:
                if upper.startswith(programme):
                    return programme
    if grant_id.isdigit():
        number = int(grant_id)
        if number >= 101_038_000:
            return "HORIZON"
        if number >= 633_000:
            return "H2020"
        return "FP7"
    return None


def classify_table(table: Table) -> str | None:
    """Which CORDIS table this is, from its header."""
    if table.has("programme_part") and table.has("rcn"):
        return "programme_parts"
    if table.has("role") and (table.has("organisationID", "pic")):
        return "participants"
    if table.has("euroSciVocCode") and not table.has("startDate"):
        return "euroscivoc"
    if table.has("topic") and table.has("title") and not table.has("startDate") and len(table.header) <= 4:
        return "topics"
    if table.has("id", "projectID") and table.has("startDate", "title", "text_title"):
        return "projects"
    return None


ORDER = ("projects", "participants", "programme_parts", "topics", "euroscivoc")


def collect_tables(path: Path, encoding: str, delimiter: str | None, limits: Limits) -> list[tuple[str, Table]]:
    """Every CORDIS table in a zip, a folder or a single file, in the order they must be read."""
    found: list[tuple[str, Table]] = []
    skipped: list[str] = []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name.casefold().endswith((".csv", ".csv.gz")))
        pairs: list[tuple[str, Table]] = []
        for file in files:
            pairs.append((file.name, open_table(file, encoding=encoding, delimiter=delimiter, limits=limits)))
        for file in sorted(p for p in path.iterdir() if p.suffix.casefold() == ".zip"):
            pairs.extend(iter_zip_tables(file, encoding=encoding, delimiter=delimiter, limits=limits))
    elif path.suffix.casefold() == ".zip":
        pairs = list(iter_zip_tables(path, encoding=encoding, delimiter=delimiter, limits=limits))
    else:
        pairs = [(path.name, open_table(path, encoding=encoding, delimiter=delimiter, limits=limits))]
    for name, table in pairs:
        kind = classify_table(table)
        if kind is None:
            skipped.append(name)
        else:
            found.append((kind, table))
    if not found:
        raise InputError(
            f"{path} holds no CORDIS table",
            hint=(
                "give the CORDIS zip or a folder with project.csv / organization.csv (or the files of "
                "../shared/data/cordis_horizon_europe); files seen: " + (", ".join(skipped) or "none")
            ),
        )
    found.sort(key=lambda pair: (ORDER.index(pair[0]), pair[1].name))
    return found


class CordisImporter:
    """Fills the import's records from CORDIS tables."""

    def __init__(self, context: ImportContext, programme: str | None = None) -> None:
        self.context = context
        self.programme = programme
        self.known = set(context.session.scalars(select(m.Project.source_id).where(m.Project.source == SOURCE)).all())

    def project_key(self, grant_id: str) -> ProjectKey:
        return (SOURCE, grant_id)

    def exists(self, key: ProjectKey) -> bool:
        return key[1] in self.known or self.context.records.has_project(key)

    def run(self, tables: list[tuple[str, Table]]) -> None:
        for kind, table in tables:
            getattr(self, f"read_{kind}")(table)

    def read_projects(self, table: Table) -> None:
        c = Cells(self.context, table)
        i_id, i_acr = c.col("id", "projectID"), c.col("acronym", "projectAcronym")
        i_title, i_obj = c.col("title", "text_title"), c.col("objective", "text_objective")
        i_start, i_end = c.col("startDate"), c.col("endDate")
        i_cost, i_max = c.col("totalCost"), c.col("ecMaxContribution")
        i_legal, i_fp = c.col("legalBasis"), c.col("frameworkProgramme")
        i_topic, i_topic_title = c.col("topic", "topics"), c.col("topic_title")
        i_scheme, i_call = c.col("fundingScheme"), c.col("masterCall")
        i_status, i_doi = c.col("status"), c.col("grantDoi")
        i_esv = (c.col("euroSciVocCodes"), c.col("euroSciVocPaths"), c.col("euroSciVocTitles"))
        records = self.context.records
        for c.line, c.values in self.context.rows(table, f"CORDIS projects ({Path(table.name).name})"):
            grant_id = c.text(i_id)
            if not grant_id:
                self.context.reject(table, c.line, i_id, "the project has no id", "every row needs its projectID")
                continue
            legal = c.text(i_legal)
            programme = self.programme or guess_programme(legal, c.text(i_fp), grant_id)
            key = self.project_key(grant_id)
            title, summary = c.text(i_title), c.text(i_obj)
            values = {
                "programme": programme, "fund": programme, "acronym": c.text(i_acr),
                "title": title, "summary": summary, "language": "en" if (title or summary) else None,
                "legal_basis": legal, "call_topic": c.text(i_topic), "call_topic_title": c.text(i_topic_title),
                "funding_scheme": c.text(i_scheme), "master_call": c.text(i_call), "status": c.text(i_status),
                "doi": c.text(i_doi),
                "start_date": c.parsed(i_start, parse_date, DATE_HINT),
                "end_date": c.parsed(i_end, parse_date, DATE_HINT),
                "total_cost_cents": c.parsed(i_cost, parse_amount_cents, AMOUNT_HINT),
                "ec_max_contribution_cents": c.parsed(i_max, parse_amount_cents, AMOUNT_HINT),
            }  # fmt: skip
            if not c.ok:
                continue
            records.project(key, values)
            if all(i is not None for i in i_esv):
                self._inline_euroscivoc(key, *(c.text(i) for i in i_esv))

    def _inline_euroscivoc(self, key: ProjectKey, codes: str | None, paths: str | None, titles: str | None) -> None:
        if not codes:
            return
        code_list = codes.split(";")
        path_list = (paths or "").split(";")
        title_list = (titles or "").split(";")
        if not (len(code_list) == len(path_list) == len(title_list)):
            path_list = title_list = [""] * len(code_list)
        for code, path, title in zip(code_list, path_list, title_list, strict=True):
            if code.strip():
                self.context.records.label(key, "euroscivoc", code.strip(),
                                           {"path": clean(path), "title": clean(title)})  # fmt: skip

    def read_participants(self, table: Table) -> None:
        c = Cells(self.context, table)
        eunets = table.has("pic") and table.has("rcn") and not table.has("projectID")
        i_project = c.col("rcn") if eunets else c.col("projectID")
        i_acr = c.col("projectAcronym")
        i_pic, i_vat = c.col("organisationID", "pic"), c.col("vatNumber")
        i_name, i_short = c.col("name"), c.col("shortName")
        i_sme, i_type = c.col("SME"), c.col("activityType", "type")
        i_street, i_post, i_city = c.col("street"), c.col("postCode"), c.col("city")
        i_country, i_nuts = c.col("country"), c.col("nutsCode", "nutsCode_joined")
        i_url, i_role, i_order = c.col("organizationURL"), c.col("role"), c.col("order")
        i_ec, i_net = c.col("ecContribution", "contribution"), c.col("netEcContribution")
        i_cost = c.col("totalCost") if not eunets else None
        i_start, i_end = c.col("start_date"), c.col("end_date")
        i_pcost, i_max = (c.col("total_cost"), c.col("max_contribution")) if eunets else (None, None)
        records = self.context.records
        columns = {"acr": i_acr, "start": i_start, "end": i_end, "cost": i_pcost, "max": i_max}
        org_columns = [i for i in (i_pic, i_vat, i_name, i_short, i_sme, i_type, i_street, i_post, i_city,
                                   i_country, i_nuts, i_url) if i is not None]  # fmt: skip
        org_cells = itemgetter(*org_columns) if len(org_columns) > 1 else (lambda row: (row[org_columns[0]],))
        seen_projects: set[ProjectKey] = set()
        seen_organisations: dict[tuple[str, ...], int] = {}
        for c.line, c.values in self.context.rows(table, f"CORDIS participants ({Path(table.name).name})"):
            raw_id = c.code(i_project)
            pic, name = c.code(i_pic), c.text(i_name)
            if not raw_id or not (pic or name):
                self.context.reject(table, c.line, i_project if not raw_id else i_pic,
                                    "the row names no project or no organisation",
                                    "every participant row needs projectID and organisationID or name")  # fmt: skip
                continue
            if pic and not pic.isdigit():
                self.context.reject(table, c.line, i_pic, f"{pic!r} is not a PIC (a number such as 999844670)",
                                    "check that the columns are in the right order")  # fmt: skip
                continue
            key = self.project_key(f"rcn:{raw_id}" if eunets else raw_id)
            country = c.code(i_country)
            country = "GR" if country == "EL" else country  # CORDIS writes Greece as EL
            nuts = c.code(i_nuts)
            ec = c.parsed(i_ec, parse_amount_cents, AMOUNT_HINT)
            participation = {
                "role": c.code(i_role), "position": c.parsed(i_order, parse_int, "write the order as a number"),
                "ec_contribution_cents": ec, "public_funding_cents": ec,
                "net_ec_contribution_cents": c.parsed(i_net, parse_amount_cents, AMOUNT_HINT),
                "total_cost_cents": c.parsed(i_cost, parse_amount_cents, AMOUNT_HINT),
                "country": country, "nuts_code": nuts, "location_basis": "address" if nuts else None,
            }  # fmt: skip
            # An organisation appears in many rows with the same cells; resolve it once per distinct cells.
            signature = org_cells(c.values)
            organisation = seen_organisations.get(signature)
            organisation_values = None
            if organisation is None:
                organisation_values = {
                    "pic": pic, "vat": normalise_vat(c.text(i_vat)), "name": name, "short_name": c.text(i_short),
                    "sme": c.parsed(i_sme, parse_bool, "write true or false"),
                    "org_type": c.text(i_type), "street": c.text(i_street), "post_code": c.text(i_post),
                    "city": c.text(i_city), "country": country, "nuts_code": nuts, "url": c.text(i_url),
                }  # fmt: skip
            project = self._participant_project(c, key, eunets, columns) if key not in seen_projects else None
            if not c.ok:
                continue
            if project is not None:
                seen_projects.add(key)
                records.project(key, project)
            if organisation is None:
                organisation = records.organisation(organisation_values or {}, SOURCE)
                if len(seen_organisations) >= _SEEN_CAP:  # a cache: forgetting costs a look-up, not correctness
                    seen_organisations.clear()
                seen_organisations[signature] = organisation
            records.participation(key, organisation, participation)

    def _participant_project(
        self, c: Cells, key: ProjectKey, eunets: bool, columns: dict[str, int | None]
    ) -> dict[str, Any]:
        """The project facts a participant row carries (the eunets H2020 file has dates and costs too)."""
        project: dict[str, Any] = {"acronym": c.text(columns["acr"])}
        if eunets:
            project.update({
                "programme": "H2020", "fund": "H2020",
                "start_date": c.parsed(columns["start"], parse_date, DATE_HINT),
                "end_date": c.parsed(columns["end"], parse_date, DATE_HINT),
                "total_cost_cents": c.parsed(columns["cost"], parse_amount_cents, AMOUNT_HINT),
                "ec_max_contribution_cents": c.parsed(columns["max"], parse_amount_cents, AMOUNT_HINT),
            })  # fmt: skip
        elif not self.context.records.has_project(key) and key[1] not in self.known:
            programme = self.programme or guess_programme(None, None, key[1])
            project.update({"programme": programme, "fund": programme})
        return project

    def read_programme_parts(self, table: Table) -> None:
        c = Cells(self.context, table)
        i_rcn, i_part = c.col("rcn"), c.col("programme_part")
        for c.line, c.values in self.context.rows(table, "H2020 programme parts"):
            rcn, part = c.text(i_rcn), c.text(i_part)
            key = self.project_key(f"rcn:{rcn}")
            if rcn and part and self.exists(key):
                self.context.records.label(key, "h2020-part", part, {"title": part})

    def read_topics(self, table: Table) -> None:
        c = Cells(self.context, table)
        i_id, i_topic, i_title = c.col("projectID"), c.col("topic"), c.col("title")
        skipped = 0
        for c.line, c.values in self.context.rows(table, f"CORDIS call topics ({Path(table.name).name})"):
            grant_id = c.text(i_id)
            key = self.project_key(grant_id or "")
            if not grant_id or not self.exists(key):
                skipped += 1
                continue
            self.context.records.project(key, {"call_topic": c.text(i_topic), "call_topic_title": c.text(i_title)})
        self.context.files[-1]["skipped_unknown_project"] = skipped

    def read_euroscivoc(self, table: Table) -> None:
        c = Cells(self.context, table)
        i_id, i_code = c.col("projectID"), c.col("euroSciVocCode")
        i_path, i_title = c.col("euroSciVocPath"), c.col("euroSciVocTitle")
        skipped = 0
        for c.line, c.values in self.context.rows(table, f"CORDIS EuroSciVoc ({Path(table.name).name})"):
            grant_id, code = c.text(i_id), c.text(i_code)
            key = self.project_key(grant_id or "")
            if not grant_id or not code or not self.exists(key):
                skipped += 1
                continue
            self.context.records.label(key, "euroscivoc", code, {"path": c.text(i_path), "title": c.text(i_title)})
        self.context.files[-1]["skipped_unknown_project"] = skipped


def import_cordis(
    context: ImportContext, path: Path, *, encoding: str = "utf-8", delimiter: str | None = None,
    programme: str | None = None,
) -> None:  # fmt: skip
    """Read every CORDIS table under ``path`` into the import's records."""
    if programme is not None and programme.upper() not in PROGRAMMES:
        raise InputError(f"unknown programme {programme!r}", hint=f"use one of {', '.join(PROGRAMMES)}")
    tables = collect_tables(path, encoding, delimiter, context.limits)
    CordisImporter(context, programme.upper() if programme else None).run(tables)
