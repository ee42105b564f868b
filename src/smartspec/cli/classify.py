"""`smartspec classify …`: train, run, explain, evaluate, and review the area classification."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from smartspec.cli.common import DbOption, JsonOption, console, observatory, print_json
from smartspec.strategy import Strategy

if TYPE_CHECKING:
    from smartspec.observatory import AreaCounts

app = typer.Typer(help="Classify projects into the strategy's areas. / Luokittele hankkeet osaamisalueisiin.",
                  no_args_is_help=True)  # fmt: skip

Normaliser = Annotated[
    str,
    typer.Option(
        help="Finnish normaliser: auto (the SMARTSPEC_NORMALISER setting; by default "
        "Voikko if installed, else simplemma), voikko, simplemma, snowball"
    ),
]
By = Annotated[str | None, typer.Option(help="Reviewer name (default: your user name)")]


@app.command("train")
def train_command(
    db: DbOption = None,
    json_out: JsonOption = False,
    normaliser: Normaliser = "auto",
    force: Annotated[bool, typer.Option(help="Train even when a model for the same data is stored")] = False,
) -> None:
    """Train the classifier on the shipped gold sets and every review, and store it. / Opeta luokittelija."""
    result = observatory(db).train(normaliser=normaliser, force=force)
    if json_out:
        print_json(result)
        return
    info = result.model
    verb = "Trained" if result.trained else "Reused the stored"
    console.print(f"{verb} model {info.version} ({result.examples:,} examples, {info.normaliser} normaliser, "
                  f"{result.duration_s:.1f} s).")  # fmt: skip


@app.command("run")
def run_command(
    db: DbOption = None,
    json_out: JsonOption = False,
    all_records: Annotated[bool, typer.Option("--all", help="Re-classify every project, not only new ones")] = False,
    source: Annotated[list[str] | None, typer.Option(help="Only projects from this source (repeatable)")] = None,
    country: Annotated[str | None, typer.Option(help="Only projects with a participant in this country (FI)")] = None,
) -> None:
    """Classify the projects the stored model has not classified yet, then aggregate organisations."""
    result = observatory(db).classify(only_new=not all_records, sources=source, country=country)
    if json_out:
        print_json(result)
        return
    console.print(f"Classified {result.projects:,} projects with model {result.model_version}; "
                  f"{result.embedded:,} texts embedded, the rest from the cache; "
                  f"{result.organisations:,} organisations aggregated.")  # fmt: skip
    if result.stale:
        console.print(
            "The model is behind the latest reviews: run `smartspec classify train`, then `classify run --all`."
        )


@app.command("explain")
def explain_command(
    project_id: Annotated[int, typer.Argument(help="Project id (as `classify review` shows it)")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Why a project has its labels: probabilities, matched terms and keywords, nearest labelled examples, reviews."""
    result = observatory(db).explain(project_id)
    if json_out:
        print_json(result)
        return
    console.print(f"[bold]{result.source} {result.source_id}[/] ({result.lang}): {result.text[:400]}")
    console.print(f"labels: {', '.join(result.labels) or 'none'} (threshold {result.threshold})")
    if result.metadata:
        console.print("metadata: " + "; ".join(result.metadata))
    if result.organisation_prior.get("organisations"):
        prior = result.organisation_prior
        console.print(f"organisation prior: {prior['labelled_projects']} labelled project(s) of "
                      f"{prior['organisations']} of its organisation(s)")  # fmt: skip
    table = Table("area", "probability", "threshold", "matched terms", "nearest keywords")
    for row in result.areas[:6]:
        table.add_row(f"{row.area} {row.label}", f"{row.probability:.3f}", f"{result.thresholds.get(row.area, 0):.3f}",
                      ", ".join(term for term, _ in row.terms[:6]),
                      ", ".join(f"{phrase} {similarity:.2f}" for phrase, similarity in row.keywords))  # fmt: skip
    console.print(table)
    for topic in result.topics:
        near = ", ".join(f"{phrase} {similarity:.2f}" for phrase, similarity in topic.keywords)
        console.print(f"sub-topic of {topic.area}: {topic.topic} {topic.label} ({near})")
    console.print("nearest labelled examples:")
    for n in result.neighbours:
        console.print(f"  {n.similarity:.2f} {','.join(n.areas)}: {n.text[:100]}")
    for review in result.reviews:
        console.print(f"review: {review.status} {review.code} by {review.by} at {review.at}")


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
    errors: Annotated[Path | None, typer.Option(help="Write every wrong item to this CSV file for review")] = None,
    text_only: Annotated[
        bool, typer.Option(help="Score the text alone, without the metadata of the stored records gold ids name")
    ] = False,
) -> None:
    """Score the classifier on a gold file. It never learns from that file (see the README)."""
    result = observatory(db).evaluate(gold, folds=folds, ablation=ablation, normaliser=normaliser, errors=errors,
                                      text_only=text_only)  # fmt: skip
    if json_out:
        print_json(result.model_dump(mode="json", exclude_none=True))
        return
    console.print(f"n={result.n}  micro F1 {result.micro['f1']:.3f} (P {result.micro['precision']:.3f}, "
                  f"R {result.micro['recall']:.3f})  macro F1 {result.macro_f1:.3f}  "
                  f"normaliser {result.setup.get('normaliser')}")  # fmt: skip
    meta = result.setup.get("metadata", {})
    console.print(f"  metadata: {'used' if meta.get('used') else 'not used (--text-only)'}; "
                  f"{meta.get('gold_with_metadata', 0)} gold item(s) resolved to stored records")  # fmt: skip
    for lang, figures in result.per_lang.items():
        console.print(f"  {lang}: micro F1 {figures['micro_f1']:.3f} (n={figures['n']})")
    if result.multi.get("n"):
        console.print(f"  items with two or more gold areas: {result.multi['n']}, recall of their areas "
                      f"{result.multi['recall']:.3f}, all found {result.multi['all_found']:.3f}")  # fmt: skip
    table = Table("area", "precision", "recall", "F1", "support")
    for area, f in result.per_area.items():
        table.add_row(area, f"{f['precision']:.2f}", f"{f['recall']:.2f}", f"{f['f1']:.2f}", str(f["support"]))
    console.print(table)
    if result.topics:
        topics = result.topics
        console.print(
            f"sub-topic of the gold area: accuracy {topics['accuracy']:.3f} (n={topics['n']}; "
            + ", ".join(f"{name} {value:.3f}" for name, value in topics["methods"].items())
            + ")"
        )
    if result.errors:
        console.print(f"{result.errors['items']} wrong item(s) written to {result.errors['path']}")
    for name, scored in (result.ablation or {}).items():
        console.print(f"  ablation {name}: micro F1 {scored['micro_f1']:.3f} fi {scored['fi']} en {scored['en']}")


