"""Classification: metrics, Finnish normalisation, gold files, the run/review cycle and evaluation."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.model_selection import KFold
from sqlalchemy import Engine, select

from helpers import cli, cordis_zip, observe
from smartspec import Actor
from smartspec.classify import (
    ModelMissingError,
    Toolkit,
    classifier,
    effective_labels,
    gold_dev,
    gold_test,
    load_gold,
    normalise,
    score_gold,
)
from smartspec.classify.classifier import train
from smartspec.classify.decision import DEFAULT_DECISION, DecisionRule, choose_rule, micro_f1
from smartspec.classify.embed import CachedEmbedder
from smartspec.classify.evaluate import DECISIONS, score_topics
from smartspec.classify.lexical import LexicalScorer
from smartspec.classify.metadata import (
    MetadataSignal,
    OrganisationSignal,
    RecordMeta,
    call_levels,
    field_levels,
    with_metadata,
)
from smartspec.classify.metrics import evaluate
from smartspec.classify.model import AreaModel, BilingualModel
from smartspec.classify.neighbours import NeighbourVote
from smartspec.classify.normalise import SimplemmaNormaliser, SnowballNormaliser, split_structure, voikko_available
from smartspec.classify.signals import KeywordSignal, PrecisionSignal
from smartspec.classify.training import Example, label_matrix, without
from smartspec.errors import InputError
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.queries import strategy_id
from smartspec.strategy import Strategy

AREAS = ["I.1", "I.4", "III.2"]


def test_metrics_count_area_labels_and_none_only_as_false_positives() -> None:
    gold = [{"I.1"}, {"none"}, {"I.4", "III.2"}, {"none"}]
    predicted = [{"I.1"}, {"I.4"}, {"I.4"}, {"none"}]
    result = evaluate(gold, predicted, ["fi", "fi", "en", "en"], AREAS)
    assert result["micro"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    assert result["per_area"]["I.4"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert result["per_area"]["III.2"]["recall"] == 0.0
    assert result["per_lang"]["fi"] == {"micro_f1": 0.6667, "n": 2}
    assert result["macro_f1"] == round((1.0 + 0.6667 + 0.0) / 3, 4)
    assert result["n"] == 4


def test_voikko_structure_splits_compounds() -> None:
    assert split_structure("jätevedenpuhdistamo", "=pppp=ppppp=pppppppppp") == ["jäte", "veden", "puhdistamo"]
    assert split_structure("ict-ala", "=ppp-=ppp") == ["ict", "ala"]


@pytest.mark.skipif(not voikko_available(), reason="Voikko (Debian: libvoikko1, voikko-fi) is not installed")
def test_voikko_matches_inflected_compounds(strategy: Strategy) -> None:
    from smartspec.classify.normalise import VoikkoNormaliser

    terms = VoikkoNormaliser().terms("Jätevedenpuhdistamon saneeraus ja kaivosalueiden vesihuolto", "fi")
    assert {"jätevesi", "vesi", "puhdistamo", "kaivos", "vesihuolto"} <= set(terms)
    scorer = LexicalScorer(strategy, VoikkoNormaliser())
    scores = scorer.score(["Jätevedenpuhdistamon saneeraus"], ["fi"])[0].scores
    assert strategy.area_codes()[int(scores.argmax())] == "I.5"


def test_snowball_finds_vocabulary_inside_compounds(strategy: Strategy) -> None:
    scorer = LexicalScorer(strategy, SnowballNormaliser())
    match = scorer.score(["Biokaasulaitoksen esiselvitys"], ["fi"], explain=True)[0]
    assert strategy.area_codes()[int(match.scores.argmax())] == "I.4"
    assert any("biokaasu" in term for term, _ in match.terms[strategy.area_codes().index("I.4")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,text,lang\n1,x,fi\n", "column(s) areas are missing"),
        ("id,text,lang,areas\n1,Vesi,sv,I.5\n", "'sv' is not a language"),
        ("id,text,lang,areas\n1,Vesi,fi,I.9\n", "are not area codes"),
        ("id,text,lang,areas\n1,Vesi,fi,none;I.5\n", "'none' cannot be combined"),
        ("id,text,lang,areas\n1,Vesi,fi,I.5\n1,Vesi,fi,I.5\n", "the id is empty or repeated"),
        ("id,text,lang,areas\n", "has no rows"),
        ("id,text,lang,areas,topics\n1,Vesi,fi,I.5,I.4.3\n", "topics I.4.3 are not sub-topics of the item's areas"),
    ],
)
def test_bad_gold_files(tmp_path: Path, strategy: Strategy, content: str, message: str) -> None:
    file = tmp_path / "gold.csv"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_gold(file, strategy)
    assert message in str(caught.value)


def test_the_development_gold_set_follows_the_format(strategy: Strategy) -> None:
    examples = gold_dev(strategy)
    assert len(examples) >= 200
    langs = [e.lang for e in examples]
    assert langs.count("fi") >= 100 and langs.count("en") >= 100
    assert sum(1 for e in examples if not e.areas) > len(examples) / 4  # many none


def test_gold_files_may_label_sub_topics(tmp_path: Path, strategy: Strategy) -> None:
    file = tmp_path / "gold.csv"
    file.write_text("id,text,lang,areas,topics\n1,Vetyauto,fi,I.4;II.3,I.4.3;II.3.5\n2,Vesi,fi,I.5,none\n"
                    "3,Kahvila,fi,none,\n", encoding="utf-8")  # fmt: skip
    labelled, unfit, unlabelled = load_gold(file, strategy)
    assert labelled.topics == {"I.4.3", "II.3.5"} and unfit.topics == frozenset() and unlabelled.topics is None
    assert all(e.topics is not None for e in gold_test(strategy) if e.areas)  # the blind split labels them all


def test_a_sub_topic_is_chosen_by_meaning_where_no_word_matches(toolkit: Toolkit) -> None:
    texts = ["Kahvilan ja keittiön laajennus", "Farmaseuttien täydennyskoulutus", "Tuulivoimapuiston esiselvitys"]
    batch = toolkit.batch(texts, ["fi", "fi", "fi"])
    areas = [["I.1"], ["III.1"], ["I.4", "II.4"]]
    lexical = toolkit.topics.choose(batch, areas, "lexical")
    assert [row["I.1"].lexical for row in lexical[:1]] == [0.0]  # no word of I.1's sub-topics
    chosen = toolkit.topics.choose(batch, areas)
    assert [row[area[0]].code for row, area in zip(chosen, areas, strict=True)] == ["I.1.3", "III.1.3", "I.4.2"]
    assert set(chosen[2]) == {"I.4", "II.4"} and chosen[2]["I.4"].keywords[0][1] >= chosen[2]["I.4"].keywords[-1][1]
    assert toolkit.topics.choose(batch, [[], [], []]) == [{}, {}, {}]
    with pytest.raises(ValueError, match="unknown method"):
        toolkit.topics.choose(batch, areas, "random")


def test_the_nearest_and_heaviest_labelled_examples_carry_the_vote() -> None:
    examples = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    labels = np.array([[1, 0], [0, 1], [0, 1]])  # areas A, B
    vote = NeighbourVote.fit(examples, labels, None, k=2, temperature=10.0)
    a, b = vote.probabilities(np.array([[1.0, 0.0]]))[0]
    assert a == pytest.approx(1 / (1 + np.exp(-2.0))) and a + b == pytest.approx(1.0)  # the third is not among k=2
    heavier = NeighbourVote.fit(examples, labels, np.array([1.0, 20.0, 1.0]), k=2, temperature=10.0)
    assert heavier.probabilities(np.array([[1.0, 0.0]]))[0][1] > 0.7  # a reviewed decision weighs more
    assert vote.probabilities(np.zeros((0, 2))).shape == (0, 2)


def test_the_test_split_is_blind_to_the_development_set(strategy: Strategy) -> None:
    held_out = gold_test(strategy)
    assert {e.lang for e in held_out} == {"fi", "en"} and len(held_out) >= 300
    assert len(without(held_out, gold_dev(strategy))) == len(held_out)  # no shared id or text


@pytest.fixture(scope="module")
def toolkit(strategy: Strategy) -> Toolkit:
    return Toolkit.build(strategy, None)


class _Refusing:
    """An embedder that fails when asked to run the model."""

    def __init__(self, model_id: str) -> None:
        self.model_id, self.dim = model_id, 384

    def encode(self, texts: object) -> object:
        raise AssertionError(f"not in the shipped embeddings: {texts!r}"[:300])


def test_shipped_embeddings_cover_the_strategy_and_gold_sets(toolkit: Toolkit, strategy: Strategy) -> None:
    # `make` builds the seed (scripts/seed_embeddings.py) and rebuilds it when a gold file or the strategy changes.
    embedder = CachedEmbedder(_Refusing(toolkit.embedder.model_id))  # type: ignore[arg-type]
    AreaModel.create(strategy, toolkit.lexical, embedder)
    embedder.embed([example.text for example in gold_dev(strategy) + gold_test(strategy)])


def test_keywords_match_by_meaning_words_the_lists_do_not_spell_out(toolkit: Toolkit, strategy: Strategy) -> None:
    texts = ["Lumikenkäkävelyt ja pilkkiretket ulkomaisille vieraille", "Kayak tours and glamping for foreign visitors",
             "Kotiin vietävät palvelut muistisairaille"]  # fmt: skip
    words = {term for area in strategy.areas() for item in [area, *area.topics] for term in item.keywords.fi}
    assert not {"lumikenkäkävely", "pilkkiretki", "muistisairas"} & words
    features = KeywordSignal(strategy, toolkit.embedder).features(toolkit.batch(texts, ["fi", "en", "fi"]))
    best = [strategy.area_codes()[int(row[:12].argmax())] for row in features]
    assert best == ["III.2", "III.2", "III.1"]


def test_term_precision_learns_telling_words_and_keeps_the_keywords_as_prior(toolkit: Toolkit,
                                                                            strategy: Strategy) -> None:  # fmt: skip
    areas = strategy.area_codes()
    texts = ["lakritsi", "lakritsi ja suklaa", "lakritsi uusi", "kone", "kone ja laite", "uusi kone", "kone nyt"]
    labels = label_matrix([_example(t, {"I.1"} if "lakritsi" in t else set()) for t in texts], areas)
    signal = PrecisionSignal(strategy, toolkit.lexical)
    training = signal.fit(toolkit.batch(texts, ["fi"] * len(texts)), labels)
    food, machines = areas.index("I.1"), areas.index("I.2")
    new = signal.features(toolkit.batch(["lakritsi", "panimo", "kone"], ["fi"] * 3))
    assert new[0, food] > 0.7  # three labelled texts with the word, all I.1
    assert training[0, food] < new[0, food]  # a training text's own label is left out of its score
    assert new[1, food] == 0.5  # "panimo" is an I.1 keyword nobody labelled yet: the prior
    assert new[2, machines] < 0.25  # "kone" is an I.2 keyword, but four labelled machine texts are none


def _example(text: str, areas: set[str]) -> Example:
    return Example(text, text, "fi", frozenset(areas))


def test_each_language_has_its_own_model_and_threshold(toolkit: Toolkit, strategy: Strategy) -> None:
    dev = gold_dev(strategy)
    examples = [e for e in dev if e.lang == "fi"][:150] + [e for e in dev if e.lang == "en"][:100]
    model = train(toolkit, examples)
    assert (model.threshold("fi"), model.threshold("en"), model.threshold("sv")) == (0.55, 0.5, 0.5)
    assert model.models["fi"].signal("precision") is not None and model.models["en"].signal("precision") is None
    texts, langs = [examples[0].text, examples[-1].text], ["fi", "en"]
    both = model.probabilities(toolkit.batch(texts, langs))
    assert both[0] == pytest.approx(model.models["fi"].probabilities(toolkit.batch(texts[:1], ["fi"]))[0])
    assert both[1] == pytest.approx(model.models["en"].probabilities(toolkit.batch(texts[1:], ["en"]))[0])
    middle = np.full((2, len(model.areas)), 0.52)
    for part in model.models.values():
        assert part.rule is not None and len(part.rule.thresholds) == len(model.areas)  # chosen at train time
        part.rule = None  # without one: the language's threshold for every area
    assert model.decide(middle, ["fi", "en"]) == [[], model.areas]
    assert isinstance(BilingualModel.loads(model.dumps()), BilingualModel)


@pytest.fixture
def small_training(monkeypatch: pytest.MonkeyPatch, strategy: Strategy) -> Iterator[None]:
    """A retraining on 400 shipped examples instead of all of them: a test that retrains after reviews checks that
    the reviews are learnt, not the full model (trained once per session by ``trained_model``)."""
    dev = gold_dev(strategy)
    subset = [e for e in dev if e.lang == "fi"][:250] + [e for e in dev if e.lang == "en"][:150]
    monkeypatch.setattr("smartspec.classify.classifier.shipped_examples", lambda _strategy: subset)
    yield


@pytest.fixture
def classified(imported: Engine, install_model: Callable[[Engine], None]) -> Engine:
    """The fixture projects and the session's trained classifier (`smartspec classify train` finds and reuses it)."""
    install_model(imported)
    return imported


