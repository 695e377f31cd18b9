"""Per-account targets from the asset-location program, in the rebalance's terms.

The location program (:mod:`location`, through
:func:`household.locating.locate_household`) places the household target
across accounts, transition-aware (it weighs the tax of selling today's taxable
lots against the after-tax growth of a better placement). The rebalance needs,
per account, the dollars per class it should hold *after pending cash flows*:
the program's per-account mix is kept and scaled to each account's managed
value (cash after flows, less the reserve, plus priced holdings). This module is
the one place that knows the program's interface; where the program fails, the
rebalance goes on with the household target in every account and says so.

Worked example: the program places an IRA's $80,000 as $60,000 bonds and
$20,000 stocks; a $4,000 contribution is pending, so the IRA's managed value is
$84,000 and its targets become $63,000 bonds and $21,000 stocks.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import TYPE_CHECKING

from lots.errors import LotsError
from lots.numbers import ZERO

if TYPE_CHECKING:
    from household.model import Household
    from household.plan import LocationResult
    from household.snapshot import Snapshot


def per_account_targets(household: Household, snapshot: Snapshot) -> LocationResult | None:
    """The location program's per-account dollars per class, or ``None`` when it fails.

    Args:
        household: the household.
        snapshot: the priced household (its managed values scale the program's mix).

    Returns:
        A :class:`household.plan.LocationResult` with ``source`` ``location_lp``;
        ``None`` where the program raised (the caller falls back and logs it).
    """
    from household.locating import locate_household
    from household.plan import LocationResult
    from location.errors import LocationError

    started = time.process_time()
    try:
        result, _ = locate_household(household, as_of=snapshot.as_of)
    except (LotsError, LocationError, KeyError, ValueError):
        return None
    seconds = time.process_time() - started
    placement = result.recommended
    targets: dict[str, dict[str, Decimal]] = {}
    for account in snapshot.accounts:
        cells = {
            cell.asset_class: cell.dollars
            for cell in placement.cells
            if cell.account_id == account.account_id and cell.asset_class in household.targets
        }
        placed = sum(cells.values(), ZERO)
        scale = account.managed / placed if placed > 0 else ZERO
        targets[account.account_id] = {k: v * scale for k, v in cells.items()}
    return LocationResult(
        targets=targets,
        source="location_lp",
        status=f"{placement.solver}: {placement.status}",
        seconds=seconds,
    )
