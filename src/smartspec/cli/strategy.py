"""`smartspec strategy validate|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.tree import Tree

from smartspec.cli.common import JsonOption, console, print_json, settings
from smartspec.strategy import (
    Area,
    Goal,
    Network,
    Priority,
    Region,
    RegionPriority,
    Strategy,
    Topic,
    load_strategy,
)

app = typer.Typer(help="The strategy as data. / Strategia datana.", no_args_is_help=True)

Lang = Annotated[str, typer.Option("--lang", help="fi or en")]


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Strategy YAML file")],
    json_out: JsonOption = False,
) -> None:
    """Check a strategy file: codes unique, both languages present, parents exist, region codes valid."""
    strategy = load_strategy(file)
    summary = {
        "file": str(file), "valid": True, "code": strategy.code, "priorities": len(strategy.priorities),
        "areas": len(list(strategy.areas())), "topics": len(list(strategy.topics())),
        "regions": len(strategy.regions), "goals": len(strategy.goals),
    }  # fmt: skip
    if json_out:
        print_json(summary)
        return
    console.print(
        f"{file}: valid — {summary['priorities']} priorities, {summary['areas']} areas, {summary['topics']} "
        f"sub-topics, {summary['regions']} regions, {summary['goals']} goals."
    )


@app.command("show")
def show(
    code: Annotated[str | None, typer.Argument(help="A code: I, I.1, I.1.2, FI1D7, G3, ECCP … (default: all)")] = None,
    lang: Lang = "fi",
    json_out: JsonOption = False,
    file: Annotated[Path | None, typer.Option(help="Strategy file (default: the configured one)")] = None,
) -> None:
    """Show the strategy or one of its parts. / Näytä strategia tai sen osa."""
    if lang not in ("fi", "en"):
        raise typer.BadParameter("use fi or en", param_hint="--lang")
    strategy = load_strategy(file or settings().strategy_file)
    item = strategy.find(code) if code else strategy
    if item is None:
        raise typer.BadParameter(
            f"{code!r} is not a code of {strategy.code}; try I, I.1, I.1.1, FI1D7, G1 or ECCP",
            param_hint="CODE",
        )
    if json_out:
        print_json(item.model_dump(mode="json"))
        return
    console.print(_tree(item, lang))


def _tree(item: object, lang: str) -> Tree:
    if isinstance(item, Strategy):
        tree = Tree(f"[bold]{item.title.get(lang)}[/] ({item.code}, {item.valid_from})")
        for priority in item.priorities:
            tree.add(_tree(priority, lang))
        regions = tree.add("Maakunnat" if lang == "fi" else "Regions")
        for region in item.regions:
            regions.add(f"{region.code} {region.name.get(lang)}")
        goals = tree.add("Tavoitteet" if lang == "fi" else "Goals")
        for goal in item.goals:
            goals.add(f"{goal.code} {goal.label.get(lang)}")
        return tree
    if isinstance(item, Priority):
        tree = Tree(f"[bold]{item.code}[/] {item.label.get(lang)}")
        for area in item.areas:
            tree.add(_tree(area, lang))
        return tree
    if isinstance(item, Area):
        tree = Tree(f"[bold]{item.code}[/] {item.label.get(lang)}")
        for topic in item.topics:
            tree.add(f"{topic.code} {topic.label.get(lang)}")
        return tree
    if isinstance(item, Topic):
        tree = Tree(f"[bold]{item.code}[/] {item.label.get(lang)}")
        tree.add(item.description.get(lang))
        tree.add(", ".join(item.keywords.get(lang)))
        return tree
    if isinstance(item, Region):
        tree = Tree(f"[bold]{item.code}[/] {item.name.get(lang)} (maakunta {item.maakunta})")
        tree.add(item.vision.get(lang))
        own = tree.add("Älykkään erikoistumisen painopisteet" if lang == "fi" else "Smart specialisation priorities")
        _region_priorities(own, item.priorities, lang)
        if item.cross_cutting:
            extra = tree.add(item.cross_cutting.heading.get(lang))
            for text in item.cross_cutting.items:
                extra.add(text.get(lang))
        return tree
    if isinstance(item, Goal | Network):
        label = item.label if isinstance(item, Goal) else item.name
        tree = Tree(f"[bold]{item.code}[/] {label.get(lang)}")
        if isinstance(item, Network):
            tree.add(item.description.get(lang))
        return tree
    raise TypeError(type(item))  # pragma: no cover - find() returns only the types above


def _region_priorities(node: Tree, items: list[RegionPriority], lang: str) -> None:
    for number, item in enumerate(items, start=1):
        child = node.add(f"{number}. {item.label.get(lang)}")
        _region_priorities(child, item.children, lang)
