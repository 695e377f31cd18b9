"""The README's year in the store, run as written, on SQLite and on PostgreSQL.

The test reads the README's section "A year, from a newcomer's seat" and runs
every ``$`` line of its ``console`` blocks (from the repository's root, with
``HOUSEHOLD_STORE`` the backend's URL), comparing what each command prints with
the lines the README shows below it (doctest's ``...``: times, hashes, the
store's path). So the README cannot drift from what the commands do. Then it
checks the numbers, worked out by hand in the comments.

``fixtures/store/year/``: the walk family (joint account, Pat's IRA, 1,000.00 of
cash each) harvests a VTI loss on 2026-03-02; the fills come in a little off the
plan; Pat's IRA buys 2 VTI with a dividend on 2026-03-16, which washes part of
the loss for good; the custodian's lots and the joint broker's 1099-B are
reconciled; the monitor runs on 2026-04-01.
"""

from __future__ import annotations

import csv
import doctest
import io
import json
import os
import re
import shlex
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from household.store import Store
from tests.cli_runner import Result, invoke

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
SECTION = "### A year, from a newcomer's seat"


@attrs.frozen
class Step:
    """One ``$`` line of the README and the output it shows."""

    command: str
    exit_code: int
    expected: str


def readme_steps(text: str) -> list[Step]:
    """The ``$`` lines of the section's ``console`` blocks, in order, with their outputs."""
    start = text.index(SECTION)
    end = text.find("\n### ", start + len(SECTION))
    section = text[start : end if end >= 0 else len(text)]
    steps: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        command: str | None = None
        lines: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    steps.append(_step(command, lines))
                command, lines = line[2:], []
            else:
                assert command is not None, f"output before any command: {line!r}"
                lines.append(line)
        if command is not None:
            steps.append(_step(command, lines))
    return steps


def _step(command: str, lines: list[str]) -> Step:
    code = re.search(r"#\s*exit (\d+)\s*$", command)
    return Step(command, int(code.group(1)) if code else 0, "".join(f"{x}\n" for x in lines))


def test_the_readme_walk_is_parsed() -> None:
    steps = readme_steps(README.read_text(encoding="utf-8"))
    commands = [shlex.split(step.command, comments=True)[:3] for step in steps]
    assert commands[0] == ["export", "HOUSEHOLD_STORE=family.db"]
    assert ["household", "fills", "import"] in commands
    assert commands[-1][:2] == ["household", "monitor"]
    assert len(steps) == 12
    assert [s.exit_code for s in steps].count(2) == 1  # the re-import of the fills