def _project(engine: Engine, source_id: str) -> int:
    with session_factory(engine)() as session:
        return int(session.scalars(select(m.Project.id).where(m.Project.source_id == source_id)).one())


def _labels(engine: Engine, strategy: Strategy, project_id: int) -> set[str]:
    with session_factory(engine)() as session:
        return effective_labels(session, strategy_id(session, strategy), [project_id]).get(project_id, set())


def test_without_a_trained_model_reads_fail_and_name_train(imported: Engine) -> None:
    obs = observe(imported)
    for read in (lambda: obs.explain(1), lambda: obs.review_queue(), lambda: obs.classify()):
        with pytest.raises(ModelMissingError, match="no trained classifier") as caught:
            read()
        assert "smartspec classify train" in (caught.value.hint or "")
    with session_factory(imported)() as session:  # nothing was trained or written by trying
        assert session.scalars(select(m.ClassifierModel)).first() is None
        assert session.scalars(select(m.Classification)).first() is None


def test_train_reuses_a_model_for_the_same_data(classified: Engine, trained_model: dict[str, Any]) -> None:
    result = observe(classified).train()
    assert not result.trained and result.model.version == trained_model["version"]
    assert result.examples == result.model.training["n"] > 5000 and result.model.reviews_behind == 0


def test_run_review_and_rerun(classified: Engine, strategy: Strategy, small_training: None) -> None:
    obs = observe(classified, actor=Actor("officer"))
    result = obs.classify()
    assert result.projects == 7 and not result.stale
    hydrogen = _project(classified, "101100001")
    assert "I.4" in _labels(classified, strategy, hydrogen)
    assert obs.classify().projects == 0  # nothing new for the same model

    obs.decide(hydrogen, "I.4", "reject")
    decision = obs.decide(hydrogen, "II.4", "add")
    assert decision.model_reviews_behind == 2 and decision.by == "officer"
    assert {"II.4"} <= _labels(classified, strategy, hydrogen) and "I.4" not in _labels(classified, strategy, hydrogen)
    assert obs.model().info.stale and obs.classify(only_new=False).stale  # a review makes the model stale
    trained = obs.train()  # the reviews are training examples: a new model
    assert trained.trained and trained.model.version != result.model_version and not trained.model.stale
    assert trained.model.training["by_source"]["review"] == 1
    again = obs.classify(only_new=False)
    assert again.model_version == trained.model.version and not again.stale
    labels = _labels(classified, strategy, hydrogen)
    assert "II.4" in labels and "I.4" not in labels
    queue = obs.review_queue(limit=10)
    assert hydrogen not in [item.project_id for item in queue]
    margins = [item.margin for item in queue]
    assert margins == sorted(margins)
    with session_factory(classified)() as session:
        organisations = session.scalars(select(m.Classification).where(
            m.Classification.record_type == "organisation")).all()  # fmt: skip
        audit = session.scalars(select(m.AuditLog).where(m.AuditLog.entity == "project")).all()  # imports: too
    assert organisations and all(0 < row.score <= 1 for row in organisations)
    codes = {row.code for row in organisations}
    assert {c for c in codes if c.count(".") == 2} and {
        c.rsplit(".", 1)[0] for c in codes if c.count(".") == 2
    } <= codes
    assert [a.action for a in audit] == ["classification.reject", "classification.add"]
    assert audit[0].actor == "officer" and audit[0].detail["after"] == "rejected" and audit[0].detail["via"] == "os"


