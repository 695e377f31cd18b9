"""One mixed-integer program decides every trade of a plan at once (HiGHS, in process).

Notation (all in dollars; ``p_s`` price, ``k(s)`` class of security ``s``):

* ``x_l``: shares sold of taxable lot ``l`` (each lot its own variable, so lot
  choice runs across symbols and terms); ``y_as``: shares sold of ``s`` in a
  tax-advantaged account ``a``; ``b_as``: shares bought of ``s`` in ``a``, for
  ``s`` on the account's menu (its funds, or its classes) and not restricted.
* ``V_ak = H_ak + sum_{s in k} p_s (b_as - sold_as)``: post-trade dollars per
  account and class; ``V_k = sum_a V_ak``. ``M``: the managed value before the
  plan (:mod:`household.plan.snapshot`), the one denominator.
* ``S``, ``L``: the plan's short- and long-term gains,
  ``sum_l (p - basis_l / q_l) x_l`` by the lot's term, plus the washed part of
  each loss sale (disallowed, so it counts back in).
* ``T``: the tax the plan adds this year, ``lots.netting.added_tax`` exactly:
  the netted tax is linear on each piece of :func:`lots.netting.pieces`, so the
  program is solved one piece at a time, with the piece's region as rows and
  ``T = tax_j(S, L)``, ``CF = carry_j(S, L)`` (the carryforward to next year)
  as equalities; no binaries, no big-M.

Objective (maximised), the household's after-tax value at the horizon::

    sum_ak g[a,k] V_ak + sum_a c_a cash_a - g_tax T + v_cf CF
      - g_tax (spread + impact) - lambda M z
      - P_inner * (dollars outside the inner bands) - P_hard * (other slack)

``g[a,k]`` is the after-tax growth of a dollar of class ``k`` in account
``a``'s treatment (:mod:`location.growth`); ``c_a`` what a dollar of cash is
worth at the horizon (1, or ``1 - withdrawal rate`` in a deferred account);
``g_tax`` the growth of a dollar kept in the taxable account (the target mix's
taxable growth); ``v_cf`` what a dollar of loss carried forward is worth (the
long-term rate); commissions are paid from cash, so ``c_a`` counts them.
Spread is ``|notional| * half_spread_bps / 10,000``; impact the square-root law
``coefficient * volatility * sqrt(q / ADV) * p q``, convex in ``q``, as its
chords between 0 and six breakpoints (``IMPACT_POINTS`` of the ticket's
largest quantity, rounded to whole shares where shares are whole): a
piecewise-linear upper bound, exact at the breakpoints, so that where impact
decides a ticket's size the program stops on a whole count. Each chord is a
segment column at the chord's slope, the segments adding up to the ticket's
quantity (one row a ticket); the slopes rise, so the program fills them in
order. ``z >= TE^2``,
the squared tracking error of the post-trade class weights against target
under the class covariance, as the maximum of tangent cuts over the
deviations the bands allow.

Constraints: every class within its outer band ``|V_k - t_k M| <= o_k M``
(slack only to name the shortfall when none can be met: the plan is then
refused); within its inner band where it can (slack at ``P_inner`` per
dollar, reported); each account's cash at or above its reserve on every day
to the horizon (``spendable + sells - buys - commissions >= reserve``, with the
spendable cash of :mod:`household.plan.snapshot`); restricted and no-sell
lists; menus; per-security and per-sector caps (a buy may not take a security
or sector past its cap); account class bounds; the tax budget on this year's
netted tax, year to date included (``base + T <= budget``); wash sales (a group
with a recent loss sale may not be bought; a group sold at a loss in the plan
may not be bought, a binary per group; a loss sale washed by recent buys is
charged its washed part only, a binary per group with ``min``); minimum trade
and one commission per ticket (a binary per ticket).

Solving (:func:`solve`): the relaxation is one linear program per tax piece the
plan can reach (shares, tickets and wash choices continuous), on one HiGHS
instance that only changes the pieces' row bounds (each starts from the last
basis); its bound is the best of them. The integer program then runs piece by
piece, best relaxation first, until no piece left can beat the plan found: the
whole program where there are at most ``full_mip_limit`` tickets (tiny
households solve exactly); else over the tickets the piece's relaxation opened,
in one program when that is small (``SMALL_PROGRAM``) and otherwise in stages,
on at most ``MAX_PIECES`` pieces (:func:`_integer_large`): the wash choices
alone integer (a dozen binaries: the choices that move the plan's value by
thousands; decided by a best-first branch and bound of linear programs where
they are few, :meth:`_Solver.choices`, else by HiGHS; the first piece decides
them and a later piece keeps them), then the tickets opened where that plan
trades (linear programs: a ticket is a dollar of commission), then, for the
best such coarse plans only, whole shares (:func:`_whole_shares`: only the
fractional counts rounded, in a box, widened where a band, a cash or the budget
comes up short). Every integer program has a node limit (deterministic). The
plan reports the gap between its objective and the relaxation's bound. Measured
on the benchmark's households (``benchmarks/rebalance.py``), the stages give
plans within 0.05% of the value of one integer program over tickets and wash
choices at once, at about a third of the time.

Worked example of the pieces: $10,000 of long-term gain realised so far this
year, and lots whose sale can reach ``s`` in [-500, 0] and ``l`` in
[0, 8,000] (the plan's short and long amounts). Then ``L = 10,000 + l >= 10,000``
and ``N = S + L >= 9,500``: ``SHORT_GAIN_NET`` (needs ``L <= 0``),
``LOSS_WITHIN_LIMIT`` and ``LOSS_OVER_LIMIT`` (need ``N <= 0``) are skipped
before any solve, and two linear programs remain: ``BOTH_GAINS`` (``S >= 0``,
tax ``r_s s + r_l l``) and ``LONG_GAIN_NET`` (``S <= 0``, tax ``r_l (s + l)``).

Modes are parameters of the same program: ``rebalance``; ``harvest`` (only
taxable loss lots past the harvest threshold may be sold, buys only in taxable
accounts, each account's dollars per class held within a tolerance: losses
swapped into substitutes); ``cash`` (an account with cash to place only buys,
one with cash to raise only sells, no more than it needs).
"""

from __future__ import annotations

import enum
import heapq
import math
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from household.model import Household
from household.plan.costs import CostModel
from household.plan.exposure import Exposure, group_of
from household.plan.notes import Note, NoteCode, Stage
from household.plan.snapshot import Snapshot
from household.plan.taxfacts import TaxFacts
from lots.netting import pieces
from lots.records import Lot, TaxTreatment, Term
from lots.relief import belongs_to
from lots.terms import term_of

#: Penalty per dollar of slack on constraints that must hold (outer bands, cash, budget).
HARD_PENALTY = 1000.0
#: Dollars the program keeps inside a tax budget (float error against the exact netting).
BUDGET_MARGIN = 1.0
#: A tie-break per dollar traded: of plans equal in value, the one that trades least.
TIE_BREAK = 1e-6
#: Largest gap between the tangent cuts' TE^2 and the exact one (1e-6: a TE of 0.1 point).
RISK_ACCURACY = 1e-6
#: Branch-and-bound nodes HiGHS may explore (deterministic, unlike a time limit).
MIP_MAX_NODES = 100
#: A tie-break per dollar a class ends away from its target.
TARGET_TIE_BREAK = 1e-4
#: How far below the relaxation's share count the whole-share program may sell or buy.
BOX_SLACK = 1
#: Integer columns (over the opened tickets) up to which one integer program decides all.
SMALL_PROGRAM = 60
#: Rounds of widening a whole-share box where a band, cash or budget comes up short.
WIDEN_ROUNDS = 3
#: Tax pieces whose integer programs a large plan solves, best relaxation first.
MAX_PIECES = 2
#: Wash choices up to which their program is our own branch and bound, not HiGHS's
#: (:meth:`_Solver.choices`).
BRANCH_LIMIT = 10
#: Linear programs after which that branch and bound gives the program to HiGHS.
BRANCH_NODES = 100
#: The order in which it branches on the wash choices, by the kind of their name.
_BRANCH_ORDER = {"loss": 0, "fresh": 1, "wash": 2}
#: A later tax piece keeps the first piece's wash choices (see :func:`solve`).
KEEP_WASH_CHOICES = True
#: Impact breakpoints, as fractions of a ticket's largest quantity.
IMPACT_POINTS = (0.002, 0.01, 0.04, 0.15, 0.4, 1.0)


class Mode(enum.Enum):
    """What the plan is for: the same program with different constraints."""

    REBALANCE = "rebalance"
    HARVEST = "harvest"
    CASH = "cash"


class Family(enum.Enum):
    """Constraint families the diagnosis relaxes one at a time to name what binds."""

    TAX_BUDGET = "tax budget"
    CAPS = "security and sector caps"
    NO_SELL = "no-sell list"
    RESTRICTED = "restricted list"
    WASH = "wash-sale rule"
    MENUS = "fund menus"
    BOUNDS = "account class bounds"
    CASH = "cash reserve"
    MODE = "mode"
    MIN_TRADE = "minimum trade"


@attrs.frozen
class Params:
    """Parameters of the optimiser (``rebalance(..., **params)``).

    Attributes:
        mode: rebalance, harvest or cash.
        risk_aversion: dollars of after-tax value one unit of squared tracking
            error costs per dollar managed (``None``: the household's, else 0).
        inner_penalty: what a dollar outside the inner band costs (large: the
            inner band binds whenever it can).
        harvest_tolerance: harvest mode, how far (a weight of the account) each
            account's dollars per class may move.
        threshold_rise: harvest threshold rise over the year: the household's
            minimum loss (dollars and percent) is scaled by
            ``1 + threshold_rise * day_of_year / 365``.
        carryforward_value: what a dollar of loss carried forward is worth
            (``None``: the long-term rate).
        time_limit: seconds HiGHS may spend on one solve (a safety net: the node
            limit ``MIP_MAX_NODES`` keeps results deterministic).
        mip_gap: relative gap at which HiGHS stops.
        mip_abs_gap: dollars (of after-tax value at the horizon) of gap at which HiGHS
            stops, but for the tiny programs solved whole (``full_mip_limit``): a
            harvest worth $10,000 need not be proved to the dollar (the relative gap
            alone asks for $1 there).
        full_mip_limit: with at most this many candidate tickets, the integer
            program keeps them all (else only those the relaxation opened).
        limit_order_bps: suggest a limit order where the half spread exceeds this.
    """

    mode: Mode = attrs.field(default=Mode.REBALANCE, converter=Mode)
    risk_aversion: Decimal | None = Decimal(0)
    inner_penalty: Decimal = Decimal(10)
    harvest_tolerance: Decimal = Decimal("0.005")
    threshold_rise: Decimal = Decimal(0)
    carryforward_value: Decimal | None = None
    time_limit: float = 10.0
    mip_gap: float = 1e-4
    mip_abs_gap: float = 5.0
    full_mip_limit: int = 12
    limit_order_bps: Decimal = Decimal(5)


@attrs.frozen
class LotVar:
    """A taxable lot the program may sell."""

    account_id: str
    symbol: str
    lot: Lot
    price: float
    gain_per_share: float
    term: Term
    upper: float


@attrs.frozen
class Ticket:
    """A candidate ticket: one account, security and side."""

    account_id: str
    symbol: str
    asset_class: str
    side: str  # "buy" or "sell"
    price: float
    upper: float
    taxable: bool


