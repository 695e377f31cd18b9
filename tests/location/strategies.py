"""Hypothesis strategies for location problems (random households)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from location import AccountInput, AssetClassInput, LocationProblem, TaxRates, Treatment
from location.inputs import HoldingInput, TargetBasis


def _rate(low: str, high: str, places: int = 3) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


@st.composite
def asset_classes(draw: st.DrawFn, count: int) -> tuple[AssetClassInput, ...]:
    weights = draw(st.lists(st.integers(1, 20), min_size=count, max_size=count))
    total = sum(weights)
    targets = [Decimal(w) / Decimal(total) for w in weights]
    targets[-1] = Decimal(1) - sum(targets[:-1])
    classes = []
    for i, target in enumerate(targets):
        ordinary = draw(_rate("0", "0.05"))
        qualified = draw(_rate("0", "0.03"))
        exempt = draw(_rate("0", "0.03"))
        price = draw(_rate("-0.01", "0.08"))
        classes.append(
            AssetClassInput(
                name=f"c{i}",
                expected_return=ordinary + qualified + exempt + price,
                target=target,
                ordinary_yield=ordinary,
                qualified_yield=qualified,
                tax_exempt_yield=exempt,
                turnover=draw(_rate("0", "1", 2)),
                foreign_tax_credit=draw(_rate("0", "0.003")),
            )
        )
    return tuple(classes)


@st.composite
def households(
    draw: st.DrawFn,
    *,
    with_holdings: bool = False,
    bases: tuple[TargetBasis, ...] = (TargetBasis.PRETAX, TargetBasis.AFTERTAX),
) -> LocationProblem:
    """Households without menus or bounds (where the naive and greedy fills are feasible)."""
    n_accounts = draw(st.integers(1, 5))
    classes = draw(asset_classes(draw(st.integers(1, 6))))
    accounts = tuple(
        AccountInput(
            f"a{i}",
            draw(st.sampled_from(list(Treatment))),
            Decimal(draw(st.integers(0, 2_000_000))) / 100,
        )
        for i in range(n_accounts)
    )
    ordinary = draw(_rate("0.10", "0.50"))
    long_term = draw(_rate("0", "0.30"))
    tax = TaxRates(
        ordinary=ordinary,
        qualified=long_term,
        long_term=long_term,
        short_term=ordinary,
        withdrawal=draw(_rate("0", "0.45")),
    )
    holdings: list[HoldingInput] = []
    if with_holdings:
        for a in accounts:
            if a.treatment is not Treatment.TAXABLE:
                continue
            left = a.value
            for j in range(draw(st.integers(0, 3))):
                value = Decimal(draw(st.integers(0, int(left * 100)))) / 100
                if value <= 0:
                    continue
                left -= value
                basis = Decimal(draw(st.integers(0, int(value * 200)))) / 100
                holdings.append(
                    HoldingInput(
                        a.account_id,
                        draw(st.sampled_from(classes)).name,
                        f"L{j}",
                        value,
                        value - basis,
                        short_term=draw(st.booleans()),
                    )
                )
    return LocationProblem(
        accounts=accounts,
        classes=classes,
        tax=tax,
        horizon_years=draw(st.integers(1, 40)),
        target_basis=draw(st.sampled_from(bases)),
        tax_unrealized_at_horizon=draw(st.booleans()),
        holdings=tuple(holdings),
    )
