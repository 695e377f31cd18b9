"""Decimal conversion refuses floats; splits add back exactly; report rounding."""

from __future__ import annotations

import decimal
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lots.events import scale
from lots.fastreplay import (
    NotExact,
    exact_in_28_digits,
    from_units,
    scale_units,
    split_units,
    to_units,
)
from lots.numbers import cents_text, micro_text, money, quantity, round_units, split, to_decimal
from lots.records import Action, Lot, Transaction
from tests.lots.textledger import day


@pytest.mark.parametrize("value", [0.1, 1.0, True])
def test_floats_and_bools_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        to_decimal(value)


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity"])
def test_non_numbers_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        to_decimal(value)


@pytest.mark.parametrize("value", ["1,234", "1,234.50", "0,5", " 1,000 ", "1_000"])
def test_commas_and_underscores_are_refused(value: str) -> None:
    # "1,234" is 1234 with a thousands separator or 1.234 with a decimal comma: never
    # guessed (the CLI readers refuse it too); Decimal itself would take "1_000".
    with pytest.raises(ValueError, match="no thousands separators"):
        to_decimal(value)


def test_accepted_inputs() -> None:
    assert to_decimal(" 1234.50 ") == D("1234.50")
    assert to_decimal(7) == D(7)
    assert to_decimal(D("0.000001")) == D("0.000001")


