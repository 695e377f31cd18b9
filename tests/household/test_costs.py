"""Trading costs: commission, half spread, square-root market impact, worked by hand."""

from decimal import Decimal

from household.plan.costs import CostModel, TradeCost, market_impact, total_cost, trade_cost

D = Decimal


def test_worked_example_from_the_module_docstring() -> None:
    model = CostModel(
        commission_per_trade="1",
        commission_per_share="0.005",
        half_spread_bps={"VTI": "5"},
        impact_coefficient="0.1",
        adv={"VTI": "20000"},
        volatility={"VTI": "0.02"},
    )
    cost = trade_cost(model, "VTI", D(200), D(50))
    # commission = 1 + 0.005 * 200 = 2
    assert cost.commission == D("2.000")
    # spread = 200 * 50 * 5 / 10000 = 5
    assert cost.spread == D(5)
    # impact = 0.1 * 0.02 * sqrt(200 / 20000) * 10000 = 0.002 * 0.1 * 10000 = 2
    assert cost.impact == D(2)
    assert cost.total == D(9)


def test_sell_side_costs_the_same_as_buy_side() -> None:
    model = CostModel(commission_per_trade="4.95", default_half_spread_bps="10")
    assert trade_cost(model, "X", D(-10), D(100)) == trade_cost(model, "X", D(10), D(100))
    # 4.95 + 0; spread = 1000 * 10 / 10000 = 1
    assert trade_cost(model, "X", D(10), D(100)).total == D("5.95")


def test_no_adv_or_no_volatility_means_no_impact() -> None:
    model = CostModel(impact_coefficient="1", adv={"A": "1000"}, volatility={"B": "0.02"})
    assert market_impact(model, "A", D(10), D(1000)) == 0
    assert market_impact(model, "B", D(10), D(1000)) == 0


def test_impact_grows_with_the_square_root_of_participation() -> None:
    model = CostModel(impact_coefficient="1", adv={"A": "10000"}, volatility={"A": "0.01"})
    # 100 shares at $1: 1 * 0.01 * sqrt(0.01) * 100 = 0.01 * 0.1 * 100 = 0.1
    assert market_impact(model, "A", D(100), D(100)) == D("0.1")
    # 400 shares at $1: 0.01 * sqrt(0.04) * 400 = 0.01 * 0.2 * 400 = 0.8 (4x shares, 8x cost)
    assert market_impact(model, "A", D(400), D(400)) == D("0.8")


def test_zero_shares_cost_nothing_and_totals_add_by_part() -> None:
    model = CostModel(commission_per_trade="5")
    assert trade_cost(model, "A", D(0), D(10)).total == 0
    total = total_cost([TradeCost(D(1), D(2), D(3)), TradeCost(D(4), D(5), D(6))])
    assert (total.commission, total.spread, total.impact, total.total) == (5, 7, 9, 21)
