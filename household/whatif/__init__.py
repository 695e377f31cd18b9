"""What-if: plan a household two ways and show what changes, in numbers and in words.

    from household.whatif import compare, plan_household

    a = plan_household(load_household("household.json"), kind="rebalance")
    b = plan_household(edited_household, kind="rebalance")
    comparison = compare(a, b)
    comparison.explanation          # a few sentences
    comparison.to_frames()["metrics"]

:mod:`household.whatif.compare` measures and explains the differences;
:mod:`household.whatif.edit` edits a household document by path
(``--set tax.ordinary=0.35``); :mod:`household.whatif.html` writes the
self-contained HTML page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from household.whatif.compare import Comparison, Difference, compare
from household.whatif.edit import Edit, apply_edits, parse_edit

if TYPE_CHECKING:
    from household.model import Household

__all__ = [
    "NO_HARVEST",
    "Comparison",
    "Difference",
    "Edit",
    "apply_edits",
    "compare",
    "parse_edit",
    "plan_household",
]

NO_HARVEST = "harvest.min_loss_percent=1"
"""``--no-harvest`` as an edit: a loss must be all of a lot's basis, which no priced lot reaches."""


def plan_household(
    household: Household, *, kind: str = "rebalance", as_of: dt.date | None = None
) -> Any:
    """Plan a household (``rebalance`` or ``harvest``) on ``as_of`` (default: its own)."""
    from household.cli import BadUsage
    from household.sweep.work import SweepKind, planner

    date = as_of or household.as_of
    if date is None:
        raise BadUsage(f"--as-of: required ({household.household_id} has no as_of)")
    return planner(SweepKind(kind))(household, date)
