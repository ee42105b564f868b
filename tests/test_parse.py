"""Value parsers: Finnish and CORDIS number formats, dates, business IDs; properties with Hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartspec.ingest.names import name_key
from smartspec.ingest.parse import (
    business_id_check_digit,
    business_id_from_vat,
    parse_amount_cents,
    parse_bool,
    parse_business_id,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234", 123400), ("1234.56", 123456), ("1234,56", 123456), ("1 234,56", 123456),
        ("1\u00a0234,56", 123456), ("1\u202f234\u202f567,8", 123456780), ("1.234,56", 123456),
        ("1,234.56", 123456), ("1.234.567", 123456700), ("941957,08", 94195708), ("€ 12 000", 1200000),
        ("12 000 €", 1200000), ("-250,5", -25050), ("\u2212250", -25000), ("0.0", 0), ("1496023.0", 149602300),
        ("1e3", 100000), ("0,125", 13), ("", None), ("  ", None), ("-", None), ("NA", None),
    ],
)  # fmt: skip
def test_amounts(text: str, cents: int | None) -> None:
    assert parse_amount_cents(text) == cents


@pytest.mark.parametrize("text", ["12a", "1,2,3.4.5", "abc", "12..5", "1 234,56 USD"])
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount_cents(text)


def _finnish(cents: int) -> str:
    """How a Finnish spreadsheet writes an amount: narrow spaces between thousands, decimal comma."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{fraction:02d}"


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_finnish_amounts_round_trip(cents: int) -> None:
    assert parse_amount_cents(_finnish(cents)) == cents
    assert parse_amount_cents(f"{cents / 100:.2f}") == cents


@pytest.mark.parametrize(
    ("text", "date"),
    [("1.3.2015", dt.date(2015, 3, 1)), ("01.03.2015", dt.date(2015, 3, 1)), ("2015-03-01", dt.date(2015, 3, 1)),
     ("2024-05-29 16:05:51", dt.date(2024, 5, 29)), ("31/12/2020", dt.date(2020, 12, 31)), ("", None)],
)  # fmt: skip
def test_dates(text: str, date: dt.date | None) -> None:
    assert parse_date(text) == date


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_finnish_dates_round_trip(date: dt.date) -> None:
    assert parse_date(f"{date.day}.{date.month}.{date.year}") == date


@pytest.mark.parametrize("text", ["31.2.2015", "2015-13-01", "maaliskuu 2015", "1.3.15"])
def test_not_dates(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


def test_booleans() -> None:
    assert [parse_bool(v) for v in ("true", "False", "kyllä", "ei", "", "1")] == [True, False, True, False, None, True]
    with pytest.raises(ValueError, match="yes/no"):
        parse_bool("maybe")


def test_business_ids() -> None:
    assert parse_business_id("0245895-5") == "0245895-5"  # University of Oulu
    assert parse_business_id("245895-5") == "0245895-5"  # an old six-digit body
    assert parse_business_id("FI02458955") == "0245895-5"
    assert business_id_from_vat("FI02458955") == "0245895-5"
    assert business_id_from_vat("DE811193231") is None
    with pytest.raises(ValueError, match="check digit is wrong \\(it should be 5\\)"):
        parse_business_id("0245895-4")
    with pytest.raises(ValueError, match="not a Finnish business ID"):
        parse_business_id("12345")


@given(st.integers(min_value=0, max_value=9_999_999))
def test_business_id_check_digits_validate(body: int) -> None:
    digits = f"{body:07d}"
    check = business_id_check_digit(digits)
    if check is None:
        return
    assert parse_business_id(f"{digits}-{check}") == f"{digits}-{check}"
    wrong = (check + 1) % 10
    with pytest.raises(ValueError):
        parse_business_id(f"{digits}-{wrong}")


@pytest.mark.parametrize(
    ("a", "b"),
    [("ITA-SUOMEN YLIOPISTO", "Itä-Suomen yliopisto (aiemmin Kuopion yliopisto)"),
     ("LAPIN AMMATTIKORKEAKOULU OY", "Lapin ammattikorkeakoulu Oy"), ("Valio Oy", "VALIO OYJ"),
     ("Mikkelin Kuntopalvelu, avoin yhtiö", "MIKKELIN KUNTOPALVELU")],
)  # fmt: skip
def test_name_keys_match_spellings(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_keys_keep_different_organisations_apart() -> None:
    assert name_key("Oulun yliopisto") != name_key("Oulun ammattikorkeakoulu")
    assert name_key("Oy") == "oy"  # a name that is only a legal form is kept, not emptied


def test_a_very_long_name_has_a_key_that_fits_its_column() -> None:
    long_name = "Pitkä <i>nimi</i> & " * 1000  # 20 kB: the key column holds 300 characters (PostgreSQL enforces it)
    key = name_key(long_name)
    assert 0 < len(key) <= 300 and key == name_key(long_name + " Oy")