def test_explain_after_a_review_does_not_retrain(classified: Engine) -> None:
    obs = observe(classified)
    obs.classify()
    forest = _project(classified, "101100002")
    obs.decide(forest, "III.3", "add", by="officer")
    with session_factory(classified)() as session:
        models_before = session.scalars(select(m.ClassifierModel.id)).all()
    explained = obs.explain(forest)
    assert "III.3" in explained.labels and explained.reviews[0].code == "III.3"
    with session_factory(classified)() as session:
        assert session.scalars(select(m.ClassifierModel.id)).all() == models_before


def test_reviews_survive_reimport(classified: Engine, strategy: Strategy, tmp_path: Path) -> None:
    obs = observe(classified)
    obs.classify()
    forest = _project(classified, "101100002")
    obs.decide(forest, "III.3", "add", by="officer")
    obs.import_file("cordis", cordis_zip(tmp_path / "again.zip"))
    assert _project(classified, "101100002") == forest
    assert "III.3" in _labels(classified, strategy, forest)


def test_explain_shows_terms_and_neighbours(classified: Engine, strategy: Strategy) -> None:
    obs = observe(classified)
    obs.classify()
    result = obs.explain(_project(classified, "A70002"))
    assert result.lang == "fi" and result.areas[0].probability >= result.areas[-1].probability
    assert len(result.neighbours) == 5
    hydrogen = obs.explain(_project(classified, "101100001"))
    energy = next(row for row in hydrogen.areas if row.area == "I.4")
    assert len(energy.keywords) == 3 and any("hydrogen" in phrase or "vety" in phrase for phrase, _ in energy.keywords)
    hydrogen_id = _project(classified, "101100001")
    with session_factory(classified)() as session:  # the stored label keeps the same evidence
        query = select(m.Classification).where(
            m.Classification.record_type == "project",
            m.Classification.record_id == hydrogen_id,
            m.Classification.code == "I.4",
        )
        stored = session.scalars(query).one()  # fmt: skip
    assert stored.evidence["keywords"] and stored.evidence["probabilities"]["I.4"] >= hydrogen.threshold
    assert {row.area: row.topic for row in hydrogen.topics}["I.4"] == "I.4.3"
    with session_factory(classified)() as session:  # the stored sub-topic says which phrases chose it
        topic = session.scalars(select(m.Classification).where(
            m.Classification.record_type == "project", m.Classification.record_id == hydrogen_id,
            m.Classification.code == "I.4.3")).one()  # fmt: skip
    assert topic.evidence["area"] == "I.4" and topic.evidence["keywords"] and 0 < topic.score <= 1
    with pytest.raises(InputError, match="there is no project 999999"):
        obs.explain(999999)
    with pytest.raises(InputError, match="is not an area or sub-topic"):
        obs.decide(1, "IX.1", "add", by="x")


