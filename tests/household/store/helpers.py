"""Small builders shared by the store tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lots.records import Account
from lots.relief import LotMethod
from tests.strategies import SYMBOLS


def household_document(
    household_id: str,
    accounts: Sequence[Account],
    identical_group: dict[str, str] | None = None,
    default_method: LotMethod = LotMethod.FIFO,
    prices: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A minimal valid household file for ``accounts`` (one asset class, no lots)."""
    identical_group = identical_group or {}
    prices = prices or {}
    return {
        "household_id": household_id,
        "as_of": "2026-01-05",
        "horizon_years": 10,
        "tax": {"ordinary": "0.32", "qualified": "0.15"},
        "asset_classes": {"stocks": {"expected_return": "0.07"}},
        "targets": {"stocks": "1"},
        "accounts": [
            {
                "account_id": a.account_id,
                "type": a.type.value,
                "lot_method": a.lot_method or default_method.value,
            }
            for a in accounts
        ],
        "securities": [
            {"symbol": s, "asset_class": "stocks", "price": prices.get(s, "100")}
            | ({"identical_group": identical_group[s]} if s in identical_group else {})
            for s in SYMBOLS
        ],
    }
