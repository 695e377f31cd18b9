"""Asset location: which asset class sits in which account, and what getting there costs.

A household holds one target allocation across accounts taxed differently. A dollar of
class ``k`` held in an account of treatment ``t`` grows, after all taxes, to ``g[k, t]``
dollars by the horizon (:mod:`location.growth`)::

    taxable:  g = (1 + a)^H - u * t_lt * (1 - turnover) * p * ((1 + a)^H - 1) / a
              a = r - y_ord * t_ord - y_q * t_q - turnover * p * t_lt + ftc
    deferred: g = (1 + r)^H * (1 - w)
    exempt:   g = (1 + r)^H

(``r`` total return, ``p = r - y_ord - y_q - y_exempt`` price return, ``u`` is 1 when
unrealised gains are taxed at the horizon, ``w`` the withdrawal rate.) The linear program
(:mod:`location.program`) chooses dollars ``x[a, k]`` to maximise
``sum x[a, k] * g[k, t(a)]`` less the tax of selling appreciated lots to get there, with
every account fully placed, every class at its household target and menus respected.

``location`` takes plain inputs (:mod:`location.inputs`) and never imports ``household``;
it works in floats inside and hands back ``Decimal`` dollars reconciled to the cent.
"""

from location.engine import Cell, LocationResult, Placement, locate
from location.errors import (
    InfeasibleLocationError,
    LocationError,
    LocationInputError,
    SolverFailedError,
)
from location.growth import growth_factor, growth_table
from location.inputs import (
    AccountInput,
    AssetClassInput,
    HoldingInput,
    LocationProblem,
    TaxRates,
    Treatment,
)

__all__ = [
    "AccountInput",
    "AssetClassInput",
    "Cell",
    "HoldingInput",
    "InfeasibleLocationError",
    "LocationError",
    "LocationInputError",
    "LocationProblem",
    "LocationResult",
    "Placement",
    "SolverFailedError",
    "TaxRates",
    "Treatment",
    "growth_factor",
    "growth_table",
    "locate",
]
