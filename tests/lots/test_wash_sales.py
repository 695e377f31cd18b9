"""Wash sales worked by hand, each from a rule of Publication 550 or docs/formats.md.

Every number below is worked out in the comment above its assertion.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from lots.records import Lot, Term
from tests.lots.textledger import day, lot, rows, run


def test_pub550_example_1_buy_back_within_30_days() -> None:
    # Publication 550, Wash Sales, Example 1: buy 100 shares for $1,000, sell them
    # for $750, buy 100 shares within 30 days for $800. The $250 loss is
    # disallowed; the new shares' basis is $800 + $250 = $1,050.
    ledger = run(
        """
        accounts: me=individual
        2026-01-05 me buy 100 X @ 10 L1
        2026-02-02 me sell 100 X @ 7.50
        2026-02-20 me buy 100 X @ 8 L2
        """
    )
    assert rows(ledger) == [("me", "L1", D(100), D(750), D(1000), D(250), D(0))]
    (sale,) = ledger.reportable
    assert sale.code == "W"
    new = lot(ledger, "me", "L2")
    assert new.cost_basis == D(1050)
    assert new.wash_sale_adjustment == D(250)
    # Holding period: the sold shares were held 28 days (Jan 5 to Feb 2), so the
    # new shares' holding period starts 28 days before Feb 20: Jan 23.
    assert new.acquired == day("2026-01-23")
    assert new.purchased == day("2026-02-20")


def test_pub550_example_2_partial_replacement_bought_before_the_sale() -> None:
    # Publication 550, Wash Sales, Example 2: 100 shares of M bought Sep 24 for
    # $5,000; 50 substantially identical shares bought Dec 21 for $2,750; the 100
    # September shares sold Dec 28 for $4,000: a $1,000 loss. The loss on 50
    # shares ($500) is disallowed, the loss on the other 50 ($500) is deductible;
    # the Dec 21 shares' basis becomes $2,750 + $500 = $3,250.
    ledger = run(
        """
        accounts: me=individual
        2025-09-24 me buy 100 M @ 50 SEP
        2025-12-21 me buy 50 M @ 55 DEC
        2025-12-28 me sell 100 M @ 40
        """
    )
    assert rows(ledger) == [
        ("me", "SEP.1", D(50), D(2000), D(2500), D(500), D(0)),
        ("me", "SEP.2", D(50), D(2000), D(2500), D(0), D(-500)),
    ]
    replacement = lot(ledger, "me", "DEC")
    assert replacement.cost_basis == D(3250)
    # Sold shares held Sep 24 -> Dec 28 = 95 days; Dec 21 - 95 days = Sep 17.
    assert replacement.acquired == day("2025-09-17")


def test_replacement_in_the_spouses_account() -> None:
    # Spouses filing jointly: a purchase in the spouse's account washes the loss.
    # Loss: 100 x (30 - 26) = 400; spouse's lot basis 100 x 27 + 400 = 3,100.
    ledger = run(
        """
        accounts: alex=individual sam=individual
        2026-04-01 alex buy 100 Q @ 30 A1
        2026-05-01 alex sell 100 Q @ 26
        2026-05-15 sam buy 100 Q @ 27 S1
        """
    )
    assert rows(ledger) == [("alex", "A1", D(100), D(2600), D(3000), D(400), D(0))]
    spouse = lot(ledger, "sam", "S1")
    assert spouse.cost_basis == D(3100)
    # Held Apr 1 -> May 1 = 30 days; May 15 - 30 days = Apr 15.
    assert spouse.acquired == day("2026-04-15")


def test_replacement_in_an_ira_is_lost_for_good() -> None:
    # Rev. Rul. 2008-5: replacement bought in an IRA: the $250 loss is disallowed
    # and added to no basis.
    ledger = run(
        """
        accounts: joint=joint ira=traditional_ira
        2026-01-05 joint buy 100 X @ 10 L1
        2026-02-02 joint sell 100 X @ 7.50
        2026-02-10 ira buy 100 X @ 8 I1
        """
    )
    (sale,) = ledger.reportable
    assert (sale.adjustment, sale.permanently_disallowed, sale.gain) == (D(250), D(250), D(0))
    assert sale.code == "W"
    ira = lot(ledger, "ira", "I1")
    assert (ira.cost_basis, ira.wash_sale_adjustment) == (D(800), D(0))
    assert ira.acquired == ira.purchased == day("2026-02-10")
    (match,) = ledger.matches
    assert match.permanent and match.replacement_account_id == "ira"


def test_roth_replacement_bought_before_the_sale_is_also_permanent() -> None:
    ledger = run(
        """
        accounts: joint=joint roth=roth_ira
        2026-01-05 joint buy 10 X @ 10 L1
        2026-01-20 roth buy 4 X @ 9 R1
        2026-02-02 joint sell 10 X @ 8
        """
    )
    # Loss 10 x 2 = 20; 4 shares replaced in the Roth: 8 disallowed for good.
    assert rows(ledger) == [
        ("joint", "L1.1", D(4), D(32), D(40), D(8), D(0)),
        ("joint", "L1.2", D(6), D(48), D(60), D(0), D(-12)),
    ]
    assert ledger.reportable[0].permanently_disallowed == D(8)
    assert lot(ledger, "roth", "R1").cost_basis == D(36)


def test_a_chain_of_three_wash_sales() -> None:
    # Each replacement is sold at a loss and replaced again; the deferred loss
    # rides along until the last sale, 31+ days clear of any purchase.
    ledger = run(
        """
        accounts: me=individual
        2026-01-02 me buy 100 A @ 50 L1
        2026-02-02 me sell 100 A @ 40
        2026-02-10 me buy 100 A @ 42 L2
        2026-03-01 me sell 100 A @ 38
        2026-03-15 me buy 100 A @ 39 L3
        2026-04-01 me sell 100 A @ 37
        2026-04-20 me buy 100 A @ 36 L4
        2026-06-01 me sell 100 A @ 45
        """
    )
    assert rows(ledger) == [
        # L1: 5,000 - 4,000 = 1,000 loss, washed into L2.
        ("me", "L1", D(100), D(4000), D(5000), D(1000), D(0)),
        # L2: basis 4,200 + 1,000 = 5,200; proceeds 3,800: 1,400 washed into L3.
        ("me", "L2", D(100), D(3800), D(5200), D(1400), D(0)),
        # L3: basis 3,900 + 1,400 = 5,300; proceeds 3,700: 1,600 washed into L4.
        ("me", "L3", D(100), D(3700), D(5300), D(1600), D(0)),
        # L4: basis 3,600 + 1,600 = 5,200; proceeds 4,500: a 700 loss, allowed.
        ("me", "L4", D(100), D(4500), D(5200), D(0), D(-700)),
    ]
    # Paid 5,000 + 4,200 + 3,900 + 3,600 = 16,700; received 16,000: net -700.
    acquired = [d.acquired for d in ledger.reportable]
    # L1 held Jan 2 -> Feb 2 (31 days): L2 starts Feb 10 - 31 = Jan 10.
    # L2 held Jan 10 -> Mar 1 (50 days): L3 starts Mar 15 - 50 = Jan 24.
    # L3 held Jan 24 -> Apr 1 (67 days): L4 starts Apr 20 - 67 = Feb 12.
    assert acquired == [day("2026-01-02"), day("2026-01-10"), day("2026-01-24"), day("2026-02-12")]
    assert ledger.lots == ()


def test_two_loss_sales_compete_for_one_replacement_lot() -> None:
    # Earlier loss sales are matched first: alex's 100 loss shares take 100 of
    # the 150 replacement shares, sam's sale gets the remaining 50.
    ledger = run(
        """
        accounts: alex=individual sam=individual
        2026-01-05 alex buy 100 A @ 20 L1
        2026-01-06 sam buy 100 A @ 21 S1
        2026-02-10 alex sell 100 A @ 15
        2026-02-12 sam sell 100 A @ 15
        2026-02-20 alex buy 150 A @ 16 L2
        """
    )
    assert rows(ledger) == [
        # alex: 2,000 - 1,500 = 500, all washed.
        ("alex", "L1", D(100), D(1500), D(2000), D(500), D(0)),
        # sam: loss 600 ($6/share); 50 shares washed (300), 50 allowed (-300).
        ("sam", "S1.1", D(50), D(750), D(1050), D(300), D(0)),
        ("sam", "S1.2", D(50), D(750), D(1050), D(0), D(-300)),
    ]
    first, second = lot(ledger, "alex", "L2.1"), lot(ledger, "alex", "L2.2")
    # L2.1: 100 x 16 + 500 = 2,100, from Feb 20 - 36 days (Jan 5 -> Feb 10) = Jan 15.
    assert (first.quantity, first.cost_basis, first.acquired) == (
        D(100),
        D(2100),
        day("2026-01-15"),
    )
    # L2.2: 50 x 16 + 300 = 1,100, from Feb 20 - 37 days (Jan 6 -> Feb 12) = Jan 14.
    assert (second.quantity, second.cost_basis, second.acquired) == (
        D(50),
        D(1100),
        day("2026-01-14"),
    )


@pytest.mark.parametrize(
    ("buy_back", "washed"),
    [("2026-05-01", True), ("2026-05-02", False)],
)
def test_replacement_30_days_after_is_washed_31_is_not(buy_back: str, washed: bool) -> None:
    # Sale Apr 1; Apr 1 + 30 days = May 1 is the last day of the window.
    ledger = run(
        f"""
        accounts: me=individual
        2026-03-01 me buy 10 A @ 100 L1
        2026-04-01 me sell 10 A @ 90
        {buy_back} me buy 10 A @ 95 L2
        """
    )
    (sale,) = ledger.reportable
    assert sale.adjustment == (D(100) if washed else D(0))
    assert lot(ledger, "me", "L2").cost_basis == (D(1050) if washed else D(950))


@pytest.mark.parametrize(("bought", "washed"), [("2026-03-02", True), ("2026-03-01", False)])
def test_replacement_30_days_before_is_washed_31_is_not(bought: str, washed: bool) -> None:
    # Sale Apr 1; the window opens Mar 2 (Apr 1 - 30 days).
    ledger = run(
        f"""
        accounts: me=individual
        2026-01-02 me buy 10 A @ 100 L1
        {bought} me buy 10 A @ 95 L2
        2026-04-01 me sell 10 A @ 90 L1
        """
    )
    (sale,) = ledger.reportable
    assert sale.adjustment == (D(100) if washed else D(0))


def test_substantially_identical_symbols_wash_each_other() -> None:
    # VTI and VTSAX are share classes of one fund: one identical group.
    # Loss 20 x (250 - 230) = 400, replaced by 30 VTSAX: 20 of them absorb it.
    ledger = run(
        """
        accounts: joint=joint
        groups: VTI=vtsmx VTSAX=vtsmx
        2026-01-05 joint buy 20 VTI @ 250 V1
        2026-02-05 joint sell 20 VTI @ 230
        2026-02-06 joint buy 30 VTSAX @ 120 X1
        2026-02-07 joint buy 10 ITOT @ 110 T1
        """
    )
    (sale,) = ledger.reportable
    assert sale.adjustment == D(400)
    # X1.1: 20 x 120 + 400 = 2,800; X1.2: 10 x 120 = 1,200. ITOT is not identical.
    assert lot(ledger, "joint", "X1.1").cost_basis == D(2800)
    assert lot(ledger, "joint", "X1.2").cost_basis == D(1200)
    assert lot(ledger, "joint", "T1").cost_basis == D(1100)


def test_same_day_sale_then_buy_is_a_wash() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-05-01 me buy 100 A @ 10 L1
        2026-06-01 me sell 100 A @ 8
        2026-06-01 me buy 100 A @ 8.10 L2
        """
    )
    # Loss 200 washed; L2 basis 810 + 200 = 1,010, from Jun 1 - 31 days = May 1.
    assert rows(ledger) == [("me", "L1", D(100), D(800), D(1000), D(200), D(0))]
    assert lot(ledger, "me", "L2").cost_basis == D(1010)
    assert lot(ledger, "me", "L2").acquired == day("2026-05-01")


