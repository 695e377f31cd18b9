"""Tax-aware plans for a household: rebalance, harvest and cash, by one optimiser.

``from household.plan import rebalance, harvest, Plan`` is the public API:
``rebalance(household, as_of, **params) -> Plan`` and likewise ``harvest``
and ``cash``; the stages are the modules of this package (see
:mod:`household.plan.pipeline`).
"""

from __future__ import annotations

from household.plan.optimise import Mode, Params
from household.plan.pipeline import cash, harvest, rebalance
from household.plan.records import Plan

__all__ = ["Mode", "Params", "Plan", "cash", "harvest", "rebalance"]
