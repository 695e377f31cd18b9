"""Each lot-relief method on one fixture of lots with known realized gains.

The account holds four lots of A; it sells 150 shares at $50 on 2026-06-01::

    A1  2024-01-10  100 @ $60   long-term loss   $10/share
    B1  2026-02-01  100 @ $55   short-term loss   $5/share
    C1  2023-05-05  100 @ $20   long-term gain   $30/share
    D1  2026-03-01  100 @ $45   short-term gain   $5/share
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from lots.errors import InsufficientSharesError, UnknownLotError
from lots.gains import summarize
from lots.records import Account, AccountType, Action, Lot, Transaction
from lots.relief import LotMethod, natural_key, select_lots
from lots.washsale import replay
from tests.lots.textledger import day

SALE = day("2026-06-01")
PRICE = D(50)
LOTS = [
    Lot("me", "A", "A1", D(100), D(6000), day("2024-01-10")),
    Lot("me", "A", "B1", D(100), D(5500), day("2026-02-01")),
    Lot("me", "A", "C1", D(100), D(2000), day("2023-05-05")),
    Lot("me", "A", "D1", D(100), D(4500), day("2026-03-01")),
]


@pytest.mark.parametrize(
    ("method", "taken", "short", "long"),
    [
        # FIFO: C1 100 (+3,000 LT), A1 50 (-500 LT).
        (LotMethod.FIFO, [("C1", 100), ("A1", 50)], D(0), D(2500)),
        # LIFO: D1 100 (+500 ST), B1 50 (-250 ST).
        (LotMethod.LIFO, [("D1", 100), ("B1", 50)], D(250), D(0)),
        # HIFO: A1 ($60) 100 (-1,000 LT), B1 ($55) 50 (-250 ST).
        (LotMethod.HIFO, [("A1", 100), ("B1", 50)], D(-250), D(-1000)),
        # Minimum tax: ST loss B1 100 (-500), then LT loss A1 50 (-500).
        (LotMethod.MIN_TAX, [("B1", 100), ("A1", 50)], D(-500), D(-500)),
    ],
)
def test_each_method_realizes_the_gain_worked_out_by_hand(
    method: LotMethod, taken: list[tuple[str, int]], short: D, long: D
) -> None:
    chosen = select_lots(LOTS, D(150), method, SALE, PRICE)
    assert [(lot.lot_id, int(q)) for lot, q in chosen] == taken
    account = Account("me", AccountType.INDIVIDUAL, lot_method=method.value)
    sale = Transaction(SALE, "me", "A", Action.SELL, D(150), PRICE)
    ledger = replay([sale], [account], opening_lots=LOTS)
    summary = summarize(ledger.dispositions)
    assert (summary.short.gain, summary.long.gain) == (short, long)
    # 150 shares at $50 = 7,500 of proceeds whatever the method.
    assert summary.total.proceeds == D(7500)


def test_min_tax_full_order_and_zero_gain_lots() -> None:
    zero = Lot("me", "A", "Z1", D(10), D(500), day("2026-05-01"))
    ordered = select_lots([*LOTS, zero], D(410), LotMethod.MIN_TAX, SALE, PRICE)
    # ST loss, LT loss, no gain, LT gain ($30), ST gain ($5) last.
    assert [lot.lot_id for lot, _ in ordered] == ["B1", "A1", "Z1", "C1", "D1"]


def test_min_tax_prefers_the_larger_loss_and_the_smaller_gain_within_a_term() -> None:
    lots = [
        Lot("me", "A", "small-loss", D(1), D(51), day("2026-05-01")),
        Lot("me", "A", "big-loss", D(1), D(58), day("2026-05-02")),
        Lot("me", "A", "big-gain", D(1), D(10), day("2020-01-01")),
        Lot("me", "A", "small-gain", D(1), D(40), day("2020-01-02")),
    ]
    ordered = select_lots(lots, D(4), LotMethod.MIN_TAX, SALE, PRICE)
    assert [lot.lot_id for lot, _ in ordered] == [
        "big-loss",
        "small-loss",
        "small-gain",
        "big-gain",
    ]


def test_specific_identification_takes_the_named_lot_and_its_parts() -> None:
    parts = [
        Lot("me", "A", "L1.2", D(5), D(500), day("2026-01-02")),
        Lot("me", "A", "L1.1", D(5), D(600), day("2026-01-02")),
        Lot("me", "A", "L10", D(5), D(500), day("2026-01-01")),
    ]
    chosen = select_lots(parts, D(7), LotMethod.SPECIFIC, SALE, PRICE, lot_id="L1")
    assert [(lot.lot_id, q) for lot, q in chosen] == [("L1.1", D(5)), ("L1.2", D(2))]


def test_specific_identification_errors() -> None:
    with pytest.raises(UnknownLotError):
        select_lots(LOTS, D(1), LotMethod.SPECIFIC, SALE, PRICE, lot_id="NOPE")
    with pytest.raises(InsufficientSharesError):
        select_lots(LOTS, D(150), LotMethod.SPECIFIC, SALE, PRICE, lot_id="C1")


def test_selling_more_than_held_is_refused() -> None:
    with pytest.raises(InsufficientSharesError, match="holds 400"):
        select_lots(LOTS, D("400.000001"), LotMethod.FIFO, SALE, PRICE)


def test_ties_break_by_acquisition_date_then_lot_id() -> None:
    same_day = [
        Lot("me", "A", "L10", D(1), D(10), day("2026-01-02")),
        Lot("me", "A", "L2", D(1), D(10), day("2026-01-02")),
        Lot("me", "A", "L3", D(1), D(10), day("2026-01-02"), day("2025-12-01")),
    ]
    for method in (LotMethod.FIFO, LotMethod.LIFO, LotMethod.HIFO, LotMethod.MIN_TAX):
        chosen = select_lots(same_day, D(3), method, SALE, PRICE)
        assert [lot.lot_id for lot, _ in chosen] == ["L3", "L2", "L10"], method


def test_natural_key_orders_numbers_as_numbers() -> None:
    assert sorted(["L10", "L2", "L1.10", "L1.2"], key=natural_key) == ["L1.2", "L1.10", "L2", "L10"]


def test_method_names_parse() -> None:
    assert LotMethod.parse("MIN_TAX") is LotMethod.MIN_TAX
    assert LotMethod.parse("min-tax") is LotMethod.MIN_TAX
    with pytest.raises(ValueError, match="known: fifo"):
        LotMethod.parse("average")
