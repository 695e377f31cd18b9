"""A ten-year household history with every event kind, replayed to hand-worked lots.

``fixtures/csv/ten_year/`` (accounts joint and sam taxable, an IRA, a Roth):

=========== ===== ====================================================================
2016-03-01  joint buy 100 AAPL at $100 (A1, $10,000)
2017-06-01  joint reinvest 2 AAPL at $150 (A2, $300)
2018-06-01  joint AAPL splits 4:1: A1 400 sh $10,000; A2 8 sh $300
2019-02-01  joint AAPL return of capital $0.50/sh: A1 -200 = $9,800; A2 -4 = $296
2019-05-01  sam buy 51 OLD at $40 (S1, $2,040)
2020-08-03  sam OLD merges 1:2 into NEW, $5 cash per OLD share, NEW worth $90:
            25.5 NEW; boot 5 * 51 = 255; realized 25.5 * 90 + 255 - 2,040 = 510;
            recognized min(255, 510) = 255 (row: proceeds 255, basis 0, gain 255,
            long); new basis 2,040 - 255 + 255 = 2,040. Cash in lieu of 0.5 NEW at
            $90: proceeds 45, basis 2,040 * 0.5 / 25.5 = 40, gain 5; S1 25 NEW $2,000
2021-01-04  joint AAPL spins off SPN 1:10, AAPL keeps 90% of the basis:
            A1 $8,820 + A1-SPN 40 sh $980; A2 $266.40 + A2-SPN 0.8 sh $29.60
2021-06-01  joint moves 100 AAPL of A1 to sam: A1.1 (sam) 100 sh 8,820 / 4 = $2,205;
            A1.2 (joint) 300 sh $6,615; both acquired 2016-03-01
2022-03-01  sam receives 10 XYZ as a gift: donor's basis $1,000 (2015-01-01), FMV $800
2023-04-03  joint inherits 20 VTI worth $4,000 (date of death)
2023-05-01  joint sells 20 VTI at $210: 4,200 - 4,000 = 200, long-term (inherited)
2024-01-02  joint buy 10 QQQ at $400 (Q1)
2024-03-01  joint sells 10 QQQ at $350: loss $50/sh
2024-03-15  joint reinvests 0.4 QQQ at $355 (Q2, $142): 0.4 loss shares washed, $20;
            Q1.1 0.4 sh 140 - 160 + 20 = 0; Q1.2 9.6 sh 3,360 - 3,840 = -480;
            Q2 142 + 20 = $162, acquired 59 days (2024-01-02 to 03-01) before 03-15
2024-07-01  sam NEW becomes NWC (symbol change): S1 25 NWC $2,000
2025-06-02  sam sells 10 XYZ at $90: $900 is between FMV 800 and donor's 1,000:
            neither gain nor loss (basis 900), the donor's date, long-term
2025-09-02  joint sells 50 AAPL at $30 (FIFO: A1.2): basis 6,615 / 6 = 1,102.50,
            gain 397.50, long; A1.2 250 sh $5,512.50
2025-11-03  sam sells 5 NWC at $70: basis 400, loss 50
2025-11-20  ira buys 5 NWC at $71 (I1): the replacement is in an IRA: the $50 is
            disallowed for good (W, adjustment 50, permanently disallowed 50)
2026-02-02  sam sells 10 AAPL at $20 (A1.1, $22.05/sh): loss $2.05/sh
2026-02-10  AAPL splits 2:1 (a row for joint, one for sam: one split)
2026-02-20  joint buys 10 AAPL at $10.50 (A3, $105) = 5 pre-split shares: 5 loss
            shares washed, 5 * 2.05 = $10.25: A1.1.1 (5 sh, W 10.25, gain 0) and
            A1.1.2 (5 sh, -10.25); A3 105 + 10.25 = $115.25, acquired 3,625 days
            (2016-03-01 to 2026-02-02) before 2026-02-20: 2016-03-19
=========== ===== ====================================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from lots.events import transaction_from_fields
from lots.gains import summarize
from lots.records import Account, AccountType, DispositionEvent, Term
from lots.washsale import Ledger, replay
from tests.cli_runner import invoke
from tests.lots.reference import reference_replay

FIXTURE = Path(__file__).parents[2] / "fixtures" / "csv" / "ten_year"
D = Decimal
LONG, SHORT = Term.LONG, Term.SHORT


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _accounts() -> dict[str, Account]:
    with (FIXTURE / "accounts.csv").open() as handle:
        return {
            row["account_id"]: Account(
                row["account_id"], AccountType(row["type"]), row["owner"], row["lot_method"] or None
            )
            for row in csv.DictReader(handle)
        }


def _ledger(**kw: object) -> Ledger:
    accounts = _accounts()
    with (FIXTURE / "transactions.csv").open() as handle:
        transactions = [
            transaction_from_fields(row, file="transactions.csv", row=line, accounts=accounts)
            for line, row in enumerate(csv.DictReader(handle), start=2)
        ]
    fast = replay(transactions, accounts, **kw)  # type: ignore[arg-type]
    slow = reference_replay(transactions, accounts, **kw)  # type: ignore[arg-type]
    assert fast.dispositions == slow.dispositions
    assert fast.lots == slow.lots
    return fast


def test_ten_year_history_open_lots() -> None:
    ledger = _ledger()
    assert [
        (lot.account_id, lot.symbol, lot.lot_id, lot.quantity, lot.cost_basis, lot.purchased,
         lot.acquired, lot.wash_sale_adjustment)
        for lot in ledger.lots
    ] == [
        ("joint", "AAPL", "A1.2", D(500), D("5512.5"), day("2016-03-01"), day("2016-03-01"), D(0)),
        ("joint", "SPN", "A1-SPN", D(40), D(980), day("2016-03-01"), day("2016-03-01"), D(0)),
        ("joint", "AAPL", "A2", D(16), D("266.4"), day("2017-06-01"), day("2017-06-01"), D(0)),
        ("joint", "SPN", "A2-SPN", D("0.8"), D("29.6"), day("2017-06-01"), day("2017-06-01"),
         D(0)),
        ("joint", "QQQ", "Q2", D("0.4"), D(162), day("2024-03-15"), day("2024-01-16"), D(20)),
        ("joint", "AAPL", "A3", D(10), D("115.25"), day("2026-02-20"), day("2016-03-19"),
         D("10.25")),
        ("sam", "AAPL", "A1.1", D(180), D("1984.5"), day("2016-03-01"), day("2016-03-01"), D(0)),
        ("sam", "NWC", "S1", D(20), D(1600), day("2019-05-01"), day("2019-05-01"), D(0)),
        ("ira", "NWC", "I1", D(5), D(355), day("2025-11-20"), day("2025-11-20"), D(0)),
    ]  # fmt: skip


def test_ten_year_history_form_8949_rows() -> None:
    ledger = _ledger()
    rows = [
        (d.sale_date, d.account_id, d.symbol, d.lot_id, d.quantity, d.acquired, d.term,
         d.proceeds, d.cost_basis, d.code, d.adjustment, d.gain, d.permanently_disallowed,
         d.event)
        for d in ledger.reportable
    ]  # fmt: skip
    boot, fraction = DispositionEvent.MERGER_BOOT, DispositionEvent.CASH_IN_LIEU
    assert rows == [
        (day("2020-08-03"), "sam", "OLD", "S1", D(0), day("2019-05-01"), LONG,
         D(255), D(0), "", D(0), D(255), D(0), boot),
        (day("2020-08-03"), "sam", "NEW", "S1", D("0.5"), day("2019-05-01"), LONG,
         D(45), D(40), "", D(0), D(5), D(0), fraction),
        (day("2023-05-01"), "joint", "VTI", "E1", D(20), day("2023-04-03"), LONG,
         D(4200), D(4000), "", D(0), D(200), D(0), None),
        (day("2024-03-01"), "joint", "QQQ", "Q1.1", D("0.4"), day("2024-01-02"), SHORT,
         D(140), D(160), "W", D(20), D(0), D(0), None),
        (day("2024-03-01"), "joint", "QQQ", "Q1.2", D("9.6"), day("2024-01-02"), SHORT,
         D(3360), D(3840), "", D(0), D(-480), D(0), None),
        (day("2025-06-02"), "sam", "XYZ", "G1", D(10), day("2015-01-01"), LONG,
         D(900), D(900), "", D(0), D(0), D(0), None),
        (day("2025-09-02"), "joint", "AAPL", "A1.2", D(50), day("2016-03-01"), LONG,
         D(1500), D("1102.5"), "", D(0), D("397.5"), D(0), None),
        (day("2025-11-03"), "sam", "NWC", "S1", D(5), day("2019-05-01"), LONG,
         D(350), D(400), "W", D(50), D(0), D(50), None),
        (day("2026-02-02"), "sam", "AAPL", "A1.1.1", D(5), day("2016-03-01"), LONG,
         D(100), D("110.25"), "W", D("10.25"), D(0), D(0), None),
        (day("2026-02-02"), "sam", "AAPL", "A1.1.2", D(5), day("2016-03-01"), LONG,
         D(100), D("110.25"), "", D(0), D("-10.25"), D(0), None),
    ]  # fmt: skip
    # 2026: Part II only, gain 0 - 10.25 = -10.25, adjustment 10.25.
    summary = summarize(ledger.dispositions, 2026)
    assert (summary.short.rows, summary.long.rows) == (0, 2)
    assert (summary.long.gain, summary.long.adjustment) == (D("-10.25"), D("10.25"))


def _cli(*args: str) -> str:
    paths = [
        *("--accounts", str(FIXTURE / "accounts.csv")),
        *("--transactions", str(FIXTURE / "transactions.csv")),
        *("--securities", str(FIXTURE / "securities.csv")),
    ]
    result = invoke([*args, *paths])
    assert result.exit_code == 0, result.output
    return result.output


def test_ten_year_golden_files() -> None:
    # Regenerate on purpose only: household wash-sales ... --format json > expected/...
    expected = FIXTURE / "expected"
    assert json.loads(_cli("wash-sales", "--format", "json")) == json.loads(
        (expected / "wash-sales.json").read_text()
    )
    assert _cli("gains", "--format", "csv") == (expected / "gains.csv").read_text()
    assert json.loads(_cli("gains", "--format", "json", "--year", "2026")) == json.loads(
        (expected / "gains-2026.json").read_text()
    )


def test_ten_year_imports_to_a_household_file_without_loss() -> None:
    from household.importing import import_household
    from household.loader import household_from_dict, household_to_dict

    document = import_household(
        FIXTURE / "accounts.csv",
        FIXTURE / "transactions.csv",
        FIXTURE / "securities.csv",
        as_of=day("2026-03-01"),
    )
    household = household_from_dict(document)
    actions = {t.action.value for t in household.recent_transactions}
    assert {"reinvest", "split", "return_of_capital", "merger", "symbol_change", "spinoff",
            "transfer", "gift_received", "inherited"} <= actions  # fmt: skip
    again = household_from_dict(household_to_dict(household))
    assert again.recent_transactions == household.recent_transactions
    assert not household.same_sale_replacement
    document["wash_sale"] = {"same_sale_replacement": True}
    assert household_from_dict(document).same_sale_replacement


def test_cli_same_sale_replacement_option(tmp_path: Path) -> None:
    # tests/lots/test_events.py's worked example: L1 10 at $10 (2025-11-01), L2 10 at $5
    # (2026-02-26), all 20 sold at $6 on 2026-03-01. Default: L1 -40, L2 +10. With the
    # option: L1 W 40 (gain 0), L2 basis 50 + 40 = 90, gain 60 - 90 = -30.
    (tmp_path / "accounts.csv").write_text("account_id,owner,type\nme,Me,individual\n")
    (tmp_path / "transactions.csv").write_text(
        "date,account_id,symbol,action,quantity,price,fees,lot_id\n"
        "2025-11-01,me,X,buy,10,10,0,L1\n"
        "2026-02-26,me,X,buy,10,5,0,L2\n"
        "2026-03-01,me,X,sell,20,6,0,\n"
    )
    paths = ["--accounts", str(tmp_path / "accounts.csv"),
             "--transactions", str(tmp_path / "transactions.csv")]  # fmt: skip
    for command in ("wash-sales", "gains"):
        plain = invoke([command, *paths, "--format", "json"])
        other = invoke([command, *paths, "--format", "json", "--same-sale-replacement"])
        assert plain.exit_code == other.exit_code == 0
        rows = [
            (d["lot_id"], d["code"], d["gain"]) for d in json.loads(plain.output)["dispositions"]
        ]
        assert rows == [("L1", "", "-40.00"), ("L2", "", "10.00")]
        rows = [
            (d["lot_id"], d["code"], d["gain"]) for d in json.loads(other.output)["dispositions"]
        ]
        assert rows == [("L1", "W", "0.00"), ("L2", "", "-30.00")]
