"""The Finnish structural-funds registers (EURA 2007 and EURA 2014): ERDF (EAKR) and ESF (ESR) projects.

Publisher: Työ- ja elinkeinoministeriö, https://www.rakennerahastot.fi/rahoitetut-hankkeet (project cards at
https://www.eura2014.fi/rrtiepa/). Finnish column names, d.m.yyyy dates, amounts in EUR. The register has no
beneficiary addresses: a project granted by a regional council (maakuntaliitto) is located in that council's
region, which is how regional councils fund their own actors; ELY-centre grants only name a macro-region.
"""

from __future__ import annotations

import re
from pathlib import Path

from smartspec.errors import InputError
from smartspec.ingest.batch import ImportContext
from smartspec.ingest.cells import AMOUNT_HINT, Cells
from smartspec.ingest.parse import parse_amount_cents as _amount
from smartspec.ingest.parse import parse_date as _date
from smartspec.ingest.readers import Table, open_table

SOURCE = "eura"
_PIPE = re.compile(r"\s*\|\s*")

REQUIRED = (("Koodi",), ("Hankkeen nimi", "Projektin nimi"))


def import_eura(context: ImportContext, path: Path, *, encoding: str = "utf-8", delimiter: str | None = None) -> None:
    """Read one EURA project list (CSV or XLSX) into the import's records."""
    files = sorted(p for p in path.iterdir() if p.suffix in (".csv", ".xlsx")) if path.is_dir() else [path]
    tables = [open_table(file, encoding=encoding, delimiter=delimiter, limits=context.limits) for file in files]
    for table in tables:
        missing = [aliases[0] for aliases in REQUIRED if not table.has(*aliases)]
        if missing:
            raise InputError(
                f"{table.name} is not a EURA project list: column(s) {', '.join(missing)} are missing",
                hint=(
                    "export the list from the structural-funds register with its Finnish column names "
                    f"(Koodi, Rahasto, Hankkeen nimi, …); columns found: {', '.join(table.header[:8])}"
                ),
            )
        _read(context, table)


def _read(context: ImportContext, table: Table) -> None:
    c = Cells(context, table)
    i_code, i_fund = c.col("Koodi"), c.col("Rahasto")
    i_title = c.col("Hankkeen nimi", "Projektin nimi")
    i_period, i_osio, i_axis = c.col("ohjelmakausi"), c.col("Ohjelma / osio"), c.col("Tl")
    i_authority, i_status = c.col("Viranomainen"), c.col("Tila", "Toiminnan tila")
    i_start, i_end = c.col("Aloituspvm"), c.col("Päättymispvm")
    i_org = c.col("Toteuttajan nimi")
    i_granted, i_paid = (
        c.col("Myönnetty EU- ja valtion rahoitus"),
        c.col("Toteutunut EU- ja valtion rahoitus"),
    )
    i_planned, i_real = (
        c.col("Suunniteltu julkinen rahoitus yhteensä"),
        c.col("Toteutunut julkinen rahoitus yhteensä"),
    )
    i_type, i_nuts = c.col("authority_type"), c.col("authority_nuts_2021")
    i_area, i_flags = c.col("programme_area_nuts_2021"), c.col("quality_flags")
    default_period = "2007-2013" if table.has("Projektin nimi") else "2014-2020"
    strategy, records = context.strategy, context.records
    date_hint = "write dates as d.m.yyyy, for example 1.3.2015"
    for c.line, c.values in context.rows(table, f"EURA projects ({Path(table.name).name})"):
        code, title = c.text(i_code), c.text(i_title)
        if not code or not title:
            context.reject(table, c.line, i_code if not code else i_title, "the project has no code or no name",
                           "every row needs Koodi and the project's name")  # fmt: skip
            continue
        if title and "title_had_commas_replaced_by_pipe" in (c.text(i_flags) or ""):
            title = _PIPE.sub(", ", title)  # the OKF export replaced commas in titles by " |"
        authority = c.text(i_authority)
        fund = (c.text(i_fund) or "").upper() or None
        if fund not in (None, "EAKR", "ESR"):
            context.reject(table, c.line, i_fund, f"{fund!r} is not a structural fund", "use EAKR or ESR")
            continue
        region_nuts = None
        if c.text(i_type) == "maakuntaliitto":
            region_nuts = c.text(i_nuts)
        if region_nuts is None and authority:
            region = strategy.region_for_council(authority)
            region_nuts = region.code if region else None
        period = c.text(i_period) or default_period
        granted = c.parsed(i_granted, _amount, AMOUNT_HINT)
        key = (SOURCE, code)
        project = {
            "programme": f"EURA{period[:4]}", "fund": fund, "title": title, "language": "fi",
            "authority": " ".join(authority.split()) if authority else None,
            "status": c.text(i_status), "priority_axis": c.text(i_axis), "master_call": c.text(i_osio),
            "start_date": c.parsed(i_start, _date, date_hint), "end_date": c.parsed(i_end, _date, date_hint),
            "public_funding_cents": granted,
            "public_funding_paid_cents": c.parsed(i_paid, _amount, AMOUNT_HINT),
            "planned_public_cents": c.parsed(i_planned, _amount, AMOUNT_HINT),
            "realised_public_cents": c.parsed(i_real, _amount, AMOUNT_HINT),
            "nuts_code": region_nuts or c.text(i_nuts) or c.text(i_area),
        }  # fmt: skip
        if not c.ok:
            continue
        records.project(key, project)
        beneficiary = c.text(i_org)
        if beneficiary:
            organisation = records.organisation({"name": beneficiary, "country": "FI"}, SOURCE)
            records.participation(key, organisation, {
                "role": "beneficiary", "public_funding_cents": granted, "country": "FI",
                "nuts_code": region_nuts, "location_basis": "granting-authority" if region_nuts else None,
            })  # fmt: skip
