"""The integer events of the fast replay (``lots.fastreplay``) against the Decimal
functions of ``lots.events`` they stand in for.

The fast replay applies a split, a merger or symbol change without cash, a return
of capital and a spin-off to a lot's integer units (``_INTEGER_EVENTS``), and
falls back to the Decimal function wherever the integers could differ from it.
Where the integer event answers, its answer must be the Decimal function's,
converted exactly; the worked examples are those of ``lots.events`` (Publication
550), in units.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import lots.events
from lots.events import LOT_EVENTS, Holding
from lots.fastreplay import (
    _INTEGER_EVENTS,
    MONEY_SCALE,
    QUANTITY_SCALE,
    _holding_units,
    _money,
    _quantity,
    to_units,
)
from lots.records import Account, AccountType, Action, DispositionEvent, Transaction
from lots.washsale import decimal_replay, fast_replay
from tests.lots.test_events import txn as row

D = Decimal
Q, M = QUANTITY_SCALE, MONEY_SCALE
ME = Account("me", AccountType.INDIVIDUAL)


# The events' day (their date plays no part here).
DAY = "2026-02-02"


def _integer(txn: Transaction, units: tuple[int, int, int, int | None]) -> object:
    parameters_of, apply = _INTEGER_EVENTS[txn.action]
    parameters = parameters_of(txn)
    return None if parameters is None else apply(parameters, units)


def _decimal(txn: Transaction, units: tuple[int, int, int, int | None]) -> tuple[object, ...]:
    """The Decimal function over the lot the units are, its outcome back in units."""
    quantity, basis, adjustment, loss = units
    holding = Holding(
        _quantity(quantity),
        _money(basis),
        _money(adjustment),
        None if loss is None else _money(loss),
    )
    outcome = LOT_EVENTS[txn.action](holding, txn)
    return (
        _holding_units(outcome.kept),
        None if outcome.child is None else _holding_units(outcome.child),
        to_units(outcome.proceeds, 20),
        outcome.event,
    )


# -- worked examples -------------------------------------------------------------------


def test_a_two_for_one_split_in_units() -> None:
    # 100 shares of basis $1,000 split 2:1: 200 shares, the same $1,000.
    applied = _integer(row(DAY, "split", ratio=(D(2), D(1))), (100 * Q, 1000 * M, 0, None))
    assert applied is not None
    assert applied.kept == (200 * Q, 1000 * M, 0, None)


def test_returns_of_capital_in_units() -> None:
    # Publication 550: basis $100 (one share); $80 returned leaves $20 ...
    first = _integer(row(DAY, "return_of_capital", amount_per_share=D(80)), (Q, 100 * M, 0, None))
    assert first is not None and first.kept == (Q, 20 * M, 0, None) and first.event is None
    # ... then $30 returned: the basis goes to zero and the other $10 is a capital gain.
    second = _integer(row(DAY, "return_of_capital", amount_per_share=D(30)), first.kept)
    assert second is not None and second.kept == (Q, 0, 0, None)
    assert (second.proceeds, second.event) == (
        10 * M,
        DispositionEvent.RETURN_OF_CAPITAL_EXCESS,
    )


def test_a_return_of_capital_caps_the_adjustment_and_lowers_the_loss_basis() -> None:
    # 10 shares of basis $50 with a $30 wash-sale adjustment and a gift's loss basis of $40;
    # $4 a share returned ($40): basis $10, the adjustment capped at it, loss basis $0.
    applied = _integer(
        row(DAY, "return_of_capital", amount_per_share=D(4)), (10 * Q, 50 * M, 30 * M, 40 * M)
    )
    assert applied is not None and applied.kept == (10 * Q, 10 * M, 10 * M, 0)


def test_the_publication_550_spin_off_in_units() -> None:
    # 75 shares of RGB, basis $5,400; 1:3 gives 25 SFH; SFH takes 10.9624% of the basis,
    # RGB keeps 89.0376%: 5,400 x 0.890376 = 4,808.0304, SFH 5,400 - 4,808.0304 = 591.9696.
    txn = row(DAY, "spinoff", new_symbol="SFH", ratio=(D(1), D(3)), basis_fraction=D("0.890376"))
    applied = _integer(txn, (75 * Q, 5400 * M, 0, None))
    assert applied is not None
    assert applied.kept == (75 * Q, 48080304 * M // 10**4, 0, None)
    assert applied.child == (25 * Q, 5919696 * M // 10**4, 0, None)


def test_the_cases_the_integers_leave_to_the_decimal_functions() -> None:
    # 1:3 of 1 share has no exact decimal (it is rounded to 12 places), a merger's cash
    # boot, a ratio of fractions: the Decimal function runs instead.
    one = (Q, 10 * M, 0, None)
    assert _integer(row(DAY, "split", ratio=(D(1), D(3))), one) is None
    merger = row(
        DAY, "merger", new_symbol="Y", ratio=(D(1), D(1)), cash_per_share=D(5), price=D(10)
    )
    assert _integer(merger, one) is None
    assert _integer(row(DAY, "split", ratio=(D("1.5"), D(1))), one) is None


# -- every case the integers answer is the Decimal function's ----------------------------

_QUANTITIES = st.one_of(
    st.integers(1, 10**6).map(lambda shares: shares * Q),
    st.integers(1, 10**12).map(lambda micro: micro * 10**12),
    st.integers(1, 10**20),
)
_MONEY = st.one_of(
    st.integers(0, 10**9).map(lambda cents: cents * 10**18),
    st.integers(0, 10**27),
    st.integers(0, 10**30),
)
_RATIOS = st.tuples(st.integers(1, 12), st.integers(1, 12)).map(lambda r: (D(r[0]), D(r[1])))
_FRACTIONS = st.one_of(
    st.sampled_from([D(0), D(1), D("0.85"), D("0.890376"), D("0.5"), D("0.333333333")]),
    st.integers(0, 10**6).map(lambda f: D(f) / 10**6),
)


@st.composite
def _lots(draw: st.DrawFn) -> tuple[int, int, int, int | None]:
    quantity, basis = draw(_QUANTITIES), draw(_MONEY)
    adjustment = draw(st.one_of(st.just(0), st.integers(0, basis)))
    loss = draw(st.one_of(st.none(), st.integers(0, basis)))
    return quantity, basis, adjustment, loss


_EVENTS = st.one_of(
    st.builds(lambda r: row(DAY, "split", ratio=r), _RATIOS),
    st.builds(lambda r: row(DAY, "symbol_change", new_symbol="Y", ratio=r), _RATIOS),
    st.builds(
        lambda r, cash: row(
            DAY, "merger", new_symbol="Y", ratio=r, cash_per_share=cash, price=D(7)
        ),
        _RATIOS,
        st.sampled_from([None, D(0), D(3)]),
    ),
    st.builds(
        lambda cents: row(DAY, "return_of_capital", amount_per_share=D(cents) / 100),
        st.integers(1, 10**6),
    ),
    st.builds(
        lambda r, f: row(DAY, "spinoff", new_symbol="Y", ratio=r, basis_fraction=f),
        _RATIOS,
        _FRACTIONS,
    ),
)


@settings(max_examples=600)
@given(_EVENTS, _lots())
def test_an_integer_event_is_the_decimal_function(
    txn: Transaction, units: tuple[int, int, int, int | None]
) -> None:
    note(f"{txn.action.value} ratio={txn.ratio} fraction={txn.basis_fraction}")
    applied = _integer(txn, units)
    if applied is not None:
        assert (applied.kept, applied.child, applied.proceeds, applied.event) == _decimal(
            txn, units
        )


@pytest.mark.parametrize(
    "txn",
    [
        row(DAY, "split", ratio=(D(2), D(1))),
        row(DAY, "split", ratio=(D(3), D(2))),
        row(DAY, "split", ratio=(D(1), D(2))),
        row(DAY, "symbol_change", new_symbol="Y", ratio=(D(1), D(1))),
        row(DAY, "merger", new_symbol="Y", ratio=(D(2), D(1))),
        row(DAY, "return_of_capital", amount_per_share=D("0.37")),
        row(DAY, "return_of_capital", amount_per_share=D(2)),
        row(DAY, "spinoff", new_symbol="Y", ratio=(D(1), D(4)), basis_fraction=D("0.85")),
    ],
    ids=lambda txn: txn.action.value,
)
def test_the_common_events_stay_on_integers(txn: Transaction) -> None:
    # The events of a custodian's history (the benchmark's: whole ratios, cent amounts,
    # a two-place fraction) on lots of whole and 6-place shares with cent bases: the
    # integers answer (the property above is then not only about giving up), and their
    # answer is the Decimal function's.
    for units in [(100 * Q, 1234_56 * 10**18, 0, None), (7_250_000 * 10**12, 99_99 * 10**18,
                  12_34 * 10**18, 80 * M), (Q, 1, 0, None)]:  # fmt: skip
        applied = _integer(txn, units)
        assert applied is not None
        assert (applied.kept, applied.child, applied.proceeds, applied.event) == _decimal(
            txn, units
        )


# -- in a replay ----------------------------------------------------------------------


def test_a_replay_calls_the_decimal_functions_only_for_lots_listed_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two lots split 3:2 and spun off 1:4; the first is then sold. During the replay no
    # Decimal event function runs; listing the open lots runs them for the lots still open
    # (the second lot and the two child lots: split, then spin-off, for each).
    calls: list[Action] = []
    for action, function in list(LOT_EVENTS.items()):

        def counted(holding: Holding, txn: Transaction, function: object = function) -> object:
            calls.append(txn.action)
            return function(holding, txn)  # type: ignore[operator]

        monkeypatch.setitem(lots.events.LOT_EVENTS, action, counted)
    history = [
        row("2026-01-05", "buy", quantity=D(10), price=D("12.50"), lot_id="A"),
        row("2026-01-06", "buy", quantity=D(4), price=D(11), lot_id="B"),
        row(DAY, "split", ratio=(D(3), D(2))),
        row(DAY, "spinoff", new_symbol="Y", ratio=(D(1), D(4)), basis_fraction=D("0.85")),
        row("2026-03-02", "sell", quantity=D(15), price=D(9), lot_id="A"),
    ]  # fmt: skip
    ledger = fast_replay(history, [ME])
    assert calls == []
    listed = list(ledger.lots)
    # One spin-off call for each open lot (the last event on each; the split's result is
    # the spin-off's input, in units): A-Y, B, B-Y.
    assert calls == [Action.SPINOFF] * 3
    # 4 shares at $11 = $44; split 3:2: 6 shares of $44; B keeps 0.85: 37.40, its child
    # B-Y has 6 / 4 = 1.5 shares of 44 - 37.40 = 6.60; A's child A-Y: 15 / 4 = 3.75 shares
    # of 125 x 0.15 = 18.75. Values as the Decimal replay's.
    assert [(lot.lot_id, lot.quantity, lot.cost_basis) for lot in listed] == [
        ("A-Y", D("3.75"), D("18.75")),
        ("B", D(6), D("37.40")),
        ("B-Y", D("1.5"), D("6.60")),
    ]
    assert ledger == decimal_replay(history, [ME])