def test_evaluate_never_learns_from_the_gold_file(toolkit: Toolkit, strategy: Strategy) -> None:
    dev = gold_dev(strategy)[:800]  # a training set of 800 examples: this tests what is left out, not the model
    subset = [e for e in dev if e.lang == "fi"][:40] + [e for e in dev if e.lang == "en"][:40]
    result = score_gold(toolkit, subset, dev)
    ids, texts = {e.id for e in subset}, {" ".join(e.text.casefold().split()) for e in subset}
    sharing = [e for e in dev if e.id in ids or " ".join(e.text.casefold().split()) in texts]
    assert len(sharing) >= 80  # the 80 items and any other item with the same text (titles repeat)
    assert result["setup"]["excluded_from_training"] == len(sharing)
    assert result["n"] == 80 and set(result["per_lang"]) == {"fi", "en"}
    assert {"precision", "recall", "f1"} == set(result["micro"])
    assert set(result["per_area"]) == set(strategy.area_codes())


def test_evaluate_scores_the_sub_topic_choice_where_topics_are_labelled(toolkit: Toolkit, strategy: Strategy) -> None:
    held_out = [e for e in gold_test(strategy) if e.topics]
    result = score_topics(toolkit, held_out)
    assert result is not None and result["n"] == sum(len(e.topics or ()) for e in held_out)
    assert set(result["methods"]) == {"combined", "keywords", "lexical"} and set(result["per_lang"]) == {"fi", "en"}
    assert result["accuracy"] == result["methods"]["combined"] >= result["methods"]["lexical"]
    assert score_topics(toolkit, [e for e in held_out if False]) is None


