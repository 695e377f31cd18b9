"""Synthetic households for sweep benchmarks and tests: seeded, so every run plans the same ones.

Each household has 5 accounts (two taxable, a traditional IRA, a Roth IRA and a
401k with a three-class menu), 6 asset classes of 2 to 3 symbols, ``lots`` lots
bought over the last ``years`` years at prices from an equity-like random walk
(7% drift, 18% volatility a year, so some lots sit at a loss and most at a
gain), a pending contribution and withdrawal, three recent purchases for the
wash-sale look-back, bands, caps, a minimum trade, commissions and market
impact. Amounts are written as decimal strings, so the documents load exactly.

    >>> document = household_document(7, lots=20)
    >>> document["household_id"], len(document["accounts"]), len(document["lots"])
    ('synthetic-00007', 5, 20)
    >>> household_document(7, lots=20) == document
    True
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from household.model import Household

__all__ = ["AS_OF", "household", "household_document", "write_households"]

AS_OF = dt.date(2026, 6, 1)
"""The plan date of every synthetic household (its ``as_of``)."""

_CLASSES = {
    "us_stocks": ["VTI", "ITOT", "SCHB"],
    "intl_stocks": ["VXUS", "IXUS"],
    "small_value": ["AVUV", "DFSV"],
    "reits": ["VNQ", "SCHH"],
    "bonds": ["BND", "AGG", "SCHZ"],
    "munis": ["VTEB", "MUB"],
}
_TARGETS = {
    "us_stocks": "0.35",
    "intl_stocks": "0.20",
    "small_value": "0.05",
    "reits": "0.05",
    "bonds": "0.25",
    "munis": "0.10",
}
_ACCOUNTS = [
    ("joint", "joint"),
    ("alex", "individual"),
    ("ira", "traditional_ira"),
    ("roth", "roth_ira"),
    ("k401", "401k"),
]


def household_document(
    seed: int,
    *,
    lots: int = 150,
    years: int = 2,
    min_days: int = 31,
    household_id: str | None = None,
) -> dict[str, Any]:
    """One synthetic household file as a JSON document (deterministic for a seed).

    Args:
        seed: the random seed.
        lots: how many lots.
        years: how far back the lots were bought (at most ``years * 365`` days).
        min_days: how recently (at least this many days before ``as_of``): the
            default 31 keeps every lot outside the wash-sale window.
        household_id: the id; default ``synthetic-<seed, 5 digits>``.

    ``benchmarks/rebalance.py``'s households are
    ``household(seed, lots=n, years=6, min_days=1, household_id=f"bench-{seed}")``.
    """
    rng = random.Random(seed)
    securities: list[dict[str, Any]] = []
    prices: dict[str, float] = {}
    for asset_class, symbols in _CLASSES.items():
        for symbol in symbols:
            price = rng.uniform(20, 300)
            prices[symbol] = price
            securities.append(
                {
                    "symbol": symbol,
                    "asset_class": asset_class,
                    "price": f"{price:.2f}",
                    "substitutes": [s for s in symbols if s != symbol],
                    "sector": "fixed_income" if asset_class in ("bonds", "munis") else "equity",
                    "half_spread_bps": f"{rng.uniform(0.3, 3):.1f}",
                    "adv": str(rng.randint(300_000, 5_000_000)),
                    "volatility": f"{rng.uniform(0.05, 0.25):.2f}",
                    **({"identical_group": "us-total"} if symbol in ("VTI", "ITOT") else {}),
                }
            )
    symbols = [s["symbol"] for s in securities]
    lot_rows = []
    for index in range(lots):
        account_id = _ACCOUNTS[rng.randrange(len(_ACCOUNTS))][0]
        symbol = rng.choice(symbols if account_id != "k401" else ["VTI", "BND", "VXUS"])
        days = rng.randint(min_days, years * 365)
        elapsed = days / 365
        factor = math.exp(-0.07 * elapsed + 0.18 * math.sqrt(elapsed) * rng.gauss(0, 1))
        quantity = rng.randint(5, 200)
        lot_rows.append(
            {
                "account_id": account_id,
                "symbol": symbol,
                "lot_id": f"L{index}",
                "quantity": str(quantity),
                "purchased": (AS_OF - dt.timedelta(days=days)).isoformat(),
                "cost_basis": f"{quantity * prices[symbol] * factor:.2f}",
            }
        )
    recent = [
        {
            "date": (AS_OF - dt.timedelta(days=rng.randint(1, 30))).isoformat(),
            "account_id": rng.choice(_ACCOUNTS)[0],
            "symbol": rng.choice(symbols),
            "action": "buy",
            "quantity": "2",
            "price": "50",
        }
        for _ in range(3)
    ]
    return {
        "schema_version": 1,
        "household_id": household_id or f"synthetic-{seed:05d}",
        "as_of": AS_OF.isoformat(),
        "horizon_years": 20,
        "tax": {"ordinary": "0.32", "qualified": "0.15", "state": "0.05", "niit": "0.038"},
        "asset_classes": {
            "us_stocks": {"expected_return": "0.07", "qualified_yield": "0.014"},
            "intl_stocks": {"expected_return": "0.072", "qualified_yield": "0.022"},
            "small_value": {
                "expected_return": "0.08",
                "qualified_yield": "0.017",
                "turnover": "0.2",
            },
            "reits": {"expected_return": "0.065", "ordinary_yield": "0.035"},
            "bonds": {"expected_return": "0.042", "ordinary_yield": "0.039"},
            "munis": {"expected_return": "0.032", "tax_exempt_yield": "0.031"},
        },
        "targets": dict(_TARGETS),
        "accounts": [
            {
                "account_id": account_id,
                "type": kind,
                "cash": f"{rng.randint(0, 20_000)}.00",
                **({"menu": ["us_stocks", "bonds", "intl_stocks"]} if account_id == "k401" else {}),
                **({"lot_method": "min_tax"} if kind in ("joint", "individual") else {}),
            }
            for account_id, kind in _ACCOUNTS
        ],
        "securities": securities,
        "lots": lot_rows,
        "bands": {"absolute": "0.03", "relative": "0.20", "outer_absolute": "0.06"},
        "constraints": {
            "min_trade": "250",
            "fractional_shares": False,
            "max_security_weight": "0.30",
            "cash_reserve": {"joint": "1000"},
        },
        "costs": {
            "commission_per_trade": "1",
            "commission_per_share": "0.005",
            "half_spread_bps": "2",
            "impact_coefficient": "0.1",
        },
        "cash_flows": [
            {"account_id": "k401", "date": "2026-06-15", "amount": "1500", "kind": "contribution"},
            {"account_id": "alex", "date": "2026-06-10", "amount": "-4000", "kind": "withdrawal"},
        ],
        "harvest": {"min_loss_dollars": "500", "min_loss_percent": "0.05"},
        "tax_budget": "5000",
        "recent_transactions": recent,
    }


def household(
    seed: int,
    *,
    lots: int = 150,
    years: int = 2,
    min_days: int = 31,
    household_id: str | None = None,
) -> Household:
    """:func:`household_document` loaded: the household model, validated like a file."""
    from household.loader import household_from_dict

    document = household_document(
        seed, lots=lots, years=years, min_days=min_days, household_id=household_id
    )
    return household_from_dict(document, source=document["household_id"])


def write_households(
    folder: Path, count: int, *, lots: int = 150, years: int = 2, first_seed: int = 0
) -> list[Path]:
    """Write ``count`` synthetic household files into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(first_seed, first_seed + count):
        document = household_document(seed, lots=lots, years=years)
        path = folder / f"{document['household_id']}.json"
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
