"""`smartspec classify …`: run, explain, evaluate, and review the area classification."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartspec.classify import (
    ABLATIONS,
    Toolkit,
    area_region_counts,
    decide,
    explain,
    load_gold,
    review_queue,
    run,
    score_gold,
    score_topics,
    shipped_examples,
)
from smartspec.classify.service import reviewed_examples
from smartspec.cli.common import DbOption, JsonOption, console, engine_for, print_json, settings, strategy_for
from smartspec.store import session_factory, sync_strategy

app = typer.Typer(help="Classify projects into the strategy's areas. / Luokittele hankkeet osaamisalueisiin.",
                  no_args_is_help=True)  # fmt: skip

Normaliser = Annotated[str, typer.Option(help="Finnish normaliser: auto (Voikko if installed), voikko, snowball")]


@app.command("run")
def run_command(
    db: DbOption = None,
    json_out: JsonOption = False,
    all_records: Annotated[bool, typer.Option("--all", help="Re-classify every project, not only new ones")] = False,
    source: Annotated[list[str] | None, typer.Option(help="Only projects from this source (repeatable)")] = None,
    country: Annotated[str | None, typer.Option(help="Only projects with a participant in this country (FI)")] = None,
    normaliser: Normaliser = "auto",
) -> None:
    """Classify the projects the current model has not classified yet, then aggregate organisations."""
    config = settings(db)
    engine = engine_for(config)
    strategy = strategy_for(config)
    toolkit = Toolkit.build(strategy, engine, normaliser=normaliser)
    result = run(engine, strategy, only_new=not all_records, sources=source, country=country, toolkit=toolkit)
    if json_out:
        print_json(result.as_dict())
        return
    console.print(
        f"Classified {result.projects:,} projects with model {result.model_version}"
        f"{' (trained now)' if result.trained else ''}; {result.embedded:,} texts embedded, the rest from the "
        f"cache; {result.organisations:,} organisations aggregated."
    )


@app.command("explain")
def explain_command(
    project_id: Annotated[int, typer.Argument(help="Project id (as `classify review` shows it)")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Why a project has its labels: probabilities, matched terms and keywords, nearest labelled examples, reviews."""
    config = settings(db)
    engine = engine_for(config)
    result = explain(engine, strategy_for(config), project_id)
    if json_out:
        print_json(result)
        return
    console.print(f"[bold]{result['source']} {result['source_id']}[/] ({result['lang']}): {result['text'][:400]}")
    console.print(f"labels: {', '.join(result['labels']) or 'none'} (threshold {result['threshold']})")
    table = Table("area", "probability", "matched terms", "nearest keywords")
    for row in result["areas"][:6]:
        table.add_row(f"{row['area']} {row['label']}", f"{row['probability']:.3f}",
                      ", ".join(term for term, _ in row["terms"][:6]),
                      ", ".join(f"{phrase} {similarity:.2f}" for phrase, similarity in row["keywords"]))  # fmt: skip
    console.print(table)
    for row in result["topics"]:
        near = ", ".join(f"{phrase} {similarity:.2f}" for phrase, similarity in row["keywords"])
        console.print(f"sub-topic of {row['area']}: {row['topic']} {row['label']} ({near})")
    console.print("nearest labelled examples:")
    for n in result["neighbours"]:
        console.print(f"  {n['similarity']:.2f} {','.join(n['areas'])}: {n['text'][:100]}")


