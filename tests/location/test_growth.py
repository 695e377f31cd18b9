"""After-tax growth per dollar: closed form against hand arithmetic and a yearly replay."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from location import AssetClassInput, TaxRates, Treatment, growth_factor
from location.growth import taxable_annual_rate
from tests.location.cases import RATES, bonds, stocks


def test_bonds_by_hand() -> None:
    # a = 0.04 - 0.04 * 0.30 = 0.028; 1.028^10 = 1.318048
    assert growth_factor(bonds("1"), Treatment.TAXABLE, RATES, 10) == pytest.approx(
        1.318048, abs=1e-6
    )
    # 1.04^10 = 1.480244; x (1 - 0.25) = 1.110183
    assert growth_factor(bonds("1"), Treatment.DEFERRED, RATES, 10) == pytest.approx(
        1.110183, abs=1e-6
    )
    assert growth_factor(bonds("1"), Treatment.EXEMPT, RATES, 10) == pytest.approx(
        1.480244, abs=1e-6
    )


def test_stocks_by_hand() -> None:
    # a = 0.07 - 0.02 * 0.15 = 0.067; 1.067^10 = 1.912688
    assert taxable_annual_rate(stocks("1"), RATES) == pytest.approx(0.067)
    assert growth_factor(stocks("1"), Treatment.TAXABLE, RATES, 10) == pytest.approx(
        1.912688, abs=1e-6
    )
    # 1.07^10 = 1.967151; x 0.75 = 1.475363
    assert growth_factor(stocks("1"), Treatment.DEFERRED, RATES, 10) == pytest.approx(
        1.475363, abs=1e-6
    )


def test_unrealized_gain_at_horizon_by_hand() -> None:
    # Stocks with turnover 0.5: p = 0.07 - 0.02 = 0.05;
    # a = 0.07 - 0.02*0.15 - 0.5*0.05*0.15 = 0.07 - 0.003 - 0.00375 = 0.06325
    # 1.06325^2 = 1.130500...; U = (1 - 0.5) * 0.05 * (1.06325^2 - 1) / 0.06325
    #   = 0.025 * 0.1305006 / 0.06325 = 0.025 * 2.06325 = 0.05158125
    # g = 1.1305006 - 0.15 * 0.05158125 = 1.1305006 - 0.0077372 = 1.1227634
    k = stocks("1", turnover=D("0.5"))
    assert taxable_annual_rate(k, RATES) == pytest.approx(0.06325)
    g = growth_factor(k, Treatment.TAXABLE, RATES, 2, tax_unrealized_at_horizon=True)
    assert g == pytest.approx(1.06325**2 - 0.15 * 0.05158125, abs=1e-9)
    assert g == pytest.approx(1.1227634, abs=1e-7)


def test_munis_untaxed_in_taxable() -> None:
    munis = AssetClassInput("munis", D("0.03"), D("1"), tax_exempt_yield=D("0.03"))
    # no tax at all in taxable: 1.03^10 = 1.343916; in an IRA: x 0.75 = 1.007937
    assert growth_factor(munis, Treatment.TAXABLE, RATES, 10) == pytest.approx(1.343916, abs=1e-6)
    assert growth_factor(munis, Treatment.DEFERRED, RATES, 10) == pytest.approx(1.007937, abs=1e-6)


def _replay(k: AssetClassInput, tax: TaxRates, years: int, unrealized: bool) -> float:
    """Year by year: income taxed, part of the price gain realised, basis tracked."""
    r, yo, yq, ye = (
        float(x)
        for x in (k.expected_return, k.ordinary_yield, k.qualified_yield, k.tax_exempt_yield)
    )
    p, turnover = r - yo - yq - ye, float(k.turnover)
    value, basis = 1.0, 1.0
    for _ in range(years):
        realised = turnover * p * value
        taxes = (
            yo * value * float(tax.ordinary)
            + yq * value * float(tax.qualified)
            + realised * float(tax.long_term)
            - float(k.foreign_tax_credit) * value
        )
        basis += (yo + yq + ye) * value + realised - taxes
        value += r * value - taxes
    return value - (float(tax.long_term) * (value - basis) if unrealized else 0.0)


@pytest.mark.parametrize("unrealized", [False, True])
@pytest.mark.parametrize("years", [1, 7, 30])
def test_closed_form_matches_replay(unrealized: bool, years: int) -> None:
    k = AssetClassInput(
        "mix",
        D("0.075"),
        D("1"),
        ordinary_yield=D("0.01"),
        qualified_yield=D("0.015"),
        tax_exempt_yield=D("0.002"),
        turnover=D("0.3"),
        foreign_tax_credit=D("0.001"),
    )
    closed = growth_factor(k, Treatment.TAXABLE, RATES, years, tax_unrealized_at_horizon=unrealized)
    assert closed == pytest.approx(_replay(k, RATES, years, unrealized), rel=1e-12)


@pytest.mark.parametrize("unrealized", [False, True])
def test_table_matches_the_scalar_formula(unrealized: bool) -> None:
    from location import growth_table

    classes = (
        stocks("0.5", turnover=D("0.3")),
        bonds("0.3"),
        AssetClassInput("flat", D("0.01"), D("0.2"), ordinary_yield=D("0.01")),
    )
    table = growth_table(classes, RATES, 12, tax_unrealized_at_horizon=unrealized)
    for k in classes:
        for t in Treatment:
            expected = growth_factor(k, t, RATES, 12, tax_unrealized_at_horizon=unrealized)
            assert table[(k.name, t)] == pytest.approx(expected, rel=1e-12)


# -- tax facts: interest exempt from state tax, after-tax basis in deferred accounts --

STATE_RATES = TaxRates(
    ordinary=D("0.35"), qualified=D("0.20"), long_term=D("0.20"), short_term=D("0.35"),
    withdrawal=D("0.25"), state=D("0.05"),
)  # fmt: skip


def test_treasury_interest_is_not_taxed_by_the_state() -> None:
    # Treasuries, r = y_se = 0.04; t_ord = 0.35 of which 0.05 is state: taxed at 0.30.
    # a = 0.04 - 0.04 * 0.30 = 0.028; 1.028^10 = 1.318048.
    treasuries = AssetClassInput("treasuries", D("0.04"), D("1"), state_exempt_yield=D("0.04"))
    assert taxable_annual_rate(treasuries, STATE_RATES) == pytest.approx(0.028)
    assert growth_factor(treasuries, Treatment.TAXABLE, STATE_RATES, 10) == pytest.approx(
        1.318048, abs=1e-6
    )
    # The same yield as ordinary interest: a = 0.04 - 0.04 * 0.35 = 0.026; 1.026^10 = 1.292628.
    corporate = AssetClassInput("bonds", D("0.04"), D("1"), ordinary_yield=D("0.04"))
    assert growth_factor(corporate, Treatment.TAXABLE, STATE_RATES, 10) == pytest.approx(
        1.292628, abs=1e-6
    )
    # Deferred: the withdrawal is taxed at w whatever it grew from: 1.04^10 * 0.75.
    assert growth_factor(treasuries, Treatment.DEFERRED, STATE_RATES, 10) == pytest.approx(
        1.110183, abs=1e-6
    )


def test_out_of_state_muni_interest_pays_state_tax() -> None:
    # Munis, r = y_ex = 0.03. In-state: untaxed, a = 0.03, 1.03^10 = 1.343916.
    # Out of state: the state taxes it: a = 0.03 - 0.03 * 0.05 = 0.0285; 1.0285^10 = 1.324473.
    home = AssetClassInput("munis", D("0.03"), D("1"), tax_exempt_yield=D("0.03"))
    away = AssetClassInput("munis", D("0.03"), D("1"), tax_exempt_yield=D("0.03"), in_state=False)
    assert growth_factor(home, Treatment.TAXABLE, STATE_RATES, 10) == pytest.approx(
        1.343916, abs=1e-6
    )
    assert growth_factor(away, Treatment.TAXABLE, STATE_RATES, 10) == pytest.approx(
        1.324473, abs=1e-6
    )


def test_arrays_agree_with_the_closed_form_for_the_new_facts() -> None:
    from location.growth import growth_table

    classes = (
        AssetClassInput("treasuries", D("0.04"), D("0.5"), state_exempt_yield=D("0.04")),
        AssetClassInput("munis", D("0.03"), D("0.5"), tax_exempt_yield=D("0.03"), in_state=False),
    )
    table = growth_table(classes, STATE_RATES, 10, tax_unrealized_at_horizon=True)
    for k in classes:
        for t in Treatment:
            expected = growth_factor(k, t, STATE_RATES, 10, tax_unrealized_at_horizon=True)
            assert table[(k.name, t)] == pytest.approx(expected, rel=1e-12)


def test_after_tax_basis_in_a_deferred_account() -> None:
    # IRA worth $100,000 with $20,000 of after-tax basis (Form 8606): b = 0.2.
    # Bonds at 4% for 10 years: V_H per dollar 1.480244; the tax is w * (V_H - B), so
    # g = 1.480244 * (1 - 0.25) + 0.25 * 0.2 = 1.110183 + 0.05 = 1.160183.
    from location.growth import basis_bonus

    bonus = basis_bonus(0.25, 20_000, 100_000)
    assert bonus == pytest.approx(0.05)
    plain = growth_factor(bonds("1"), Treatment.DEFERRED, RATES, 10)
    assert plain + bonus == pytest.approx(1.160183, abs=1e-6)
    # The whole account: $100,000 * 1.480244 = $148,024.43 withdrawn; tax 0.25 *
    # (148,024.43 - 20,000) = 32,006.11; kept 116,018.32 = 100,000 * 1.160183.
    assert 100_000 * (plain + bonus) == pytest.approx(116_018.32, abs=0.01)
    assert basis_bonus(0.25, 0, 100_000) == 0
