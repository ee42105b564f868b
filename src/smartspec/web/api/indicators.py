"""Indicators: the catalogue, a year's values, one indicator's values with the records behind each, one value's
records in pages, and the tables as CSV or XLSX. Export routes come before the plain ones: ``/indicators/{year}``
would take ``2024.csv`` as a year.

A value is named by its region and area as the pages name it: ``region`` or ``area`` left out means the value
without one (the whole strategy, or all areas), as ``Observatory.indicator_records`` reads them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from smartspec import indicators as ind
from smartspec.errors import InputError, NotFoundError
from smartspec.observatory import Observatory
from smartspec.web import exports
from smartspec.web.api.schemas import IndicatorRecords, RecordPage, ValueRecords
from smartspec.web.deps import observatory

router = APIRouter(tags=["indicators"])
VALUE_COLUMNS = ("indicator", "goal", "region", "area", "year", "value", "unit", "record_kind", "records")
RECORD_COLUMNS = (
    "indicator",
    "year",
    "value_region",
    "value_area",
    "value",
    "unit",
    "kind",
    "id",
    "title",
    "project_id",
    "project_title",
    "organisation_id",
    "organisation_name",
    "region",
    "country",
    "year_of_record",
    "date",
    "detail",
    "amount",
    "url",
)
YEAR = Path(ge=1990, le=2100, description="The year the values were computed for")
REGION = Query(None, max_length=10, description="NUTS-3 code of a strategy region (FI1D9 …)")
AREA = Query(None, max_length=20, description="Competence area code (I.1 …)")
INDICATOR = Path(max_length=60, description="An indicator id of the catalogue (GET /api/v1/indicators)")


@router.get("/indicators", response_model=list[ind.Indicator], summary="The indicator catalogue")
def catalogue(obs: Observatory = Depends(observatory)) -> list[ind.Indicator]:
    return list(obs.indicator_catalogue().indicators)


@exports.route(router, "/indicators/{year}", summary="A year's values as CSV or XLSX",
               rows="One row per value: indicator, region, area, value, unit, records")  # fmt: skip
def values_export(
    year: int = YEAR, region: str | None = REGION, obs: Observatory = Depends(observatory)
) -> exports.Table:
    found = obs.indicators(year, region)
    rows = [
        {**v.model_dump(exclude={"records", "details"}), "record_kind": v.records.kind, "records": len(v.records.ids)}
        for v in found.values
    ]
    return exports.Table(rows, VALUE_COLUMNS, f"indicators-{year}")


@router.get(
    "/indicators/{year}",
    response_model=ind.Indicators,
    summary="A year's stored values (of a region) with the definitions and each value's record ids",
)
def values(year: int = YEAR, region: str | None = REGION, obs: Observatory = Depends(observatory)) -> ind.Indicators:
    return obs.indicators(year, region)


@exports.route(router, "/indicators/{year}/{indicator_id}/records", rows="One row per record, with its value",
               summary="The records behind one value as CSV or XLSX")  # fmt: skip
def records_export(
    year: int = YEAR,
    indicator_id: str = INDICATOR,
    region: str | None = REGION,
    area: str | None = AREA,
    obs: Observatory = Depends(observatory),
) -> exports.Table:
    found = obs.indicator_records(year, indicator_id, region, area)
    value = {
        "indicator": found.indicator,
        "year": found.year,
        "value_region": found.region,
        "value_area": found.area,
        "value": found.value,
        "unit": found.unit,
        "kind": found.kind,
    }
    rows = [{**value, **row.model_dump(), "year_of_record": row.year, "year": found.year} for row in found.rows]
    name = "-".join(part for part in (indicator_id, str(year), region, area) if part)
    return exports.Table(rows, RECORD_COLUMNS, name)


@router.get(
    "/indicators/{year}/{indicator_id}/records",
    response_model=RecordPage,
    summary="A page of the records behind one stored value",
)
def records(
    year: int = YEAR,
    indicator_id: str = INDICATOR,
    region: str | None = REGION,
    area: str | None = AREA,
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(50, ge=1, le=500),
    obs: Observatory = Depends(observatory),
) -> RecordPage:
    found = obs.indicator_records(year, indicator_id, region, area, page=page, per_page=per_page)
    return RecordPage(
        total=found.total,
        page=page,
        per_page=per_page,
        pages=found.pages,
        indicator=found.indicator,
        year=found.year,
        region=found.region,
        area=found.area,
        value=found.value,
        unit=found.unit,
        kind=found.kind,
        items=found.rows,
    )


@router.get(
    "/indicators/{year}/{indicator_id}",
    response_model=IndicatorRecords,
    summary="An indicator's values of a year (of a region, an area), each with the records behind it",
)
def indicator(
    year: int = YEAR,
    indicator_id: str = INDICATOR,
    region: str | None = REGION,
    area: str | None = AREA,
    records_limit: int = Query(100, ge=1, le=5_000, description="Record rows listed per value at most"),
    obs: Observatory = Depends(observatory),
) -> IndicatorRecords:
    try:
        definition = obs.indicator_catalogue().get(indicator_id)
    except KeyError:
        raise NotFoundError(f"there is no indicator {indicator_id!r}", hint="see GET /api/v1/indicators") from None
    if area and area not in obs.strategy.area_codes():
        raise InputError(
            f"{area!r} is not a competence area of {obs.strategy.code}",
            hint="use one of " + ", ".join(obs.strategy.area_codes()),
        )
    out = []
    for value in obs.indicators(year, region).values:
        if value.indicator != indicator_id or (area is not None and value.area != area):
            continue
        found = obs.indicator_records(year, indicator_id, value.region, value.area, per_page=records_limit)
        out.append(
            ValueRecords(
                region=value.region,
                area=value.area,
                value=value.value,
                unit=value.unit,
                details=value.details,
                kind=found.kind,
                total=found.total,
                rows=found.rows,
            )
        )
    return IndicatorRecords(year=year, indicator=definition, values=out)
