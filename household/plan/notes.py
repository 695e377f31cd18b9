"""The exception log of a plan: typed notes with a code from one enum.

Every stage of the pipeline returns ``(result, notes)``; a note says what a
stage left out, changed or could not do, and why, in words a wealth manager
reads (``message``) and with a stable code a program reads (``code``). The
codes are the members of :class:`NoteCode`; their values are the strings the
JSON ``exceptions`` section carries.

Example: a contribution dated 25 days after the plan date cannot be spent
today, so the snapshot logs
``Note(Stage.SNAPSHOT, NoteCode.FUTURE_CONTRIBUTION, "contribution of 20000.00
on 2026-12-15 ... not spent by this plan", account_id="brokerage")``.
"""

from __future__ import annotations

import enum

import attrs


class Stage(enum.Enum):
    """The pipeline stage that wrote a note."""

    SNAPSHOT = "snapshot"
    EXPOSURE = "exposure"
    OPTIMISE = "optimise"
    ROUNDING = "rounding"
    BLOTTER = "blotter"
    CHECKS = "checks"


class NoteCode(enum.Enum):
    """Why a note was written (stable machine-readable codes)."""

    # snapshot
    UNPRICED = "unpriced"
    UNMAPPED = "unmapped"
    RESTRICTED = "restricted"
    NO_SELL = "no_sell"
    FUTURE_CASH_FLOW = "future_cash_flow"
    FUTURE_CONTRIBUTION = "future_contribution"
    FUTURE_WITHDRAWAL = "future_withdrawal"
    OFF_MENU = "off_menu"
    # exposure (wash sales)
    RECENT_LOSS_SALE = "recent_loss_sale"
    REPLACEMENT_SHARES = "replacement_shares"
    # optimise
    SOLVER_STATUS = "solver_status"
    MIP_GAP = "mip_gap"
    INNER_BAND = "inner_band"
    OUTER_BAND = "outer_band"
    TAX_BUDGET = "tax_budget"
    CASH_SHORT = "cash_short"
    BLOCKED_BUY = "blocked_buy"
    WASH_CHARGED = "wash_charged"
    HARVEST_THRESHOLD = "harvest_threshold"
    BINDING = "binding"
    # rounding and blotter
    BELOW_MIN_TRADE = "below_min_trade"
    ROUNDED = "rounded"
    LIMIT_ORDER = "limit_order"
    BLOCK_TRADE = "block_trade"
    # checks
    CHECK_FAILED = "check_failed"


@attrs.frozen
class Note:
    """One line of the exception log.

    Attributes:
        stage: the stage that wrote it.
        code: why (an enum member).
        message: the reason in words.
        account_id: the account concerned, if any.
        symbol: the security concerned, if any.
        asset_class: the asset class concerned, if any.
    """

    stage: Stage
    code: NoteCode
    message: str
    account_id: str = ""
    symbol: str = ""
    asset_class: str = ""


Notes = tuple[Note, ...]