@attrs.frozen
class Decision:
    """The program's answer (floats; :mod:`household.plan.rounding` maps it back exactly).

    Attributes:
        tickets: per candidate ticket, the quantity.
        lots: per taxable lot sold, ``(account_id, lot_id) -> shares``.
        washed: per loss lot, shares the program charged as washed.
        tax: ``T``, the added tax the program charged.
        carryforward: ``CF``.
        objective: the integer program's objective.
        bound: the relaxation's objective (an upper bound).
        gap: ``(bound - objective) / max(1, |bound|)``.
        status: HiGHS's model status of the last solve.
        seconds: CPU time of the stage (``time.process_time``); ``highs_seconds``
            of it inside HiGHS, in the same clock.
        slack: per slack name (``outer:k+``, ``inner:k-``, ``cash:a``, ``budget``), dollars.
        terms: the objective by term.
        piece: the tax piece of the best relaxation (``None`` without lots).
        relaxed_slack: per slack name, dollars in that best relaxation
            (:func:`diagnose` compares against it).
        program: the solve's program and HiGHS relaxation instance, for
            :func:`diagnose` (not part of the value: not compared, not printed).
    """

    tickets: Mapping[tuple[str, str, str], float]
    lots: Mapping[tuple[str, str], float]
    washed: Mapping[tuple[str, str], float]
    tax: float
    carryforward: float
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    highs_seconds: float
    slack: Mapping[str, float]
    terms: Mapping[str, float]
    piece: str | None = None
    relaxed_slack: Mapping[str, float] = attrs.field(factory=dict)
    #: the solve's program and its relaxation instance (:func:`diagnose` reuses them)
    program: Any = attrs.field(default=None, eq=False, repr=False)


# --- the inputs ---------------------------------------------------------------


@attrs.frozen
class Inputs:
    """Everything the program is built from (floats), derived once per plan."""

    classes: tuple[str, ...]
    targets: Mapping[str, float]
    inner: Mapping[str, float]
    outer: Mapping[str, float]
    managed: float
    held: Mapping[tuple[str, str], float]  # (account, class) -> dollars
    held_symbol: Mapping[str, float]
    free_cash: Mapping[str, float]  # spendable - reserve
    cash_value: Mapping[str, float]
    growth: Mapping[tuple[str, str], float]
    tax_growth: float
    carry_value: float
    lots: tuple[LotVar, ...]
    tickets: tuple[Ticket, ...]
    spread: Mapping[str, float]  # per symbol, fraction of notional
    impact: Mapping[str, float]  # per symbol, f(q) = impact * q ** 1.5
    commission_per_trade: float
    commission_per_share: float
    min_trade: float
    whole: bool
    groups: Mapping[str, str]  # symbol -> group
    free_replacements: Mapping[str, float]
    blocked_groups: frozenset[str]
    sectors: Mapping[str, str]
    security_cap: float | None
    sector_cap: float | None
    bounds: Mapping[tuple[str, str], tuple[float | None, float | None]]
    tax_facts: TaxFacts
    budget: float | None
    mode: Mode
    harvest_tolerance: Mapping[tuple[str, str], float]
    cash_need: Mapping[str, float]
    risk_aversion: float
    covariance: Mapping[tuple[str, str], float]
    factors: tuple[Any, ...]
    factor_classes: tuple[str, ...]
    inner_penalty: float
    embedded: float
    margin: float
    #: per lot (index into ``lots``), the shares of ``free_replacements`` that are the
    #: lot's own purchase: never a replacement for its own sale, and none once sold
    own_replacements: Mapping[int, float] = attrs.field(factory=dict)


def _own_replacements(lots: Sequence[LotVar], exposure: Exposure) -> dict[int, float]:
    """Per taxable lot, the shares of its group's free replacements that it holds itself.

    The replay never takes the shares a sale sells, nor other shares of the
    lot's own purchase, as that sale's replacements: a lot bought 10 days ago
    and sold at a loss today is not washed by itself.
    """
    recent: dict[str, list[tuple[str, str, float]]] = {}
    for name, group in exposure.groups.items():
        for buy in group.recent_buys:
            recent.setdefault(name, []).append((buy.account_id, buy.lot_id, float(buy.quantity)))
    own: dict[int, float] = {}
    for i, var in enumerate(lots):
        shares = sum(
            quantity
            for account_id, lot_id, quantity in recent.get(exposure.group_name(var.symbol), ())
            if account_id == var.account_id
            and (belongs_to(lot_id, var.lot.lot_id) or belongs_to(var.lot.lot_id, lot_id))
        )
        if shares > 0:
            own[i] = min(shares, var.upper)
    return own


def growth_by_account(household: Household) -> dict[tuple[str, str], float]:
    """``g[a, k]``: after-tax growth at the horizon of a dollar of class ``k`` in account ``a``.

    :func:`household.locating.growth_table` (state-exempt interest, out-of-state
    munis and after-tax basis in deferred accounts included).
    """
    from household.locating import growth_table

    return dict(growth_table(household))


def _reference_account(household: Household) -> str:
    """The account whose treatment prices the class mix: the first taxable one, else the first."""
    for account in household.accounts:
        if account.treatment is TaxTreatment.TAXABLE:
            return account.account_id
    return household.accounts[0].account_id


def neutral_growth(
    household: Household, growth: Mapping[tuple[str, str], float]
) -> dict[tuple[str, str], float]:
    """``g[a,k] - g[ref,k] + sum_j t_j g[ref,j]``: the location term without return chasing.

    Taken literally, ``sum g[a,k] V_ak`` rewards holding more of the class with
    the highest expected return, so inside its bands a plan would drift every
    class toward the edge that earns more. Valuing each class at the target
    mix's growth in the reference (taxable) account plus its location advantage
    keeps what the location term is for (which account holds what, and cash
    invested rather than idle) and leaves the mix to the bands and the
    tracking-error term. Worked example: with ``g[taxable, bonds] = 1.60``,
    ``g[ira, bonds] = 1.90`` and a target mix growing 2.50 in taxable, a dollar
    of bonds is worth 2.50 in taxable and 2.80 in the IRA.
    """
    reference = _reference_account(household)
    mix = sum(
        float(household.targets.get(k, 0)) * growth[(reference, k)] for k in household.asset_classes
    )
    return {(a, k): g - growth[(reference, k)] + mix for (a, k), g in growth.items()}


def inputs_of(
    household: Household,
    snapshot: Snapshot,
    exposure: Exposure,
    costs: CostModel,
    facts: TaxFacts,
    params: Params,
) -> tuple[Inputs, tuple[Note, ...]]:
    """The program's inputs from the household, its snapshot and its exposure."""
    notes: list[Note] = []
    as_of = snapshot.as_of
    targets = {k: float(v) for k, v in household.targets.items()}
    classes = tuple(sorted(targets))
    bands = household.bands
    inner = {k: float(bands.inner_width(household.targets[k])) for k in classes}
    outer = {k: float(bands.outer_width(household.targets[k])) for k in classes}
    managed = float(snapshot.managed)
    raw_growth = growth_by_account(household)
    growth = neutral_growth(household, raw_growth)
    withdrawal = float(household.tax.withdrawal)
    cash_value = {
        a.account_id: (1.0 - withdrawal) if a.treatment is TaxTreatment.DEFERRED else 1.0
        for a in household.accounts
    }
    reference = _reference_account(household)
    tax_growth = sum(targets[k] * raw_growth[(reference, k)] for k in classes)
    embedded = (
        float(household.tax.long_term_total) if household.options.tax_unrealized_at_horizon else 0.0
    )
    carry_value = float(
        params.carryforward_value
        if params.carryforward_value is not None
        else household.tax.long_term_total
    )
    held: dict[tuple[str, str], float] = {}
    held_symbol: dict[str, float] = {}
    free_cash: dict[str, float] = {}
    lots: list[LotVar] = []
    tickets: list[Ticket] = []
    mode = params.mode
    whole = not household.constraints.fractional_shares
    no_sell = set(household.constraints.no_sell)
    harvest_min_dollars = household.harvest.min_loss_dollars
    harvest_min_percent = household.harvest.min_loss_percent
    if params.threshold_rise:
        scale = 1 + params.threshold_rise * Decimal(as_of.timetuple().tm_yday) / Decimal(365)
        harvest_min_dollars *= scale
        harvest_min_percent *= scale
    for account in snapshot.accounts:
        free_cash[account.account_id] = float(account.cash - account.reserve)
    cash_need = {a: -c for a, c in free_cash.items() if c < 0}
    for account in snapshot.accounts:
        a = account.account_id
        taxable = account.treatment is TaxTreatment.TAXABLE
        may_sell = True
        if mode is Mode.CASH and free_cash[a] >= 0:
            may_sell = False
        if mode is Mode.HARVEST and not taxable:
            may_sell = False
        for holding in account.holdings:
            if not holding.counted:
                continue
            assert holding.asset_class is not None and holding.price is not None
            k = holding.asset_class
            held[(a, k)] = held.get((a, k), 0.0) + float(holding.value)
            held_symbol[holding.symbol] = held_symbol.get(holding.symbol, 0.0) + float(
                holding.value
            )
            if holding.frozen or holding.symbol in no_sell or not may_sell:
                continue
            price = float(holding.price)
            if price <= 0:
                continue
            if taxable:
                upper_total = 0.0
                for lot in holding.lots:
                    basis_per_share = float(lot.cost_basis / lot.quantity)
                    gain = price - basis_per_share
                    if mode is Mode.HARVEST:
                        loss = (lot.basis_per_share - holding.price) * lot.quantity
                        if loss <= 0 or loss < harvest_min_dollars:
                            continue
                        if lot.cost_basis > 0 and loss / lot.cost_basis < harvest_min_percent:
                            notes.append(
                                Note(
                                    Stage.OPTIMISE,
                                    NoteCode.HARVEST_THRESHOLD,
                                    f"lot {lot.lot_id}: loss {loss:.2f} below the harvest "
                                    "threshold",
                                    a,
                                    holding.symbol,
                                )
                            )
                            continue
                    upper = math.floor(float(lot.quantity) + 1e-9) if whole else float(lot.quantity)
                    if upper <= 0:
                        continue
                    lots.append(
                        LotVar(
                            a,
                            holding.symbol,
                            lot,
                            price,
                            gain,
                            term_of(lot.acquired, as_of),
                            float(upper),
                        )
                    )
                    upper_total += upper
                if upper_total > 0:
                    tickets.append(Ticket(a, holding.symbol, k, "sell", price, upper_total, True))
            else:
                quantity = float(holding.quantity)
                upper = math.floor(quantity + 1e-9) if whole else quantity
                if upper > 0:
                    tickets.append(Ticket(a, holding.symbol, k, "sell", price, float(upper), False))
    # buys
    blocked = frozenset(g for g, e in exposure.groups.items() if e.blocked_buy)
    logged_blocked: set[str] = set()
    account_value = {a.account_id: float(a.managed + a.reserve) for a in snapshot.accounts}
    for account in household.accounts:
        a = account.account_id
        if mode is Mode.HARVEST and account.treatment is not TaxTreatment.TAXABLE:
            continue
        if mode is Mode.CASH and free_cash[a] < 0:
            continue
        for symbol in sorted(household.securities):
            security = household.securities[symbol]
            k = security.asset_class
            if k not in targets or security.price is None or security.price <= 0:
                continue
            if household.is_restricted(symbol):
                continue
            if not account.offers_security(symbol, k):
                continue
            bound = account.bounds.get(k)
            if bound is not None and bound.max_dollars == 0 and held.get((a, k), 0) == 0:
                continue
            group = group_of(household, symbol)
            if group in blocked:
                if group not in logged_blocked:
                    logged_blocked.add(group)
                    notes.append(
                        Note(
                            Stage.OPTIMISE,
                            NoteCode.BLOCKED_BUY,
                            f"{group} may not be bought: a recent loss sale would be washed",
                            symbol=group,
                        )
                    )
                continue
            price = float(security.price)
            upper = (managed + max(0.0, free_cash[a])) / price
            upper = min(upper, (account_value[a] + max(0.0, free_cash[a])) / price + 1)
            if whole:
                upper = math.floor(upper)
            if upper <= 0:
                continue
            tickets.append(Ticket(a, symbol, k, "buy", price, float(upper), False))
    spread = {}
    impact = {}
    for symbol in household.securities:
        spread[symbol] = float(costs.spread_bps(symbol)) / 10_000.0
        adv = costs.adv.get(symbol)
        volatility = costs.volatility.get(symbol)
        if adv and volatility is not None and costs.impact_coefficient:
            impact[symbol] = float(costs.impact_coefficient * volatility) / math.sqrt(float(adv))
    bounds: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for account in household.accounts:
        placeable = account_value[account.account_id] - float(
            household.cash_reserve(account.account_id)
        )
        for k, bound in account.bounds.items():
            lows = [float(v) for v in (bound.min_dollars,) if v is not None]
            highs = [float(v) for v in (bound.max_dollars,) if v is not None]
            if bound.min_weight is not None:
                lows.append(float(bound.min_weight) * placeable)
            if bound.max_weight is not None:
                highs.append(float(bound.max_weight) * placeable)
            bounds[(account.account_id, k)] = (
                max(lows) if lows else None,
                min(highs) if highs else None,
            )
    harvest_tolerance = {}
    if mode is Mode.HARVEST:
        for account in snapshot.accounts:
            for k in classes:
                prices = [
                    t.price
                    for t in tickets
                    if t.account_id == account.account_id and t.asset_class == k
                ]
                harvest_tolerance[(account.account_id, k)] = max(
                    float(params.harvest_tolerance) * account_value[account.account_id],
                    max(prices, default=0.0) + float(costs.commission_per_trade),
                )
    risk_aversion = float(
        household.risk.risk_aversion if params.risk_aversion is None else params.risk_aversion
    )
    covariance, factors = (
        _risk(household, classes, inner, outer, snapshot) if risk_aversion > 0 else ({}, ())
    )
    return (
        Inputs(
            classes=classes,
            targets=targets,
            inner=inner,
            outer=outer,
            managed=managed,
            held=held,
            held_symbol=held_symbol,
            free_cash=free_cash,
            cash_value=cash_value,
            growth=growth,
            tax_growth=tax_growth,
            carry_value=carry_value,
            lots=tuple(lots),
            tickets=tuple(tickets),
            spread=spread,
            impact=impact,
            commission_per_trade=float(costs.commission_per_trade),
            commission_per_share=float(costs.commission_per_share),
            min_trade=float(household.constraints.min_trade),
            whole=whole,
            groups={s: group_of(household, s) for s in household.securities},
            free_replacements={g: float(e.free_replacements) for g, e in exposure.groups.items()},
            own_replacements=_own_replacements(lots, exposure),
            blocked_groups=blocked,
            sectors={s.symbol: s.sector for s in household.securities.values() if s.sector},
            security_cap=_opt(household.constraints.max_security_weight),
            sector_cap=_opt(household.constraints.max_sector_weight),
            bounds=bounds,
            tax_facts=facts,
            budget=_opt(household.tax_budget),
            mode=mode,
            harvest_tolerance=harvest_tolerance,
            cash_need=cash_need,
            risk_aversion=risk_aversion,
            covariance=covariance,
            factors=factors,
            factor_classes=classes,
            inner_penalty=float(params.inner_penalty),
            embedded=embedded,
            margin=1e-7 * managed + 0.01,
        ),
        tuple(notes),
    )


