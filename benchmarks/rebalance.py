"""Speed of one household rebalance plan, the share in HiGHS, and its value against a naive plan.

Random households (seeded, so every run plans the same ones; the one generator,
:mod:`household.sweep.synthetic`, with ``years=6, min_days=1``): 5 accounts (two
taxable, a traditional IRA, a Roth IRA, a 401k with a three-class menu), 6
asset classes with 2 to 3 symbols each, about 150 lots bought over six years at
prices from an equity-like random walk (so some lots are at a loss, most at a
gain), a contribution and a withdrawal pending, recent purchases for the
wash-sale look-back, bands, caps, a minimum trade, commissions and market
impact. For each it times :func:`household.plan.rebalance` (the whole pipeline:
snapshot, drift, exposure, the optimiser's relaxations and integer programs,
rounding, the blotter and the wash-sale replay, the checks, the diagnosis of
any refusal or inner-band note; no HTML) and the CPU time spent inside HiGHS
during it (:func:`household.plan.optimise.highs_seconds`, ``time.process_time``
around every ``Highs.run``: the same clock as the plan's), and it values the
plan and a naive plan of the same household (every account traded to target,
FIFO lots) by one valuation (:func:`value`): exact quantities, the replay's
gains, the netted tax. It also prints how far that valuation lies from the
optimiser's own objective (impact tangents, tie-breaks, float rounding).

    python benchmarks/rebalance.py                  # 30 households
    python benchmarks/rebalance.py --households 100 --lots 150
    taskset -c 0 python benchmarks/rebalance.py --households 20   # the README's figures

Times are CPU seconds of one process (``time.process_time``), after one warm-up
plan. Prints the median and 95th percentile per plan, HiGHS's share of the CPU
time, and the value gained (median and total).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from household.model import Household  # noqa: E402
from household.plan import rebalance  # noqa: E402
from household.plan.optimise import highs_seconds  # noqa: E402
from household.sweep import synthetic  # noqa: E402

AS_OF = synthetic.AS_OF


def household(seed: int, n_lots: int) -> Household:
    """One random household (deterministic for a seed): the sweep's generator, six years back."""
    return synthetic.household(seed, lots=n_lots, years=6, min_days=1, household_id=f"bench-{seed}")


def naive_plan(item: Household, plan: Any) -> Any:
    """The naive plan's exact quantities: every account traded to target on its own, FIFO lots.

    Each account is traded to the household target over the classes its menu
    offers, on its own managed value; sales first in, first out (whole shares,
    frozen holdings left alone); buys, whole shares rounded down, in the
    class's first buyable symbol on the account's menu.
    """
    from household.plan.rounding import Quantities
    from lots.records import TaxTreatment

    tickets: dict[tuple[str, str, str], Decimal] = {}
    lots: dict[tuple[str, str], Decimal] = {}
    for account in plan.snapshot.accounts:
        a = account.account_id
        household_account = item.account(a)
        offered = {k: t for k, t in item.targets.items() if household_account.offers(k)}
        weight = sum(offered.values(), Decimal(0))
        if weight == 0:
            continue
        values = account.class_values()
        for k, t in offered.items():
            delta = t / weight * account.managed - values.get(k, Decimal(0))
            symbols = [
                s
                for s in sorted(item.securities)
                if item.securities[s].asset_class == k
                and item.securities[s].price
                and not item.is_restricted(s)
                and household_account.offers_security(s, k)
            ]
            if delta > 0 and symbols:
                price = item.securities[symbols[0]].price
                shares = (delta / price).to_integral_value(rounding="ROUND_FLOOR")
                if shares > 0:
                    key = (a, symbols[0], "buy")
                    tickets[key] = tickets.get(key, Decimal(0)) + shares
            elif delta < 0:
                left = -delta
                for holding in account.holdings:
                    if holding.asset_class != k or holding.frozen or not holding.price:
                        continue
                    for lot in sorted(holding.lots, key=lambda lot: lot.purchased):
                        if left <= 0:
                            break
                        shares = min(lot.quantity, (left / holding.price).to_integral_value())
                        if shares <= 0:
                            continue
                        left -= shares * holding.price
                        key = (a, holding.symbol, "sell")
                        tickets[key] = tickets.get(key, Decimal(0)) + shares
                        if account.treatment is TaxTreatment.TAXABLE:
                            lots[(a, lot.lot_id)] = shares
    return Quantities(tickets=tickets, lots=lots)


def optimised_plan(plan: Any) -> Any:
    """The optimiser's plan's exact quantities, read back from its blotter."""
    from household.plan.rounding import Quantities

    tickets = {(t.account_id, t.symbol, t.action.value): t.quantity for t in plan.trades}
    lots = {
        (t.account_id, sold.lot.lot_id): sold.quantity
        for t in plan.trades
        if t.action.value == "sell"
        for sold in t.lots
        if sold.taxable
    }
    return Quantities(tickets=tickets, lots=lots)