def test_classify_commands(imported: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           install_model: Callable[[Engine], None], monkeypatch: pytest.MonkeyPatch,
                           strategy: Strategy) -> None:  # fmt: skip
    db = db_url
    assert cli("classify", "explain", "1", "--db", db) == 2
    assert "smartspec classify train" in capsys.readouterr().err
    install_model(imported)
    assert cli("classify", "train", "--db", db, "--json") == 0
    assert json.loads(capsys.readouterr().out)["trained"] is False  # the stored model fits the same data
    assert cli("classify", "run", "--db", db, "--json") == 0
    assert json.loads(capsys.readouterr().out)["projects"] == 7
    project = _project(imported, "A70001")
    assert cli("classify", "explain", str(project), "--db", db) == 0
    assert "nearest labelled examples" in capsys.readouterr().out
    assert cli("classify", "review", "--db", db, "--json", "--limit", "3") == 0
    assert len(json.loads(capsys.readouterr().out)["queue"]) == 3
    assert cli("classify", "accept", str(project), "I.4", "--db", db, "--by", "tester") == 0
    assert "accepted I.4" in capsys.readouterr().out
    gold = tmp_path / "gold.csv"
    gold.write_text("id,text,lang,areas,topics\na,Tuulivoimapuiston rakentaminen,fi,I.4,I.4.2\n"
                    "b,Nuorten työpajatoiminta,fi,none,\nc,Hydrogen valleys for the Arctic,en,I.4,I.4.3\n"
                    "d,Museum of modern art visitors,en,III.2,\n", encoding="utf-8")  # fmt: skip
    dev = gold_dev(strategy)[:800]  # evaluation trains in memory: on 800 examples, to test the command, not the model
    monkeypatch.setattr("smartspec.classify.classifier.shipped_examples", lambda _strategy: dev)
    misses = tmp_path / "errors.csv"
    assert cli("classify", "evaluate", "--gold", gold, "--db", db, "--json", "--errors", misses) == 0
    figures = json.loads(capsys.readouterr().out)
    with misses.open(encoding="utf-8-sig") as handle:
        wrong = list(csv.DictReader(handle))
    assert figures["errors"]["items"] == len(wrong) and figures["setup"]["normaliser"] in ("voikko", "snowball")
    for row in wrong:  # each listed item is wrong, with its probabilities and text
        assert row["gold"] != row["predicted"] and "=" in row["probabilities"] and row["text"]
    assert figures["n"] == 4 and figures["setup"]["excluded_from_training"] == 0
    assert figures["topics"]["n"] == 2 and set(figures["topics"]["methods"]) == {"combined", "keywords", "lexical"}