def test_same_day_buy_then_fifo_sale_washes_against_the_new_lot() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-05-01 me buy 100 A @ 10 L1
        2026-06-01 me buy 100 A @ 8 L2
        2026-06-01 me sell 100 A @ 8
        """
    )
    # FIFO sells L1 (loss 200); L2, bought earlier that day, replaces it.
    assert rows(ledger) == [("me", "L1", D(100), D(800), D(1000), D(200), D(0))]
    assert lot(ledger, "me", "L2").cost_basis == D(1000)


def test_of_two_lots_sold_the_same_day_the_first_sold_cannot_replace_the_second() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-05-20 me buy 100 A @ 10 L1
        2026-05-25 me buy 100 A @ 12 L2
        2026-06-01 me sell 100 A @ 8 L2
        2026-06-01 me sell 100 A @ 8 L1
        """
    )
    assert rows(ledger) == [
        # L2: loss 400, replaced by L1 (still held, bought May 20).
        ("me", "L2", D(100), D(800), D(1200), D(400), D(0)),
        # L1: basis 1,000 + 400 = 1,400, loss 600; L2 was sold first: allowed.
        ("me", "L1", D(100), D(800), D(1400), D(0), D(-600)),
    ]
    # L1's holding period: L2 held May 25 -> Jun 1 = 7 days: May 20 - 7 = May 13.
    assert ledger.reportable[1].acquired == day("2026-05-13")