@app.command("evaluate")
def evaluate_command(
    gold: Annotated[Path, typer.Option("--gold", help="Gold CSV: id,text,lang,areas")],
    db: DbOption = None,
    json_out: JsonOption = False,
    folds: Annotated[int | None, typer.Option(help="Cross-validate over the gold file with this many folds")] = None,
    ablation: Annotated[
        bool, typer.Option(help="Also score lexical-only, embeddings-only and both normalisers")
    ] = False,
    normaliser: Normaliser = "auto",
) -> None:
    """Score the classifier on a gold file. It never learns from that file (see the README)."""
    config = settings(db)
    engine = engine_for(config)
    strategy = strategy_for(config)
    examples = load_gold(gold, strategy)
    with session_factory(engine)() as session, session.begin():
        training = shipped_examples(strategy) + reviewed_examples(session, sync_strategy(session, strategy).id)
    toolkit = Toolkit.build(strategy, engine, normaliser=normaliser)
    result = score_gold(toolkit, examples, training, folds=folds)
    topics = score_topics(toolkit, examples)  # learns nothing, so once, whatever the folds or the ablation
    if topics is not None:
        result["topics"] = topics
    if ablation:
        result["ablation"] = {}
        for name in ("snowball", "voikko"):
            try:
                tools = Toolkit.build(strategy, engine, normaliser=name)
            except (ImportError, OSError):
                continue
            for label, variant in ABLATIONS.items():
                scored = score_gold(tools, examples, training, folds=folds, config=variant)
                result["ablation"][f"{label}/{tools.lexical.normaliser.name}"] = {
                    "micro_f1": scored["micro"]["f1"], "macro_f1": scored["macro_f1"],
                    "fi": scored["per_lang"].get("fi", {}).get("micro_f1"),
                    "en": scored["per_lang"].get("en", {}).get("micro_f1"),
                }  # fmt: skip
    if json_out:
        print_json(result)
        return
    console.print(f"n={result['n']}  micro F1 {result['micro']['f1']:.3f} (P {result['micro']['precision']:.3f}, "
                  f"R {result['micro']['recall']:.3f})  macro F1 {result['macro_f1']:.3f}")  # fmt: skip
    for lang, figures in result["per_lang"].items():
        console.print(f"  {lang}: micro F1 {figures['micro_f1']:.3f} (n={figures['n']})")
    table = Table("area", "precision", "recall", "F1", "support")
    for area, f in result["per_area"].items():
        table.add_row(area, f"{f['precision']:.2f}", f"{f['recall']:.2f}", f"{f['f1']:.2f}", str(f["support"]))
    console.print(table)
    if "topics" in result:
        topics = result["topics"]
        console.print(
            f"sub-topic of the gold area: accuracy {topics['accuracy']:.3f} (n={topics['n']}; "
            + ", ".join(f"{name} {value:.3f}" for name, value in topics["methods"].items())
            + ")"
        )
    for name, figures in result.get("ablation", {}).items():
        console.print(f"  ablation {name}: micro F1 {figures['micro_f1']:.3f} fi {figures['fi']} en {figures['en']}")


@app.command("review")
def review_command(
    db: DbOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many projects to list")] = 20,
) -> None:
    """The review queue: unreviewed projects whose labels are least certain come first."""
    config = settings(db)
    queue = review_queue(engine_for(config), strategy_for(config), limit)
    if json_out:
        print_json({"queue": queue})
        return
    table = Table("id", "source", "title", "labels", "top probabilities")
    for item in queue:
        top = ", ".join(f"{t['area']} {t['probability']:.3f}" for t in item["top"])
        table.add_row(str(item["project_id"]), f"{item['source']} {item['source_id']}", item["title"][:60],
                      ", ".join(item["labels"]) or "none", top)  # fmt: skip
    console.print(table)
    console.print(
        "The least certain first: probabilities nearest the threshold. "
        "Decide with: smartspec classify accept|reject|add PROJECT_ID CODE"
    )


def _decision(action: str, project_id: int, code: str, db: str | None, by: str | None) -> None:
    config = settings(db)
    decide(engine_for(config), strategy_for(config), project_id, code, action, by or getpass.getuser())
    console.print(f"{action}ed {code} for project {project_id}; reviewed decisions win over the model.")


@app.command("accept")
def accept(project_id: int, code: str, db: DbOption = None,
           by: Annotated[str | None, typer.Option(help="Reviewer name")] = None) -> None:  # fmt: skip
    """Accept a label the model gave."""
    _decision("accept", project_id, code, db, by)


@app.command("reject")
def reject(project_id: int, code: str, db: DbOption = None,
           by: Annotated[str | None, typer.Option(help="Reviewer name")] = None) -> None:  # fmt: skip
    """Reject a label the model gave (it stays rejected after re-classification)."""
    _decision("reject", project_id, code, db, by)


@app.command("add")
def add(project_id: int, code: str, db: DbOption = None,
        by: Annotated[str | None, typer.Option(help="Reviewer name")] = None) -> None:  # fmt: skip
    """Add a label the model missed."""
    _decision("add", project_id, code, db, by)


def print_area_table(db: str, lang: str = "en") -> dict[str, dict[str, int]]:
    """Projects per area and region (the demo's closing table)."""
    config = settings(db)
    engine = engine_for(config)
    strategy = strategy_for(config)
    with session_factory(engine)() as session:
        counts = area_region_counts(session, strategy)
    table = Table(
        title="Hankkeet osaamisalueittain ja maakunnittain" if lang == "fi" else "Projects per area and region"
    )
    table.add_column("Osaamisalue" if lang == "fi" else "Area")
    for region in strategy.regions:
        table.add_column(region.name.get(lang), justify="right")
    labels = {area.code: area.label.get(lang) for area in strategy.areas()}
    labels["none"] = "ei osaamisaluetta" if lang == "fi" else "no area"
    for area in [*strategy.area_codes(), "none"]:
        label = labels[area] if area == "none" else f"{area} {labels[area]}"  # rich wraps it at word boundaries
        table.add_row(label, *(str(counts[area].get(region.code, 0)) for region in strategy.regions))
    console.print(table)
    return counts
