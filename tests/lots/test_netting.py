"""This year's capital-gains tax with the Schedule D netting rules.

Rates throughout (unless a test says otherwise): short-term 40%, long-term
20%, ordinary offset 35%, filing jointly (loss limit $3,000). Every expected
number is worked out in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lots.netting import (
    FilingStatus,
    NettingRates,
    Piece,
    YearToDate,
    added_tax,
    breakpoints,
    net,
    netted_tax,
    pieces,
)

D = Decimal
RATES = NettingRates(D("0.40"), D("0.20"), D("0.35"))
MFS = NettingRates(D("0.40"), D("0.20"), D("0.35"), FilingStatus.MARRIED_FILING_SEPARATELY)


def test_both_gains() -> None:
    # ST +5,000, LT +2,000: nothing to net. Tax 5,000*0.40 + 2,000*0.20 = 2,000 + 400.
    result = net(D(5000), D(2000), RATES)
    assert (result.taxed_short, result.taxed_long) == (D(5000), D(2000))
    assert result.ordinary_offset == 0
    assert result.tax == D(2400)


def test_short_gain_absorbs_long_loss() -> None:
    # ST +5,000, LT -2,000: the LT loss offsets the ST gain; 3,000 ST gain remains
    # (the character of the larger side). Tax 3,000*0.40 = 1,200.
    result = net(D(5000), D(-2000), RATES)
    assert (result.taxed_short, result.taxed_long) == (D(3000), D(0))
    assert result.tax == D(1200)
    assert (result.carryforward_short, result.carryforward_long) == (D(0), D(0))


def test_long_gain_absorbs_short_loss() -> None:
    # ST -2,000, LT +5,000: 3,000 LT gain remains. Tax 3,000*0.20 = 600.
    result = net(D(-2000), D(5000), RATES)
    assert (result.taxed_short, result.taxed_long) == (D(0), D(3000))
    assert result.tax == D(600)


def test_short_loss_larger_than_long_gain() -> None:
    # Rudy's numbers: ST -15,500, LT +7,100 -> net ST loss 8,400; 3,000 deducted,
    # 5,400 carried forward as short-term. Tax -3,000*0.35 = -1,050.
    result = net(D(-15500), D(7100), RATES)
    assert result.net == D(-8400)
    assert result.ordinary_offset == D(3000)
    assert (result.carryforward_short, result.carryforward_long) == (D(5400), D(0))
    assert result.tax == D(-1050)


def test_short_gain_smaller_than_long_loss() -> None:
    # ST +1,000, LT -6,000 -> net LT loss 5,000; 3,000 deducted, 2,000 carried long.
    result = net(D(1000), D(-6000), RATES)
    assert result.ordinary_offset == D(3000)
    assert (result.carryforward_short, result.carryforward_long) == (D(0), D(2000))
    assert result.tax == D(-1050)


def test_both_losses_under_limit() -> None:
    # ST -1,000, LT -1,500: net loss 2,500 < 3,000, all deducted, nothing carried.
    # Tax -2,500*0.35 = -875.
    result = net(D(-1000), D(-1500), RATES)
    assert result.ordinary_offset == D(2500)
    assert (result.carryforward_short, result.carryforward_long) == (D(0), D(0))
    assert result.tax == D(-875)


def test_both_losses_over_limit_short_used_first() -> None:
    # ST -2,000, LT -5,000: net loss 7,000; 3,000 deducted: 2,000 of it short-term
    # (all of it), 1,000 long-term. Carried: short 0, long 5,000 - 1,000 = 4,000.
    result = net(D(-2000), D(-5000), RATES)
    assert result.ordinary_offset == D(3000)
    assert (result.carryforward_short, result.carryforward_long) == (D(0), D(4000))
    assert result.tax == D(-1050)
    # ST -5,000, LT -2,000: the 3,000 comes all from short-term; carried short
    # 5,000 - 3,000 = 2,000, long 2,000.
    result = net(D(-5000), D(-2000), RATES)
    assert (result.carryforward_short, result.carryforward_long) == (D(2000), D(2000))


def test_publication_550_bob_and_gloria() -> None:
    # Publication 550, "Capital Losses": a capital loss of $7,000 and no other
    # capital transactions on a joint return: $3,000 deducted, $4,000 carried over.
    result = netted_tax(YearToDate(long_gain=D(-7000)), RATES)
    assert result.ordinary_offset == D(3000)
    assert result.carryforward_short + result.carryforward_long == D(4000)


def test_married_filing_separately_limit_is_1500() -> None:
    # ST -4,000 filing separately: 1,500 deducted, 2,500 carried short.
    # Tax -1,500*0.35 = -525.
    result = net(D(-4000), D(0), MFS)
    assert result.ordinary_offset == D(1500)
    assert result.carryforward_short == D(2500)
    assert result.tax == D(-525)


def test_carryforwards_in() -> None:
    # The textbook case (Rosalva): ST gain 1,290 with a 3,770 ST carryover in ->
    # ST net -2,480; LT loss 3,680 with a 1,295 LT carryover -> LT net -4,975.
    # Net loss 7,455; 3,000 deducted, all from short-term first (2,480), then 520
    # long-term. Carried: short 0, long 4,975 - 520 = 4,455.
    ytd = YearToDate(
        short_gain=D(1290),
        long_gain=D(-3680),
        carryforward_short=D(3770),
        carryforward_long=D(1295),
    )
    result = netted_tax(ytd, RATES)
    assert (result.short_net, result.long_net) == (D(-2480), D(-4975))
    assert result.ordinary_offset == D(3000)
    assert (result.carryforward_short, result.carryforward_long) == (D(0), D(4455))


def test_carryforward_absorbs_a_plan_gain() -> None:
    # 10,000 LT carryover in, nothing realised: without the plan the year deducts
    # 3,000 (tax -1,050). A plan LT gain of 7,000 leaves a net loss of 3,000, still
    # fully deducted: the gain adds no tax. A gain of 8,000 leaves 2,000 of loss:
    # tax -700, so the plan adds 350 (the last 1,000 of gain at the 35% offset rate).
    ytd = YearToDate(carryforward_long=D(10000))
    assert added_tax(ytd, D(0), D(7000), RATES) == 0
    assert added_tax(ytd, D(0), D(8000), RATES) == D(350)


def test_added_tax_counts_year_to_date() -> None:
    # 5,000 LT gain already realised this year. A plan ST loss of 2,000 offsets it:
    # tax 3,000*0.20 = 600 against 1,000 without: the plan adds -400 (not -700 at
    # the ST rate, nor -800 "per term"). A $0 budget would therefore allow it.
    ytd = YearToDate(long_gain=D(5000))
    assert added_tax(ytd, D(-2000), D(0), RATES) == D(-400)
    # And a plan LT gain of 5,000 against a 5,000 ST loss to date is free.
    ytd = YearToDate(short_gain=D(-5000))
    # Without: loss 5,000, 3,000 deducted: tax -1,050. With: net 0, tax 0. Adds 1,050.
    assert added_tax(ytd, D(0), D(5000), RATES) == D(1050)


def test_from_parts() -> None:
    rates = NettingRates.from_parts(
        ordinary=D("0.35"), qualified=D("0.15"), state=D("0.05"), niit=D("0.038")
    )
    # ST 0.35 + 0.05 + 0.038; LT 0.15 + 0.05 + 0.038; offset 0.35 + 0.05 (no NIIT).
    assert (rates.short_term, rates.long_term, rates.ordinary_offset) == (
        D("0.438"),
        D("0.238"),
        D("0.40"),
    )


def test_floats_refused() -> None:
    with pytest.raises(TypeError):
        YearToDate(short_gain=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        NettingRates(0.4, D("0.2"), D("0.3"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        YearToDate(carryforward_short=D(-1))
    with pytest.raises(ValueError):
        NettingRates(D("1.5"), D("0.2"), D("0.3"))


def test_filing_status_parse() -> None:
    assert FilingStatus.parse(" Married_Filing_Separately ").loss_limit == D(1500)
    assert FilingStatus.parse("single").loss_limit == D(3000)
    with pytest.raises(ValueError, match="known"):
        FilingStatus.parse("married")


# -- an independent reference ------------------------------------------------


def reference(short: Decimal, long: Decimal, rates: NettingRates) -> tuple[Decimal, ...]:
    """The closed formula of the module docstring, and section 1212(b) carryovers.

    tax = r_l N+ + (r_s - r_l) min(S+, N+) - r_o min(N-, C). For the carryovers,
    section 1212(b)(2) treats the deduction as a short-term gain: with
    S' = S + deduction, the short carryover is the excess of the net short loss
    over the net long gain, max(0, -S' - L+), and the long carryover is
    max(0, -L - S'+).
    """
    n = short + long
    n_plus, n_minus = max(n, D(0)), max(-n, D(0))
    deduction = min(n_minus, rates.loss_limit)
    tax = (
        rates.long_term * n_plus
        + (rates.short_term - rates.long_term) * min(max(short, D(0)), n_plus)
        - rates.ordinary_offset * deduction
    )
    s_adj = short + deduction
    carry_short = max(D(0), -s_adj - max(long, D(0)))
    carry_long = max(D(0), -long - max(s_adj, D(0)))
    return tax, deduction, carry_short, carry_long


amounts = st.integers(-20_000_00, 20_000_00).map(lambda cents: D(cents) / 100)
rate = st.integers(0, 60).map(lambda p: D(p) / 100)
rates_strategy = st.builds(
    NettingRates,
    rate,
    rate,
    rate,
    st.sampled_from(list(FilingStatus)),
)
ytds = st.builds(
    YearToDate,
    amounts,
    amounts,
    amounts.map(abs),
    amounts.map(abs),
)


@settings(max_examples=300)
@given(amounts, amounts, rates_strategy)
def test_matches_reference(short: Decimal, long: Decimal, rates: NettingRates) -> None:
    result = net(short, long, rates)
    assert (
        result.tax,
        result.ordinary_offset,
        result.carryforward_short,
        result.carryforward_long,
    ) == reference(short, long, rates)
    # Conservation: line 16 = taxed gains - deduction - carryforward.
    assert result.net == (
        result.taxed_short
        + result.taxed_long
        - result.ordinary_offset
        - result.carryforward_short
        - result.carryforward_long
    )


@settings(max_examples=200)
@given(ytds, rates_strategy)
def test_added_tax_of_nothing_is_zero(ytd: YearToDate, rates: NettingRates) -> None:
    assert added_tax(ytd, D(0), D(0), rates) == 0


@settings(max_examples=300)
@given(ytds, amounts, amounts, amounts.map(abs), rates_strategy)
def test_monotone_in_gains(
    ytd: YearToDate, s: Decimal, lg: Decimal, more: Decimal, rates: NettingRates
) -> None:
    base = added_tax(ytd, s, lg, rates)
    assert added_tax(ytd, s + more, lg, rates) >= base
    assert added_tax(ytd, s, lg + more, rates) >= base


@settings(max_examples=300)
@given(ytds, amounts, amounts, amounts, amounts, rates_strategy)
def test_lipschitz_continuous(
    ytd: YearToDate, s: Decimal, lg: Decimal, ds: Decimal, dl: Decimal, rates: NettingRates
) -> None:
    # No jump anywhere, branch boundaries included: the change is at most the
    # largest rate times the change in the amounts.
    top = max(rates.short_term, rates.long_term, rates.ordinary_offset)
    change = added_tax(ytd, s + ds, lg + dl, rates) - added_tax(ytd, s, lg, rates)
    assert abs(change) <= top * (abs(ds) + abs(dl))


@settings(max_examples=300)
@given(ytds, amounts, amounts, rates_strategy)
def test_pieces_cover_and_agree(
    ytd: YearToDate, s: Decimal, lg: Decimal, rates: NettingRates
) -> None:
    exact = added_tax(ytd, s, lg, rates)
    carry = netted_tax(ytd, rates, s, lg)
    containing = [p for p in pieces(ytd, rates) if p.contains(s, lg)]
    assert containing
    for piece in containing:
        assert piece.tax.at(s, lg) == exact
        assert piece.carryforward.at(s, lg) == carry.carryforward_short + carry.carryforward_long


@settings(max_examples=100)
@given(ytds, rates_strategy)
def test_pieces_meet_at_breakpoints(ytd: YearToDate, rates: NettingRates) -> None:
    # On each breakpoint line at a few points, every containing piece gives the same
    # value (continuity, as a MILP encoding relies on).
    for line in breakpoints(ytd, rates):
        for t in (D(-5000), D(0), D(3333)):
            # A point on line.short * s + line.long * l + line.constant = 0.
            if line.long != 0:
                s = t
                lg = -(line.short * s + line.constant) / line.long
            else:
                lg = t
                s = -line.constant / line.short
            values = {p.tax.at(s, lg) for p in pieces(ytd, rates) if p.contains(s, lg)}
            assert len(values) == 1
            assert values == {added_tax(ytd, s, lg, rates)}


def test_pieces_names_in_order() -> None:
    assert [p.piece for p in pieces(YearToDate(), RATES)] == list(Piece)
