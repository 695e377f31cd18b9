"""Tiny ledgers written as text, for tests that read like Publication 550's examples.

    accounts: joint=joint sam=individual ira=traditional_ira
    groups: VTI=total VTSAX=total
    2026-01-05 joint buy 100 XYZ @ 10 L1
    2026-03-10 joint sell 100 XYZ @ 9
    2026-03-20 joint buy 100 XYZ @ 10.50 L2 fees 1

A buy names its lot id (optional); a sell may name one (specific identification).
``fees F`` adds fees. ``method ACCOUNT=hifo`` sets an account's lot method.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lots.records import Account, AccountType, Action, Disposition, Lot, Transaction
from lots.washsale import Ledger, replay


def parse(text: str) -> tuple[list[Account], dict[str, str], list[Transaction]]:
    accounts: dict[str, Account] = {}
    methods: dict[str, str] = {}
    groups: dict[str, str] = {}
    transactions: list[Transaction] = []
    for number, raw in enumerate(text.strip().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, _, rest = line.partition(":")
        if head in ("accounts", "groups", "methods"):
            for item in rest.split():
                key, _, value = item.partition("=")
                if head == "accounts":
                    accounts[key] = Account(key, AccountType.parse(value))
                elif head == "groups":
                    groups[key] = value
                else:
                    methods[key] = value
            continue
        words = line.split()
        date, account, action, quantity, symbol, at, price, *tail = words
        assert at == "@", line
        fees = Decimal(0)
        lot_id = None
        while tail:
            word = tail.pop(0)
            if word == "fees":
                fees = Decimal(tail.pop(0))
            else:
                lot_id = word
        transactions.append(
            Transaction(
                date=dt.date.fromisoformat(date),
                account_id=account,
                symbol=symbol,
                action=Action(action),
                quantity=Decimal(quantity),
                price=Decimal(price),
                fees=fees,
                lot_id=lot_id,
                row=number,
                source="ledger",
            )
        )
    resolved = [
        Account(a.account_id, a.type, lot_method=methods.get(a.account_id))
        for a in accounts.values()
    ]
    return resolved, groups, transactions


def run(text: str, opening: list[Lot] | None = None) -> Ledger:
    accounts, groups, transactions = parse(text)
    return replay(transactions, accounts, groups, opening_lots=opening or ())


def lot(ledger: Ledger, account_id: str, lot_id: str) -> Lot:
    found = [x for x in ledger.lots if x.account_id == account_id and x.lot_id == lot_id]
    assert len(found) == 1, f"{account_id}/{lot_id} not among {[x.lot_id for x in ledger.lots]}"
    return found[0]


def rows(ledger: Ledger) -> list[tuple[str, str, Decimal, Decimal, Decimal, Decimal, Decimal]]:
    """(account, lot, quantity, proceeds, basis, adjustment, gain) per reportable row."""
    return [
        (d.account_id, d.lot_id, d.quantity, d.proceeds, d.cost_basis, d.adjustment, d.gain)
        for d in ledger.reportable
    ]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


__all__ = ["Disposition", "day", "lot", "parse", "rows", "run"]
