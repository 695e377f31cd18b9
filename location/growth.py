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

import itertools
import operator

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


def class_fields(classes: tuple[AssetClassInput, ...]) -> np.ndarray:
    """Per class (rows): ``r, y_ord, y_q, y_ex, turnover, ftc, target, tolerance`` as floats.

    The one place the classes' numbers become floats (:func:`growth_arrays` reads the
    first six columns, the program the last two).
    """
    numbers = map(_CLASS_FIELDS, classes)
    return np.array(list(map(float, itertools.chain.from_iterable(numbers)))).reshape(
        len(classes), 8
    )


_CLASS_FIELDS = operator.attrgetter(
    "expected_return",
    "ordinary_yield",
    "qualified_yield",
    "tax_exempt_yield",
    "turnover",
    "foreign_tax_credit",
    "target",
    "tolerance",
)


def growth_arrays(
    fields: np.ndarray,
    tax: TaxRates,
    horizon_years: int,
    *,
    tax_unrealized_at_horizon: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``g`` per treatment and class, and ``a`` per class, from :func:`class_fields`.

    Returns:
        ``(g, a)``: ``g[t, k]`` with rows in :class:`Treatment` order (taxable,
        deferred, exempt), and the taxable annual rate ``a[k]``.
    """
    # Element by element in Python floats (the same operations, in the same order, as on
    # arrays, so the same numbers), the powers on arrays: a few classes, so fewer calls.
    r, y_ord, y_q, y_ex, turnover, ftc = fields[:, :6].T.tolist()
    horizon = int(horizon_years)
    t_ord, t_q, t_lt = float(tax.ordinary), float(tax.qualified), float(tax.long_term)
    p = [r_k - o - q - e for r_k, o, q, e in zip(r, y_ord, y_q, y_ex, strict=True)]
    a = [
        r_k - o * t_ord - q * t_q - t * p_k * t_lt + f
        for r_k, o, q, t, p_k, f in zip(r, y_ord, y_q, turnover, p, ftc, strict=True)
    ]
    grown = (np.array([1 + a_k for a_k in a]) ** horizon).tolist()
    taxable = grown
    if tax_unrealized_at_horizon:
        taxable = []
        for a_k, g, t, p_k in zip(a, grown, turnover, p, strict=True):
            kept = (1 - t) * p_k
            unrealized = kept * horizon if abs(a_k) < 1e-12 else kept * (g - 1) / a_k
            taxable.append(g - t_lt * unrealized)
    exempt = (np.array([1 + r_k for r_k in r]) ** horizon).tolist()
    kept_after_withdrawal = 1 - float(tax.withdrawal)
    deferred = [e * kept_after_withdrawal for e in exempt]
    return np.array([taxable, deferred, exempt]).reshape(3, len(a)), np.array(a)


def growth_table(
    classes: tuple[AssetClassInput, ...],
    tax: TaxRates,
    horizon_years: int,
    *,
    tax_unrealized_at_horizon: bool = False,
) -> dict[tuple[str, Treatment], float]:
    """``g[k, t]`` for every class and treatment (:func:`growth_factor`, on arrays)."""
    g, _ = growth_arrays(
        class_fields(classes),
        tax,
        horizon_years,
        tax_unrealized_at_horizon=tax_unrealized_at_horizon,
    )
    taxable, deferred, exempt = g.tolist()
    table: dict[tuple[str, Treatment], float] = {}
    for i, k in enumerate(classes):
        table[(k.name, Treatment.TAXABLE)] = taxable[i]
        table[(k.name, Treatment.DEFERRED)] = deferred[i]
        table[(k.name, Treatment.EXEMPT)] = exempt[i]
    return table
