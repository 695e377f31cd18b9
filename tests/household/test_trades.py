"""Units of the trade generator and the tax overlay, worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from household.drift import Bands, measure
from household.taxoverlay import TaxRates, judge, lot_sale, turns_long_soon
from household.trades import band_edge_fraction, rebalance_shifts
from lots.records import Lot, Term

D = Decimal
RATES = TaxRates(short_term=D("0.30"), long_term=D("0.15"))
SALE_DATE = dt.date(2026, 6, 1)


def lot(basis: str, purchased: dt.date, quantity: str = "100") -> Lot:
    return Lot("a", "X", "L1", D(quantity), D(basis), purchased)


def test_band_edge_fraction_brings_the_worst_class_to_its_edge() -> None:
    # 70/30 against 60/40 with a 5 point band: |d| = 0.10, lambda = 1 - 0.05/0.10 = 0.5
    drifts = measure(
        {"s": D(70_000), "b": D(30_000)},
        {"s": D("0.6"), "b": D("0.4")},
        Bands(inner_absolute="0.05"),
    )
    fraction = band_edge_fraction(drifts)
    assert fraction == D("0.5")
    # the worked example of the trades module: sell 5,000 stock, buy 5,000 bonds
    assert rebalance_shifts(drifts, fraction) == {"s": D(-5000), "b": D(5000)}
    assert rebalance_shifts(drifts, D(1)) == {"s": D(-10000), "b": D(10000)}


def test_band_edge_fraction_is_zero_inside_the_bands() -> None:
    drifts = measure({"s": D(62), "b": D(38)}, {"s": D("0.6"), "b": D("0.4")}, Bands("0.05"))
    assert band_edge_fraction(drifts) == 0


def test_lot_sale_gain_term_and_tax() -> None:
    # the worked example of the overlay: 100 sh, basis 6,000, at $50: -1,000 long-term
    sale = lot_sale(lot("6000", dt.date(2024, 1, 10)), D(100), D(50), SALE_DATE, True, RATES)
    assert (sale.gain, sale.term, sale.tax) == (D(-1000), Term.LONG, D(-150))
    # half the lot: basis 3,000 in proportion
    half = lot_sale(lot("6000", dt.date(2024, 1, 10)), D(50), D(50), SALE_DATE, True, RATES)
    assert (half.basis, half.gain) == (D(3000), D(-500))
    # in an IRA: no tax
    ira = lot_sale(lot("1000", dt.date(2026, 1, 10)), D(100), D(50), SALE_DATE, False, RATES)
    assert (ira.tax, ira.short_gain, ira.long_gain) == (0, 0, 0)


def test_losses_pass_gains_defer_unless_forced() -> None:
    loss = lot_sale(lot("6000", dt.date(2024, 1, 10)), D(100), D(50), SALE_DATE, True, RATES)
    assert judge(loss, forced=False, tax_used=D(0), budget=D(0)).allowed
    gain = lot_sale(lot("4000", dt.date(2024, 1, 10)), D(100), D(50), SALE_DATE, True, RATES)
    verdict = judge(gain, forced=False, tax_used=D(0), budget=None)
    assert (verdict.allowed, verdict.code) == (False, "deferred_gain")
    assert judge(gain, forced=True, tax_used=D(0), budget=None).allowed
    # forced but over budget: gain 1,000 long-term = 150 tax; 100 already used of 200
    over = judge(gain, forced=True, tax_used=D(100), budget=D(200))
    assert (over.allowed, over.code) == (False, "tax_budget")
    # a withdrawal may exceed the budget, logged
    needed = judge(gain, forced=True, tax_used=D(100), budget=D(200), budget_binding=False)
    assert (needed.allowed, needed.code) == (True, "tax_budget_exceeded")


def test_short_term_gain_about_to_turn_long_term_waits_unless_forced() -> None:
    # bought 2025-06-20: long-term from 2026-06-21, 20 days after the sale date
    soon = lot("4000", dt.date(2025, 6, 20))
    assert turns_long_soon(soon, SALE_DATE)
    assert not turns_long_soon(lot("4000", dt.date(2025, 7, 20)), SALE_DATE)  # 50 days
    assert not turns_long_soon(lot("4000", dt.date(2024, 6, 20)), SALE_DATE)  # already long
    sale = lot_sale(soon, D(100), D(50), SALE_DATE, True, RATES)
    verdict = judge(sale, forced=False, tax_used=D(0), budget=None)
    assert (verdict.allowed, verdict.code) == (False, "short_term_soon_long")
    forced = judge(sale, forced=True, tax_used=D(0), budget=None)
    assert (forced.allowed, forced.code) == (True, "forced_short_term")