@app.command("review")
def review_command(
    db: DbOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many projects to list")] = 20,
) -> None:
    """The review queue: unreviewed projects whose labels are least certain come first."""
    queue = observatory(db).review_queue(limit)
    if json_out:
        print_json({"queue": [item.model_dump(mode="json") for item in queue]})
        return
    table = Table("id", "source", "title", "labels", "top probabilities")
    for item in queue:
        top = ", ".join(f"{t.area} {t.probability:.3f}" for t in item.top)
        table.add_row(str(item.project_id), f"{item.source} {item.source_id}", item.title[:60],
                      ", ".join(item.labels) or "none", top)  # fmt: skip
    console.print(table)
    console.print(
        "The least certain first: probabilities nearest the threshold. "
        "Decide with: smartspec classify accept|reject|add PROJECT_ID CODE"
    )


def _decision(action: str, project_id: int, code: str, db: str | None, by: str | None) -> None:
    decision = observatory(db).decide(project_id, code, action, by=by)
    verb = {"accept": "accepted", "reject": "rejected", "add": "added"}[action]
    console.print(f"{verb} {code} for project {project_id}; reviewed decisions win over the model "
                  f"(the stored model is {decision.model_reviews_behind} review(s) behind: "
                  "`smartspec classify train` learns them).")  # fmt: skip


@app.command("accept")
def accept(project_id: int, code: str, db: DbOption = None, by: By = None) -> None:
    """Accept a label the model gave."""
    _decision("accept", project_id, code, db, by)


@app.command("reject")
def reject(project_id: int, code: str, db: DbOption = None, by: By = None) -> None:
    """Reject a label the model gave (it stays rejected after re-classification)."""
    _decision("reject", project_id, code, db, by)


@app.command("add")
def add(project_id: int, code: str, db: DbOption = None, by: By = None) -> None:
    """Add a label the model missed."""
    _decision("add", project_id, code, db, by)


def print_area_table(counts: AreaCounts, strategy: Strategy, lang: str = "en") -> None:
    """Projects per area and region (the demo's closing table)."""
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
        table.add_row(label, *(str(counts.areas[area].get(region.code, 0)) for region in strategy.regions))
    console.print(table)