def run_walk(url: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], Result]]:
    """Run the README's walk against ``url``; each command's words and result."""
    monkeypatch.chdir(ROOT)
    checker = doctest.OutputChecker()
    ran: list[tuple[list[str], Result]] = []
    for step in readme_steps(README.read_text(encoding="utf-8")):
        words = shlex.split(step.command, comments=True)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            assert (name, value) == ("HOUSEHOLD_STORE", "family.db")
            monkeypatch.setenv(name, url)  # the README's family.db is this backend's store
            continue
        assert words[0] == "household", step.command
        args = [os.path.expandvars(word) for word in words[1:]]
        result = invoke(args)
        assert result.exit_code == step.exit_code, (step.command, result.stderr)
        got = result.stdout if step.exit_code == 0 else result.stderr
        if not checker.check_output(step.expected, got, doctest.ELLIPSIS):
            message = checker.output_difference(
                doctest.Example(step.command, step.expected), got, doctest.ELLIPSIS
            )
            pytest.fail(f"the README's output of `{step.command}` differs:\n{message}")
        ran.append((args, result))
    return ran


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_year_in_the_store(backend_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = run_walk(backend_url, monkeypatch)
    out: dict[str, Result] = {}  # the first run of each command, by its first two words
    for args, result in ran:
        out.setdefault(" ".join(args[:2]), result)

    # 1. Added: 2 cash events + 3 opening lots.
    (added,) = _csv(out["store add"].stdout)
    assert (added["household_id"], added["events"]) == ("walk-family", "5")

    # 2. The harvest: J1 (100 VTI, basis 28,000.00) is worth 100 x 240 = 24,000.00, a long-term
    # loss of 4,000.00 (bought 2025-01-10, more than a year before 2026-03-02). The proceeds buy
    # SCHB (VTI's substitute, not identical) and BND: 1,000.00 + 24,000.00 - 2 x 73 - 1,010 x 24
    # = 1,000.00 + 24,000.00 - 146.00 - 24,240.00 = 614.00 of cash left, not negative.
    assert "plan 1 kept in the store" in out["harvest --store"].stderr
    trades = _csv(out["harvest --store"].stdout)
    assert [(t["symbol"], t["side"], t["quantity"], t["lots_sold"]) for t in trades] == [
        ("VTI", "sell", "100", "J1:100"),
        ("BND", "buy", "2", ""),
        ("SCHB", "buy", "1010", ""),
    ]
    assert Decimal(1000) + 24000 - 146 - 24240 == Decimal(614)
    store = Store(backend_url)
    plan = store.plan(1)
    # The netted tax: a net capital loss offsets at most 3,000 of ordinary income, at 32% + 5%
    # state: -3,000 x 0.37 = -1,110.00 (1,000.00 carries forward).
    assert plan["document"]["summary"]["tax"] == "-1110.00"
    assert plan["document"]["summary"]["long_gain"] == "-4000.00"
    assert plan["event_seq"] == 5

    # 3. The fills against the plan.
    tickets = {(t["account_id"], t["symbol"]): t for t in _csv(out["fills import"].stdout)}
    vti, bnd = tickets["joint", "VTI"], tickets["joint", "BND"]
    schb, ira = tickets["joint", "SCHB"], tickets["pat-ira", "VTI"]
    assert [t["status"] for t in (vti, bnd, schb, ira)] == [
        "filled",
        "missing",
        "partial",  # 999 of 1,010
        "unplanned",
    ]
    # Sold 100 at 239.90 against 240.00: slippage 100 x 0.10 = 10.00 (a cost: positive).
    assert vti["slippage"] == "10.00"
    # Bought 999 at 24.01 against 24.00: 999 x 0.01 = 9.99.
    assert (schb["filled"], schb["slippage"]) == ("999", "9.99")
    (imported,) = json.loads(out["fills imports"].stdout)
    totals = imported["totals"]
    assert totals["slippage"] == "19.99"  # 10.00 + 9.99
    # Tax by replay: J1's loss is 28,000.00 - 100 x 239.90 = 4,010.00, 40.10 a share. The IRA's
    # 2 shares bought 2026-03-16 (within 30 days) replace 2 of them: 80.20 is disallowed for good
    # (J1.1: 2 shares, gain 0.00). J1.2: 98 x 239.90 = 23,510.20 against 98 x 280 = 27,440.00,
    # a long-term loss of 3,929.80. Netted as the plan's estimate: over the 3,000 limit, so the
    # tax is -3,000 x 0.37 = -1,110.00, equal to the estimate (929.80 carries forward).
    assert (totals["actual_short_gain"], totals["actual_long_gain"]) == ("0.00", "-3929.80")
    assert (totals["actual_tax"], totals["estimated_tax"]) == ("-1110.00", "-1110.00")
    assert (imported["events"], imported["next_review"]) == ([6, 8], "2026-04-01")
    assert store.next_reviews()["walk-family"].isoformat() == "2026-04-01"  # quarterly

    # The store now says: J1 is gone, SCHB 999 (basis 999 x 24.01 = 23,985.99), IRA VTI 2.
    shown = store.show("walk-family")
    lots = {(lot["account_id"], lot["symbol"]): lot for lot in shown["lots"]}
    assert ("joint", "VTI") not in lots
    assert lots["joint", "SCHB"]["cost_basis"] == "23985.99"
    assert lots["pat-ira", "VTI"]["cost_basis"] == "482"  # 2 x 241; no basis added in an IRA
    # Cash: joint 1,000 + 23,990.00 - 23,985.99 = 1,004.01; IRA 1,000 - 482 = 518.
    assert store.state("walk-family").cash() == {
        "joint": Decimal("1004.01"),
        "pat-ira": Decimal(518),
    }

    # 4. The custodian: only J2's basis differs (14,410.00 against 14,400.00); accepted, it is a
    # reversal and a corrected opening lot, and the same file then finds no break.
    (found,) = _csv(out["reconcile walk-family"].stdout)
    assert (found["break"], found["lot_id"], found["custodian_basis"]) == (
        "basis",
        "J2",
        "14410.00",
    )
    kinds = [e.kind.value for e in store.events("walk-family")]
    assert kinds[-2:] == ["reversal", "open_lot"]
    lots = {(lot.account_id, lot.lot_id): lot for lot in store.lots("walk-family")}
    assert lots["joint", "J2"].cost_basis == Decimal("14410.00")

    # 5. The joint broker's 1099-B shows no wash sale (it cannot see the IRA): add W 80.20.
    (row,) = json.loads(ran[-2][1].stdout)["rows"]
    assert (row["status"], row["add"]) == ("adjust", {"code": "W", "adjustment": "80.20"})
    assert "pat-ira" in row["reasons"][0] and "Rev. Rul. 2008-5" in row["reasons"][0]

    # 6. Monitor on 2026-04-01 at VTI 250, SCHB 25, BND 73.50.
    alerts = {(a["alert"], a["subject"]): a for a in _csv(ran[-1][1].stdout)}
    # Stocks: 999 x 25 + 2 x 250 = 25,475.00; bonds: 300 x 73.50 = 22,050.00; cash 1,004.01 +
    # 518 = 1,522.01; total 49,047.01. Stocks weigh 25,475 / 49,047.01 = 0.5194, short of
    # 0.70 x 49,047.01 = 34,332.907 by 8,857.91; bonds over 0.30 x 49,047.01 = 14,714.103 by
    # 7,335.90.
    assert alerts["band_breach", "stocks"]["amount"] == "-8857.91"
    assert "weight 0.5194" in alerts["band_breach", "stocks"]["detail"]
    assert alerts["band_breach", "bonds"]["amount"] == "7335.90"
    assert alerts["review_due", "review"]["date"] == "2026-04-01"
    # The VTI loss sale on 2026-03-03: a buy of the us-total group on or before 2026-04-02 (30
    # days after) washes it; 2026-04-03 is safe.
    assert alerts["wash_window", "us-total"]["date"] == "2026-04-03"
    # J2 (bought 2025-04-15) turns long-term on 2026-04-16: 200 x 73.50 - 14,410.00 = 290.00.
    turning = alerts["turning_long_term", "joint/BND/J2"]
    assert (turning["date"], turning["amount"]) == ("2026-04-16", "290.00")
    assert not any(alert == "harvest_candidate" for alert, _ in alerts)
    store.dispose()
