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


def test_the_integer_replays_built_natural_keys_are_natural_key() -> None:
    """The integer replay builds a generated lot id's natural key from its parts (the
    symbol's key, the date's three numbers, the lot number) and a split lot's (``.1``,
    ``.2``) from its parent's, instead of parsing them: the keys must be exactly
    ``natural_key`` of the ids. E.g. ``S01-1990-01-02-3`` is ``("S", 1, "-", 1990, "-",
    1, "-", 2, "-", 3, "")`` and its part ``.2`` ends ``(..., 3, ".", 2, "")``."""
    import datetime as dt

    from lots.fastreplay import FastReplay
    from lots.records import Account, AccountType, Action, Transaction
    from lots.relief import LotMethod, natural_key
    from tests.lots.textledger import run

    replay = FastReplay({"a": Account("a", AccountType.JOINT)}, {}, LotMethod.FIFO)
    for symbol in ["S01", "VTI", "A1B", "X", "1A", "BRK.B", "9"]:
        for date in [dt.date(1990, 1, 2), dt.date(2026, 12, 31), dt.date(1900, 10, 10)]:
            lot_id, key = replay.new_lot(Transaction(date, "a", symbol, Action.BUY, 1, 1))
            assert key == natural_key(lot_id)
    assert natural_key("S01-1990-01-02-3") == ("S", 1, "-", 1990, "-", 1, "-", 2, "-", 3, "")
    # A replay whose replacement lot is split twice (two loss sales each wash part of it),
    # in an IRA, where the parts tie on trade date and holding-period start and only the
    # lot ids order them: every open part's key is its id's.
    text = """
        accounts: me=individual ira=traditional_ira
        2026-01-05 me buy 30 X @ 10 A
        2026-02-02 me sell 10 X @ 8
        2026-02-02 ira buy 25 X @ 8
        2026-02-03 me sell 10 X @ 8
        2026-02-04 ira sell 1 X @ 8
        """
    ledger = run(text)
    pieces = ledger.units.open_pieces()  # type: ignore[attr-defined]
    # The IRA's 25 shares: the first loss sale's 10 washed shares split them into .1 (10)
    # and .2 (15), the second's 10 split .2 into .2.1 (10) and .2.2 (5); the IRA's sale of
    # 1 share (FIFO; the parts tie on 2026-02-02 and on their holding-period start, since
    # an IRA's replacement keeps its own) takes it from .1, first in natural order: 9 left.
    assert [(p.lot_id, p.quantity // 10**18) for p in pieces if p.account_id == "ira"] == [
        ("X-2026-02-02-1.1", 9),
        ("X-2026-02-02-1.2.1", 10),
        ("X-2026-02-02-1.2.2", 5),
    ]
    for piece in pieces:
        assert piece.natural is None or piece.natural == natural_key(piece.lot_id)
    assert [p.natural for p in pieces if p.account_id == "ira"] == [
        natural_key(p.lot_id) for p in pieces if p.account_id == "ira"
    ]