def value(item: Household, plan: Any, quantities: Any) -> float:
    """The after-tax value at the horizon that a plan adds, one valuation for every plan.

    The optimiser's objective evaluated plainly on exact quantities (no
    penalties, no tie-breaks, impact at its square-root law rather than the
    optimiser's tangents)::

        sum g[a,k] x dollars bought (less sold) of k in a
        + c_a x the account's cash change (notional and commissions)
        - g_tax x (spread + impact) + embedded x gains realised
        - g_tax x added tax + v_cf x (carryforward with the plan - without)

    The gains are the replay's (:func:`household.plan.blotter.replay_plan`,
    wash sales applied), so a naive plan that washes a loss pays for it.
    """
    from household.plan import blotter, exposure
    from household.plan.costs import cost_model, trade_cost
    from household.plan.optimise import TaxTreatment, growth_by_account, neutral_growth
    from household.plan.taxfacts import tax_facts
    from lots.netting import netted_tax

    raw = growth_by_account(item)
    growth = neutral_growth(item, raw)
    costs = cost_model(item)
    facts = tax_facts(item)
    withdrawal = float(item.tax.withdrawal)
    reference = next(
        (a.account_id for a in item.accounts if a.treatment is TaxTreatment.TAXABLE),
        item.accounts[0].account_id,
    )
    g_tax = sum(float(t) * raw[(reference, k)] for k, t in item.targets.items())
    embedded = float(item.tax.long_term_total) if item.options.tax_unrealized_at_horizon else 0.0
    carry_value = float(item.tax.long_term_total)
    treatment = {a.account_id: a.treatment for a in item.accounts}
    total = 0.0
    for (a, symbol, side), shares in quantities.tickets.items():
        security = item.securities[symbol]
        price, k = security.price, security.asset_class
        c = (1 - withdrawal) if treatment[a] is TaxTreatment.DEFERRED else 1.0
        sign = 1.0 if side == "buy" else -1.0
        cost = trade_cost(costs, symbol, shares, price)
        total += (
            sign * float(shares * price) * (growth[(a, k)] - c)
            - g_tax * float(cost.spread + cost.impact)
            - c * float(cost.commission)
        )
    wash, _ = exposure.measure(item, AS_OF)
    dispositions = blotter.replay_plan(item, quantities, wash, AS_OF)
    short, long = blotter.gains(dispositions)
    lot_gain = sum(
        (d.proceeds - d.cost_basis for d in dispositions if d.reportable), start=Decimal(0)
    )
    total += embedded * float(lot_gain)
    total -= g_tax * float(facts.added(short, long))
    with_plan = netted_tax(facts.year_to_date, facts.rates, short, long)
    without = netted_tax(facts.year_to_date, facts.rates)
    carried = (with_plan.carryforward_short + with_plan.carryforward_long) - (
        without.carryforward_short + without.carryforward_long
    )
    total += carry_value * float(carried)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=30)
    parser.add_argument("--lots", type=int, default=150)
    parser.add_argument(
        "--each", action="store_true", help="also print each household's time, value and status"
    )
    args = parser.parse_args()
    households = [household(seed, args.lots) for seed in range(args.households)]
    rebalance(households[0], AS_OF)  # warm-up: imports, solver load
    totals, highs, gained, drift = [], [], [], []
    refused = 0
    for item in households:
        gc.disable()
        in_highs = highs_seconds()
        started = time.process_time()
        plan = rebalance(item, AS_OF)
        totals.append(time.process_time() - started)
        highs.append(highs_seconds() - in_highs)
        gc.enable()
        refused += plan.refused
        optimised = value(item, plan, optimised_plan(plan))
        gained.append(optimised - value(item, plan, naive_plan(item, plan)))
        # the same valuation against the optimiser's own objective (less penalties)
        terms = plan.solve.terms
        own = sum(v for name, v in terms.items() if name != "penalty")
        drift.append(abs(optimised - own))
        if args.each:
            print(
                f"{item.household_id}: {totals[-1] * 1000:.0f} ms, value {optimised:,.2f}, "
                f"gained {gained[-1]:,.2f}, {'refused' if plan.refused else 'ok'}"
            )
    median = statistics.median(totals)
    p95 = sorted(totals)[int(0.95 * (len(totals) - 1))]
    share = sum(highs) / sum(totals)
    print(
        f"{args.households} households, 5 accounts, {args.lots} lots each: "
        f"median {median * 1000:.0f} ms per plan, p95 {p95 * 1000:.0f} ms (CPU); "
        f"HiGHS {share:.0%} of the CPU time; {refused} plans refused; after-tax value at the "
        f"horizon gained against the naive plan (every account to target, FIFO), both valued "
        f"alike: median ${statistics.median(gained):,.0f}, total ${sum(gained):,.0f}; "
        f"that valuation against the optimiser's own objective: median difference "
        f"${statistics.median(drift):,.2f}, largest ${max(drift):,.2f}"
    )


if __name__ == "__main__":
    main()
