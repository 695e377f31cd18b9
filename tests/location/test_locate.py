"""Hand-worked asset-location cases (rates in ``cases.py``: 30% ordinary, 15% qualified
and long-term, 25% withdrawal, 10 years).

Growth per dollar, worked out in ``test_growth.py``:

    stocks: taxable 1.067^10 = 1.912688   IRA 1.07^10 * 0.75 = 1.475364   Roth 1.967151
    bonds:  taxable 1.028^10 = 1.318048   IRA 1.04^10 * 0.75 = 1.110183   Roth 1.480244
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from location import InfeasibleLocationError, LocationInputError, locate
from location.inputs import AssetClassInput, ClassLimits, TargetBasis
from tests.location.cases import bonds, ira, lot, problem, roth, stocks, taxable

G_STOCKS_T, G_STOCKS_D, G_STOCKS_E = 1.067**10, 1.07**10 * 0.75, 1.07**10
G_BONDS_T, G_BONDS_D, G_BONDS_E = 1.028**10, 1.04**10 * 0.75, 1.04**10


def cents(x: float) -> D:
    return D(repr(x)).quantize(D("0.01"))


def test_bonds_end_up_in_the_ira() -> None:
    # Bonds in the IRA: 100k * 1.912688 + 100k * 1.110183 = 302,287.15
    # Stocks in the IRA: 100k * 1.318048 + 100k * 1.475364 = 279,341.12
    result = locate(problem([taxable("100000"), ira("100000")], [stocks("0.5"), bonds("0.5")]))
    placement = result.recommended
    assert placement.dollars("ira", "bonds") == D("100000.00")
    assert placement.dollars("tax", "stocks") == D("100000.00")
    assert placement.dollars("tax", "bonds") == D("0.00")
    assert placement.after_tax_value == cents(100000 * G_STOCKS_T + 100000 * G_BONDS_D)
    assert placement.after_tax_value == D("302287.15")
    # Naive: each account half and half:
    # 50k * (1.912688 + 1.318048 + 1.475364 + 1.110183) = 290,814.14
    assert result.naive_value == D("290814.14")
    assert result.status == "optimal" and result.solver == "highs"
    # Moving a dollar of bonds to taxable (and a dollar of stocks back) loses
    # (1.912688 - 1.475364) - (1.318048 - 1.110183) = 0.437324 - 0.207865 = 0.229460
    cell = next(c for c in placement.cells if (c.account_id, c.asset_class) == ("tax", "bonds"))
    assert cell.loss_per_dollar == pytest.approx(0.229460, abs=1e-5)
    assert "moved from ira to tax" in cell.explanation and "$0.23" in cell.explanation


def test_highest_growth_class_in_the_roth() -> None:
    # Small value: 9% total, 1.5% qualified, turnover 0.25: p = 0.075,
    # a = 0.09 - 0.015*0.15 - 0.25*0.075*0.15 = 0.0849375; taxable 1.0849375^10 = 2.259734,
    # IRA 1.09^10 * 0.75 = 1.775523, Roth 1.09^10 = 2.367364.
    # Roth over taxable: small value 0.107630, stocks 0.054463, bonds 0.162196, but bonds
    # gain more in the IRA: swapping a dollar of bonds IRA -> Roth and small value back
    # changes (1.480244 - 1.110183) + (1.775523 - 2.367364) = 0.370061 - 0.591841 < 0.
    # So: small value in the Roth, bonds in the IRA, stocks in taxable.
    small_value = AssetClassInput(
        "small_value", D("0.09"), D("0.2"), qualified_yield=D("0.015"), turnover=D("0.25")
    )
    accounts = [taxable("100000"), roth("50000"), ira("100000")]
    result = locate(problem(accounts, [small_value, stocks("0.4"), bonds("0.4")]))
    placement = result.recommended
    assert placement.dollars("roth", "small_value") == D("50000.00")
    assert placement.dollars("ira", "bonds") == D("100000.00")
    assert placement.dollars("tax", "stocks") == D("100000.00")
    # 100k * 1.912688 + 50k * 1.09^10 + 100k * 1.110183 = 191,268.83 + 118,368.18 + 111,018.32
    assert placement.after_tax_value == cents(
        100000 * G_STOCKS_T + 50000 * 1.09**10 + 100000 * G_BONDS_D
    )


def test_munis_only_in_taxable() -> None:
    # munis: 1.03^10 = 1.343916 taxable, x 0.75 = 1.007937 in the IRA; bonds IRA 1.110183.
    munis = AssetClassInput("munis", D("0.03"), D("0.5"), tax_exempt_yield=D("0.03"))
    result = locate(problem([taxable("100000"), ira("100000")], [munis, bonds("0.5")]))
    assert result.recommended.dollars("ira", "munis") == D("0.00")
    assert result.recommended.dollars("tax", "munis") == D("100000.00")
    # 100k * 1.343916 + 100k * 1.110183 = 245,409.96
    assert result.recommended.after_tax_value == cents(100000 * 1.03**10 + 100000 * G_BONDS_D)


def test_401k_menu_without_international() -> None:
    intl = AssetClassInput(
        "intl", D("0.07"), D("0.3"), qualified_yield=D("0.02"), foreign_tax_credit=D("0.002")
    )
    accounts = [ira("100000", "401k", menu={"stocks", "bonds"}), roth("50000"), taxable("50000")]
    result = locate(problem(accounts, [stocks("0.4"), intl, bonds("0.3")]))
    placement = result.recommended
    cell = next(c for c in placement.cells if c.account_id == "401k" and c.asset_class == "intl")
    assert not cell.offered and cell.dollars == 0 and "not on 401k's menu" in cell.explanation
    # intl: 30% of 200k = 60k, all of it in the Roth and the taxable account
    assert placement.dollars("roth", "intl") + placement.dollars("tax", "intl") == D("60000.00")
    assert placement.class_totals == {
        "stocks": D("80000.00"),
        "intl": D("60000.00"),
        "bonds": D("60000.00"),
    }
    # bonds, the least tax-efficient, fill the 401k: 60k
    assert placement.dollars("401k", "bonds") == D("60000.00")


def test_after_tax_targets_scale_the_ira() -> None:
    # S = 100k + 0.75 * 100k = 175k after tax; 50/50 -> 87.5k of each, measured after tax.
    # Bonds fill the IRA: 100k pre-tax = 75k after tax; 12.5k more bonds in taxable.
    p = problem(
        [taxable("100000"), ira("100000")],
        [stocks("0.5"), bonds("0.5")],
        basis=TargetBasis.AFTERTAX,
    )
    placement = locate(p).recommended
    assert placement.dollars("ira", "bonds") == D("100000.00")
    assert placement.dollars("tax", "bonds") == D("12500.00")
    assert placement.dollars("tax", "stocks") == D("87500.00")
    assert placement.class_measured == {"stocks": D("87500.00"), "bonds": D("87500.00")}


def test_infeasible_menu_cannot_hold_the_target() -> None:
    # intl is 50% of 110k = 55k, but only the 10k taxable account offers it.
    intl = AssetClassInput("intl", D("0.07"), D("0.5"))
    accounts = [ira("100000", "401k", menu={"stocks"}), taxable("10000")]
    with pytest.raises(InfeasibleLocationError) as info:
        locate(problem(accounts, [stocks("0.5"), intl]))
    message = str(info.value)
    assert "the intl target (50.00%, $55,000.00) cannot be met" in message
    assert "(tax) can hold at most $10,000.00" in message


def test_infeasible_menu_forces_too_much() -> None:
    # The 401k holds only bonds: 100k of bonds, above the 30k target (20% of 150k).
    accounts = [ira("100000", "401k", menu={"bonds"}), taxable("50000")]
    with pytest.raises(InfeasibleLocationError) as info:
        locate(problem(accounts, [stocks("0.8"), bonds("0.2")]))
    assert "force at least $100,000.00 into it" in str(info.value)


def test_infeasible_account_bounds() -> None:
    accounts = [
        taxable("100000", limits={"stocks": ClassLimits(max_dollars=D("10"))}, menu={"stocks"}),
        ira("100000"),
    ]
    with pytest.raises(InfeasibleLocationError, match="let it hold only \\$10.00"):
        locate(problem(accounts, [stocks("0.5"), bonds("0.5")]))


def test_bad_inputs() -> None:
    with pytest.raises(LocationInputError, match="sum to"):
        locate(problem([taxable("100")], [stocks("0.5"), bonds("0.4")]))
    with pytest.raises(LocationInputError, match="reserve"):
        locate(problem([taxable("100", reserve=D("200"))], [stocks("0.5"), bonds("0.5")]))


# Transition: an actively managed stock fund (10% total, 2% qualified, turnover 0.5):
# p = 0.08; a = 0.10 - 0.02*0.15 - 0.5*0.08*0.15 = 0.091; taxable 1.091^10 = 2.389172,
# Roth 1.1^10 = 2.593742. Sheltering it gains 0.204570 a dollar, bonds only
# 1.480244 - 1.318048 = 0.162196: ideally the fund goes to the Roth, bonds to taxable,
# gaining 0.042374 per dollar swapped (4,237.40 on 100k).
ACTIVE = dict(qualified_yield=D("0.02"), turnover=D("0.5"))


def active(target: str) -> AssetClassInput:
    return AssetClassInput("stocks", D("0.10"), D(target), **ACTIVE)


def test_low_basis_lot_stays_in_taxable() -> None:
    # The taxable account holds one lot of the fund: worth 100k, basis 5k. Selling costs
    # 0.95 * 0.15 * 2.389172 = 0.340457 a dollar at the horizon (34,045.7), far more than
    # the 4,237.40 the move earns: the recommendation keeps it.
    holdings = [lot("tax", "stocks", "L1", "100000", "5000")]
    p = problem(
        [taxable("100000"), roth("100000")], [active("0.5"), bonds("0.5")], holdings=holdings
    )
    result = locate(p)
    assert result.ideal.dollars("roth", "stocks") == D("100000.00")
    assert result.recommended.dollars("tax", "stocks") == D("100000.00")
    assert result.recommended.transition_cost == D("0.00") and result.recommended.sales == ()
    # ideal: sells all of L1: tax now 95k * 0.15 = 14,250; at the horizon 34,045.72
    assert result.ideal.tax_now == D("14250.00")
    assert result.ideal.transition_cost == cents(95000 * 0.15 * 1.091**10)
    gain = float(result.ideal.after_tax_value - result.recommended.after_tax_value)
    assert gain == pytest.approx(
        100000 * ((1.1**10 - 1.091**10) - (1.04**10 - 1.028**10)), abs=0.02
    )
    assert result.recommended.net_value > result.ideal.net_value
    # with --ignore-current the ideal is recommended and no transition is charged
    ignored = locate(p, ignore_current=True)
    assert ignored.recommended.dollars("roth", "stocks") == D("100000.00")
    assert ignored.recommended.transition_cost == D("0.00")


def test_cheapest_lots_sold_first() -> None:
    # Two lots of 50k: A has basis 49k (costs 0.02 * 0.15 * 2.389172 = 0.0072 a dollar to
    # sell, less than the 0.042374 the move earns), B basis 5k (0.32 a dollar, more).
    # Sell A, keep B: 50k of the fund stays in taxable.
    holdings = [
        lot("tax", "stocks", "A", "50000", "49000"),
        lot("tax", "stocks", "B", "50000", "5000"),
    ]
    p = problem(
        [taxable("100000"), roth("100000")], [active("0.5"), bonds("0.5")], holdings=holdings
    )
    result = locate(p)
    placement = result.recommended
    assert placement.dollars("tax", "stocks") == D("50000.00")
    assert placement.dollars("roth", "stocks") == D("50000.00")
    assert [(s.lot_id, s.dollars_sold) for s in placement.sales] == [("A", D("50000.00"))]
    # tax now on A: 1k gain * 0.15 = 150
    assert placement.tax_now == D("150.00")
    assert placement.net_value > result.ideal.net_value


def test_high_basis_lot_moves() -> None:
    # basis 99k: 0.01 * 0.15 * 2.389172 = 0.0036 a dollar < 0.042374: move it.
    holdings = [lot("tax", "stocks", "L1", "100000", "99000")]
    p = problem(
        [taxable("100000"), roth("100000")], [active("0.5"), bonds("0.5")], holdings=holdings
    )
    result = locate(p)
    assert result.recommended.dollars("roth", "stocks") == D("100000.00")
    assert result.recommended.tax_now == D("150.00")


def test_accounts_reconcile_to_the_cent() -> None:
    # Awkward values and thirds: every account's rows add to its value to the cent.
    third = AssetClassInput("c", D("0.05"), D("0.333333333333"), ordinary_yield=D("0.01"))
    other = AssetClassInput("d", D("0.06"), D("0.333333333334"), qualified_yield=D("0.01"))
    accounts = [taxable("1000.01", reserve=D("0.02")), ira("333.33"), roth("0.05")]
    result = locate(problem(accounts, [stocks("0.333333333333"), third, other]))
    placement = result.recommended
    for a in accounts:
        cells = [c.dollars for c in placement.cells if c.account_id == a.account_id]
        assert sum(cells) + a.reserve == a.value == placement.account_totals[a.account_id]
    assert sum(placement.class_totals.values()) == D("1333.37")


@pytest.mark.parametrize("solver", ["pulp-highs", "cbc"])
def test_backends_agree(solver: str) -> None:
    holdings = [
        lot("tax", "stocks", "A", "50000", "49000"),
        lot("tax", "stocks", "B", "50000", "5000"),
    ]
    p = problem(
        [taxable("100000"), roth("100000")], [active("0.5"), bonds("0.5")], holdings=holdings
    )
    fast, other = locate(p), locate(p, solvers=(solver,))
    assert other.solver == solver
    assert other.recommended.net_value == fast.recommended.net_value
    assert [c.dollars for c in other.recommended.cells] == [
        c.dollars for c in fast.recommended.cells
    ]
    for mine, theirs in zip(other.recommended.cells, fast.recommended.cells, strict=True):
        if mine.loss_per_dollar is not None:
            assert mine.loss_per_dollar == pytest.approx(theirs.loss_per_dollar, abs=1e-6)


def test_fallback_when_first_solver_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from location import solvers

    def broken(program: object, **options: object) -> object:
        raise RuntimeError("HiGHS is broken")

    monkeypatch.setitem(solvers.BACKENDS, "highs", broken)
    p = problem([taxable("100000"), ira("100000")], [stocks("0.5"), bonds("0.5")])
    result = locate(p)
    assert result.solver == "cbc"
    assert result.recommended.dollars("ira", "bonds") == D("100000.00")


def test_every_solver_failing_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from location import SolverFailedError, solvers

    def broken(program: object, **options: object) -> object:
        raise RuntimeError("down")

    for name in ("highs", "cbc"):
        monkeypatch.setitem(solvers.BACKENDS, name, broken)
    p = problem([taxable("100000"), ira("100000")], [stocks("0.5"), bonds("0.5")])
    with pytest.raises(SolverFailedError, match="highs: down; cbc: down"):
        locate(p)


def test_same_household_same_answer_whatever_came_before() -> None:
    # Two Roth accounts are interchangeable: the optimum ties. The answer must not depend
    # on what the solver saw before (byte-for-byte determinism for sweeps).
    accounts = [taxable("100000"), roth("30000", "roth1"), roth("30000", "roth2"), ira("50000")]
    p = problem(accounts, [stocks("0.6"), bonds("0.4")])
    first = locate(p)
    for scale in ("1", "2", "3"):
        other = [
            taxable(str(100000 * int(scale))),
            roth("30000", "roth1"),
            roth(str(10000 * int(scale)), "roth2"),
            ira("50000"),
        ]
        locate(problem(other, [stocks("0.5"), bonds("0.5")]))
    again = locate(p)
    assert again.recommended.cells == first.recommended.cells


def test_a_binding_bound_is_explained() -> None:
    # The IRA may hold at most $40k of bonds (a bound): bonds still want the IRA, so the
    # bound binds; each extra dollar allowed would gain the swap's 0.229460 (see above).
    limits = {"bonds": ClassLimits(max_dollars=D("40000"))}
    p = problem([taxable("100000"), ira("100000", limits=limits)], [stocks("0.5"), bonds("0.5")])
    placement = locate(p).recommended
    assert placement.dollars("ira", "bonds") == D("40000.00")
    assert placement.dollars("tax", "bonds") == D("60000.00")
    cell = next(c for c in placement.cells if (c.account_id, c.asset_class) == ("ira", "bonds"))
    assert cell.loss_per_dollar == pytest.approx(-0.229460, abs=1e-5)
    assert "Its bound binds" in cell.explanation and "$0.23" in cell.explanation


def test_tolerance_lets_a_class_stray() -> None:
    # Bonds 50% ± 10% of 200k: the program uses the band. More bonds in the IRA and fewer
    # in taxable pays, so bonds fall to 40% (80k), all in the IRA; stocks rise to 120k.
    p = problem(
        [taxable("100000"), ira("100000")],
        [stocks("0.5", tolerance=D("0.1")), bonds("0.5", tolerance=D("0.1"))],
    )
    placement = locate(p).recommended
    assert placement.class_totals == {"stocks": D("120000.00"), "bonds": D("80000.00")}
    assert placement.dollars("ira", "bonds") == D("80000.00")
