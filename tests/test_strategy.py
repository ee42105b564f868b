"""The strategy as data: faithful to the seed, bilingual, validated with errors that point at lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from helpers import FIXTURES, cli
from smartspec.errors import StrategyError
from smartspec.strategy import Strategy, load_strategy, parse_strategy

SEED = SHARED_DATA.parent / "seed" / "ita-pohjois-suomi-alykas-erikoistuminen-2024.md"
# PDF-extraction typos we fixed in the YAML: seed text → our text.
TYPO_FIXES = {
    "Hyvinvointi- ja terveystalvelut": "Hyvinvointi- ja terveyspalvelut",
    "Reality=keinot/ lumetodellisuus": "Reality = keino-/lumetodellisuus",
    "Fotonikka": "Fotoniikka",
    "digitaaliset kaksot)": "digitaaliset kaksoset)",
}


def test_codes_follow_the_seed_order(strategy: Strategy) -> None:
    assert [p.code for p in strategy.priorities] == ["I", "II", "III"]
    assert strategy.area_codes() == ["I.1", "I.2", "I.3", "I.4", "I.5", "II.1", "II.2", "II.3", "II.4",
                                     "III.1", "III.2", "III.3"]  # fmt: skip
    assert [len(area.topics) for area in strategy.areas()] == [4, 3, 3, 4, 2, 6, 4, 6, 7, 4, 4, 5]
    assert [goal.code for goal in strategy.goals] == [f"G{i}" for i in range(1, 8)]
    assert {r.code: r.maakunta for r in strategy.regions} == {
        "FI1D7": "19", "FI1D9": "17", "FI1D8": "18", "FI1D5": "16", "FI1D2": "11", "FI1D3": "12", "FI1D1": "10",
    }  # fmt: skip
    assert {n.code for n in strategy.networks} >= {"ECCP", "VANGUARD", "ECA", "EUCLES", "S3-TP", "PRI", "RIV"}


def _seed_competences() -> list[tuple[str, list[str]]]:
    """(area heading, its bullets) from the seed's three 'osaamisalueet' lists, with typos fixed."""
    text = SEED.read_text(encoding="utf-8")
    for wrong, right in TYPO_FIXES.items():
        text = text.replace(wrong, right)
    areas: list[tuple[str, list[str]]] = []
    for block in text.split("## Itä- ja Pohjois-Suomen osaamisalueet:")[1:]:
        block = block.split("\n## ")[0].split("\nKuva:")[0]
        lines = [line.rstrip() for line in block.splitlines()]
        for index, line in enumerate(lines):
            if line.startswith("### "):
                areas.append((line[4:].strip(), []))
            elif line.startswith("- ") and areas:
                bullet = line[2:].strip()
                if index + 1 < len(lines) and lines[index + 1].startswith("("):
                    bullet += " " + lines[index + 1].strip()
                areas[-1][1].append(re.sub(r"\s+", " ", bullet))
    return areas


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed text is not at {SEED}")
def test_finnish_labels_are_the_seed_verbatim(strategy: Strategy) -> None:
    seed = _seed_competences()
    assert [label for label, _ in seed] == [area.label.fi for area in strategy.areas()]
    for (_, bullets), area in zip(seed, strategy.areas(), strict=True):
        assert bullets == [topic.label.fi for topic in area.topics], area.code


def test_every_label_is_bilingual_with_descriptions_and_keywords(strategy: Strategy) -> None:
    for item in [*strategy.areas(), *strategy.topics()]:
        assert item.label.fi and item.label.en
        assert item.description.fi and item.description.en
        assert item.keywords.fi and item.keywords.en
    for region in strategy.regions:
        assert region.vision.fi and region.vision.en and region.name.sv


def test_region_lookups_cover_legacy_nuts_and_council_names(strategy: Strategy) -> None:
    region = strategy.region("FI1D6")  # North Ostrobothnia in NUTS 2013
    assert region is not None and region.code == "FI1D9"
    assert strategy.region("FI1A3") is not None and strategy.region("FI1A3").code == "FI1D7"  # type: ignore[union-attr]
    found = strategy.region_for_council("  Etelä-Savon   maakuntaliitto")
    assert found is not None and found.code == "FI1D1"
    assert strategy.region("FI1B1") is None
    nested = strategy.find("FI1D9")
    assert nested is not None and len(nested.priorities[1].children) == 4  # type: ignore[union-attr]


def test_another_strategy_loads_the_same_way() -> None:
    other = load_strategy(FIXTURES / "strategies" / "other-region.yaml")
    assert other.area_codes() == ["A.1"]
    assert other.region("FI1C1") is not None
    assert other.region_for_council("Varsinais-Suomen liitto") is not None


GOOD = (FIXTURES / "strategies" / "other-region.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "message", "line"),
    [
        (("code: A.1.1", "code: A.1"), "topic code 'A.1' is used twice", 17),
        (("code: A.1.1", "code: B.1.1"), "must start with its area's code", 17),
        (("en: Electric vessels}", "}"), "Field required", 18),
        (("code: FI1C1", "code: fi-1"), "is not a NUTS code", 22),
        (('maakunta: "02"', 'maakunta: "2x"'), "String should match pattern", 23),
        (("fi: Laivat ja satamat.", "fi: ' '"), "must not be blank", 14),
        (("keywords: {fi: [laiva, satama]", "keywords: {fi: []"), "at least 1 item", 15),
        (("valid_from: 2025-01-01", "valid_from: someday"), "valid date", 5),
        (("publisher:", "publisherr:"), "Extra inputs are not permitted", 6),
        (("    areas:", "  areas:"), "not valid YAML", None),
    ],
)
def test_invalid_strategies_say_what_and_where(edit: tuple[str, str], message: str, line: int | None) -> None:
    text = GOOD.replace(*edit)
    assert text != GOOD
    with pytest.raises(StrategyError) as caught:
        parse_strategy(text, "other.yaml")
    assert message in str(caught.value)
    if line is not None:
        assert any(p.where and p.where.line == line for p in caught.value.problems), str(caught.value)


def test_validate_and_show_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("strategy", "validate", FIXTURES / "strategies" / "other-region.yaml") == 0
    assert "valid" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text(GOOD.replace("en: Blue economy", "xx: Blue economy"), encoding="utf-8")
    assert cli("strategy", "validate", broken) == 2
    err = capsys.readouterr().err
    assert "broken.yaml:9" in err and "priorities.0.label" in err
    assert cli("strategy", "show", "I.4", "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "Renewable energy production" in out and "I.4.3 Hydrogen economy" in out
    assert cli("strategy", "show", "FI1D9", "--json") == 0
    assert '"Ilmastoviisas Pohjois-Pohjanmaa"' in capsys.readouterr().out
    assert cli("strategy", "show", "X.9") == 2
    capsys.readouterr()
    for code in ("I", "I.1.1", "FI1D5", "G3", "ECCP"):
        assert cli("strategy", "show", code, "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "Clean solutions" in out and "Focus areas" in out and "value networks" in out and "PRO level" in out
    assert cli("strategy", "show") == 0
    out = capsys.readouterr().out
    assert "III.3 Digitaalinen saavutettavuus – markkinointi ja myynti" in out and "G7" in out
