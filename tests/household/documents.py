"""A small two-class household file the plan tests start from (and change what they test).

Rates: 30% short-term and ordinary, 15% long-term, no state tax or NIIT; one
taxable account with no cash; stocks (VTI, ITOT) and bonds (BND, AGG) at round
prices; bands of 5 points inner and 10 points outer.
"""

from __future__ import annotations

from typing import Any


def two_class_document(**changes: Any) -> dict[str, Any]:
    """The household file as a JSON document, with ``changes`` replacing top-level keys."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "household_id": "two-class",
        "horizon_years": 10,
        "tax": {"ordinary": "0.30", "qualified": "0.15", "short_term": "0.30"},
        "asset_classes": {
            "stocks": {"expected_return": "0.07", "qualified_yield": "0.015"},
            "bonds": {"expected_return": "0.04", "ordinary_yield": "0.04"},
        },
        "targets": {"stocks": "0.60", "bonds": "0.40"},
        "accounts": [{"account_id": "taxable", "type": "individual", "cash": "0"}],
        "securities": [
            {"symbol": "VTI", "asset_class": "stocks", "price": "100", "substitutes": ["ITOT"]},
            {"symbol": "ITOT", "asset_class": "stocks", "price": "50"},
            {"symbol": "BND", "asset_class": "bonds", "price": "50", "substitutes": ["AGG"]},
            {"symbol": "AGG", "asset_class": "bonds", "price": "25"},
        ],
        "lots": [],
        "bands": {
            "absolute": "0.05",
            "relative": "1",
            "outer_absolute": "0.10",
            "outer_relative": "1",
        },
        "costs": {"half_spread_bps": "1"},
    }
    data.update(changes)
    return data
