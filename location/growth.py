"""After-tax growth of one dollar of an asset class, per tax treatment, over the horizon.

Notation (annual fractions): ``r`` total expected return; ``y_ord``, ``y_q``, ``y_ex``
ordinary, qualified and tax-exempt yield; ``p = r - y_ord - y_q - y_ex`` price return;
``turnover`` the share of price return realised each year (long-term gains); ``ftc`` the
foreign tax credit (taxable accounts only); ``t_ord``, ``t_q``, ``t_lt`` total rates on
ordinary income, qualified dividends and long-term gains; ``w`` the withdrawal rate;
``H`` the horizon in years; ``u`` is 1 when unrealised gains are taxed at the horizon.

Taxable: each year taxes are paid from the account, so it compounds at
``a = r - y_ord*t_ord - y_q*t_q - turnover*p*t_lt + ftc``. Basis grows by reinvested
income and realised gains, so the unrealised gain per starting dollar grows by
``(1 - turnover) * p * V_t`` a year, and at the horizon is
``U = (1 - turnover) * p * ((1 + a)^H - 1) / a`` (``(1 - turnover) * p * H`` when
``a = 0``)::

    g_taxable  = (1 + a)^H - u * t_lt * U
    g_deferred = (1 + r)^H * (1 - w)
    g_exempt   = (1 + r)^H

Munis: their yield is ``y_ex``, untaxed in a taxable account, but in a deferred account
it is taxed as ordinary income on withdrawal like everything else.

Worked example (the README's, tested in ``tests/location/test_growth.py``): bonds with
``r = y_ord = 0.04``, ``t_ord = 0.30``, ``H = 10``: ``a = 0.04 - 0.04 * 0.30 = 0.028``,
``g_taxable = 1.028^10 = 1.31805``, ``g_deferred = 1.04^10 * (1 - 0.25) = 1.11018``
with ``w = 0.25``, ``g_exempt = 1.04^10 = 1.48024``.
"""

from __future__ import annotations

import numpy as np

from location.inputs import AssetClassInput, TaxRates, Treatment


def taxable_annual_rate(asset_class: AssetClassInput, tax: TaxRates) -> float:
    """``a``: the annual after-tax growth rate of the class in a taxable account."""
    r = float(asset_class.expected_return)
    y_ord = float(asset_class.ordinary_yield)
    y_q = float(asset_class.qualified_yield)
    p = r - y_ord - y_q - float(asset_class.tax_exempt_yield)
    turnover = float(asset_class.turnover)
    return (
        r
        - y_ord * float(tax.ordinary)
        - y_q * float(tax.qualified)
        - turnover * p * float(tax.long_term)
        + float(asset_class.foreign_tax_credit)
    )


def growth_factor(
    asset_class: AssetClassInput,
    treatment: Treatment,
    tax: TaxRates,
    horizon_years: int,
    *,
    tax_unrealized_at_horizon: bool = False,
) -> float:
    """After-tax dollars at the horizon from one dollar of the class today.

    Args:
        asset_class: the class's return and tax character.
        treatment: the account's tax treatment.
        tax: total marginal rates.
        horizon_years: ``H``.
        tax_unrealized_at_horizon: charge ``t_lt`` on gains unrealised at the horizon.

    Returns:
        ``g[k, t]`` as in the module docstring.
    """
    r = float(asset_class.expected_return)
    horizon = int(horizon_years)
    if treatment is Treatment.EXEMPT:
        return float((1 + r) ** horizon)
    if treatment is Treatment.DEFERRED:
        return float((1 + r) ** horizon * (1 - float(tax.withdrawal)))
    a = taxable_annual_rate(asset_class, tax)
    grown = float((1 + a) ** horizon)
    if not tax_unrealized_at_horizon:
        return grown
    p = (
        r
        - float(asset_class.ordinary_yield)
        - float(asset_class.qualified_yield)
        - float(asset_class.tax_exempt_yield)
    )
    kept = (1 - float(asset_class.turnover)) * p
    unrealized = kept * horizon if abs(a) < 1e-12 else kept * (grown - 1) / a
    return grown - float(tax.long_term) * unrealized


def growth_table(
    classes: tuple[AssetClassInput, ...],
    tax: TaxRates,
    horizon_years: int,
    *,
    tax_unrealized_at_horizon: bool = False,
) -> dict[tuple[str, Treatment], float]:
    """``g[k, t]`` for every class and treatment (:func:`growth_factor`, on arrays)."""
    fields = np.array(
        [
            [
                float(k.expected_return),
                float(k.ordinary_yield),
                float(k.qualified_yield),
                float(k.tax_exempt_yield),
                float(k.turnover),
                float(k.foreign_tax_credit),
            ]
            for k in classes
        ]
    ).reshape(len(classes), 6)
    r, y_ord, y_q, y_ex, turnover, ftc = fields.T
    horizon = int(horizon_years)
    p = r - y_ord - y_q - y_ex
    long_term = float(tax.long_term)
    a = r - y_ord * float(tax.ordinary) - y_q * float(tax.qualified) - turnover * p * long_term
    a = a + ftc
    grown = (1 + a) ** horizon
    taxable = grown
    if tax_unrealized_at_horizon:
        kept = (1 - turnover) * p
        tiny = np.abs(a) < 1e-12
        with np.errstate(divide="ignore", invalid="ignore"):
            unrealized = np.where(tiny, kept * horizon, kept * (grown - 1) / np.where(tiny, 1, a))
        taxable = grown - long_term * unrealized
    exempt = (1 + r) ** horizon
    deferred = exempt * (1 - float(tax.withdrawal))
    table: dict[tuple[str, Treatment], float] = {}
    for i, k in enumerate(classes):
        table[(k.name, Treatment.TAXABLE)] = float(taxable[i])
        table[(k.name, Treatment.DEFERRED)] = float(deferred[i])
        table[(k.name, Treatment.EXEMPT)] = float(exempt[i])
    return table