def test_fractional_shares() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-01-05 me buy 10.5 A @ 20 L1
        2026-02-05 me sell 10.5 A @ 18
        2026-02-15 me buy 2.25 A @ 18.50 L2
        """
    )
    # Loss 10.5 x 2 = 21; 2.25 shares washed: 4.50 disallowed.
    assert rows(ledger) == [
        ("me", "L1.1", D("2.25"), D("40.50"), D("45.00"), D("4.50"), D(0)),
        ("me", "L1.2", D("8.25"), D("148.50"), D("165.00"), D(0), D("-16.50")),
    ]
    # L2: 2.25 x 18.50 = 41.625 + 4.50 = 46.125 (reported half-even: 46.12).
    assert lot(ledger, "me", "L2").cost_basis == D("46.125")


def test_gains_are_never_washed() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-01-05 me buy 10 A @ 10 L1
        2026-02-05 me sell 10 A @ 12
        2026-02-06 me buy 10 A @ 12 L2
        """
    )
    assert rows(ledger) == [("me", "L1", D(10), D(120), D(100), D(0), D(20))]
    assert ledger.matches == ()


def test_a_loss_inside_an_ira_is_not_reported_and_never_washed() -> None:
    ledger = run(
        """
        accounts: ira=rollover_ira joint=joint
        2026-01-05 ira buy 10 A @ 10 I1
        2026-02-05 ira sell 10 A @ 8
        2026-02-06 joint buy 10 A @ 8 J1
        """
    )
    assert ledger.reportable == ()
    (inside,) = ledger.dispositions
    assert not inside.reportable
    assert lot(ledger, "joint", "J1").cost_basis == D(80)