def _opt(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _risk(
    household: Household,
    classes: Sequence[str],
    inner: Mapping[str, float],
    outer: Mapping[str, float],
    snapshot: Snapshot,
) -> tuple[dict[tuple[str, str], float], tuple[Any, ...]]:
    """The class covariance (the household's, else :mod:`location.risk`'s default) and its
    eigen-factors with tangent cuts over the deviations the bands allow."""
    from location.risk import Factor, covariance_matrix, tangent_cuts, tracking_factors

    risk = household.risk
    matrix = covariance_matrix(
        classes,
        covariance=risk.covariance,
        volatilities=risk.volatilities,
        correlations=risk.correlations,
    )
    values = snapshot.class_values()
    managed = float(snapshot.managed) or 1.0
    reach = [
        max(outer[k], abs(float(values.get(k, 0)) / managed - float(household.targets[k])))
        for k in classes
    ]
    factors = []
    raw = tracking_factors(matrix, accuracy=RISK_ACCURACY)
    for factor in raw:
        bound = sum(abs(v) * r for v, r in zip(factor.vector, reach, strict=True))
        cuts = tangent_cuts(factor.eigenvalue, bound, RISK_ACCURACY / max(1, len(raw)))
        factors.append(Factor(factor.eigenvalue, factor.vector, bound, cuts))
    covariance = {
        (i, j): float(matrix.matrix[matrix.index(i), matrix.index(j)])
        for i in classes
        for j in classes
    }
    return covariance, tuple(factors)


# --- the model builder ----------------------------------------------------------


class _Model:
    """Columns and rows of one program (a builder private to :func:`solve`)."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []
        # rows of the tax pieces: their bounds when their piece is active
        self.active: dict[int, tuple[float, float]] = {}
        # the arrays of lp(), made once: the model is complete before its first solve
        self._arrays: tuple[np.ndarray, ...] | None = None
        self._integral: np.ndarray | None = None
        # rows by the constraint family they belong to (what diagnose relaxes)
        self.tag: Family | None = None
        self.family_rows: dict[Family, list[int]] = {}

    def var(self, lower: float, upper: float, cost: float = 0.0, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.lower) - 1

    def row(self, terms: Mapping[int, float], lower: float, upper: float = math.inf) -> int:
        values = terms.values()
        if 0 in values:  # rare: most rows have no zero coefficient to drop
            self.rows.append(
                (
                    [i for i, v in terms.items() if v != 0],
                    [v for v in values if v != 0],
                    lower,
                    upper,
                )
            )
        else:
            self.rows.append((list(terms), list(values), lower, upper))
        if self.tag is not None:
            self.family_rows.setdefault(self.tag, []).append(len(self.rows) - 1)
        return len(self.rows) - 1

    def piece_row(self, terms: Mapping[int, float], lower: float, upper: float = math.inf) -> int:
        """A row that holds only while its tax piece is active (free otherwise)."""
        index = self.row(terms, -math.inf, math.inf)
        self.active[index] = (lower, upper)
        return index

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The model's arrays, made once (do not change them): the minimised cost (the
        value negated), column bounds, row bounds (every piece row inactive), and the
        row-wise matrix's starts, indices and values."""
        if self._arrays is None:
            starts = [0]
            index: list[int] = []
            value: list[float] = []
            for columns, values, _, _ in self.rows:
                index.extend(columns)
                value.extend(values)
                starts.append(len(index))
            self._arrays = (
                -np.asarray(self.cost, dtype=float),
                np.asarray(self.lower, dtype=float),
                np.asarray(self.upper, dtype=float),
                np.asarray([r[2] for r in self.rows], dtype=float),
                np.asarray([r[3] for r in self.rows], dtype=float),
                np.asarray(starts, dtype=np.int32),
                np.asarray(index, dtype=np.int32),
                np.asarray(value, dtype=float),
            )
        return self._arrays

    def integral(self) -> np.ndarray:
        """Which columns are integer, as booleans (made once: do not change it)."""
        if self._integral is None:
            self._integral = np.asarray(self.integer, dtype=bool)
        return self._integral

    def pass_to(
        self,
        highs: Any,
        col_bounds: tuple[np.ndarray, np.ndarray] | None = None,
        row_bounds: tuple[np.ndarray, np.ndarray] | None = None,
        integral: np.ndarray | None = None,
    ) -> None:
        """Pass the model to ``highs`` as arrays (passModel's array form: a ``HighsLp``'s
        attributes convert element by element), with these column and row bounds (else the
        model's, every piece row inactive) and integer columns (else none)."""
        import highspy

        cost, lower, upper, row_lower, row_upper, starts, index, value = self.arrays()
        col_lower, col_upper = col_bounds or (lower, upper)
        row_lower, row_upper = row_bounds or (row_lower, row_upper)
        highs.passModel(
            len(cost),
            len(row_lower),
            len(value),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            cost,
            col_lower,
            col_upper,
            row_lower,
            row_upper,
            starts,
            index,
            value,
            np.zeros(len(cost), dtype=np.int32) if integral is None else integral.astype(np.int32),
        )


class _NoAnswer(Exception):
    """A branch and bound's linear program without an answer, or its node limit reached."""


@attrs.frozen
class _Answer:
    """One solve: HiGHS's status, the column values and the (maximised) objective."""

    status: str
    values: np.ndarray
    objective: float
    feasible: bool


class _Solver:
    """HiGHS on one built program: its relaxation one tax piece at a time, then integer programs.

    The relaxations share one HiGHS instance, so each piece's linear program
    starts from the previous piece's basis (only row bounds change); every
    integer program gets a fresh instance. ``seconds`` adds up the CPU time
    spent inside ``Highs.run`` (the benchmark's clock).
    """

    def __init__(self, built: _Built, params: Params) -> None:
        self.built = built
        self.params = params
        self.seconds = 0.0
        self._relaxation: Any = None
        self._active: str | None = None
        #: the relaxation of every piece, as :func:`solve` found them (:func:`diagnose` reuses
        #: those its freed rows cannot change)
        self.relaxed: dict[str | None, _Answer] | None = None

    def _new(self) -> Any:
        from location.solvers import new_highs

        highs = new_highs()
        highs.setOptionValue("time_limit", float(self.params.time_limit))
        return highs

    def _run(self, highs: Any) -> _Answer:
        started = time.process_time()
        highs.run()
        seconds = time.process_time() - started
        self.seconds += seconds
        _HIGHS_SECONDS[0] += seconds
        status = highs.modelStatusToString(highs.getModelStatus())
        model = self.built.model
        values = np.asarray(highs.getSolution().col_value, dtype=float)
        feasible = len(values) == len(model.lower) and status in _FEASIBLE
        if not feasible:
            values = np.zeros(len(model.lower))
        # the cached cost array (minimised: the value negated), not the list (25 us a dot)
        objective = -float(np.dot(model.arrays()[0], values)) if feasible else -math.inf
        return _Answer(status, values, objective, feasible)

    def _bounds(
        self,
        piece: str | None,
        opened: frozenset[int] | None,
        box: tuple[np.ndarray, np.ndarray] | None,
    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """Fresh column and row bounds of a program: ``box`` (else the model's), the
        tickets not ``opened`` closed (``None``: all open), ``piece``'s rows active."""
        built = self.built
        _, lower, upper, row_lower, row_upper, _, _, _ = built.model.arrays()
        if box is not None:
            lower, upper = box
        col_lower = np.asarray(lower, dtype=float).copy()
        col_upper = np.asarray(upper, dtype=float).copy()
        if opened is not None:
            col_upper[_closed_columns(built, opened)] = 0.0
        row_lower, row_upper = row_lower.copy(), row_upper.copy()
        if built.pieces:
            rows, piece_lower, piece_upper = self._piece_bounds(piece)
            row_lower[rows], row_upper[rows] = piece_lower, piece_upper
        return (col_lower, col_upper), (row_lower, row_upper)

    def _piece_bounds(self, piece: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        model = self.built.model
        rows = [i for rows in self.built.pieces.values() for i in rows]
        lower = np.full(len(rows), -math.inf)
        upper = np.full(len(rows), math.inf)
        active = set(self.built.pieces.get(piece, ())) if piece is not None else set()
        for n, i in enumerate(rows):
            if i in active:
                lower[n], upper[n] = model.active[i]
        return np.asarray(rows, dtype=np.int32), lower, upper

    def relaxation(self, piece: str | None) -> _Answer:
        """The linear program with ``piece``'s rows active (shares, tickets, wash choices free)."""
        return self._run(self.relaxation_highs(piece))

    def relaxation_highs(self, piece: str | None) -> Any:
        """The relaxations' HiGHS instance, ``piece``'s rows active."""
        if self._relaxation is None:
            self._relaxation = self._new()
            self.built.model.pass_to(self._relaxation)
        highs = self._relaxation
        if self.built.pieces and piece != self._active:
            rows, lower, upper = self._piece_bounds(piece)
            highs.changeRowsBounds(len(rows), rows, lower, upper)
            self._active = piece
        return highs

    def complete(self, piece: str | None, fixed: Mapping[int, float]) -> _Answer:
        """The relaxation of ``piece`` with the ``fixed`` columns held at their values."""
        highs = self.relaxation_highs(piece)
        model = self.built.model
        index = np.asarray(sorted(fixed), dtype=np.int32)
        value = np.asarray([fixed[i] for i in sorted(fixed)], dtype=float)
        highs.changeColsBounds(len(index), index, value, value)
        answer = self._run(highs)
        lower = np.asarray([model.lower[i] for i in index], dtype=float)
        upper = np.asarray([model.upper[i] for i in index], dtype=float)
        highs.changeColsBounds(len(index), index, lower, upper)
        return answer

    def choices(
        self,
        piece: str | None,
        opened: frozenset[int],
        box: tuple[np.ndarray, np.ndarray],
        only: frozenset[int],
        cutoff: float | None = None,
        root: _Answer | None = None,
    ) -> _Answer:
        """The wash-choice program (``only`` binary, everything else continuous, ``box`` the
        column bounds, the tickets not ``opened`` closed) by a branch and bound of our own.
        ``root``: the program's linear relaxation where the caller has it (the piece's
        relaxation, whose closed tickets are empty and other choices whole): not solved again.

        :meth:`integer` with ``shares=False, only=only`` answers the same program, but a
        HiGHS integer program spends about 20 ms at its root (presolve, probing, cuts)
        however few its binaries; with at most :data:`BRANCH_LIMIT` of them, linear
        programs on one instance (started from the relaxation's basis, about 0.8 ms each)
        prove the optimum sooner. Best first: the open node of the highest bound is
        branched on a fractional binary (harvest-or-buy choices before the others,
        :data:`_BRANCH_ORDER`; the most fractional of its kind), both children solved; the
        first node whose plan is whole is the optimum, as no open node can beat it. A node is
        dropped when it cannot beat the best plan by the gap HiGHS stops at
        (``mip_abs_gap`` or ``mip_gap``, whichever is larger), or cannot beat ``cutoff``
        at all. Answers ``Infeasible`` when nothing beats ``cutoff`` (as HiGHS does with
        an objective bound). After :data:`BRANCH_NODES` linear programs, or should one end
        neither optimal nor infeasible, HiGHS's integer program answers instead.
        ``tests/household/test_plan_choices.py`` checks it against every assignment of
        the binaries and against HiGHS.
        """
        built = self.built
        columns, rows = self._bounds(piece, opened, box)
        lower, upper = columns
        highs = self._new()
        built.model.pass_to(highs, columns, rows)
        highs.setBasis(self.relaxation_highs(piece).getBasis())
        # branched in this order: a group's harvest-or-buy choice first (``loss:``, what
        # moves the plan most), then which recent loss lot is sold (``fresh:``), then how
        # many shares a sale washes (``wash:``), the most fractional of a kind first: a fifth
        # fewer linear programs than by column
        rank = {
            col: _BRANCH_ORDER.get(name.partition(":")[0], 3) for name, col in built.named.items()
        }
        binaries = np.asarray(sorted(only, key=lambda col: (rank.get(col, 3), col)), dtype=np.int32)
        kinds = [rank.get(int(col), 3) for col in binaries]
        low, high = lower[binaries], upper[binaries]
        gap_abs, gap_rel = float(self.params.mip_abs_gap), float(self.params.mip_gap)
        best: _Answer | None = None
        solved = 0

        def beaten(objective: float) -> bool:
            """Whether a node worth at most ``objective`` cannot beat what is found."""
            if best is not None:
                found = best.objective
                return objective <= found + max(gap_abs, gap_rel * max(1.0, abs(found)))
            return cutoff is not None and objective <= cutoff

        def node_lp(fixed: dict[int, float]) -> _Answer | None:
            """The node's linear program (``None``: infeasible); raises where it has no answer."""
            nonlocal solved
            solved += 1
            node_low, node_high = low.copy(), high.copy()
            for j, value in fixed.items():
                node_low[j] = node_high[j] = value
            highs.changeColsBounds(len(binaries), binaries, node_low, node_high)
            answer = self._run(highs)
            if answer.feasible:
                return answer
            if answer.status != "Infeasible":
                raise _NoAnswer(answer.status)
            return None

        # open nodes: (-bound, order made, fixed binaries, the node's linear program)
        heap: list[tuple[float, int, dict[int, float], _Answer]] = []
        try:
            if root is None:
                root = node_lp({})
            if root is not None and not beaten(root.objective):
                heap.append((-root.objective, 0, {}, root))
            while heap:
                negative, _, fixed, answer = heapq.heappop(heap)
                if beaten(-negative):
                    continue
                values = answer.values
                fractional = [
                    j
                    for j, col in enumerate(binaries)
                    if j not in fixed and 1e-7 < values[col] < 1.0 - 1e-7
                ]
                if not fractional:
                    best = answer
                    continue
                if solved + 2 > BRANCH_NODES:
                    raise _NoAnswer("node limit")
                # of the fractional choices of the first kind, the most fractional
                first = kinds[fractional[0]]
                j = min(
                    (f for f in fractional if kinds[f] == first),
                    key=lambda f: abs(values[binaries[f]] - 0.5),
                )
                for value in (0.0, 1.0):
                    child_fixed = {**fixed, j: value}
                    child = node_lp(child_fixed)
                    if child is not None and not beaten(child.objective):
                        heapq.heappush(heap, (-child.objective, solved, child_fixed, child))
        except _NoAnswer:
            return self.integer(
                piece, opened, box, shares=False, heuristics=False, only=only, cutoff=cutoff
            )
        if best is None:
            model = built.model
            return _Answer("Infeasible", np.zeros(len(model.lower)), -math.inf, False)
        return best

    def integer(
        self,
        piece: str | None,
        opened: frozenset[int] | None,
        box: tuple[np.ndarray, np.ndarray] | None = None,
        shares: bool = True,
        heuristics: bool = True,
        only: frozenset[int] | None = None,
        exact: bool = False,
        cutoff: float | None = None,
        start: _Answer | None = None,
    ) -> _Answer:
        """The integer program with ``piece`` active, over the ``opened`` tickets only
        (``None``: all); ``box`` replaces every column's bounds; ``shares=False``
        leaves share counts continuous (tickets and wash choices stay binary);
        ``only`` keeps just those columns integer (the rest continuous);
        ``exact`` proves the plan to the relative gap alone (else HiGHS also stops
        within ``mip_abs_gap`` dollars);
        ``cutoff``: only plans worth more than it are wanted (HiGHS's objective
        bound prunes the rest; where none is, HiGHS answers ``Infeasible`` or a
        plan worth no more than the cutoff);
        ``start``: a plan of this program to start from (HiGHS's incumbent);
        ``heuristics=False`` turns off HiGHS's sub-MIP heuristics (RINS, RENS,
        reduced-cost fixing: most of its time on these programs; the feasibility
        jump is off in every program)."""
        import highspy

        built, model = self.built, self.built.model
        columns, rows = self._bounds(piece, opened, box)
        integral = model.integral().copy()
        if not shares:
            share_columns = built.shares
            integral[np.fromiter(share_columns, dtype=np.int32, count=len(share_columns))] = False
        if only is not None:
            kept = np.zeros(len(integral), dtype=bool)
            kept[np.fromiter(only, dtype=np.int32, count=len(only))] = True
            integral &= kept
        highs = self._new()
        highs.setOptionValue("presolve", "on")
        highs.setOptionValue("mip_rel_gap", float(self.params.mip_gap))
        if not exact:
            highs.setOptionValue("mip_abs_gap", float(self.params.mip_abs_gap))
        # a node limit, not only a time limit: the same household gives the same plan
        highs.setOptionValue("mip_max_nodes", MIP_MAX_NODES)
        if cutoff is not None:
            highs.setOptionValue("objective_bound", -cutoff)  # HiGHS minimises -value
        # feasibility jump finds nothing the root LP's rounding and the sub-MIPs do not on
        # these programs: a third of the whole-share programs' time, a tenth of the wash
        # choices', a fifth of the programs solved whole (whose plans were no worse without it)
        highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        if not heuristics:
            highs.setOptionValue("mip_heuristic_effort", 0.0)
            highs.setOptionValue("mip_heuristic_run_rins", False)
            highs.setOptionValue("mip_heuristic_run_rens", False)
            highs.setOptionValue("mip_heuristic_run_root_reduced_cost", False)
        model.pass_to(highs, columns, rows, integral)
        if start is not None and start.feasible:
            solution = highspy.HighsSolution()
            solution.col_value = list(start.values)
            solution.value_valid = True
            highs.setSolution(solution)
        return self._run(highs)


#: CPU seconds spent inside ``Highs.run`` by this process (all solves, diagnosis included).
_HIGHS_SECONDS = [0.0]


def highs_seconds() -> float:
    """CPU seconds this process has spent inside HiGHS solves so far (the benchmark's clock)."""
    return _HIGHS_SECONDS[0]


#: HiGHS statuses whose solution is a plan (optimal, or the best found within a limit).
_FEASIBLE = frozenset(
    {
        "Optimal",
        "Empty",  # nothing to decide: no columns (a harvest with no loss lot to sell)
        "Time limit reached",
        "Iteration limit reached",
        "Solution limit reached",
    }
)


@attrs.frozen
class _Built:
    """Where the program's quantities sit among its columns."""

    model: Any
    ticket_column: Mapping[int, int]  # ticket index -> column of its quantity (buys, y sells)
    lot_column: Mapping[int, int]
    wash_column: Mapping[int, int]
    ticket_binary: Mapping[int, int]
    tax: int | None
    carry: int | None
    slack: Mapping[str, int]
    risk: int | None
    weight_terms: Mapping[str, Mapping[int, float]]  # class -> column -> dollars per unit
    named: Mapping[str, int]  # the wash binaries by name
    terms: Mapping[str, Mapping[int, float]]
    ticket_quantity: Mapping[int, Mapping[int, float]]  # ticket -> its share columns

    @property
    def shares(self) -> frozenset[int]:
        return frozenset(col for columns in self.ticket_quantity.values() for col in columns)

    pieces: Mapping[str, tuple[int, ...]]  # tax piece -> its rows (active one at a time)
    #: constraint family -> its rows (:func:`diagnose` frees them one family at a time)
    family_rows: Mapping[Family, tuple[int, ...]] = attrs.field(factory=dict)


def _build(inputs: Inputs) -> _Built:
    """The program (see the module docstring), every tax piece's rows inactive.

    Shares are integer where the household holds whole shares, tickets and wash
    choices binary; :class:`_Solver` solves it as a linear program (integrality
    off) or as the integer program, one tax piece at a time.
    """
    m = _Model()
    integer = inputs.whole
    terms: dict[str, dict[int, float]] = {
        "location": {},
        "cash": {},
        "tax": {},
        "carryforward": {},
        "spread": {},
        "impact": {},
        "risk": {},
        "penalty": {},
        "horizon_tax": {},
    }
    ticket_column: dict[int, int] = {}
    lot_column: dict[int, int] = {}
    ticket_quantity: dict[int, dict[int, float]] = {}  # ticket -> {column: 1}
    lots_of_ticket: dict[int, list[int]] = {}
    key_of = {(t.account_id, t.symbol, t.side): i for i, t in enumerate(inputs.tickets)}
    for i, lot in enumerate(inputs.lots):
        t = key_of[(lot.account_id, lot.symbol, "sell")]
        lots_of_ticket.setdefault(t, []).append(i)
    for t, ticket in enumerate(inputs.tickets):
        sign = 1.0 if ticket.side == "buy" else -1.0
        g = inputs.growth[(ticket.account_id, ticket.asset_class)]
        c = inputs.cash_value[ticket.account_id]
        per_share_location = sign * g * ticket.price
        per_share_cash = -sign * c * ticket.price - c * inputs.commission_per_share
        per_share_spread = (
            -inputs.tax_growth * inputs.spread.get(ticket.symbol, 0.0) * ticket.price
            - TIE_BREAK * ticket.price
        )
        if ticket.side == "sell" and ticket.taxable:
            columns = {}
            for i in lots_of_ticket.get(t, []):
                lot = inputs.lots[i]
                upper = lot.upper
                horizon = inputs.embedded * lot.gain_per_share
                column = m.var(
                    0.0,
                    upper,
                    per_share_location + per_share_cash + per_share_spread + horizon,
                    integer,
                )
                terms["horizon_tax"][column] = horizon
                terms["location"][column] = per_share_location
                terms["cash"][column] = per_share_cash
                terms["spread"][column] = per_share_spread
                lot_column[i] = column
                columns[column] = 1.0
            ticket_quantity[t] = columns
        else:
            upper = ticket.upper
            column = m.var(
                0.0, upper, per_share_location + per_share_cash + per_share_spread, integer
            )
            terms["location"][column] = per_share_location
            terms["cash"][column] = per_share_cash
            terms["spread"][column] = per_share_spread
            ticket_column[t] = column
            ticket_quantity[t] = {column: 1.0}
    # tickets: binaries for commission and minimum trade
    ticket_binary: dict[int, int] = {}
    need_binary = inputs.commission_per_trade > 0 or inputs.min_trade > 0
    for t, ticket in enumerate(inputs.tickets):
        if not need_binary:
            break
        upper = sum(m.upper[col] for col in ticket_quantity[t])
        if upper <= 0:
            continue
        c = inputs.cash_value[ticket.account_id]
        z = m.var(0.0, 1.0, -c * inputs.commission_per_trade, True)
        terms["cash"][z] = -c * inputs.commission_per_trade
        ticket_binary[t] = z
        row = dict(ticket_quantity[t])
        row[z] = -upper
        m.row(row, -math.inf, 0.0)
        if inputs.min_trade > 0:
            row = {col: ticket.price for col in ticket_quantity[t]}
            row[z] = -(inputs.min_trade + 0.01)
            m.tag = Family.MIN_TRADE
            m.row(row, 0.0, math.inf)
            m.tag = None
    # never buy and sell one security in one account (a round trip would dodge the minimum)
    for sell, buy in _pairs(inputs):
        if sell in ticket_binary and buy in ticket_binary:
            m.row({ticket_binary[sell]: 1.0, ticket_binary[buy]: 1.0}, -math.inf, 1.0)
    # impact: f(q) = k q^1.5 through breakpoints (whole shares where the shares are whole),
    # interpolated between them: exact at the breakpoints, where the program's optimum
    # then sits (a whole count) rather than between two tangents
    for t, ticket in enumerate(inputs.tickets):
        k = inputs.impact.get(ticket.symbol)
        upper = sum(m.upper[col] for col in ticket_quantity[t])
        if not k or upper <= 0:
            continue
        k_dollars = k * ticket.price
        points = sorted(
            {0.0}
            | {
                float(max(1, round(fraction * upper))) if integer else fraction * upper
                for fraction in IMPACT_POINTS
            }
        )
        # one segment column per pair of breakpoints, at its chord's slope: the slopes
        # rise (f is convex), so the program fills them in order and their sum is the
        # chords' interpolation of f; one row (the segments add up to the quantity)
        # where the maximum of the chords took one per chord
        row = {col: 1.0 for col in ticket_quantity[t]}
        for qa, qb in zip(points, points[1:], strict=False):
            slope = k_dollars * (qb**1.5 - qa**1.5) / (qb - qa)
            segment = m.var(0.0, qb - qa, -inputs.tax_growth * slope)
            terms["impact"][segment] = -inputs.tax_growth * slope
            row[segment] = -1.0
        m.row(row, -math.inf, 0.0)
    # dollars per class
    class_terms: dict[str, dict[int, float]] = {k: {} for k in inputs.classes}
    account_class_terms: dict[tuple[str, str], dict[int, float]] = {}
    for t, ticket in enumerate(inputs.tickets):
        sign = 1.0 if ticket.side == "buy" else -1.0
        for col in ticket_quantity[t]:
            class_terms[ticket.asset_class][col] = sign * ticket.price
            account_class_terms.setdefault((ticket.account_id, ticket.asset_class), {})[col] = (
                sign * ticket.price
            )
    slack: dict[str, int] = {}

    def slack_var(name: str, penalty: float) -> int:
        column = m.var(0.0, math.inf, -penalty)
        terms["penalty"][column] = -penalty
        slack[name] = column
        return column

    managed = inputs.managed
    if inputs.mode is not Mode.HARVEST:
        for k in inputs.classes:
            held = sum(v for (a, kk), v in inputs.held.items() if kk == k)
            target = inputs.targets[k] * managed
            row = dict(class_terms[k])
            high = slack_var(f"outer:{k}+", HARD_PENALTY)
            low = slack_var(f"outer:{k}-", HARD_PENALTY)
            margin = inputs.margin
            outer = inputs.outer[k] * managed - margin
            inner = inputs.inner[k] * managed - margin
            m.row({**row, high: -1.0}, -math.inf, target + outer - held)
            m.row({**row, low: 1.0}, target - outer - held, math.inf)
            high = slack_var(f"inner:{k}+", inputs.inner_penalty)
            low = slack_var(f"inner:{k}-", inputs.inner_penalty)
            m.row({**row, high: -1.0}, -math.inf, target + inner - held)
            m.row({**row, low: 1.0}, target - inner - held, math.inf)
            # of plans equal in value, the one nearer the target (a tie-break, not a band)
            above = slack_var(f"target:{k}+", TARGET_TIE_BREAK)
            below = slack_var(f"target:{k}-", TARGET_TIE_BREAK)
            m.row({**row, above: -1.0, below: 1.0}, target - held, target - held)
    else:
        for (a, k), tolerance in inputs.harvest_tolerance.items():
            row = account_class_terms.get((a, k))
            if row:
                m.row(row, -tolerance, tolerance)
                # of plans equal in value, the one that moves each account's classes least
                above = slack_var(f"target:{a}:{k}+", TARGET_TIE_BREAK)
                below = slack_var(f"target:{a}:{k}-", TARGET_TIE_BREAK)
                m.row({**row, above: -1.0, below: 1.0}, 0.0, 0.0)
    # cash by day: spendable + sells - buys - commissions >= reserve
    for a, free in inputs.free_cash.items():
        row = {}
        for t, ticket in enumerate(inputs.tickets):
            if ticket.account_id != a:
                continue
            sign = 1.0 if ticket.side == "buy" else -1.0
            for col in ticket_quantity[t]:
                row[col] = -sign * ticket.price - inputs.commission_per_share
            if t in ticket_binary:
                row[ticket_binary[t]] = -inputs.commission_per_trade
        if not row:
            continue
        short = slack_var(f"cash:{a}", HARD_PENALTY)
        row[short] = 1.0
        m.tag = Family.CASH
        # spend at most the cash above the reserve (free >= 0), or raise what is missing
        m.row(row, -free, math.inf)
        if inputs.mode is Mode.CASH and free < 0:
            top = max((t.price for t in inputs.tickets if t.account_id == a), default=0.0)
            m.row({c: v for c, v in row.items() if c != short}, -math.inf, -free + top + 1.0)
        m.tag = None
    # caps: a buy may not take a security or a sector past its cap
    m.tag = Family.CAPS
    for symbol in sorted({t.symbol for t in inputs.tickets if t.side == "buy"}):
        if inputs.security_cap is None:
            break
        row = {}
        for t, ticket in enumerate(inputs.tickets):
            if ticket.symbol == symbol:
                sign = 1.0 if ticket.side == "buy" else -1.0
                for col in ticket_quantity[t]:
                    row[col] = sign * ticket.price
        held = inputs.held_symbol.get(symbol, 0.0)
        m.row(row, -math.inf, max(inputs.security_cap * managed, held) - held)
    if inputs.sector_cap is not None:
        bought = {inputs.sectors.get(t.symbol) for t in inputs.tickets if t.side == "buy"}
        for sector in sorted(s for s in bought if s):
            row = {}
            for t, ticket in enumerate(inputs.tickets):
                if inputs.sectors.get(ticket.symbol) == sector:
                    sign = 1.0 if ticket.side == "buy" else -1.0
                    for col in ticket_quantity[t]:
                        row[col] = sign * ticket.price
            held = sum(v for s, v in inputs.held_symbol.items() if inputs.sectors.get(s) == sector)
            m.row(row, -math.inf, max(inputs.sector_cap * managed, held) - held)
    # account class bounds
    m.tag = Family.BOUNDS
    for (a, k), (low, high) in inputs.bounds.items():
        row = account_class_terms.get((a, k))
        if not row:
            continue
        held = inputs.held.get((a, k), 0.0)
        lower = -math.inf if low is None else min(low, held) - held
        upper = math.inf if high is None else max(high, held) - held
        m.row(row, lower, upper)
    # wash sales
    named: dict[str, int] = {}
    wash_column: dict[int, int] = {}
    loss_lots_of_group: dict[str, list[int]] = {}
    for i, lot in enumerate(inputs.lots):
        if lot.gain_per_share < 0:
            loss_lots_of_group.setdefault(inputs.groups.get(lot.symbol, lot.symbol), []).append(i)
    m.tag = Family.WASH
    for group, members in sorted(loss_lots_of_group.items()):
        buys = [
            t
            for t, ticket in enumerate(inputs.tickets)
            if ticket.side == "buy" and inputs.groups.get(ticket.symbol) == group
        ]
        if buys:
            u = m.var(0.0, 1.0, 0.0, True)
            named[f"loss:{group}"] = u
            for i in members:
                m.row({lot_column[i]: 1.0, u: -m.upper[lot_column[i]]}, -math.inf, 0.0)
            for t in buys:
                column = ticket_column[t]
                m.row({column: 1.0, u: m.upper[column]}, -math.inf, m.upper[column])
        free = inputs.free_replacements.get(group, 0.0)
        if free > 0:
            _wash_rows(m, inputs, group, members, free, lot_column, wash_column, named)
    m.tag = None
    # tax: the pieces of lots.netting
    tax_column: int | None = None
    carry_column: int | None = None
    short_row: dict[int, float] = {}
    long_row: dict[int, float] = {}
    s_low = s_high = l_low = l_high = 0.0
    for i, lot in enumerate(inputs.lots):
        column = lot_column[i]
        target_row = short_row if lot.term is Term.SHORT else long_row
        target_row[column] = target_row.get(column, 0.0) + lot.gain_per_share
        reach = lot.gain_per_share * m.upper[column]
        if lot.term is Term.SHORT:
            s_low, s_high = s_low + min(0.0, reach), s_high + max(0.0, reach)
        else:
            l_low, l_high = l_low + min(0.0, reach), l_high + max(0.0, reach)
        if i in wash_column:
            target_row[wash_column[i]] = -lot.gain_per_share  # the washed loss counts back
    piece_rows: dict[str, tuple[int, ...]] = {}
    if inputs.lots:
        facts = inputs.tax_facts
        tax_pieces = pieces(facts.year_to_date, facts.rates)

        def reach(form: Any, sign: float) -> float:
            """max over the box of sign * form."""
            cs, cl, c0 = float(form.short), float(form.long), float(form.constant)
            return (
                sign * c0
                + max(sign * cs * s_low, sign * cs * s_high)
                + max(sign * cl * l_low, sign * cl * l_high)
            )

        t_low = min(-reach(p.tax, -1.0) for p in tax_pieces)
        t_high = max(reach(p.tax, 1.0) for p in tax_pieces)
        tax_column = m.var(t_low - 1.0, t_high + 1.0, -inputs.tax_growth)
        terms["tax"][tax_column] = -inputs.tax_growth
        carry_high = max(max(reach(p.carryforward, 1.0) for p in tax_pieces), 0.0)
        carry_column = m.var(-1.0, carry_high + 1.0, inputs.carry_value)
        terms["carryforward"][carry_column] = inputs.carry_value
        # one piece at a time (the solver activates its rows): its region, and
        # T and CF equal to the piece's linear forms, so T is the exact added tax
        for p in tax_pieces:
            if any(reach(form, 1.0) < -1e-9 for form in p.constraints):
                continue  # the region misses the box of reachable (S, L)
            rows = []
            for form in p.constraints:
                rows.append(m.piece_row(_linear(form, short_row, long_row), -float(form.constant)))
            row = {col: -v for col, v in _linear(p.tax, short_row, long_row).items()}
            row[tax_column] = row.get(tax_column, 0.0) + 1.0
            rows.append(m.piece_row(row, float(p.tax.constant), float(p.tax.constant)))
            row = {col: -v for col, v in _linear(p.carryforward, short_row, long_row).items()}
            row[carry_column] = row.get(carry_column, 0.0) + 1.0
            constant = float(p.carryforward.constant)
            rows.append(m.piece_row(row, constant, constant))
            piece_rows[p.piece.value] = tuple(rows)
        if inputs.budget is not None:
            base = float(facts.base_tax)
            over = slack_var("budget", HARD_PENALTY)
            # a dollar inside the budget: the exact netted tax of the whole-share plan may lie a
            # few cents from the program's floats (the check compares the exact one)
            m.tag = Family.TAX_BUDGET
            m.row({tax_column: 1.0, over: -1.0}, -math.inf, inputs.budget - base - BUDGET_MARGIN)
            m.tag = None
    # risk: z >= TE^2 = sum_i lambda_i (v_i . d)^2 over the covariance's eigen-factors
    # (location.risk), each square below the maximum of its tangents
    risk_column: int | None = None
    if inputs.risk_aversion > 0 and inputs.factors:
        weight = inputs.risk_aversion * managed
        risk_column = m.var(0.0, math.inf, -weight)
        terms["risk"][risk_column] = -weight
        total = {risk_column: 1.0}
        for factor in inputs.factors:
            t_i = m.var(-math.inf, math.inf)
            total[t_i] = -1.0
            # z_i = sum_k v_ik d_k, d_k = (held_k + class terms) / M - t_k
            base = 0.0
            z_terms: dict[int, float] = {}
            for index, k in enumerate(inputs.factor_classes):
                v = factor.vector[index]
                held_k = sum(val for (a, kk), val in inputs.held.items() if kk == k)
                base += v * (held_k / managed - inputs.targets.get(k, 0.0))
                for col, dollars in class_terms.get(k, {}).items():
                    z_terms[col] = z_terms.get(col, 0.0) + v * dollars / managed
            for cut in factor.cuts:
                row = {col: -cut.slope * value for col, value in z_terms.items()}
                row[t_i] = 1.0
                m.row(row, cut.slope * base + cut.intercept, math.inf)
        m.row(total, 0.0, math.inf)
    return _Built(
        model=m,
        ticket_column=ticket_column,
        lot_column=lot_column,
        wash_column=wash_column,
        ticket_binary=ticket_binary,
        tax=tax_column,
        carry=carry_column,
        slack=slack,
        risk=risk_column,
        weight_terms=class_terms,
        named=named,
        terms=terms,
        ticket_quantity=ticket_quantity,
        pieces=piece_rows,
        family_rows={family: tuple(rows) for family, rows in m.family_rows.items()},
    )


def _linear(form: Any, short_row: Mapping[int, float], long_row: Mapping[int, float]) -> dict:
    """The columns of ``form.short * S + form.long * L`` (its constant left out)."""
    row: dict[int, float] = {}
    cs, cl = float(form.short), float(form.long)
    for col, v in short_row.items():
        row[col] = row.get(col, 0.0) + cs * v
    for col, v in long_row.items():
        row[col] = row.get(col, 0.0) + cl * v
    return row


def _relaxations(solver: _Solver) -> dict[str | None, _Answer]:
    """The relaxation of every tax piece the plan can reach (one ``None`` without lots)."""
    names: list[str | None] = list(solver.built.pieces) or [None]
    return {name: solver.relaxation(name) for name in names}


def _best(answers: Mapping[str | None, _Answer]) -> list[str | None]:
    """The feasible pieces, best relaxation first (ties in the pieces' order)."""
    feasible = [name for name, answer in answers.items() if answer.feasible]
    return sorted(feasible, key=lambda name: -answers[name].objective)


def _integral(built: _Built, values: np.ndarray) -> bool:
    integer = built.model.integer
    return all(
        abs(value - round(value)) <= 1e-7
        for value, flag in zip(values, integer, strict=True)
        if flag
    )


def _opened(built: _Built, inputs: Inputs, values: np.ndarray) -> frozenset[int]:
    return frozenset(
        t for t in range(len(inputs.tickets)) if _ticket_quantity(built, inputs, t, values) > 1e-7
    )


def _box(
    built: _Built,
    values: np.ndarray,
    fixed: Mapping[int, float],
    *,
    keep_whole: bool = False,
    widen: Mapping[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds for the whole-share program around a plan with fractional shares.

    The ``fixed`` columns (ticket and wash binaries) keep their values; a share
    count ``v > 0`` may become any whole number from ``floor(v) - BOX_SLACK``
    to ``ceil(v)`` (the slack lets the rounding give back a share where a
    budget or a band binds), a zero stays zero. With ``keep_whole``, a share
    count that is already whole keeps its value (only the fractional ones are
    rounded: a much smaller program), except the ``widen`` columns, which may
    move a share the way given (+1 up, -1 down, 0 either).
    """
    model = built.model
    lower = np.asarray(model.lower, dtype=float).copy()
    upper = np.asarray(model.upper, dtype=float).copy()
    for col, v in fixed.items():
        lower[col] = upper[col] = v
    for col in built.shares:
        if model.integer[col]:
            value = float(values[col])
            if keep_whole and abs(value - round(value)) <= 1e-7:
                whole = float(round(value))
                way = widen.get(col) if widen is not None and whole > 0 else None
                if way is not None:
                    lower[col] = max(model.lower[col], whole - (BOX_SLACK if way <= 0 else 0))
                    upper[col] = min(model.upper[col], whole + (BOX_SLACK if way >= 0 else 0))
                else:
                    lower[col] = upper[col] = whole
                continue
            low = math.floor(value + 1e-7) - (BOX_SLACK if value > 1e-7 else 0)
            lower[col] = max(model.lower[col], low)
            upper[col] = min(model.upper[col], math.ceil(value - 1e-7))
    return lower, upper


def _short_of(
    built: _Built,
    inputs: Inputs,
    before: _Answer,
    after: _Answer,
    found: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """The share columns that can mend the slacks ``after`` uses and ``before`` did not,
    each with the way it mends them (+1 up, -1 down, 0 either), added to ``found``
    (the ways of earlier rounds: a column two shortfalls pull apart may go either way).

    A class above its band: its buys down, its sales up (below: the other way);
    an account short of cash: its buys down, its sales up; the budget: the lots'
    sales either way.
    """
    ways: dict[int, int] = dict(found or {})

    def add(col: int, way: int) -> None:
        ways[col] = way if ways.get(col, way) == way else 0

    for name, col in built.slack.items():
        if name.startswith("target:") or after.values[col] <= before.values[col] + 1e-6:
            continue
        kind, _, rest = name.partition(":")
        if kind in ("inner", "outer"):
            down = rest.endswith("+")
            for column, dollars in built.weight_terms.get(rest[:-1], {}).items():
                add(column, (-1 if dollars > 0 else 1) * (1 if down else -1))
        elif kind == "cash":
            for t, ticket in enumerate(inputs.tickets):
                if ticket.account_id == rest:
                    for column in built.ticket_quantity[t]:
                        add(column, -1 if ticket.side == "buy" else 1)
        else:
            for column in built.lot_column.values():
                add(column, 0)
    return ways


def _slack_used(built: _Built, answer: _Answer, *, hard: bool = False) -> float:
    """Dollars of band, cash and budget slack in ``answer`` (the targets' tie-break left
    out; with ``hard``, the inner bands too: what would refuse the plan)."""
    skip = ("target:", "inner:") if hard else ("target:",)
    return float(
        sum(answer.values[col] for name, col in built.slack.items() if not name.startswith(skip))
    )


def _pairs(inputs: Inputs) -> list[tuple[int, int]]:
    """(sell, buy) ticket pairs of one security in one account (never both in a plan)."""
    key_of = {(t.account_id, t.symbol, t.side): i for i, t in enumerate(inputs.tickets)}
    return [
        (i, key_of[(t.account_id, t.symbol, "buy")])
        for i, t in enumerate(inputs.tickets)
        if t.side == "sell" and (t.account_id, t.symbol, "buy") in key_of
    ]


def _tickets_fixed(
    solver: _Solver, inputs: Inputs, piece: str | None, answer: _Answer, fixed: dict[int, float]
) -> _Answer:
    """The linear program with the ticket binaries fixed from ``answer``'s quantities.

    A ticket is open where ``answer`` trades it (of a sell and a buy of one
    security in one account, the larger only); the tickets that ``answer``
    trades under the minimum are tried closed as well (they would have to
    grow to it), and the better plan kept; an open ticket the program then
    leaves empty is closed (it would pay a commission for nothing).
    """
    built = solver.built
    quantity = {t: _ticket_quantity(built, inputs, t, answer.values) for t in built.ticket_binary}
    for t, z in built.ticket_binary.items():
        fixed[z] = 1.0 if quantity[t] > 1e-7 else 0.0
    binary = built.ticket_binary
    for sell, buy in _pairs(inputs):
        if sell in binary and buy in binary and fixed[binary[sell]] and fixed[binary[buy]]:
            smaller = buy if quantity[sell] >= quantity[buy] else sell
            fixed[binary[smaller]] = 0.0
    small = [
        z
        for t, z in built.ticket_binary.items()
        if fixed[z] and quantity[t] * inputs.tickets[t].price < inputs.min_trade + 0.01 - 1e-7
    ]
    found = solver.complete(piece, fixed)
    if small:
        closed = {**fixed, **{z: 0.0 for z in small}}
        other = solver.complete(piece, closed)
        if other.feasible and (not found.feasible or other.objective > found.objective):
            found = other
            fixed.update(closed)
    for _ in range(3):
        if not found.feasible:
            break
        empty = [
            z
            for t, z in built.ticket_binary.items()
            if fixed[z] and _ticket_quantity(built, inputs, t, found.values) <= 1e-7
        ]
        if not empty:
            break
        fixed.update({z: 0.0 for z in empty})
        found = solver.complete(piece, fixed)
    return found


def _integer_large(
    solver: _Solver,
    inputs: Inputs,
    piece: str | None,
    relaxation: _Answer,
    choices: Mapping[int, float] | None = None,
    cutoff: float | None = None,
) -> tuple[_Answer, frozenset[int] | None]:
    """A large plan's integer program on one tax piece, but for its whole shares.

    Over the tickets the relaxation opened (one integer program when they have
    at most ``SMALL_PROGRAM`` integer columns: the answer is final):

    1. the wash choices the relaxation leaves fractional integer (the others
       kept as the relaxation makes them), tickets and share counts continuous;
    2. those fixed, the tickets opened where that plan trades
       (:func:`_tickets_fixed`): a linear program.

    ``choices`` (wash column -> 0 or 1) replaces step 1: the first piece's wash
    choices (:func:`solve`; where they leave this piece no plan, step 1 runs).
    Falls back to tickets and wash choices binary together where that has no
    plan. ``cutoff``: the value of the best plan found so far; a wash-choice
    program with no plan worth more ends the piece (an infeasible answer),
    without the fallbacks. Returns the answer and, when its share counts still need rounding
    (:func:`_whole_shares`), the opened tickets (``None``: final).
    """
    built = solver.built
    opened = _opened(built, inputs, relaxation.values)
    columns = sum(len(built.ticket_quantity[t]) + (t in built.ticket_binary) for t in opened) + len(
        built.named
    )
    if columns <= SMALL_PROGRAM:
        return solver.integer(piece, opened, cutoff=cutoff), None
    named = frozenset(built.named.values())
    # the wash choices the relaxation already makes (0 or 1) are kept, the others decided
    values = relaxation.values
    undecided = frozenset(col for col in named if 1e-7 < values[col] < 1.0 - 1e-7)
    wash = _with_choices(solver, piece, opened, choices) if choices is not None else None
    if wash is not None and wash.feasible:
        pass  # another piece's choices: nothing to decide
    elif not undecided:
        wash = relaxation
    else:
        lower = np.asarray(built.model.lower, dtype=float).copy()
        upper = np.asarray(built.model.upper, dtype=float).copy()
        for col in named - undecided:
            lower[col] = upper[col] = float(round(values[col]))
        box = (lower, upper)
        if len(undecided) <= BRANCH_LIMIT:
            wash = solver.choices(piece, opened, box, undecided, cutoff=cutoff, root=relaxation)
        else:
            wash = solver.integer(
                piece, opened, box, shares=False, heuristics=False, only=undecided, cutoff=cutoff
            )
        if cutoff is not None and wash.status == "Infeasible":
            return wash, None  # no plan of these wash choices beats the one found
        if not wash.feasible:
            wash = solver.integer(piece, opened, shares=False, heuristics=False, only=named)
    coarse = None
    if wash.feasible:
        fixed = {col: float(round(wash.values[col])) for col in named}
        coarse = _tickets_fixed(solver, inputs, piece, wash, fixed)
    if coarse is None or not coarse.feasible:
        coarse = solver.integer(piece, opened, shares=False, heuristics=False)
    if not coarse.feasible or not inputs.whole or _integral(built, coarse.values):
        return coarse, None
    return coarse, opened


def _with_choices(
    solver: _Solver, piece: str | None, opened: frozenset[int], choices: Mapping[int, float]
) -> _Answer:
    """The linear program over the ``opened`` tickets with the wash ``choices`` fixed."""
    closed = {col: 0.0 for col in _closed_columns(solver.built, opened)}
    return solver.complete(piece, {**closed, **choices})


def _closed_columns(built: _Built, opened: frozenset[int]) -> list[int]:
    """The columns of the tickets not ``opened``: their share counts and binaries."""
    return [
        col
        for t, columns in built.ticket_quantity.items()
        if t not in opened
        for col in [*columns, *([built.ticket_binary[t]] if t in built.ticket_binary else [])]
    ]


def _whole_shares(
    solver: _Solver,
    piece: str | None,
    opened: frozenset[int],
    coarse: _Answer,
    inputs: Inputs,
    cutoff: float | None = None,
) -> _Answer:
    """Whole share counts for a coarse plan (binaries fixed, shares fractional).

    Only the fractional share counts are rounded, in a box (:func:`_box`; the
    whole ones kept); where that leaves a band, a cash or the budget short,
    their whole counts may move a share too; where an outer band, a cash or
    the budget is still short, every count may give back a share; where that
    has no plan, the whole program over the opened tickets. ``cutoff``: the
    best plan of the pieces before (the widened, the wider and the whole
    programs look only for plans worth more).
    """
    built = solver.built
    shares = built.shares
    binaries = {
        col: float(round(coarse.values[col]))
        for col, flag in enumerate(built.model.integer)
        if flag and col not in shares
    }
    found = solver.integer(
        piece, opened, _box(built, coarse.values, binaries, keep_whole=True), heuristics=False
    )
    widen: dict[int, int] = {}
    last = found
    allowed = _slack_used(built, coarse) + 1e-6
    for _ in range(WIDEN_ROUNDS):
        if not last.feasible or _slack_used(built, last) <= allowed:
            break
        # what the last rounding left short, with what the rounds before it did
        grown = _short_of(built, inputs, coarse, last, widen)
        if grown == widen:
            break
        widen = grown
        box = _box(built, coarse.values, binaries, keep_whole=True, widen=widen)
        # the box holds the last one: its best plan starts the search
        last = solver.integer(piece, opened, box, heuristics=False, start=found, cutoff=cutoff)
        if last.feasible and last.objective > found.objective:
            found = last
    if (
        not found.feasible
        or _slack_used(built, found, hard=True) > _slack_used(built, coarse, hard=True) + 1e-6
    ):
        box = _box(built, coarse.values, binaries)
        wider = solver.integer(piece, opened, box, heuristics=False, start=found, cutoff=cutoff)
        if wider.feasible and (not found.feasible or wider.objective > found.objective):
            found = wider
    if not found.feasible:
        found = solver.integer(piece, opened, heuristics=False, cutoff=cutoff)
    return found


def solve(inputs: Inputs, params: Params) -> tuple[Decision, tuple[Note, ...]]:
    """Solve the plan's program: each tax piece's relaxation, then integer programs; see the module.

    The netted tax is linear on each of its pieces (:func:`lots.netting.pieces`),
    so the relaxation is one linear program per piece the plan can reach, and
    its bound the best of them. The integer program is then solved piece by
    piece, best relaxation first, until no piece left can beat the best plan
    found (its relaxation is an upper bound on its plans).
    """
    started = time.process_time()
    notes: list[Note] = []
    built = _build(inputs)
    solver = _Solver(built, params)
    relaxations = _relaxations(solver)
    solver.relaxed = dict(relaxations)
    order = _best(relaxations)
    if not order:
        status = next(iter(relaxations.values())).status
        notes.append(
            Note(Stage.OPTIMISE, NoteCode.SOLVER_STATUS, f"relaxation: HiGHS status {status}")
        )
        order = [next(iter(relaxations))]
    bound = relaxations[order[0]].objective
    answer: _Answer | None = None
    # the best coarse plan (binaries decided, shares fractional) found: a later piece whose
    # relaxation cannot beat it is not solved (as in the earlier rounds: the whole-share
    # plans of two pieces are not bounds of each other)
    best_coarse: _Answer | None = None
    exact = len(inputs.tickets) <= params.full_mip_limit
    named = sorted(built.named.values())
    # the wash choices the first large piece's integer program decided (a later piece keeps them)
    first_choices: dict[int, float] | None = None

    def good_enough(objective: float, than: _Answer | None) -> bool:
        return than is not None and objective <= than.objective + params.mip_gap * max(
            1.0, abs(than.objective)
        )

    def report(piece: str | None, found: _Answer) -> None:
        if found.status not in ("Optimal", "Empty"):
            notes.append(
                Note(
                    Stage.OPTIMISE,
                    NoteCode.SOLVER_STATUS,
                    f"integer program ({piece or 'no tax'}): HiGHS {found.status}",
                )
            )

    for count, piece in enumerate(order):
        relaxation = relaxations[piece]
        if good_enough(relaxation.objective, answer) or good_enough(
            relaxation.objective, best_coarse
        ):
            break  # no plan on this piece, or a later one, beats one found
        if not exact and count >= MAX_PIECES:
            break
        opened: frozenset[int] | None = None
        cutoff: float | None = None
        if _integral(built, relaxation.values):
            found = relaxation
        elif exact:
            found = solver.integer(piece, None, exact=True)
        else:
            # a later piece keeps the wash choices the first piece's integer program made
            # (harvest a group's loss or buy it): they hang on the lots and the buys far
            # more than on which netting piece is active. Deciding them again took a
            # third of a rebalance's time where it ran, and over 300 households whose
            # plans solved two pieces it never gave a better plan (tests/household/
            # test_plan_large.py: households where it chooses otherwise, the same plans)
            choices = first_choices if KEEP_WASH_CHOICES else None
            if answer is not None:
                cutoff = answer.objective
            found, opened = _integer_large(solver, inputs, piece, relaxation, choices, cutoff)
            if found.feasible and first_choices is None:
                first_choices = {col: float(round(found.values[col])) for col in named}
        if found.status != "Infeasible" or cutoff is None:
            report(piece, found)
        if not found.feasible:
            continue
        if opened is not None:  # a coarse plan: whole shares, if it can beat the plan found
            if best_coarse is None or found.objective > best_coarse.objective:
                best_coarse = found
            if good_enough(found.objective, answer):
                continue
            found = _whole_shares(
                solver, piece, opened, found, inputs, answer.objective if answer else None
            )
            report(piece, found)
        if found.feasible and (answer is None or found.objective > answer.objective):
            answer = found
    if answer is None:
        answer = relaxations[order[0]]
    values, objective = answer.values, answer.objective
    gap = max(0.0, bound - objective) / max(1.0, abs(bound))
    if gap > 1e-6:
        notes.append(
            Note(
                Stage.OPTIMISE,
                NoteCode.MIP_GAP,
                f"the integer plan is {gap:.6f} (relative) below the relaxation's bound "
                f"({bound - objective:.2f} dollars of after-tax value)",
            )
        )
    tickets = {
        (t.account_id, t.symbol, t.side): _ticket_quantity(built, inputs, i, values)
        for i, t in enumerate(inputs.tickets)
    }
    lots = {
        (lot.account_id, lot.lot.lot_id): float(values[built.lot_column[i]])
        for i, lot in enumerate(inputs.lots)
    }
    washed = {
        (inputs.lots[i].account_id, inputs.lots[i].lot.lot_id): float(values[col])
        for i, col in built.wash_column.items()
    }
    term_values = {
        name: float(sum(values[col] * v for col, v in columns.items()))
        for name, columns in built.terms.items()
    }
    decision = Decision(
        tickets=tickets,
        lots=lots,
        washed=washed,
        tax=float(values[built.tax]) if built.tax is not None else 0.0,
        carryforward=float(values[built.carry]) if built.carry is not None else 0.0,
        objective=objective,
        bound=bound,
        gap=gap,
        status=answer.status,
        seconds=time.process_time() - started,
        highs_seconds=solver.seconds,
        slack={name: float(values[col]) for name, col in built.slack.items()},
        terms=term_values,
        piece=order[0],
        relaxed_slack={
            name: float(relaxations[order[0]].values[col]) for name, col in built.slack.items()
        },
        program=solver,
    )
    return decision, tuple(notes)


def _ticket_quantity(built: _Built, inputs: Inputs, t: int, values: np.ndarray) -> float:
    return float(sum(values[col] for col in built.ticket_quantity[t]))


def _wash_rows(
    m: _Model,
    inputs: Inputs,
    group: str,
    members: Sequence[int],
    free: float,
    lot_column: Mapping[int, int],
    wash_column: dict[int, int],
    named: dict[str, int],
) -> None:
    """The washed shares of a group's loss sales today, in the replay's order of sales.

    ``free`` shares bought in the last 30 days replace loss shares sold today,
    one for one. The plan sells in :func:`household.plan.blotter.sale_order`'s
    order: recent lots with a gain first (no longer held, they replace nothing),
    then recent lots at a loss (each washed by the replacements left, never by
    its own purchase; what it keeps replaces the later sales), then the older
    loss lots, pooled: ``sum w = min(sum x, R_eff)`` with ``R_eff`` the
    replacements the earlier sales left. Each ``min`` is a binary ``beta``:
    ``w >= A beta``-style rows with ``w <= x`` and ``sum w <= R_eff``.

    At most one recent loss lot of a group is sold (a binary each, where the
    group has two or more): two would replace each other, and the second
    sale would carry the first one's washed loss in its basis, a chain these
    rows do not follow. Worked example (``tests/household/test_plan_recent_lots.py``):
    40 shares bought at $55 and 60 at $53, both 10 days ago, now $50. Sold
    alone, the 40 are washed whole by the 60 (-$200 disallowed); the 60 are
    washed 40 shares deep by the 40 (-$120 disallowed, -$60 realised); sold
    together, each washes the other and the carried loss is realised on the
    second sale: -$380 realised, which this program cannot offer (it harvests
    less there than the replay would allow, never more).
    """
    own = {
        i: shares
        for i, shares in inputs.own_replacements.items()
        if inputs.groups.get(inputs.lots[i].symbol, inputs.lots[i].symbol) == group
    }
    member_set = set(members)
    # R_eff as a linear form: the constant free, less what earlier sales take
    taken: dict[int, float] = {}

    def share_of(i: int) -> float:
        upper = m.upper[lot_column[i]]
        return own[i] / upper if upper > 0 else 0.0

    for i in own:
        if i not in member_set:  # a recent gain lot, sold first
            taken[lot_column[i]] = taken.get(lot_column[i], 0.0) + share_of(i)

    def washed_min(index: int | None, lots: Sequence[int], available: float, extra: dict) -> None:
        """sum_{lots} w >= min(sum_{lots} x, available - extra), with w <= x."""
        total = sum(m.upper[lot_column[i]] for i in lots)
        beta = m.var(0.0, 1.0, 0.0, True)
        named[f"wash:{group}" + ("" if index is None else f":{inputs.lots[index].lot.lot_id}")] = (
            beta
        )
        row_all: dict[int, float] = {}
        row_sold: dict[int, float] = {}
        for i in lots:
            w = m.var(0.0, m.upper[lot_column[i]])
            wash_column[i] = w
            m.row({w: 1.0, lot_column[i]: -1.0}, -math.inf, 0.0)
            row_all[w] = 1.0
            row_sold[w] = 1.0
            row_sold[lot_column[i]] = -1.0
        # sum w + extra >= available - K (1 - beta), K = available: sum w + extra - K beta >= 0
        row = dict(row_all)
        for column, coefficient in extra.items():
            row[column] = row.get(column, 0.0) + coefficient
        row[beta] = row.get(beta, 0.0) - available
        m.row(row, 0.0, math.inf)
        m.row({**row_sold, beta: total}, 0.0, math.inf)  # sum w >= sum x - total beta
        # and never more than the replacements left: with w <= x, sum w <= min(sum x, R_eff),
        # so w is the min exactly (else a tax piece's region could use w as a free slack)
        row = dict(row_all)
        for column, coefficient in extra.items():
            row[column] = row.get(column, 0.0) + coefficient
        m.row(row, -math.inf, available)

    fresh_losses = sorted(
        (i for i in members if i in own),
        key=lambda i: (
            abs(inputs.lots[i].gain_per_share),
            inputs.lots[i].account_id,
            inputs.lots[i].lot.lot_id,
        ),
    )
    if len(fresh_losses) > 1:
        # At most one recent loss lot of the group is sold: two would replace each other,
        # and the second sale's loss would carry the first's washed loss in its basis, a
        # chain the rows below do not follow (the replay washes the carried loss again).
        # Selling both harvests little: each mostly washes the other.
        one = {}
        for i in fresh_losses:
            chosen = m.var(0.0, 1.0, 0.0, True)
            named[f"fresh:{group}:{inputs.lots[i].lot.lot_id}"] = chosen
            m.row({lot_column[i]: 1.0, chosen: -m.upper[lot_column[i]]}, -math.inf, 0.0)
            one[chosen] = 1.0
        m.row(one, -math.inf, 1.0)
    # what a recent loss lot's sale finds: the replacements less the recent gain lots sold
    # before it (no other recent loss lot is sold with it)
    before_fresh = dict(taken)
    for i in fresh_losses:
        available = free - own[i]
        if available > 1e-9:
            washed_min(i, [i], available, before_fresh)
        column = lot_column[i]
        taken[column] = taken.get(column, 0.0) + share_of(i)
        if i in wash_column:
            w = wash_column[i]
            taken[w] = taken.get(w, 0.0) + 1.0
    pool = [i for i in members if i not in own]
    if pool:
        washed_min(None, pool, free, taken)


def _slack_rows(model: _Model, rows: Sequence[int], answer: _Answer) -> bool:
    """Whether every one of ``rows`` lies strictly inside its bounds at ``answer`` (a row
    of a tax piece counts as binding: its bounds depend on the piece)."""
    if not answer.feasible:
        return False
    values = answer.values
    for row in rows:
        if row in model.active:
            return False
        columns, coefficients, lower, upper = model.rows[row]
        activity = float(sum(values[c] * v for c, v in zip(columns, coefficients, strict=True)))
        if lower > -math.inf and activity <= lower + 1e-6 * max(1.0, abs(lower)):
            return False
        if upper < math.inf and activity >= upper - 1e-6 * max(1.0, abs(upper)):
            return False
    return True


def diagnose(
    inputs: Inputs, params: Params, names: Sequence[str], decision: Decision
) -> dict[str, list[Family]]:
    """Per slack name, the constraint families whose relaxation removes that slack.

    Each family's rows are freed alone (their bounds set to infinity: the
    program without them) and the relaxation solved again, on the tax piece of
    the best relaxation with every family (:func:`solve` found it: not solved
    again), warm-started from the last basis; with the budget freed, on every
    piece (the best piece may change). A family the household does not have
    (no rows) is not solved. A family is named for a slack when the slack
    falls by more than half. The program is the solve's (``decision.program``),
    its relaxation instance warm; built again only for a decision without it.
    """
    solver = decision.program or _Solver(_build(inputs), params)
    built = solver.built
    base = {name: decision.relaxed_slack[name] for name in names if name in built.slack}
    found: dict[str, list[Family]] = {name: [] for name in names}
    families = [
        Family.TAX_BUDGET,
        Family.CAPS,
        Family.WASH,
        Family.BOUNDS,
        Family.CASH,
        Family.MIN_TRADE,
    ]
    model = built.model
    relaxed = solver.relaxed or {}
    for family in families:
        family_rows = built.family_rows.get(family, ())
        rows = np.asarray(family_rows, dtype=np.int32)
        if not len(rows):
            continue  # the household has none of this family: relaxing it changes nothing
        # a relaxation none of whose freed rows binds stays optimal without them (every
        # optimal dual is zero on a slack row): it is reused, not solved again
        budget = family is Family.TAX_BUDGET and bool(built.pieces)
        pieces_of = list(built.pieces) if budget else [decision.piece]
        stays = {
            piece: relaxed[piece]
            for piece in pieces_of
            if piece in relaxed and _slack_rows(model, family_rows, relaxed[piece])
        }
        if decision.piece in stays and len(stays) == len(pieces_of):
            continue  # the plan's relaxation and every other stays: no slack can fall
        highs = solver.relaxation_highs(decision.piece)
        free = np.full(len(rows), math.inf)
        highs.changeRowsBounds(len(rows), rows, -free, free)
        try:
            if budget:
                answers = {
                    piece: stays[piece] if piece in stays else solver.relaxation(piece)
                    for piece in pieces_of
                }
                order = _best(answers)
                answer = answers[order[0] if order else next(iter(answers))]
            else:
                answer = solver.relaxation(decision.piece)
        finally:
            lower = np.asarray([model.rows[i][2] for i in rows], dtype=float)
            upper = np.asarray([model.rows[i][3] for i in rows], dtype=float)
            highs.changeRowsBounds(len(rows), rows, lower, upper)
        for name, amount in base.items():
            now = float(answer.values[built.slack[name]])
            if amount > 1.0 and now < amount / 2:
                found[name].append(family)
    return found
