"""The indicator catalogue's data sources with their licences and when each was last imported into the store."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartspec.indicators.catalogue import load_catalogue
from smartspec.store import models as m
from smartspec.strategy import Text


class DataSource(BaseModel):
    key: str
    name: Text
    publisher: Text
    licence: str
    url: str | None
    imported_at: dt.datetime | None = Field(
        description="when an import of this source last finished (None: never imported, or a source read from the "
        "data directory or shipped with smartspec rather than imported)"
    )
    imports: int = Field(description="finished imports of this source")


def data_sources(session: Session) -> list[DataSource]:
    batch = m.ImportBatch
    query = (select(batch.source, func.max(batch.finished_at), func.count())
             .where(batch.status == "done").group_by(batch.source))  # fmt: skip
    imported = {source: (finished, int(count)) for source, finished, count in session.execute(query)}
    return [
        DataSource(key=key, name=source.name, publisher=source.publisher, licence=source.licence, url=source.url,
                   imported_at=imported.get(key, (None, 0))[0], imports=imported.get(key, (None, 0))[1])
        for key, source in load_catalogue().sources.items()
    ]  # fmt: skip
