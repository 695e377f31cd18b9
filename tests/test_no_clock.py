"""The core never reads the clock: "today" is always the ``as_of`` passed in.

Each computation runs under two frozen clocks years apart and must give the same
result to the byte.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from freezegun import freeze_time

from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
from household.loader import load_household
from household.locating import locate_household, location_section
from household.plan import harvest, rebalance
from lots.gains import summarize
from lots.washsale import replay

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "csv" / "demo"
HOUSEHOLDS = ROOT / "fixtures" / "households"
AS_OF = dt.date(2026, 6, 1)


def everything() -> str:
    accounts = read_accounts(DEMO / "accounts.csv")
    ledger = replay(
        read_transactions(DEMO / "transactions.csv", accounts),
        accounts,
        identical_groups(read_securities(DEMO / "securities.csv")),
    )
    results: dict[str, Any] = {
        "ledger": repr(ledger),
        "gains": repr(summarize(ledger.dispositions, 2026)),
    }
    retired = load_household(HOUSEHOLDS / "retired_couple.json")
    result, exceptions = locate_household(retired, as_of=AS_OF)
    results["locate"] = location_section(retired, result, exceptions)
    results["rebalance"] = rebalance(retired, AS_OF).to_json_dict()
    results["harvest"] = harvest(
        load_household(HOUSEHOLDS / "plan_harvest.json"), AS_OF
    ).to_json_dict()
    return json.dumps(results, sort_keys=True, default=str)


def test_results_do_not_depend_on_the_clock() -> None:
    with freeze_time("2031-02-03"):
        first = everything()
    with freeze_time("2019-11-05"):
        second = everything()
    assert first == second
