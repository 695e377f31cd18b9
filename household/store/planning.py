"""Plans from the store: ``household rebalance|harvest --store URL HOUSEHOLD_ID``.

The household is rebuilt from the store (policy plus the replay of its events),
planned exactly as a household file would be, and the plan is kept: its JSON
document (with ``summary.plan_id``), the SHA-256 of the household document it was
made from, the engine version, its parameters and the event number it reflects
(fills are later reconciled against it).

Only the plan's JSON document is read here (its ``summary`` and ``trades``
sections), never the planner's internals.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from household.store.store import Store

if TYPE_CHECKING:
    from household.model import Household
    from household.plan import Plan

__all__ = ["PLANNERS", "make_plan", "plan_from_store"]


def _rebalance(household: Household, as_of: dt.date) -> Plan:
    from household.plan import rebalance

    return rebalance(household, as_of)


def _harvest(household: Household, as_of: dt.date) -> Plan:
    try:
        from household.plan import harvest  # type: ignore[attr-defined]
    except ImportError:
        from household.harvest import harvest
    return harvest(household, as_of)


PLANNERS = {"rebalance": _rebalance, "harvest": _harvest}
"""Plan kind -> planner."""


def make_plan(household: Household, kind: str, as_of: dt.date) -> Plan:
    """Plan ``household`` (the same call as for a household file)."""
    return PLANNERS[kind](household, as_of)


def plan_from_store(
    store: Store, household_id: str, kind: str, as_of: dt.date | None
) -> tuple[Plan, dict[str, Any], int]:
    """Plan a stored household and keep the plan.

    Args:
        store: the store.
        household_id: the household.
        kind: ``rebalance`` or ``harvest``.
        as_of: the plan date (``None``: the policy's ``as_of``).

    Returns:
        The plan, its JSON document (``summary.plan_id`` set) and the plan id.
    """
    from lots.errors import InputError

    state = store.state(household_id)
    household = state.household()
    date = as_of or household.as_of
    if date is None:
        raise InputError("required (the stored household has no as_of)", field="--as-of")
    plan = make_plan(household, kind, date)
    document = plan.to_json_dict()
    parameters = {"kind": kind, "as_of": date.isoformat()}
    plan_id = store.save_plan(state, kind, date, document, household.to_dict(), parameters)
    return plan, document, plan_id