def test_records_refuse_floats_before_validating() -> None:
    with pytest.raises(TypeError):
        Lot("a", "X", "L1", 1.5, D(1), day("2026-01-01"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        Lot("a", "X", "L1", D(0), D(1), day("2026-01-01"))
    with pytest.raises(ValueError, match="after the purchase"):
        Lot("a", "X", "L1", D(1), D(1), day("2026-01-01"), day("2026-01-02"))


def test_the_float_trap_is_on_in_tests() -> None:
    with pytest.raises(decimal.FloatOperation):
        D(1) < 1.5  # noqa: B015


def test_report_rounding_is_half_even() -> None:
    assert money(D("46.125")) == D("46.12")
    assert money(D("46.135")) == D("46.14")
    assert quantity(D("1.0000005")) == D("1")
    assert quantity(D("2.2500000")) == D("2.25")
    assert str(quantity(D("100"))) == "100"


@given(
    st.decimals(min_value=0, max_value=10**9, places=4),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
)
def test_split_parts_add_back_exactly(total: D, whole: int, part: int) -> None:
    part = min(part, whole)
    first, second = split(total, D(part), D(whole))
    assert first + second == total


def test_transaction_gross() -> None:
    txn = Transaction(day("2026-01-01"), "a", "X", "buy", D(3), D("1.5"))  # type: ignore[arg-type]
    assert txn.action is Action.BUY
    assert txn.gross == D("4.5")


def test_split_is_exact_beyond_the_fast_path() -> None:
    # A trillion-dollar total at 15 places needs more than 28 digits: the wide path.
    total = D("1234567890123.456789")
    first, second = split(total, D(1), D(3))
    assert first == D("411522630041.152263000000000")
    assert first + second == total
    # A total with more than 15 decimal places keeps them in the exact remainder.
    tiny = D("0.00000000000000000123")
    first, second = split(tiny, D(1), D(2))
    assert (first, first + second) == (D(0), tiny)


# -- one rounding, from the exact ratio (the integer replay rounds the same way) ------

_LONG_AMOUNTS = st.decimals(
    min_value=D("-1e9"), max_value=D("1e9"), places=15, allow_nan=False, allow_infinity=False
)
_LONG_QUANTITIES = st.decimals(
    min_value=D("0.000000000001"), max_value=D("1e7"), places=12, allow_nan=False
)


def _half_even(value: Fraction, places: int) -> D:
    """An independent reference: the exact ratio, rounded once (``round`` of a Fraction
    goes half to even), as a Decimal of ``places`` places."""
    units = round(value * 10**places)
    return D(units).scaleb(-places, decimal.Context(prec=100))


@given(_LONG_AMOUNTS, _LONG_QUANTITIES, _LONG_QUANTITIES)
def test_split_rounds_the_exact_ratio_once(total: D, part: D, other: D) -> None:
    # Long operands (15-place amounts, 12-place quantities): total * part has up to 40
    # digits, more than a 28-digit context holds, so a split computed by dividing in
    # the default context and rounding again could differ in the 15th place.
    whole = part + other
    first, rest = split(total, part, whole)
    assert first == _half_even(Fraction(total) * Fraction(part) / Fraction(whole), 15)
    assert first + rest == total
    # The integer twin, money in units of 10**-20: the same part and rest.
    units = split_units(int(total.scaleb(20)), int(part.scaleb(18)), int(whole.scaleb(18)))
    assert units == (int(first.scaleb(20)), int(rest.scaleb(20)))


def test_split_half_even_by_hand() -> None:
    # 0.000000000000001 * 1 / 2 = 5e-16: exactly half a unit of the 15th place, rounded
    # to the even 0; 0.000000000000003 / 2 = 1.5e-15 rounds to 2e-15.
    assert split(D("0.000000000000001"), D(1), D(2)) == (D(0), D("0.000000000000001"))
    assert split(D("0.000000000000003"), D(1), D(2)) == (D("2e-15"), D("1e-15"))
    # In money units of 10**-20 (a 15-place unit is 10**5 of them).
    assert split_units(10**5, 1, 2) == (0, 10**5)
    assert split_units(3 * 10**5, 1, 2) == (2 * 10**5, 10**5)
    assert split_units(-3 * 10**5, 1, 2) == (-2 * 10**5, -(10**5))
    # 1.5e-20 of a dollar, halved: 7.5e-21, rounded to 15 places is 0; the rest keeps all.
    assert split_units(15, 1, 2) == (0, 15)


def test_split_never_rounds_past_the_total() -> None:
    # A total of more than 15 places can round past itself: 6e-16 * 9 / 10 = 5.4e-16,
    # which rounds half-even to 1e-15 at 15 places, more than the 6e-16 there is. The
    # part is then the whole total and the rest 0 (not 1e-15 and -4e-16).
    assert split(D("6E-16"), D(9), D(10)) == (D("6E-16"), D(0))
    assert split(D("-6E-16"), D(9), D(10)) == (D("-6E-16"), D(0))
    # Just short of that: 4e-16 * 9 / 10 = 3.6e-16 rounds to 0; the rest keeps it all.
    assert split(D("4E-16"), D(9), D(10)) == (D(0), D("4E-16"))
    # In money units of 10**-20: 6e-16 is 60,000 units, 5.4e-16 rounds to 100,000.
    assert split_units(60_000, 9, 10) == (60_000, 0)
    assert split_units(-60_000, 9, 10) == (-60_000, 0)
    assert split_units(40_000, 9, 10) == (0, 40_000)


_WIDE_AMOUNTS = st.decimals(
    min_value=D("-1e6"), max_value=D("1e6"), places=20, allow_nan=False, allow_infinity=False
)


@given(_WIDE_AMOUNTS, _LONG_QUANTITIES, _LONG_QUANTITIES)
def test_split_parts_keep_the_totals_sign(total: D, part: D, other: D) -> None:
    # Totals of 20 places (as a boot on split-scaled shares leaves): the part is the exact
    # ratio rounded once to 15 places, unless that is past the total, then the total;
    # neither part has the other sign; the integer twin agrees.
    whole = part + other
    first, rest = split(total, part, whole)
    rounded = _half_even(Fraction(total) * Fraction(part) / Fraction(whole), 15)
    expected = min(rounded, total) if total >= 0 else max(rounded, total)
    assert first == expected
    assert first + rest == total
    assert (first >= 0 and rest >= 0) if total >= 0 else (first <= 0 and rest <= 0)
    units = split_units(int(total.scaleb(20)), int(part.scaleb(18)), int(whole.scaleb(18)))
    assert units == (int(first.scaleb(20)), int(rest.scaleb(20)))


def _terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    return denominator == 1


_SCALED_QUANTITIES = st.decimals(
    min_value=D("0.000000000000000001"), max_value=D("1e7"), places=18, allow_nan=False
)


@given(_SCALED_QUANTITIES, st.integers(1, 12), st.integers(1, 12))
def test_scale_exact_where_a_decimal_holds_it_else_12_places(
    quantity: D, new: int, old: int
) -> None:
    # Quantities of up to 18 places (the integer scale, 10**-18 of a share).
    exact = Fraction(quantity) * new / old
    scaled = scale(quantity, (D(new), D(old)))
    units = exact * 10**18
    if units.denominator == 1:  # fits 18 places: both exact
        assert scaled == exact
        assert scale_units(int(quantity.scaleb(18)), new, old) == units
    elif _terminates(exact):  # an exact decimal of more places: kept whole; integers give up
        assert scaled == exact
        with pytest.raises(NotExact):
            scale_units(int(quantity.scaleb(18)), new, old)
    else:  # no exact decimal: rounded once, half-even, to 12 places
        assert scaled == _half_even(exact, 12)
        assert scale_units(int(quantity.scaleb(18)), new, old) == int(scaled.scaleb(18))


def test_scale_by_hand() -> None:
    # 1:3 of one share: 0.333333333333 (12 places); 1:4 of 0.000001: 0.00000025 (exact).
    assert scale(D(1), (D(1), D(3))) == D("0.333333333333")
    assert scale(D("0.000001"), (D(1), D(4))) == D("0.00000025")
    assert scale_units(10**18, 1, 3) == 333_333_333_333 * 10**6
    assert scale_units(10**12, 1, 4) == 25 * 10**10
    # 2:3 of one share: 0.666666666666|67 rounds half-even up to 0.666666666667.
    assert scale_units(10**18, 2, 3) == 666_666_666_667 * 10**6
    # The benchmark's case: 1:4 of 1.85685746875 (11 places) is 0.4642143671875, exact
    # with 13 places: the Decimal replay keeps it whole, and so do the 18-place units.
    assert scale(D("1.85685746875"), (D(1), D(4))) == D("0.4642143671875")
    assert scale_units(1_856_857_468_750_000_000, 1, 4) == 464_214_367_187_500_000
    # 1:2 of 0.000000000000000001 is 5e-19, exact with 19 places: the Decimal replay
    # keeps it, the integer units (18 places) cannot, so the integer replay gives up.
    assert scale(D("0.000000000000000001"), (D(1), D(2))) == D("5e-19")
    with pytest.raises(NotExact):
        scale_units(1, 1, 2)


def test_money_beyond_28_digits_is_not_exact_in_the_default_context() -> None:
    # The Decimal replay computes quantity * price in the default context (28 digits):
    # 10**8 + 0.01 dollars has 11 significant digits (fits), 10**20 + 0.01 has 23 (fits),
    # 10**26 + 0.01 has 29 (rounded there), so the integer path must refuse it.
    # (In units of 10**-20: a cent is 10**18 units.)
    assert exact_in_28_digits((10**10 + 1) * 10**18)
    assert exact_in_28_digits((10**22 + 1) * 10**18)
    assert not exact_in_28_digits((10**28 + 1) * 10**18)
    # Trailing zeros are not significant: 10**30 dollars is one digit.
    assert exact_in_28_digits(10**50)


def test_units_round_trip_and_refuse_what_the_scale_cannot_hold() -> None:
    assert to_units(D("15.01"), 15) == 15_010_000_000_000_000
    assert from_units(5_003_333_333_333_333, -15) == D("5.003333333333333")
    with pytest.raises(NotExact):
        to_units(D("0.0000000000000001"), 15)  # 16 places


# -- the integer text of a report: round_units, cents_text, micro_text ------------------


def test_integer_rounding_and_text_by_hand() -> None:
    # $0.005 in units of 10**-20 is 5 * 10**17 units: half a cent, a tie; half-even
    # keeps 0 (even). $0.015 is a tie too: 1 is odd, so it goes up to 2 cents.
    cent = 10**18
    assert round_units(5 * 10**17, cent) == 0
    assert round_units(15 * 10**17, cent) == 2
    # -$0.015: floor division gives -2 and a rest of half a cent; -2 is even: -2 cents.
    assert round_units(-15 * 10**17, cent) == -2
    # $1,234.499999... (one unit under the tie) rounds down, one unit over it up.
    assert round_units(123_450 * cent - 5 * 10**17 - 1, cent) == 123_449
    assert round_units(123_450 * cent - 5 * 10**17 + 1, cent) == 123_450
    assert [cents_text(c) for c in (0, 1, -1, 100, -250, 123_450)] == [
        "0.00", "0.01", "-0.01", "1.00", "-2.50", "1234.50",
    ]  # fmt: skip
    # 2.5000005 shares (10**-18 units) to millionths: 2.500000|5, a tie, 0 even: 2.5.
    micro = 10**12
    assert micro_text(round_units(2_500_000_500_000_000_000, micro)) == "2.5"
    assert micro_text(round_units(2_500_001_500_000_000_000, micro)) == "2.500002"
    assert micro_text(round_units(100 * 10**18, micro)) == "100"


_MONEY_UNITS = st.integers(-(10**33), 10**33)


@given(_MONEY_UNITS)
def test_integer_money_text_is_the_decimal_text(units: int) -> None:
    """``cents_text(round_units(u, 10**18))`` is ``money_text`` of the exact Decimal
    ``u * 10**-20`` (the household writer's Decimal text, from ``household.render``)."""
    from household.render import money_text

    value = decimal.Context(prec=100).scaleb(D(units), -20)
    assert cents_text(round_units(units, 10**18)) == money_text(value)


@given(st.integers(0, 10**34))
def test_integer_quantity_text_is_the_decimal_text(units: int) -> None:
    from household.render import quantity_text

    value = decimal.Context(prec=100).scaleb(D(units), -18)
    assert micro_text(round_units(units, 10**12)) == quantity_text(value)
