"""What a trade costs to execute: commission, half spread and market impact.

A rebalance that removes a little drift at a large cost is not worth doing, so
every proposed trade is priced before the plan is accepted. Three parts, all in
dollars and all exact ``Decimal``:

* commission: ``per_trade + per_share * shares`` (a fixed ticket charge plus a
  per-share charge);
* half spread: crossing half the bid-ask spread, ``notional * half_spread_bps / 10_000``;
* market impact, by the square-root law:
  ``impact = coefficient * volatility * sqrt(shares / ADV) * notional``, where
  ``volatility`` is the security's daily volatility (a fraction, ``0.02`` for 2%)
  and ``ADV`` its average daily volume in shares. A security without an ADV or a
  volatility has no impact term.

Worked example: 200 shares at $50 (notional $10,000), $1 per trade plus $0.005
per share, a 5 bps half spread, coefficient 0.1, volatility 0.02, ADV 20,000:
commission = 1 + 0.005 * 200 = $2.00; spread = 10,000 * 5 / 10,000 = $5.00;
impact = 0.1 * 0.02 * sqrt(200 / 20,000) * 10,000 = 0.002 * 0.1 * 10,000 = $2.00;
total $9.00.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from lots.numbers import ZERO, to_decimal

if TYPE_CHECKING:
    from household.model import Household

BPS = Decimal(10_000)


def _dec_map(value: Mapping[str, object] | None) -> Mapping[str, Decimal]:
    return {key: to_decimal(item) for key, item in (value or {}).items()}


@attrs.frozen
class CostModel:
    """The household's trading-cost parameters.

    Attributes:
        commission_per_trade: dollars charged per ticket (per trade of one symbol).
        commission_per_share: dollars charged per share traded.
        half_spread_bps: half the bid-ask spread per symbol, in basis points.
        default_half_spread_bps: used for symbols not in ``half_spread_bps``.
        impact_coefficient: the square-root law's coefficient (0 turns impact off).
        adv: average daily volume per symbol, in shares.
        volatility: daily volatility per symbol, as a fraction.
    """

    commission_per_trade: Decimal = attrs.field(default=ZERO, converter=to_decimal)
    commission_per_share: Decimal = attrs.field(default=ZERO, converter=to_decimal)
    half_spread_bps: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_dec_map)
    default_half_spread_bps: Decimal = attrs.field(default=ZERO, converter=to_decimal)
    impact_coefficient: Decimal = attrs.field(default=ZERO, converter=to_decimal)
    adv: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_dec_map)
    volatility: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_dec_map)

    def spread_bps(self, symbol: str) -> Decimal:
        """The half spread of ``symbol`` in basis points."""
        return self.half_spread_bps.get(symbol, self.default_half_spread_bps)


@attrs.frozen
class TradeCost:
    """The cost of one trade, by part, in dollars (unrounded)."""

    commission: Decimal = ZERO
    spread: Decimal = ZERO
    impact: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """Commission + spread + impact."""
        return self.commission + self.spread + self.impact

    def __add__(self, other: TradeCost) -> TradeCost:
        return TradeCost(
            self.commission + other.commission,
            self.spread + other.spread,
            self.impact + other.impact,
        )


def commission(model: CostModel, shares: Decimal) -> Decimal:
    """``per_trade + per_share * shares``; no trade (0 shares) costs nothing."""
    if shares == 0:
        return ZERO
    return model.commission_per_trade + model.commission_per_share * abs(shares)


def spread_cost(model: CostModel, symbol: str, notional: Decimal) -> Decimal:
    """``|notional| * half_spread_bps / 10,000``."""
    return abs(notional) * model.spread_bps(symbol) / BPS


def market_impact(model: CostModel, symbol: str, shares: Decimal, notional: Decimal) -> Decimal:
    """``coefficient * volatility * sqrt(shares / ADV) * |notional|`` (square-root law).

    Zero where the symbol has no ADV or no volatility, or the coefficient is zero.
    """
    adv = model.adv.get(symbol)
    volatility = model.volatility.get(symbol)
    if not adv or volatility is None or model.impact_coefficient == 0 or shares == 0:
        return ZERO
    participation = abs(shares) / adv
    return model.impact_coefficient * volatility * participation.sqrt() * abs(notional)


def trade_cost(model: CostModel, symbol: str, shares: Decimal, price: Decimal) -> TradeCost:
    """The cost of trading ``shares`` of ``symbol`` at ``price`` (either side).

    Args:
        model: the cost parameters.
        symbol: the security.
        shares: shares traded (the sign is ignored).
        price: the price per share.

    Returns:
        The commission, spread and impact of the trade.
    """
    notional = abs(shares) * price
    return TradeCost(
        commission=commission(model, shares),
        spread=spread_cost(model, symbol, notional),
        impact=market_impact(model, symbol, shares, notional),
    )


def total_cost(costs: Iterable[TradeCost]) -> TradeCost:
    """The sum of many trades' costs, by part."""
    result = TradeCost()
    for cost in costs:
        result = result + cost
    return result


def cost_model(household: Household) -> CostModel:
    """The cost parameters of a household file: its ``costs`` plus each security's facts.

    A security's own ``half_spread_bps`` overrides the household default; its
    ``adv`` and ``volatility`` feed the impact term (used as the file gives them).
    """
    costs = household.costs
    spreads = {
        s.symbol: s.half_spread_bps
        for s in household.securities.values()
        if s.half_spread_bps is not None
    }
    return CostModel(
        commission_per_trade=costs.commission_per_trade,
        commission_per_share=costs.commission_per_share,
        half_spread_bps=spreads,
        default_half_spread_bps=costs.half_spread_bps,
        impact_coefficient=costs.impact_coefficient,
        adv={s.symbol: s.adv for s in household.securities.values() if s.adv is not None},
        volatility={
            s.symbol: s.volatility
            for s in household.securities.values()
            if s.volatility is not None
        },
    )
