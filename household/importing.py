"""``household import``: a CSV set (accounts, transactions, securities) as a household file.

The transactions are replayed through the wash-sale ledger (:func:`lots.washsale.replay`)
to get the open lots, with their adjusted basis and holding periods; every
transaction is kept as ``recent_transactions`` for the wash-sale look-back. Rates,
returns, targets and policy come from a template household file where one is given.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from household.csvio import (
    identical_groups,
    normal_symbol,
    read_account_rows,
    read_securities,
    read_transactions,
)
from household.loader import event_fields, household_from_dict
from lots.numbers import plain
from lots.records import Action
from lots.relief import LotMethod
from lots.washsale import replay


def _text(value: Decimal) -> str:
    """A decimal as written in the household file (no exponent, no trailing zeros)."""
    return format(plain(value), "f")


def default_household_id(accounts_path: Path) -> str:
    """The id of an imported household without ``--household-id``: the CSV set's folder name.

    A bare file name (run from the data folder) uses the current folder's name.
    """
    name = Path(accounts_path).resolve().parent.name
    return name or "household"


def import_household(
    accounts_path: Path,
    transactions_path: Path,
    securities_path: Path | None = None,
    *,
    template: dict[str, Any] | None = None,
    template_path: Path | None = None,
    household_id: str | None = None,
    as_of: dt.date | None = None,
    allow_extra_columns: bool = False,
) -> dict[str, Any]:
    """Convert a CSV set (``docs/formats.md``) into a household document, without loss.

    Accounts, securities and every transaction are carried over (the transactions as
    ``recent_transactions``, so the wash-sale look-back keeps the full history); the
    open lots are the lots engine's replay of the transactions. An account without a
    ``lot_method`` gets ``fifo``, the CSV default. What CSVs do not carry (tax rates,
    asset classes' returns, targets, policy) comes from ``template`` (a household
    document whose accounts and securities are merged by id); without one, the
    placeholders are: rates 24%/15%, a 20-year horizon, each class returning 6%, equal
    targets (say so in ``name``).

    The template is validated on its own first, so its errors name its file
    (``template_path``); an error only the merged document has names
    ``accounts.csv + template``.

    Returns:
        The household document, validated by :func:`household.loader.household_from_dict`.
    """
    template_name = str(template_path) if template_path else "the template"
    if template is not None:
        household_from_dict(template, source=template_name)
    account_rows = read_account_rows(accounts_path, allow_extra_columns=allow_extra_columns)
    accounts = [row.account for row in account_rows]
    transactions = read_transactions(
        transactions_path, accounts, allow_extra_columns=allow_extra_columns
    )
    securities = (
        read_securities(securities_path, allow_extra_columns=allow_extra_columns)
        if securities_path
        else []
    )
    ledger = replay(transactions, accounts, identical_groups(securities), LotMethod.FIFO)
    extras = {row.account.account_id: row for row in account_rows}
    document: dict[str, Any] = copy.deepcopy(template) if template else {}
    template_accounts = {a["account_id"]: a for a in document.get("accounts", [])}
    template_securities = {normal_symbol(s["symbol"]): s for s in document.get("securities", [])}
    document.setdefault("household_id", household_id or default_household_id(accounts_path))
    if household_id:
        document["household_id"] = household_id
    if as_of is not None:
        document["as_of"] = as_of.isoformat()
    if not template:
        document["name"] = (
            "imported from CSV: tax rates, returns and targets are placeholders, edit them"
        )
        document["horizon_years"] = 20
        document["tax"] = {"ordinary": "0.24", "qualified": "0.15"}
    document["accounts"] = []
    for account in accounts:
        entry = dict(template_accounts.get(account.account_id, {}))
        entry.update(
            {
                "account_id": account.account_id,
                "owner": account.owner,
                "type": account.type.value,
                "lot_method": account.lot_method or "fifo",
            }
        )
        extra = extras[account.account_id]
        if extra.name:
            entry["name"] = extra.name
        if extra.cash is not None:
            entry["cash"] = _text(extra.cash)
        document["accounts"].append(entry)
    symbols = {s.symbol for s in securities}
    document["securities"] = []
    for security in securities:
        entry = dict(template_securities.get(security.symbol, {}))
        entry.update({"symbol": security.symbol, "asset_class": security.asset_class})
        if security.price is not None:
            entry["price"] = _text(security.price)
        if security.identical_group:
            entry["identical_group"] = security.identical_group
        substitutes = [s for s in security.substitutes if s in symbols]
        if substitutes:
            entry["substitutes"] = substitutes
        entry["restricted"] = security.restricted
        document["securities"].append(entry)
    traded = {t.symbol for t in transactions} - symbols
    for symbol in sorted(traded):  # traded but not in securities.csv: unpriced, unmapped
        document["securities"].append(
            template_securities.get(symbol, {"symbol": symbol, "asset_class": "unclassified"})
        )
    classes = document.setdefault("asset_classes", {})
    for security in document["securities"]:
        classes.setdefault(security["asset_class"], {"expected_return": "0.06"})
    if not template:
        names = sorted(classes)
        share = (Decimal(1) / len(names)).quantize(Decimal("0.000001"))
        targets = {name: _text(share) for name in names}
        targets[names[-1]] = _text(Decimal(1) - share * (len(names) - 1))
        document["targets"] = targets
    document["lots"] = [
        {
            "account_id": lot.account_id,
            "symbol": lot.symbol,
            "lot_id": lot.lot_id,
            "quantity": _text(lot.quantity),
            "purchased": lot.purchased.isoformat(),
            "acquired": lot.acquired.isoformat(),
            "cost_basis": _text(lot.cost_basis),
            "wash_sale_adjustment": _text(lot.wash_sale_adjustment),
        }
        for lot in ledger.lots
    ]
    # A sell's cost basis, from the replay, where one sell alone has its date,
    # account and symbol (the look-back then tells its loss from a gain).
    sells = Counter(
        (t.date, t.account_id, t.symbol) for t in transactions if t.action is Action.SELL
    )
    basis: dict[tuple[dt.date, str, str], Decimal] = {}
    for row in ledger.dispositions:
        key = (row.sale_date, row.account_id, row.symbol)
        basis[key] = basis.get(key, Decimal(0)) + row.cost_basis
    document["recent_transactions"] = [
        {
            key: value
            for key, value in {
                "date": t.date.isoformat(),
                "account_id": t.account_id,
                "symbol": t.symbol,
                "action": t.action.value,
                "quantity": _text(t.quantity),
                "price": _text(t.price),
                "fees": _text(t.fees),
                "lot_id": t.lot_id,
                "cost_basis": _text(basis[(t.date, t.account_id, t.symbol)])
                if t.action is Action.SELL and sells[(t.date, t.account_id, t.symbol)] == 1
                else None,
                **event_fields(t, _text),
            }.items()
            if value is not None
        }
        for t in transactions
    ]
    source = str(accounts_path) if template is None else f"{accounts_path} + {template_name}"
    household_from_dict(document, source=source)  # validate what we write
    return document