# Multi-label decisions ----------------------------------------------------------------------------------------------


def test_per_area_thresholds_and_the_second_area_rule_follow_the_out_of_fold_probabilities() -> None:
    rng = np.random.default_rng(0)
    n = 400
    labels = np.zeros((n, 3), dtype=int)
    labels[:200, 0] = 1  # A: clear, probabilities near 0.8
    labels[150:250, 1] = 1  # B: a second area of many A items, probabilities near 0.35 (the heads are shy)
    probabilities = np.clip(rng.normal(0.1, 0.05, (n, 3)), 0, 1)
    probabilities[:200, 0] = rng.normal(0.8, 0.05, 200)
    probabilities[150:250, 1] = rng.normal(0.35, 0.04, 100)
    settings = {**DEFAULT_DECISION, "second_area": False}
    rule = choose_rule(probabilities, labels, 0.5, settings)
    assert rule.thresholds[1] < 0.4 and rule.thresholds[2] == 0.5  # B's cut moves down; C has no positive
    uniform = DecisionRule.uniform(3, 0.5)
    assert micro_f1(rule.apply(probabilities), labels) > micro_f1(uniform.apply(probabilities), labels) + 0.1
    second = choose_rule(probabilities, labels, 0.5, {**DEFAULT_DECISION, "per_area": False})
    assert second.ratio is not None and second.floor <= 0.3  # the runner-up at a share of the best
    decided = second.apply(probabilities)
    assert decided[150:200, 1].mean() > 0.8 and not decided[250:, 1].any()  # only beside a given best area
    assert choose_rule(probabilities[:0], labels[:0], 0.5, DEFAULT_DECISION).ratio is None