def test_other_shares_of_the_same_purchase_are_not_replacements() -> None:
    # docs/formats.md: shares of the same lot never replace each other (the "one bite"
    # reading brokers use under the Form 1099-B rules).
    ledger = run(
        """
        accounts: me=individual
        2026-03-01 me buy 200 A @ 50 L1
        2026-03-20 me sell 100 A @ 40
        """
    )
    assert rows(ledger) == [("me", "L1", D(100), D(4000), D(5000), D(0), D(-1000))]
    assert lot(ledger, "me", "L1").cost_basis == D(5000)


def test_shares_bought_before_the_sale_but_already_sold_are_not_replacements() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-03-01 me buy 100 A @ 10 L1
        2026-03-05 me buy 100 A @ 10 L2
        2026-03-10 me sell 100 A @ 12 L2
        2026-03-20 me sell 100 A @ 8 L1
        """
    )
    assert [d.adjustment for d in ledger.reportable] == [D(0), D(0)]
    assert [d.gain for d in ledger.reportable] == [D(200), D(-200)]


def test_a_replacement_share_absorbs_only_one_loss_share() -> None:
    # Two loss sales, 10 replacement shares: only the first sale is washed.
    ledger = run(
        """
        accounts: me=individual
        2026-01-02 me buy 10 A @ 10 L1
        2026-01-03 me buy 10 A @ 10 L2
        2026-03-01 me sell 10 A @ 9 L1
        2026-03-02 me sell 10 A @ 9 L2
        2026-03-10 me buy 10 A @ 9 L3
        """
    )
    assert [d.adjustment for d in ledger.reportable] == [D(10), D(0)]
    assert lot(ledger, "me", "L3").cost_basis == D(100)


def test_fees_enter_basis_and_proceeds() -> None:
    ledger = run(
        """
        accounts: me=individual
        2026-01-05 me buy 100 X @ 10 L1 fees 5
        2026-02-02 me sell 100 X @ 7.50 fees 5
        2026-02-20 me buy 100 X @ 8 L2 fees 5
        """
    )
    # Basis 1,005; proceeds 745; loss 260; L2 basis 805 + 260 = 1,065.
    assert rows(ledger) == [("me", "L1", D(100), D(745), D(1005), D(260), D(0))]
    assert lot(ledger, "me", "L2").cost_basis == D(1065)


def test_an_opening_lot_bought_within_the_window_is_a_replacement() -> None:
    opening = [
        Lot("me", "A", "OLD", D(10), D(1000), day("2024-01-02")),
        Lot("me", "A", "NEW", D(5), D(450), day("2026-02-20")),
    ]
    ledger = run(
        """
        accounts: me=individual
        2026-03-01 me sell 10 A @ 80 OLD
        """,
        opening,
    )
    # OLD: 1,000 - 800 = 200 loss (long-term); 5 NEW shares absorb 100.
    assert rows(ledger) == [
        ("me", "OLD.1", D(5), D(400), D(500), D(100), D(0)),
        ("me", "OLD.2", D(5), D(400), D(500), D(0), D(-100)),
    ]
    assert ledger.reportable[0].term is Term.LONG
    new = lot(ledger, "me", "NEW")
    assert new.cost_basis == D(550)
    # OLD held 2024-01-02 -> 2026-03-01 = 789 days, so NEW is long-term at once.
    assert new.acquired == day("2026-02-20") - (day("2026-03-01") - day("2024-01-02"))


def test_the_integer_ledger_builds_its_records_when_read() -> None:
    """``replay`` returns a ``LazyLedger``: each kind of record is built on its first
    read, and the ledger is equal (and hashes equal, and pickles) to the ``Ledger``
    of the Decimal replay."""
    import pickle

    from lots.washsale import LazyLedger, Ledger

    text = """
        accounts: me=individual
        2026-01-05 me buy 100 X @ 10 L1
        2026-02-02 me sell 100 X @ 7.50
        2026-02-20 me buy 100 X @ 8 L2
        """
    ledger = run(text)
    assert isinstance(ledger, LazyLedger)
    assert ledger._built == {}
    # The lots alone: L2 of basis 800 + 250 = 1,050 (Publication 550, Example 1).
    assert [(x.lot_id, x.cost_basis) for x in ledger.lots] == [("L2", D(1050))]
    assert set(ledger._built) == {"lots"}
    plain = Ledger(ledger.dispositions, ledger.lots, ledger.matches)
    assert ledger == plain and plain == ledger
    assert (ledger != plain, plain != ledger) == (False, False)
    assert hash(ledger) == hash(plain)
    other = Ledger(ledger.dispositions, (), ledger.matches)
    assert ledger != other and other != ledger
    copy = pickle.loads(pickle.dumps(ledger))
    assert type(copy) is Ledger and copy == ledger
    # 100 shares at $7.50 sold from a $1,000 lot: a $250 loss, all washed.
    (sale,) = ledger.dispositions
    assert (sale.proceeds, sale.cost_basis, sale.adjustment) == (D(750), D(1000), D(250))


def test_a_replay_leaves_its_objects_in_the_collectors_oldest_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the cycle collector on, ``replay`` pauses it and then moves what it made to
    the oldest generation (``promote_survivors``): the youngest generation is left
    empty, so the next allocation does not run a collection over the whole ledger; a
    reference cycle made before the replay is still collected by a full collection;
    and objects the program froze itself stay frozen."""
    import gc
    import weakref

    import lots.washsale
    from lots.washsale import promote_survivors

    monkeypatch.setattr(lots.washsale, "PROMOTE_FROM", 3)  # this history counts as large

    class Node:
        pass

    text = """
        accounts: me=individual
        2026-01-05 me buy 100 X @ 10 L1
        2026-02-02 me sell 100 X @ 7.50
        2026-02-20 me buy 100 X @ 8 L2
        """
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        del cycle
        ledger = run(text)
        assert gc.isenabled()
        assert gc.get_count()[0] < 10  # emptied (60 containers made here without it)
        assert ledger.lots[0].cost_basis == D(1050)  # (800 + the washed 250)
        gc.collect()
        assert alive() is None  # the cycle was not kept alive
        gc.freeze()
        frozen = gc.get_freeze_count()
        promote_survivors()  # the program's own frozen objects stay frozen
        assert gc.get_freeze_count() == frozen
        gc.unfreeze()
    finally:
        if not was_enabled:
            gc.disable()


def test_only_a_large_replay_promotes_what_it_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """A household's few hundred events (a plan's replay in a sweep) are not promoted: their
    objects are garbage soon, and promoting them on every plan starved the collector's full
    passes (a sweep worker grew by about 0.25 MB a household). From ``PROMOTE_FROM``
    transactions the ledger is promoted."""
    import lots.washsale

    calls: list[int] = []
    monkeypatch.setattr(lots.washsale, "promote_survivors", lambda: calls.append(1))
    text = """
        accounts: me=individual
        2026-01-05 me buy 100 X @ 10 L1
        2026-02-02 me sell 100 X @ 7.50
        """
    import gc

    was_enabled = gc.isenabled()
    gc.enable()
    try:
        run(text)
        assert calls == []
        monkeypatch.setattr(lots.washsale, "PROMOTE_FROM", 2)
        run(text)
        assert calls == [1]
    finally:
        if not was_enabled:
            gc.disable()
