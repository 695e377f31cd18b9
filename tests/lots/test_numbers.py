"""Decimal conversion refuses floats; splits add back exactly; report rounding."""

from __future__ import annotations

import decimal
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lots.numbers import money, quantity, split, to_decimal
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


def test_accepted_inputs() -> None:
    assert to_decimal("1,234.50") == D("1234.50")
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