def test_decision_rules_are_chosen_on_the_training_folds_only(monkeypatch: pytest.MonkeyPatch, toolkit: Toolkit,
                                                               strategy: Strategy) -> None:  # fmt: skip
    dev = gold_dev(strategy)
    training = [e for e in dev if e.lang == "fi"][:120] + [e for e in dev if e.lang == "en"][:60]
    distinct = list({e.text: e for e in dev}.values())  # one item per text: a fold is known by its texts
    gold = [e for e in distinct if e.lang == "fi"][300:340] + [e for e in distinct if e.lang == "en"][100:120]
    seen: list[set[str]] = []
    tuned: list[int] = []
    real_out_of_fold = classifier.out_of_fold

    def spy(tools: Toolkit, batch: Any, *args: Any) -> np.ndarray:
        seen.append(set(batch.texts))
        return real_out_of_fold(tools, batch, *args)

    real_tune = BilingualModel.tune

    def tune_spy(self: BilingualModel, probabilities: np.ndarray, langs: list[str], labels: np.ndarray,
                 settings: dict[str, Any] | None = None) -> Any:  # fmt: skip
        tuned.append(len(langs))
        return real_tune(self, probabilities, langs, labels, settings)

    monkeypatch.setattr(classifier, "out_of_fold", spy)
    monkeypatch.setattr(BilingualModel, "tune", tune_spy)
    result = score_gold(toolkit, gold, training, folds=2, decisions=DECISIONS)
    assert set(result["decision_variants"]) == set(DECISIONS)  # from the same fits: no more out-of-fold runs
    texts = [e.text for e in gold]
    folds = [{texts[i] for i in rows} for _, rows in KFold(2, shuffle=True, random_state=0).split(np.arange(60))]
    assert len(seen) == 2 and result["n"] == 60
    for inner, fold in zip(seen, folds, strict=True):  # each fold's rules see its training rows, never the fold
        assert not inner & fold and (set(texts) - fold) <= inner
    assert set(tuned) == {len(without(training, gold)) + 30}  # the combined rule and each variant, per fold
    model = train(toolkit, training)
    assert model.models["fi"].rule is not None and model.models["en"].rule is not None
    assert np.array_equal(model.thresholds("fi"), model.models["fi"].rule.thresholds)


# Normalisers --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simplemma() -> SimplemmaNormaliser:
    return SimplemmaNormaliser()


def test_simplemma_gives_lemmas_and_compound_parts_without_voikko(simplemma: SimplemmaNormaliser,
                                                                 strategy: Strategy) -> None:  # fmt: skip
    assert simplemma.terms("biotaloudessa", "fi")[0] == "biotalous"
    terms = simplemma.terms("Jätevedenpuhdistamon saneeraus ja kaivosalueiden vesihuolto", "fi")
    assert terms[0] == "jätevedenpuhdistamo"
    assert {"jäte", "vesi", "puhdistamo", "jätevesi", "kaivos", "alue", "vesihuolto"} <= set(terms)
    assert simplemma.terms("Hydrogen valleys", "en") == ["hydrogen", "valley"]
    scorer = LexicalScorer(strategy, simplemma)
    scores = scorer.score(["Jätevedenpuhdistamon saneeraus"], ["fi"])[0].scores
    assert strategy.area_codes()[int(scores.argmax())] == "I.5"


def test_the_normaliser_is_voikko_else_simplemma_else_snowball(monkeypatch: pytest.MonkeyPatch,
                                                              imported: Engine) -> None:  # fmt: skip
    monkeypatch.setattr(normalise, "voikko_available", lambda: False)
    monkeypatch.setattr(normalise, "SimplemmaNormaliser", lambda: "simplemma")
    assert normalise.make_normaliser("auto") == "simplemma"
    monkeypatch.setattr(normalise, "simplemma_available", lambda: False)
    assert normalise.make_normaliser("auto").name == "snowball"
    with pytest.raises(ValueError, match="unknown normaliser 'stemmer'"):
        normalise.make_normaliser("stemmer")
    monkeypatch.setenv("SMARTSPEC_NORMALISER", "snowball")  # the setting forces one where a command says auto
    obs = observe(imported)
    assert obs.toolkit().lexical.normaliser.name == "snowball" and obs.toolkit() is obs.toolkit("snowball")
    with pytest.raises(InputError, match="'stemmer' is not a normaliser"):
        obs.toolkit("stemmer")


