"""Wash-sale exposure: hand-worked cases, and its predictions against the replay.

Each hand case's numbers are worked out in the comments; the property test
appends the hypothetical sale or buy to a random history (then the scheduled
buys) and checks that ``lots.washsale.replay`` does what the exposure said.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from lots.exposure import ScheduledBuy, exposure
from lots.records import Action, Lot, TaxTreatment, Transaction
from lots.relief import belongs_to
from lots.washsale import WINDOW, Ledger, replay
from tests.lots.reference import reference_replay
from tests.lots.textledger import day, parse
from tests.strategies import History, histories

HISTORY = """
accounts: tax=individual ira=traditional_ira roth=roth_ira
groups: VTI=total VTSAX=total
2026-01-05 tax buy 100 VTI @ 200 L1
2026-03-02 tax sell 100 VTI @ 195 L1
"""


def test_ira_reinvestment_of_two_shares_washes_only_two_shares() -> None:
    # 100 VTI sold on 03-02 at 195 against a basis of 200: a $5 loss a share,
    # $500 in all, nothing bought back. An IRA dividend reinvestment of 2 VTI is
    # scheduled on 03-20 (within 03-02 + 30 = 04-01): it washes 2 shares for good
    # ($10 lost), the other 98 ($490) stay deductible.
    accounts, groups, txns = parse(HISTORY)
    reinvest = ScheduledBuy(day("2026-03-20"), "ira", "VTI", D(2), "reinvest")
    found = exposure(txns, accounts, day("2026-03-10"), groups, scheduled=[reinvest])
    (sale,) = found.for_symbol("VTSAX").loss_sales
    assert (sale.quantity, sale.loss, sale.loss_per_share) == (D(100), D(500), D(5))
    assert (sale.scheduled_washed, sale.scheduled_permanent) == (D(2), D(2))
    assert sale.window_closes == day("2026-04-01")
    assert sale.safe_to_rebuy == day("2026-04-02")
    # The replay agrees: with the reinvestment appended, 2 shares washed for good.
    ledger = replay([*txns, _buy(reinvest, D(190))], accounts, groups)
    washed = [d for d in ledger.reportable if d.adjustment > 0]
    assert [(d.quantity, d.adjustment, d.permanently_disallowed) for d in washed] == [
        (D(2), D(10), D(10))
    ]
    # The 2 scheduled shares are claimed by the earlier sale: nothing is left to
    # wash a VTI loss sold today.
    assert found.for_symbol("VTI").scheduled[0][1] == 0


def test_buy_today_washes_the_unwashed_loss() -> None:
    # As of 03-10, a Roth buy of 20 VTSAX (identical to VTI) washes 20 of the 100
    # loss shares sold on 03-02: 20 * $5 = $100, lost for good (a Roth). A taxable
    # buy of 150 washes all 100 shares ($500), not for good (it moves into basis).
    accounts, groups, txns = parse(HISTORY)
    found = exposure(txns, accounts, day("2026-03-10"), groups)
    roth = found.buy_washes("roth", "VTSAX", D(20))
    assert (roth.washed, roth.disallowed, roth.permanent) == (D(20), D(100), True)
    taxable = found.buy_washes("tax", "VTI", D(150))
    assert (taxable.washed, taxable.disallowed, taxable.permanent) == (D(100), D(500), False)
    # From 04-02 (03-02 + 31 days) the sale is out of the window.
    later = exposure(txns, accounts, day("2026-04-02"), groups)
    assert later.buy_washes("roth", "VTI", D(20)).washed == 0
    # On 04-01 (day 30) it is still in.
    assert exposure(txns, accounts, day("2026-04-01"), groups).buy_washes(
        "roth", "VTI", D(20)
    ).disallowed == D(100)


def test_loss_sale_today_is_washed_only_by_the_recent_shares() -> None:
    # A Roth bought 20 VTI on 03-01; the taxable account holds 100 VTI bought
    # 2025-06-02 at $100 (basis $10,000). Selling all 100 today (03-10) at $90 is a
    # $1,000 loss: the 20 Roth shares wash 20 loss shares for good ($200 lost),
    # 80 shares ($800) stay deductible. The rest of the loss is not "blocked".
    accounts, groups, txns = parse(
        """
        accounts: tax=individual roth=roth_ira
        2025-06-02 tax buy 100 VTI @ 100 OLD
        2026-03-01 roth buy 20 VTI @ 95 R1
        """
    )
    as_of = day("2026-03-10")
    found = exposure(txns, accounts, as_of, groups)
    (recent,) = found.for_symbol("VTI").recent_buys
    assert (recent.account_id, recent.quantity, recent.treatment) == (
        "roth",
        D(20),
        TaxTreatment.EXEMPT,
    )
    ledger = replay(txns, accounts, groups)
    old = next(lot for lot in ledger.lots if lot.lot_id == "OLD")
    result = found.sale_washed(old, D(100), D(90))
    assert (result.quantity, result.washed, result.permanent, result.unwashed) == (
        D(100),
        D(20),
        D(20),
        D(80),
    )
    # A gain is never washed; nor is a sale inside the Roth.
    assert found.sale_washed(old, D(100), D(101)).washed == 0
    roth_lot = next(lot for lot in ledger.lots if lot.lot_id == "R1")
    assert found.sale_washed(roth_lot, D(20), D(1)).quantity == 0


def test_other_shares_of_the_sold_purchase_are_no_replacement() -> None:
    # 100 VTI bought 03-01 at $100 in the taxable account; selling 40 of them today
    # at $90 is a loss, but the other 60 shares are of the same purchase: no wash.
    # 10 shares bought the same day in the IRA do wash 10 of the 40.
    accounts, groups, txns = parse(
        """
        accounts: tax=individual ira=traditional_ira
        2026-03-01 tax buy 100 VTI @ 100 B1
        2026-03-01 ira buy 10 VTI @ 100 I1
        """
    )
    found = exposure(txns, accounts, day("2026-03-10"), groups)
    b1 = next(lot for lot in replay(txns, accounts, groups).lots if lot.lot_id == "B1")
    result = found.sale_washed(b1, D(40), D(90))
    assert [(w.account_id, w.quantity, w.permanent) for w in result.washes] == [
        ("ira", D(10), True)
    ]


def test_shares_already_used_as_replacement_do_not_wash_again() -> None:
    # The 03-05 buy of 100 replaced the 03-02 loss sale's 100 shares; it cannot
    # replace a second loss: a sale today of the older lot is not washed by it.
    accounts, groups, txns = parse(
        """
        accounts: tax=individual
        2025-01-05 tax buy 100 VTI @ 200 L0
        2026-01-05 tax buy 100 VTI @ 200 L1
        2026-03-02 tax sell 100 VTI @ 195 L1
        2026-03-05 tax buy 100 VTI @ 196 L2
        """
    )
    found = exposure(txns, accounts, day("2026-03-10"), groups)
    group = found.for_symbol("VTI")
    assert group.loss_sales == ()  # fully washed already
    assert group.recent_buys == ()  # L2 is a replacement already
    l0 = next(lot for lot in replay(txns, accounts, groups).lots if lot.lot_id == "L0")
    assert found.sale_washed(l0, D(100), D(150)).washed == 0


# -- the property: predictions equal the replay --------------------------------


def _buy(buy: ScheduledBuy, price: D) -> Transaction:
    return Transaction(buy.date, buy.account_id, buy.symbol, Action.BUY, buy.quantity, price)


@st.composite
def situations(draw: st.DrawFn) -> tuple[History, dt.date, list[ScheduledBuy]]:
    history = draw(histories(max_events=25))
    last = max(t.date for t in history.transactions)
    as_of = last + dt.timedelta(days=draw(st.integers(0, 12)))
    symbols = sorted({t.symbol for t in history.transactions})
    account_ids = [a.account_id for a in history.accounts]
    scheduled = [
        ScheduledBuy(
            as_of + dt.timedelta(days=draw(st.integers(0, 35))),
            draw(st.sampled_from(account_ids)),
            draw(st.sampled_from(symbols)),
            D(draw(st.integers(1, 40))),
            "reinvest",
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return history, as_of, scheduled


def _replay(history: History, extra: list[Transaction]) -> Ledger:
    return replay(
        [*history.transactions, *extra],
        history.accounts,
        history.identical_group,
        history.default_method,
        history.opening_lots,
    )


def _find(history: History, as_of: dt.date, scheduled: list[ScheduledBuy]):  # type: ignore[no-untyped-def]
    return exposure(
        history.transactions,
        history.accounts,
        as_of,
        history.identical_group,
        scheduled=scheduled,
        opening_lots=history.opening_lots,
        default_method=history.default_method,
    )


def _later(scheduled: list[ScheduledBuy], as_of: dt.date) -> list[Transaction]:
    # Scheduled buys beyond the window are left out (the exposure ignores them).
    kept = [b for b in scheduled if b.date <= as_of + WINDOW]
    return [_buy(b, D(1)) for b in kept]


@settings(max_examples=80)
@given(situations(), st.data())
def test_sale_prediction_equals_the_replay(situation, data) -> None:  # type: ignore[no-untyped-def]
    history, as_of, scheduled = situation
    base = _replay(history, [])
    # A lot that a specific-identification sale relieves alone (no part of it held).
    lots = [
        lot
        for lot in base.lots
        if not any(
            other is not lot
            and other.account_id == lot.account_id
            and other.symbol == lot.symbol
            and belongs_to(other.lot_id, lot.lot_id)
            for other in base.lots
        )
    ]
    if not lots:
        return
    lot: Lot = data.draw(st.sampled_from(lots))
    quantity = lot.quantity if data.draw(st.booleans()) else (lot.quantity / 3).quantize(D("1e-6"))
    if quantity <= 0:
        return
    price = (lot.basis_per_share * D(data.draw(st.integers(50, 110))) / 100).quantize(D("0.01"))
    found = _find(history, as_of, scheduled)
    predicted = found.sale_washed(lot, quantity, price)
    if predicted.washes:
        # The MILP's steps give the same washes (when the washed loss is a cent or more:
        # below that the replay, and the prediction, wash nothing).
        wanted, fill = quantity, []
        for shares, permanent in found.replacement_schedule(lot):
            if wanted == 0:
                break
            take = min(wanted, shares)
            fill.append((take, permanent))
            wanted -= take
        assert fill == [(w.quantity, w.permanent) for w in predicted.washes]

    sale = Transaction(as_of, lot.account_id, lot.symbol, Action.SELL, quantity, price,
                       lot_id=lot.lot_id)  # fmt: skip
    without = _replay(history, _later(scheduled, as_of))
    with_sale = _replay(history, [sale, *_later(scheduled, as_of)])
    new = with_sale.matches[len(without.matches) :]
    assert all(m.sale_date == as_of and m.lot_id == lot.lot_id for m in new)
    actual = [(m.replacement_account_id, m.replacement_lot_id, m.quantity) for m in new]
    expected = [(w.account_id, w.lot_id, w.quantity) for w in predicted.washes]
    assert [(a, q) for a, _, q in actual] == [(a, q) for a, _, q in expected], (
        lot,
        actual,
        expected,
    )
    assert [m.permanent for m in new] == [w.permanent for w in predicted.washes]
    rows = with_sale.dispositions[len(without.dispositions) :]
    loss_shares = sum(
        (r.quantity for r in rows if r.reportable and r.gain - r.adjustment < 0), D(0)
    )
    assert predicted.quantity == loss_shares


@settings(max_examples=80)
@given(situations(), st.data())
def test_buy_prediction_equals_the_replay(situation, data) -> None:  # type: ignore[no-untyped-def]
    # The prediction is checked against the plain quadratic reference replay
    # (tests/lots/reference.py), written from the contract alone: the exposure
    # answers with lots.washsale.replay, so comparing with that would prove nothing.
    history, as_of, scheduled = situation
    account = data.draw(st.sampled_from(history.accounts))
    symbols = sorted({t.symbol for t in history.transactions})
    symbol = data.draw(st.sampled_from(symbols))
    quantity = D(data.draw(st.integers(1, 400)))
    found = _find(history, as_of, scheduled)
    predicted = found.buy_washes(account.account_id, symbol, quantity)

    buy = Transaction(as_of, account.account_id, symbol, Action.BUY, quantity, D(1),
                      lot_id="NEWBUY")  # fmt: skip
    ledger = reference_replay(
        [*history.transactions, buy, *_later(scheduled, as_of)],
        history.accounts,
        history.identical_group,
        history.default_method,
        history.opening_lots,
    )
    hits = [
        m
        for m in ledger.matches
        if m.replacement_account_id == account.account_id
        and belongs_to(m.replacement_lot_id, "NEWBUY")
    ]
    assert [(m.sale_date, m.account_id, m.quantity) for m in hits] == [
        (sale.sale_date, sale.account_id, shares) for sale, shares, _ in predicted.washes
    ]
    assert sum((m.quantity for m in hits), D(0)) == predicted.washed
    assert abs(sum((m.disallowed for m in hits), D(0)) - predicted.disallowed) <= D("1e-9")
    assert all(m.permanent == predicted.permanent for m in hits)
    # Only unwashed loss shares of the window's sales are washed.
    assert predicted.washed <= sum((s.quantity for s in found.for_symbol(symbol).loss_sales), D(0))

    # The MILP's steps: exact at every step's end (a buy of the first k steps' shares).
    steps = found.buy_schedule(symbol)
    assert all(shares > 0 and per_share > 0 for shares, per_share in steps)
    if steps:
        k = data.draw(st.integers(0, len(steps) - 1), label="steps bought")
        end = sum((shares for shares, _ in steps[: k + 1]), D(0))
        at_end = found.buy_washes(account.account_id, symbol, end)
        stepped = sum((q * p for q, p in steps[: k + 1]), D(0))
        assert at_end.washed == end
        assert abs(at_end.disallowed - stepped) <= D("1e-9") * (k + 1)


def test_two_loss_sales_today_share_the_recent_buys() -> None:
    # An IRA bought 30 VTI on 03-01. Today two taxable lots are sold at a loss, 20
    # shares each: the first takes 20 of the IRA shares, the second the other 10;
    # 10 of its loss shares stay deductible.
    accounts, groups, txns = parse(
        """
        accounts: tax=individual ira=traditional_ira
        2025-01-02 tax buy 20 VTI @ 100 A
        2025-02-03 tax buy 20 VTI @ 100 B
        2026-03-01 ira buy 30 VTI @ 95 I1
        """
    )
    found = exposure(txns, accounts, day("2026-03-10"), groups)
    held = {lot.lot_id: lot for lot in replay(txns, accounts, groups).lots}
    first, second = found.sales_washed([(held["A"], D(20), D(90)), (held["B"], D(20), D(90))])
    assert (first.washed, first.permanent) == (D(20), D(20))
    assert (second.washed, second.unwashed) == (D(10), D(10))


@settings(max_examples=60)
@given(situations(), st.data())
def test_two_sales_prediction_equals_the_replay(situation, data) -> None:  # type: ignore[no-untyped-def]
    history, as_of, scheduled = situation
    base = _replay(history, [])
    found = _find(history, as_of, scheduled)
    recent = {(r.account_id, r.lot_id) for g in found.groups.values() for r in g.recent_buys}
    # Lots sold alone by specific identification and not themselves recent buys.
    lots = [
        lot
        for lot in base.lots
        if (lot.account_id, lot.lot_id) not in recent
        and not any(
            other is not lot
            and other.account_id == lot.account_id
            and other.symbol == lot.symbol
            and (belongs_to(other.lot_id, lot.lot_id) or belongs_to(lot.lot_id, other.lot_id))
            for other in base.lots
        )
    ]
    if len(lots) < 2:
        return
    chosen = data.draw(st.lists(st.sampled_from(lots), min_size=2, max_size=2, unique=True))
    sales = [
        (lot, lot.quantity, (lot.basis_per_share * D(data.draw(st.integers(50, 110))) / 100)
         .quantize(D("0.01")))
        for lot in chosen
    ]  # fmt: skip
    predicted = found.sales_washed(sales)
    extra = [
        Transaction(as_of, lot.account_id, lot.symbol, Action.SELL, q, p, lot_id=lot.lot_id)
        for lot, q, p in sales
    ]
    without = _replay(history, _later(scheduled, as_of))
    with_sales = _replay(history, [*extra, *_later(scheduled, as_of)])
    new = with_sales.matches[len(without.matches) :]
    assert [(m.replacement_account_id, m.quantity, m.permanent) for m in new] == [
        (w.account_id, w.quantity, w.permanent) for p in predicted for w in p.washes
    ]


def test_schedules_for_a_milp() -> None:
    # The 03-02 sale: 100 loss shares at $5 a share, open until 04-01. A buy today
    # meets one step of 100 shares at $5.
    accounts, groups, txns = parse(HISTORY + "2026-03-05 roth buy 20 VTI @ 194 R1\n")
    found = exposure(txns, accounts, day("2026-03-10"), groups)
    # The Roth's 20 shares washed 20 of the 100 already (for good): 80 remain at $5.
    assert found.buy_schedule("VTI") == ((D(80), D(5)),)
    # A loss sale of the other VTI lot meets no replacement (R1 is used).
    ledger = replay(txns, accounts, groups)
    assert ledger.lots[0].lot_id == "R1"
    assert found.replacement_schedule(ledger.lots[0]) == ()
    assert exposure(txns, accounts, day("2026-04-02"), groups).buy_schedule("VTI") == ()


# -- regressions: the cases random histories found where buy_washes differed ----------


def test_a_skipped_sub_cent_wash_is_reopened_by_a_buy_today() -> None:
    # 10 VTI bought at $100 (basis $1,000) are sold on 03-02 at $99.99: proceeds
    # $999.90, a $0.10 loss ($0.01 a share). Later that day the account buys 0.1 VTI
    # (R1): it would wash 0.1 shares x $0.01 = $0.001, which rounds to $0.00, so the
    # replay washes nothing and R1 stays free; the 10 loss shares stay unwashed.
    accounts, groups, txns = parse(
        """
        accounts: tax=individual roth=roth_ira
        2026-01-05 tax buy 10 VTI @ 100 L1
        2026-03-02 tax sell 10 VTI @ 99.99 L1
        2026-03-02 tax buy 0.1 VTI @ 99.99 R1
        """
    )
    found = exposure(txns, accounts, day("2026-03-10"), groups)
    (sale,) = found.for_symbol("VTI").loss_sales
    assert (sale.quantity, sale.loss) == (D(10), D("0.10"))
    # A Roth buy of 10 today re-opens the sale's wash: its replacements are R1 first
    # (bought before today), then the Roth's shares: 0.1 + 9.9 = all 10 loss shares,
    # washed loss $0.10 (no longer under half a cent). The Roth's 9.9 shares carry
    # 9.9 / 10 of it: $0.099, for good. (Taking the 10 shares from the buy alone, as
    # before, said 10 shares and $0.10.)
    roth = found.buy_washes("roth", "VTI", D(10))
    assert [(shares, loss) for _, shares, loss in roth.washes] == [(D("9.9"), D("0.099"))]
    assert (roth.washed, roth.disallowed, roth.permanent) == (D("9.9"), D("0.099"), True)
    ledger = reference_replay(
        [*txns, Transaction(day("2026-03-10"), "roth", "VTI", Action.BUY, D(10), D(100))],
        accounts,
        groups,
    )
    assert [(m.replacement_lot_id, m.quantity, m.disallowed) for m in ledger.matches] == [
        ("R1", D("0.1"), D("0.001")),
        ("VTI-2026-03-10-1.1", D("9.9"), D("0.099")),
    ]


def test_a_scheduled_buy_lifts_a_sub_cent_wash_over_the_cent() -> None:
    # 10 VTI bought at $100 are sold today (03-10) at $99.999: proceeds $999.99, a
    # $0.01 loss ($0.001 a share). An IRA reinvestment of 2 VTI is scheduled on 03-20:
    # alone it washes 2 x $0.001 = $0.002, rounding to $0.00: nothing.
    accounts, groups, txns = parse(
        """
        accounts: tax=individual ira=traditional_ira
        2026-01-05 tax buy 10 VTI @ 100 L1
        2026-03-10 tax sell 10 VTI @ 99.999 L1
        """
    )
    reinvest = ScheduledBuy(day("2026-03-20"), "ira", "VTI", D(2), "reinvest")
    found = exposure(txns, accounts, day("2026-03-10"), groups, scheduled=[reinvest])
    (sale,) = found.for_symbol("VTI").loss_sales
    assert (sale.quantity, sale.loss, sale.scheduled_washed) == (D(10), D("0.01"), D(0))
    # A buy of 4 today alone would wash 4 x $0.001 = $0.004: under half a cent. But the
    # reinvestment washes the same sale after it: 4 + 2 = 6 shares, $0.006, which
    # rounds to $0.01, so the wash stands and today's 4 shares carry $0.004 of it.
    buy = found.buy_washes("tax", "VTI", D(4))
    assert (buy.washed, buy.disallowed, buy.permanent) == (D(4), D("0.004"), False)
    # Without the reinvestment the same buy washes nothing.
    alone = exposure(txns, accounts, day("2026-03-10"), groups).buy_washes("tax", "VTI", D(4))
    assert (alone.washed, alone.disallowed) == (D(0), D(0))


def test_two_loss_sales_today_each_meet_their_own_groups_scheduled_buys() -> None:
    # Two taxable lots sold today (03-10) at a loss: A, 10 VTI bought at $100, sold at $90
    # ($10 a share), and B, 10 BND bought at $50, sold at $45 ($5 a share). The IRA will
    # reinvest in 4 VTI on 03-20 and in 3 BND on 03-25. Each sale meets its own group's
    # reinvestment: 4 of A's loss shares are washed ($40, for good), 3 of B's ($15). (The
    # scheduled shares the first sale took were once counted against the second group's.)
    accounts, groups, txns = parse(
        """
        accounts: tax=individual ira=traditional_ira
        2025-01-02 tax buy 10 VTI @ 100 A
        2025-01-02 tax buy 10 BND @ 50 B
        """
    )
    as_of = day("2026-03-10")
    scheduled = [
        ScheduledBuy(day("2026-03-20"), "ira", "VTI", D(4), "reinvest"),
        ScheduledBuy(day("2026-03-25"), "ira", "BND", D(3), "reinvest"),
    ]
    found = exposure(txns, accounts, as_of, groups, scheduled=scheduled)
    held = {lot.lot_id: lot for lot in replay(txns, accounts, groups).lots}
    first, second = found.sales_washed([(held["A"], D(10), D(90)), (held["B"], D(10), D(45))])
    assert (first.washed, first.permanent) == (D(4), D(4))
    assert (second.washed, second.permanent) == (D(3), D(3))
    sales = [
        Transaction(as_of, "tax", "VTI", Action.SELL, D(10), D(90), lot_id="A"),
        Transaction(as_of, "tax", "BND", Action.SELL, D(10), D(45), lot_id="B"),
    ]
    ledger = reference_replay(
        [*txns, *sales, *(_buy(b, D(1)) for b in scheduled)], accounts, groups
    )
    assert [(d.lot_id, d.quantity, d.adjustment) for d in ledger.dispositions if d.adjustment] == [
        ("A.1", D(4), D(40)),
        ("B.1", D(3), D(15)),
    ]


def test_a_scheduled_buy_reopens_a_sub_cent_wash_with_its_old_replacement_first() -> None:
    # 10 VTI (L1, $100 each) sold on 03-02 at $99.99: a $0.10 loss, $0.01 a share. Later
    # that day 0.1 VTI (R1) is bought: alone it would wash 0.1 x $0.01 = $0.001, which
    # rounds to $0.00, so the replay washes nothing and R1 stays free. An IRA reinvestment
    # of 5 VTI is scheduled on 03-20: with it, the 03-02 sale's replacements are R1 (0.1,
    # bought first) and then the reinvestment's 5: 5.1 shares, $0.051, which rounds to
    # $0.05, so that wash stands. R1 is used and the 5 scheduled shares are all claimed:
    # nothing is left to wash a loss sale today of L0 (10 VTI bought in 2025 at $100,
    # sold at $90). (Claiming the scheduled shares without R1 left R1 free, so L0's sale
    # was said to be washed 0.1 shares by R1.)
    accounts, groups, txns = parse(
        """
        accounts: tax=individual ira=traditional_ira
        2025-01-05 tax buy 10 VTI @ 100 L0
        2026-01-05 tax buy 10 VTI @ 100 L1
        2026-03-02 tax sell 10 VTI @ 99.99 L1
        2026-03-02 tax buy 0.1 VTI @ 99.99 R1
        """
    )
    as_of = day("2026-03-10")
    reinvest = ScheduledBuy(day("2026-03-20"), "ira", "VTI", D(5), "reinvest")
    found = exposure(txns, accounts, as_of, groups, scheduled=[reinvest])
    group = found.for_symbol("VTI")
    (sale,) = group.loss_sales
    assert (sale.quantity, sale.scheduled_washed, sale.scheduled_permanent) == (D(10), D(5), D(5))
    assert group.recent_buys == () and group.scheduled == ((reinvest, D(0)),)
    assert group.free_replacements == 0
    l0 = next(lot for lot in replay(txns, accounts, groups).lots if lot.lot_id == "L0")
    assert found.sale_washed(l0, D(10), D(90)).washed == 0
    today = Transaction(as_of, "tax", "VTI", Action.SELL, D(10), D(90), lot_id="L0")
    ledger = reference_replay([*txns, today, _buy(reinvest, D(1))], accounts, groups)
    assert [(m.lot_id, m.replacement_lot_id, m.quantity) for m in ledger.matches] == [
        ("L1", "R1", D("0.1")),
        ("L1", "VTI-2026-03-20-1", D(5)),
    ]
