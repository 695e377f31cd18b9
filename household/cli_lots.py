"""``household wash-sales`` and ``household gains``: the lots engine on CSV inputs.

Both read ``accounts.csv``, ``transactions.csv`` and optionally
``securities.csv`` (for ``identical_group``), replay the history through the
wash-sale ledger (:func:`lots.washsale.replay`) and print the result as
``FORMATS.md`` specifies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from household.cli import OutputFormat, app, bad_input
from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
from household.render import console, csv_text, money_text, print_json, quantity_text, table
from lots.gains import FormRow, TermTotals, form_row, summarize
from lots.records import Disposition, Lot
from lots.relief import LotMethod
from lots.washsale import Ledger, WashMatch, replay

AccountsOption = typer.Option(..., "--accounts", help="accounts.csv", show_default=False)
TransactionsOption = typer.Option(
    ..., "--transactions", help="transactions.csv", show_default=False
)
SecuritiesOption = typer.Option(None, "--securities", help="securities.csv (identical groups)")
MethodOption = typer.Option(
    None, "--method", help="lot method for accounts without one: fifo|lifo|hifo|min_tax"
)
FormatOption = typer.Option(OutputFormat.TABLE, "--format", help="table, json or csv")
SameSaleOption = typer.Option(
    False,
    "--same-sale-replacement",
    help="a lot sold later in one sale may replace an earlier lot's loss (each lot its own sale)",
)


def run_ledger(
    accounts_path: Path,
    transactions_path: Path,
    securities_path: Path | None,
    method: str | None,
    same_sale_replacement: bool = False,
) -> Ledger:
    """Read the CSV set and replay it; bad input raises a ``LotsError``."""
    default_method = LotMethod.FIFO
    if method is not None:
        try:
            default_method = LotMethod.parse(method)
        except ValueError as error:
            raise bad_input(f"--method: {error}") from None
        if default_method is LotMethod.SPECIFIC:
            raise bad_input("--method: specific identification is chosen per sale (lot_id)")
    accounts = read_accounts(accounts_path)
    transactions = read_transactions(transactions_path, accounts)
    groups = identical_groups(read_securities(securities_path)) if securities_path else {}
    return replay(
        transactions,
        accounts,
        groups,
        default_method,
        same_sale_replacement=same_sale_replacement,
    )


def disposition_json(d: Disposition) -> dict[str, Any]:
    """A disposition as ``FORMATS.md`` prints it, rounded as on Form 8949.

    Money is rounded to cents half-even the way :func:`lots.gains.form_row` does,
    so ``gain = proceeds - cost_basis + adjustment`` holds on the printed row.
    """
    row = form_row(d)
    event = {"event": d.event.value} if d.event is not None else {}
    return {
        "sale_date": d.sale_date,
        "account_id": d.account_id,
        "symbol": d.symbol,
        "lot_id": d.lot_id,
        "quantity": quantity_text(d.quantity),
        "acquired": d.acquired,
        "term": d.term.value,
        "proceeds": money_text(row.proceeds),
        "cost_basis": money_text(row.cost_basis),
        "code": d.code,
        "adjustment": money_text(row.adjustment),
        "gain": money_text(row.gain),
        "permanently_disallowed": money_text(d.permanently_disallowed),
        **event,
    }


def lot_json(lot: Lot) -> dict[str, Any]:
    """An open lot as ``FORMATS.md`` prints it."""
    return {
        "account_id": lot.account_id,
        "symbol": lot.symbol,
        "lot_id": lot.lot_id,
        "quantity": quantity_text(lot.quantity),
        "purchased": lot.purchased,
        "acquired": lot.acquired,
        "cost_basis": money_text(lot.cost_basis),
        "wash_sale_adjustment": money_text(lot.wash_sale_adjustment),
    }


def match_json(match: WashMatch) -> dict[str, Any]:
    """A wash-sale match: which loss shares went to which replacement lot."""
    return {
        "sale_date": match.sale_date,
        "account_id": match.account_id,
        "symbol": match.symbol,
        "lot_id": match.lot_id,
        "quantity": quantity_text(match.quantity),
        "replacement_account_id": match.replacement_account_id,
        "replacement_symbol": match.replacement_symbol,
        "replacement_lot_id": match.replacement_lot_id,
        "replacement_purchased": match.replacement_purchased,
        "disallowed": money_text(match.disallowed),
        "permanent": match.permanent,
    }


@app.command("wash-sales")
def wash_sales(
    accounts: Path = AccountsOption,
    transactions: Path = TransactionsOption,
    securities: Path | None = SecuritiesOption,
    method: str | None = MethodOption,
    output: OutputFormat = FormatOption,
    same_sale_replacement: bool = SameSaleOption,
) -> None:
    """Replay the history and apply the wash-sale rule across all accounts."""
    ledger = run_ledger(accounts, transactions, securities, method, same_sale_replacement)
    dispositions = [disposition_json(d) for d in ledger.reportable]
    lots = [lot_json(lot) for lot in ledger.lots]
    matches = [match_json(m) for m in ledger.matches]
    if output is OutputFormat.JSON:
        print_json({"dispositions": dispositions, "lots": lots, "matches": matches})
    elif output is OutputFormat.CSV:
        columns = list(_DISPOSITION_COLUMNS)
        if any("event" in row for row in dispositions):
            columns.append("event")
        print(csv_text(dispositions, columns), end="")
    else:
        out = console()
        columns = list(_DISPOSITION_COLUMNS)
        if any("event" in row for row in dispositions):
            columns.append("event")
        out.print(table("Dispositions (taxable accounts)", dispositions, columns))
        out.print(table("Wash-sale matches", matches, list(matches[0]) if matches else []))
        out.print(table("Open lots", lots, list(lots[0]) if lots else _LOT_COLUMNS))


_DISPOSITION_COLUMNS = (
    "sale_date",
    "account_id",
    "symbol",
    "lot_id",
    "quantity",
    "acquired",
    "term",
    "proceeds",
    "cost_basis",
    "code",
    "adjustment",
    "gain",
    "permanently_disallowed",
)
_LOT_COLUMNS = ["account_id", "symbol", "lot_id", "quantity", "purchased", "acquired"]

#: Form 8949 columns (a) to (h), with the part (I short-term, II long-term) in front.
FORM_8949_COLUMNS = (
    "part",
    "(a) description",
    "(b) date acquired",
    "(c) date sold",
    "(d) proceeds",
    "(e) cost basis",
    "(f) code",
    "(g) adjustment",
    "(h) gain or loss",
)


def form_row_csv(row: FormRow) -> dict[str, Any]:
    """A Form 8949 row under the columns (a) to (h)."""
    return dict(
        zip(
            FORM_8949_COLUMNS,
            (
                row.part,
                row.description,
                row.acquired.strftime("%m/%d/%Y"),
                row.sold.strftime("%m/%d/%Y"),
                money_text(row.proceeds),
                money_text(row.cost_basis),
                row.code,
                money_text(row.adjustment) if row.adjustment else "",
                money_text(row.gain),
            ),
            strict=True,
        )
    )


def totals_json(totals: TermTotals) -> dict[str, Any]:
    return {
        "rows": totals.rows,
        "proceeds": money_text(totals.proceeds),
        "cost_basis": money_text(totals.cost_basis),
        "adjustment": money_text(totals.adjustment),
        "gain": money_text(totals.gain),
        "permanently_disallowed": money_text(totals.permanently_disallowed),
    }


@app.command("gains")
def gains(
    accounts: Path = AccountsOption,
    transactions: Path = TransactionsOption,
    securities: Path | None = SecuritiesOption,
    method: str | None = MethodOption,
    year: int | None = typer.Option(None, "--year", help="tax year (default: all years)"),
    output: OutputFormat = FormatOption,
    same_sale_replacement: bool = SameSaleOption,
) -> None:
    """The realized gains summary: Form 8949 rows and short- and long-term totals."""
    ledger = run_ledger(accounts, transactions, securities, method, same_sale_replacement)
    summary = summarize(ledger.dispositions, year)
    if output is OutputFormat.CSV:
        print(csv_text([form_row_csv(row) for row in summary.rows], FORM_8949_COLUMNS), end="")
        return
    rows = [disposition_json(row.disposition) for row in summary.rows]
    totals = {
        "short": totals_json(summary.short),
        "long": totals_json(summary.long),
        "all": totals_json(summary.total),
    }
    if output is OutputFormat.JSON:
        print_json({"year": year, "dispositions": rows, "totals": totals})
        return
    out = console()
    out.print(table("Form 8949 rows", [form_row_csv(r) for r in summary.rows], FORM_8949_COLUMNS))
    total_rows = [{"term": term, **values} for term, values in totals.items()]
    out.print(table(f"Totals ({year or 'all years'})", total_rows, list(total_rows[0])))
