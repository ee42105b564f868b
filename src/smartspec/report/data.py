"""What a report reads: the stored indicator values of a year and the year before, the alerts built on them, the
import dates of each source and the regions' map. Nothing is recomputed and nothing is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartspec.indicators import Alert, Catalogue, Indicators, alerts, load_catalogue, require_stored, stored_values
from smartspec.report import charts
from smartspec.store import models as m
from smartspec.strategy import Strategy

MAP_FILE = Path("finland_regions_geo") / "finland-regions-2020.topo.json"


@dataclass
class ReportData:
    strategy: Strategy
    year: int
    catalogue: Catalogue
    current: Indicators
    previous: Indicators
    alerts: list[Alert]
    imported: dict[str, dt.datetime]  # source → when it was last imported
    topojson: dict[str, Any] | None
    today: dt.date


def load_report_data(session: Session, strategy: Strategy, year: int, data_dir: Path | None,
                     today: dt.date) -> ReportData:  # fmt: skip
    current = stored_values(session, strategy, year)
    require_stored(current)
    previous = stored_values(session, strategy, year - 1)
    imported = {
        source: finished
        for source, finished in session.execute(
            select(m.ImportBatch.source, func.max(m.ImportBatch.finished_at))
            .where(m.ImportBatch.status == "done").group_by(m.ImportBatch.source))
        if finished is not None
    }  # fmt: skip
    topo = charts.load_topojson(data_dir / MAP_FILE) if data_dir else None
    return ReportData(strategy, year, load_catalogue(), current, previous,
                      alerts(session, strategy, current, previous), imported, topo, today)  # fmt: skip
