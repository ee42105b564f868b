"""`smartspec search`: full-text project search with facets, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, observatory, print_json
from smartspec.search.models import SearchQuery


def search(
    text: Annotated[
        str, typer.Argument(help="Words to find, Finnish or English (inflected forms find base words)")
    ] = "",
    db: DbOption = None,
    json_out: JsonOption = False,
    region: Annotated[list[str] | None, typer.Option(help="Region NUTS-3 code (repeatable)")] = None,
    area: Annotated[list[str] | None, typer.Option(help="Competence area code, e.g. I.4 (repeatable)")] = None,
    year: Annotated[list[int] | None, typer.Option(help="Start year (repeatable)")] = None,
    fund: Annotated[list[str] | None, typer.Option(help="Fund or programme code: HORIZON, EAKR, ESR …")] = None,
    sort: Annotated[str, typer.Option(help="relevance, newest, oldest, title or funding")] = "relevance",
    limit: Annotated[int, typer.Option(help="How many projects to show (at most 100)")] = 20,
    page: Annotated[int, typer.Option(help="Page of results")] = 1,
    reindex: Annotated[bool, typer.Option("--reindex", help="Rebuild the search index first")] = False,
) -> None:
    """Search projects: full text in Finnish and English, with filters. / Hae hankkeita."""
    obs = observatory(db)
    if reindex:
        done = obs.reindex()
        console.print(f"Indexed {done.projects:,} projects ({done.normaliser}) in {done.duration_s:.1f} s.")
    params = [("q", text), ("sort", sort), ("per_page", str(limit)), ("page", str(page))]
    params += [("region", r) for r in region or []] + [("area", a) for a in area or []]
    params += [("year", str(y)) for y in year or []] + [("fund", f) for f in fund or []]
    query = SearchQuery.from_params(params)
    result = obs.search(query)
    if json_out:
        print_json(result)
        return
    table = Table("id", "year", "source", "title", "areas", "regions",
                  title=f"{result.total:,} projects" + (f" for {text!r}" if text else ""))  # fmt: skip
    for item in result.items:
        table.add_row(str(item.id), str(item.year or ""), f"{item.source} {item.source_id}", item.title or "",
                      ", ".join(item.areas), ", ".join(item.regions))  # fmt: skip
    console.print(table)
