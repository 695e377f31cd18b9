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

Interest exempt from state tax. Treasury interest ``y_se`` (``state_exempt_yield``) is
taxed federally but not by the state: in a taxable account at ``t_ord - t_state``.
Muni interest is free of state tax only in-state: a class with ``in_state`` false pays
``t_state`` on its ``y_ex``. So, in full::

    p = r - y_ord - y_q - y_ex - y_se
    a = r - y_ord*t_ord - y_q*t_q - y_se*(t_ord - t_state) - [not in_state]*y_ex*t_state
          - turnover*p*t_lt + ftc

(deferred and exempt accounts are unchanged: a withdrawal is taxed at ``w`` whatever
it grew from). Worked example: Treasuries with ``r = y_se = 0.04``, ``t_ord = 0.35``
of which ``t_state = 0.05``, ``H = 10``: ``a = 0.04 - 0.04 * 0.30 = 0.028``,
``g = 1.028^10 = 1.318048``, where the same yield as ordinary interest gives
``a = 0.04 - 0.04 * 0.35 = 0.026``, ``1.026^10 = 1.292628``.

After-tax basis in a deferred account (a non-deductible IRA, after-tax 401k money,
Form 8606). The basis ``B`` comes back untaxed; withdrawals are pro-rata, so when the
whole account ``V_H`` is withdrawn at the horizon the tax is ``w * (V_H - B)`` and the
after-tax value is ``V_H * (1 - w) + w * B``. Spread ``B`` over today's dollars,
``b = B / V`` per dollar (``V`` the account's value today), so one dollar of class
``k`` in that account is worth::

    g_deferred(account) = (1 + r)^H * (1 - w) + w * b

(:func:`basis_bonus` is the ``w * b``). Growth now depends on the account, not only on
its treatment. Worked example: an IRA of $100,000 with $20,000 of basis, ``w = 0.25``,
bonds at 4% for 10 years: ``b = 0.2``, ``g = 1.480244 * 0.75 + 0.25 * 0.2 = 1.160183``
against ``1.110183`` without basis. The bonus is the same for every class in the
account (the account is fully placed), so it raises the account's value by ``w * B``
without changing where classes go, except where targets count after-tax dollars.

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
    y_se = float(asset_class.state_exempt_yield)
    p = r - y_ord - y_q - float(asset_class.tax_exempt_yield)
    if y_se:
        p -= y_se
    turnover = float(asset_class.turnover)
    a = (
        r
        - y_ord * float(tax.ordinary)
        - y_q * float(tax.qualified)
        - turnover * p * float(tax.long_term)
        + float(asset_class.foreign_tax_credit)
    )
    return a - _state_terms(asset_class, tax)


def _state_terms(asset_class: AssetClassInput, tax: TaxRates) -> float:
    """The tax on state-exempt interest and on out-of-state muni interest (0 by default)."""
    state = float(tax.state)
    extra = 0.0
    y_se = float(asset_class.state_exempt_yield)
    if y_se:
        extra += y_se * (float(tax.ordinary) - state)
    if not asset_class.in_state and state:
        extra += float(asset_class.tax_exempt_yield) * state
    return extra


def basis_bonus(withdrawal: float, after_tax_basis: float, account_value: float) -> float:
    """``w * b``: what a deferred account's after-tax basis adds to each dollar's growth.

    ``b = after_tax_basis / account_value`` (0 for an empty account); see the module.

    >>> round(basis_bonus(0.25, 20_000, 100_000), 12)
    0.05
    """
    if account_value <= 0 or after_tax_basis <= 0:
        return 0.0
    return withdrawal * min(after_tax_basis / account_value, 1.0)


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
    if float(asset_class.state_exempt_yield):
        p -= float(asset_class.state_exempt_yield)
    kept = (1 - float(asset_class.turnover)) * p
    unrealized = kept * horizon if abs(a) < 1e-12 else kept * (grown - 1) / a
    return grown - float(tax.long_term) * unrealized


def class_fields(classes: tuple[AssetClassInput, ...]) -> np.ndarray:
    """Per class (rows): ``r, y_ord, y_q, y_ex, turnover, ftc, target, tolerance, y_se,
    in_state`` as floats.

    The one place the classes' numbers become floats (:func:`growth_arrays` reads
    columns 0-5 and 8-9, the program columns 6 and 7).
    """
    numbers = map(_CLASS_FIELDS, classes)
    return np.array(list(map(float, itertools.chain.from_iterable(numbers)))).reshape(
        len(classes), 10
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
    "state_exempt_yield",
    "in_state",
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
    y_se, in_state = fields[:, 8].tolist(), fields[:, 9].tolist()
    state = float(tax.state)
    # The state facts (zero by default: then the numbers are exactly as before).
    extra = [0.0] * len(r)
    for k in range(len(r)):
        if y_se[k]:
            p[k] -= y_se[k]
            extra[k] += y_se[k] * (t_ord - state)
        if not in_state[k] and state:
            extra[k] += y_ex[k] * state
    a = [
        r_k - o * t_ord - q * t_q - t * p_k * t_lt + f
        for r_k, o, q, t, p_k, f in zip(r, y_ord, y_q, turnover, p, ftc, strict=True)
    ]
    a = [a_k - x if x else a_k for a_k, x in zip(a, extra, strict=True)]
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
