"""Monitoring on small hand-made households."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from household.loader import household_from_dict
from household.store import EventKind, Store
from household.store.monitor import monitor_household, next_review_after, parse_review
from lots.errors import InputError
from lots.records import Account, AccountType, Action, Lot, Transaction
from lots.washsale import replay
from tests.cli_runner import invoke
from tests.household.store.helpers import household_document

D = dt.date
ACCOUNTS = [
    Account("joint", AccountType.JOINT, lot_method="fifo"),
    Account("ira", AccountType.TRADITIONAL_IRA, lot_method="fifo"),
]


def _policy(**extra: object) -> dict:
    document = household_document("h", ACCOUNTS, prices={"AAA": "8", "BBB": "30"})
    document.update(extra)
    document["asset_classes"]["bonds"] = {"expected_return": "0.04"}
    document["securities"][1]["asset_class"] = "bonds"  # BBB
    document["targets"] = {"stocks": "0.6", "bonds": "0.4"}
    return {k: v for k, v in document.items() if k != "lots"}


def test_breaches_harvest_candidates_long_term_and_wash_windows() -> None:
    lots = [
        # AAA at 8: 100 * 8 = 800 against 1,000 basis: a 200 loss, 20% of basis.
        Lot("joint", "AAA", "L1", "100", "1000", D(2026, 1, 5)),
        # BBB at 30: 50 * 30 = 1,500 against 1,000: a gain, long-term from 2026-06-11.
        Lot("joint", "BBB", "L2", "50", "1000", D(2025, 6, 10)),
        # In the IRA: never a candidate, never a long-term alert.
        Lot("ira", "AAA", "L3", "10", "200", D(2025, 6, 10)),
    ]
    sold = Transaction(D(2026, 5, 20), "joint", "CCC", Action.SELL, "10", "5", cost_basis="80")
    ledger = replay((), ACCOUNTS, {}, opening_lots=lots)
    policy = _policy(harvest={"min_loss_dollars": "150", "min_loss_percent": "0.10"})
    result = monitor_household(
        "h", policy, {"review": "quarterly"}, ledger, {"joint": Decimal(0)}, [sold], D(2026, 6, 1)
    )
    alerts = {(a["alert"], a["subject"]): a for a in result["alerts"]}
    # Stocks: AAA 800 + 80 = 880; bonds: BBB 1,500; total 2,380: stocks 0.3697 against 0.6.
    assert result["weights"] == {"stocks": "0.369748", "bonds": "0.630252"}
    assert ("band_breach", "stocks") in alerts and ("band_breach", "bonds") in alerts
    assert alerts["harvest_candidate", "joint/AAA/L1"]["amount"] == "-200.00"
    assert ("harvest_candidate", "ira/AAA/L3") not in alerts
    turning = alerts["turning_long_term", "joint/BBB/L2"]
    assert (turning["date"], turning["amount"]) == ("2026-06-11", "500.00")
    # The look-back sale of CCC: 10 * 5 = 50 against 80, a loss on 2026-05-20; safe on 06-20.
    assert alerts["wash_window", "CCC"]["date"] == "2026-06-20"
    # Policy as_of 2026-01-05: the quarterly review after it is 2026-04-01, now due.
    assert result["next_review"] == "2026-04-01" and result["review_due"]
    # A higher threshold: the loss of 200 is no longer a candidate.
    policy = _policy(harvest={"min_loss_dollars": "250"})
    quiet = monitor_household("h", policy, {}, ledger, {}, [], D(2026, 6, 1))
    assert not any(a["alert"] == "harvest_candidate" for a in quiet["alerts"])


def test_review_calendars() -> None:
    assert next_review_after("semi-annual", D(2026, 7, 1)) == D(2027, 1, 1)
    assert next_review_after("semi-annual", D(2026, 6, 30)) == D(2026, 7, 1)
    assert next_review_after("quarterly", D(2026, 12, 31)) == D(2027, 1, 1)
    assert next_review_after(["2026-05-01"], D(2026, 5, 1)) == D(2027, 5, 1)
    assert parse_review("2026-09-01, 2026-03-01") == ["2026-03-01", "2026-09-01"]
    with pytest.raises(InputError, match="not a review calendar"):
        parse_review("monthly")


def test_fills_re_arm_the_review_and_the_calendar_is_policy(store: Store, tmp_path: Path) -> None:
    url = store.url.render_as_string(hide_password=False)
    store.add_household(household_from_dict(household_document("h", ACCOUNTS)))
    assert invoke(["store", "policy", "h", "--review", "annual", "--store", url]).exit_code == 0
    assert store.state("h").policy_version == 2
    # Annual, after the policy's as_of (2026-01-05): 2027-01-01, due on 2027-02-01.
    result = invoke(["monitor", "--as-of", "2027-02-01", "--store", url, "--format", "json"])
    (household,) = json.loads(result.stdout)["households"]
    assert household["next_review"] == "2027-01-01" and household["review_due"]
    store.append(
        "h", [(EventKind.CASH, D(2026, 2, 1), {"account_id": "joint", "amount": Decimal(5)})]
    )
    with store.writing("h") as connection:
        store.arm_review(connection, "h", D(2028, 1, 1), "test")  # as fills do
    result = invoke(["monitor", "--as-of", "2027-02-01", "--store", url, "--format", "json"])
    (household,) = json.loads(result.stdout)["households"]
    assert household["next_review"] == "2028-01-01" and not household["review_due"]
    bad = tmp_path / "prices.csv"
    bad.write_text("symbol,price\nAAA,x\n")
    result = invoke(["monitor", "--prices", str(bad), "--as-of", "2026-03-01", "--store", url])
    assert result.exit_code == 2 and "prices.csv:2: price: 'x' is not a number" in result.stderr
