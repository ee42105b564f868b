"""`smartspec network` and `smartspec partners`: thin wrappers over the Observatory's network methods."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, observatory, print_json
from smartspec.errors import InputError

if TYPE_CHECKING:
    from smartspec.network import NetworkReport, Suggestions

Lang = Annotated[str, typer.Option(help="Language of labels and reasons: fi or en")]


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """'2021-2023' → (2021, 2023); '2022' → (2022, 2022); '2021-' → (2021, None)."""
    if not text:
        return None, None
    first, dash, last = text.partition("-")
    try:
        start = int(first) if first.strip() else None
        end = (int(last) if last.strip() else None) if dash else start
    except ValueError as exc:
        raise InputError(f"--years {text!r} is not a year or a range", hint="write e.g. --years 2021-2023") from exc
    return start, end


def network(
    db: DbOption = None,
    area: Annotated[str | None, typer.Option(help="Only projects of this competence area (e.g. I.4)")] = None,
    region: Annotated[str | None, typer.Option(help="Only projects with a participant in this region")] = None,
    years: Annotated[str | None, typer.Option(help="Project years, e.g. 2021-2023")] = None,
    programme: Annotated[str | None, typer.Option(help="Only this programme (HORIZON, H2020, …)")] = None,
    top: Annotated[int, typer.Option(help="Communities to describe")] = 10,
    graphml: Annotated[Path | None, typer.Option(help="Write the organisation network as GraphML here")] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write nodes.csv and edges.csv into this folder")
    ] = None,
    json_out: JsonOption = False,
    lang: Lang = "en",
) -> None:
    """The collaboration network: places, communities (candidate value networks) and gaps per competence area.

    Yhteistyöverkosto: alueet, yhteisöt (mahdolliset arvoverkostot) ja puutteet osaamisalueittain.
    """
    year_from, year_to = parse_years(years)
    report = observatory(db).network(area=area, region=region, year_from=year_from, year_to=year_to,
                                     programme=programme, top=top, graphml=graphml, csv_dir=csv_dir)  # fmt: skip
    if json_out:
        print_json(report)
        return
    print_network(report, lang)


def print_network(report: NetworkReport, lang: str) -> None:
    fi = lang == "fi"
    console.print(f"{report.projects:,} {'hanketta' if fi else 'projects'}, {report.organisations:,} "
                  f"{'organisaatiota' if fi else 'organisations'}, {report.links:,} {'yhteyttä' if fi else 'links'}; "
                  f"{report.communities.count} {'yhteisöä' if fi else 'communities'} "
                  f"(modularity {report.communities.modularity})")  # fmt: skip
    places = Table(title="Alueiden yhteydet" if fi else "Links of the regions")
    for column in ("a", "b", "projects", "EUR"):
        places.add_column(column, justify="right" if column in ("projects", "EUR") else "left")
    for link in report.place_links[:15]:
        places.add_row(link.a, link.b, str(link.projects), f"{link.funding_cents / 100:,.0f}")
    console.print(places)
    communities = Table(title="Yhteisöt" if fi else "Communities")
    for column in ("#", "size", "areas", "places", "central", "bridging"):
        communities.add_column(column)
    for c in report.communities.communities:
        central, bridging = "; ".join(x.name for x in c.central[:2]), "; ".join(x.name for x in c.bridging[:2])
        communities.add_row(str(c.id), str(c.size), ", ".join(list(c.areas)[:3]), ", ".join(list(c.places)[:4]),
                            central, bridging)  # fmt: skip
    console.print(communities)
    gaps = Table(title="Puutteet osaamisalueittain" if fi else "Gaps per competence area")
    for column in ("area", "regions active", "inside", "rest of country", "abroad", "gaps", "isolated"):
        gaps.add_column(column)
    for g in report.gaps:
        gaps.add_row(g.area, str(len(g.regions_active)), str(g.links_inside), str(g.links_country),
                     str(g.links_abroad), ", ".join(g.gaps), ", ".join(g.isolated_regions))  # fmt: skip
    console.print(gaps)
    for file in report.files:
        console.print(f"{'kirjoitettu' if fi else 'wrote'} {file}")


def partners(
    text: Annotated[
        str | None,
        typer.Argument(
            help="What to find partners for, in Finnish or English; 'evaluate' runs the time-split evaluation"
        ),
    ] = None,
    db: DbOption = None,
    org: Annotated[int | None, typer.Option("--org", help="Who this organisation (id) should work with next")] = None,
    topic: Annotated[str | None, typer.Option(help="A call topic code, e.g. HORIZON-CL5-2024-D3-01-01")] = None,
    region: Annotated[str | None, typer.Option(help="Only organisations in this region (NUTS-3 code)")] = None,
    area: Annotated[str | None, typer.Option(help="Only organisations with projects in this area")] = None,
    org_type: Annotated[str | None, typer.Option("--type", help="PRC, HES, REC, PUB or OTH")] = None,
    country: Annotated[str | None, typer.Option(help="Only organisations in this country (ISO code)")] = None,
    limit: Annotated[int, typer.Option(help="How many suggestions")] = 10,
    cutoff: Annotated[int, typer.Option(help="With 'evaluate': the last year learnt from")] = 2020,
    data_dir: Annotated[Path | None, typer.Option(help="With 'evaluate': the data directory")] = None,
    json_out: JsonOption = False,
    lang: Lang = "en",
) -> None:
    """Partners with reasons: `partners "text"`, `partners --org ID`, `partners --topic CODE`, and
    `partners evaluate --cutoff 2020` (recall and MRR against two baselines).

    Kumppanihaku perusteluineen; `partners evaluate` mittaa suosittelijan aikajaolla.
    """
    obs = observatory(db)
    if text == "evaluate" and org is None and topic is None:
        result = obs.evaluate_partners(cutoff, data_dir=data_dir)
        if json_out:
            print_json(result.model_dump(mode="json"))
            return
        table = Table(title=f"Partner recommendation, new pairs after {cutoff} ({result.n_new_pairs:,} pairs, "
                            f"{result.n_organisations} organisations)")  # fmt: skip
        for column in ("metric", "model", "preferential attachment", "same area"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for name, figures in (("recall@10", result.recall_at_10), ("recall@50", result.recall_at_50),
                              ("MRR", result.mrr)):  # fmt: skip
            table.add_row(name, f"{figures.model:.4f}", f"{figures.preferential_attachment:.4f}",
                          f"{figures.same_area:.4f}")  # fmt: skip
        console.print(table)
        return
    found = obs.partners(text, org=org, topic=topic, region=region, area=area, org_type=org_type, country=country,
                         limit=limit, lang=lang)  # fmt: skip
    if json_out:
        print_json(found)
        return
    print_suggestions(found)


def print_suggestions(found: Suggestions) -> None:
    if not found.suggestions:
        console.print("no suggestions / ei ehdotuksia")
    for rank, s in enumerate(found.suggestions, 1):
        o = s.organisation
        where = o.region or o.country or "?"
        console.print(f"[bold]{rank}. {o.name}[/] (id {o.id}, {where}, {o.type or '?'}) score {s.score:.3f}",
                      highlight=False)  # fmt: skip
        for reason in s.reasons:
            console.print(f"   - {reason}", highlight=False)