# Record metadata ----------------------------------------------------------------------------------------------------


def test_gold_ids_bring_their_records_metadata(imported: Engine) -> None:
    with session_factory(imported)() as session:
        project = int(session.scalars(select(m.Project.id).where(m.Project.source_id == "A70002")).one())
        examples = with_metadata(session, [_example_id("cordis:101100001"), _example_id("eura:S10001"),
                                           _example_id(f"project:{project}"), _example_id("eura:X99999"),
                                           _example_id("plain")])  # fmt: skip
    hydrogen, youth, sludge, unknown, plain = (e.meta for e in examples)
    assert hydrogen is not None and {"call:HORIZON-CL5", "call:HORIZON-CL5-D3-01-01", "fund:HORIZON"} <= set(
        hydrogen.tokens
    )
    assert hydrogen.organisations and hydrogen.record == "cordis:101100001"
    assert youth is not None and {"fund:ESR", "fund:ESR/axis:5"} <= set(youth.tokens)
    assert sludge is not None and sludge.record == "eura:A70002" and unknown is None and plain is None


def _example_id(identifier: str, areas: frozenset[str] = frozenset(), meta: RecordMeta | None = None) -> Example:
    return Example(identifier, f"text of {identifier}", "fi", areas, meta=meta)


def test_the_organisation_prior_leaves_each_training_example_out(toolkit: Toolkit, strategy: Strategy) -> None:
    areas = strategy.area_codes()
    tourism = areas.index("III.2")
    resort, college = RecordMeta("eura:1", organisations=(1,)), RecordMeta("eura:2", organisations=(2,))
    examples = [_example_id(f"r{i}", frozenset({"III.2"}), resort) for i in range(3)]
    examples += [_example_id("c0", frozenset(), college), _example_id("c1", frozenset(), college)]
    batch = toolkit.batch([e.text for e in examples], ["fi"] * 5, [e.meta for e in examples])
    signal = OrganisationSignal(len(areas))
    training = signal.fit(batch, label_matrix(examples, areas))
    new = signal.features(toolkit.batch(["a", "b", "c"], ["fi"] * 3, [resort, None, RecordMeta("x", (), "", (), (9,))]))
    base = 3 / 5
    assert new[0, tourism] == pytest.approx((3 + 2 * base) / (3 + 2))  # all three of its labelled projects
    assert training[0, tourism] == pytest.approx((2 + 2 * base) / (2 + 2))  # its other two only
    assert training[3, tourism] == pytest.approx((0 + 2 * base) / (1 + 2))
    assert new[1, tourism] == new[2, tourism] == pytest.approx(base) and new[1, -1] == 0  # no organisation known
    assert signal.evidence(resort) == {"organisations": 1, "labelled_projects": 3}


def test_the_metadata_tokens_are_learnt_like_terms(toolkit: Toolkit) -> None:
    metas = [RecordMeta("a", ("fund:ESR", "fund:ESR/axis:3")), RecordMeta("b", ("fund:ESR",)),
             RecordMeta("c", ("call:HORIZON-CL5",), "Hydrogen valleys"),
             RecordMeta("d", ("call:HORIZON-CL5",), "Hydrogen storage"), None]  # fmt: skip
    signal = MetadataSignal()
    signal.fit(toolkit.batch(["x"] * 5, ["en"] * 5, metas), np.zeros((5, 12), dtype=int))
    features = signal.features(toolkit.batch(["y", "z"], ["en"] * 2, [metas[2], None])).toarray()
    vocabulary = signal.vectorizer.vocabulary_
    assert {"fund:ESR", "call:HORIZON-CL5", "title:hydrogen"} <= set(vocabulary) and "fund:ESR/axis:3" not in vocabulary
    assert features[0, vocabulary["title:hydrogen"]] > 0 and not features[1].any()
    assert call_levels("HORIZON-CL5-2022-D3-01-02") == ["HORIZON-CL5", "HORIZON-CL5-D3", "HORIZON-CL5-D3-01",
                                                        "HORIZON-CL5-D3-01-02"]  # fmt: skip
    assert field_levels("/a/b/c/d") == ["/a", "/a/b", "/a/b/c"]
