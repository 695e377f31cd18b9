"""``household locate``: where each asset class should sit, and what getting there costs.

Maps a :class:`household.model.Household` into the plain inputs of :mod:`location`
(:func:`location_problem`), solves it (:func:`locate_household`) and renders the
``location`` section as JSON, CSV or a rich table (:func:`location_section`).

The mapping: each account's value is its cash plus its priced lots (exact), less its
cash reserve to place; bounds given as weights become dollars of that placeable value
(the tighter of weight and dollar bounds holds); every asset class of the file takes
part, with target 0 where the targets leave it out; rates are totals
(``ordinary + state + niit`` and so on); a lot's sale is short-term when, on
``as_of``, it has not been held more than a year. Unpriced lots are left out and listed
under ``exceptions``.

Example: ``household locate fixtures/households/young_couple.json --format json``.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import typer

from household.cli import OutputFormat, app, bad_input
from household.errors import HouseholdError, InfeasibleError
from household.loader import load_household
from household.model import Household
from location import (
    AccountInput,
    AssetClassInput,
    HoldingInput,
    InfeasibleLocationError,
    LocationInputError,
    LocationProblem,
    LocationResult,
    Placement,
    TaxRates,
    Treatment,
    locate,
)
from location.inputs import ClassLimits
from location.inputs import TargetBasis as LocationTargetBasis
from location.solvers import BACKENDS, DEFAULT_SOLVERS
from lots.numbers import ZERO, money
from lots.records import Term
from lots.terms import term_of

WEIGHT_STEP = Decimal("0.000001")


def location_problem(
    household: Household, *, as_of: dt.date | None = None
) -> tuple[LocationProblem, list[str]]:
    """The household's location problem, and the holdings left out (in words).

    Args:
        household: the household.
        as_of: the date for holding periods (default the file's ``as_of``, else today).

    Returns:
        ``(problem, exceptions)``.
    """
    as_of = as_of or household.as_of or dt.date.today()
    tax = household.tax
    rates = TaxRates(
        ordinary=tax.ordinary_total,
        qualified=tax.qualified_total,
        long_term=tax.long_term_total,
        short_term=tax.short_term_total,
        withdrawal=tax.withdrawal,
    )
    classes = tuple(
        AssetClassInput(
            name=name,
            expected_return=c.expected_return,
            target=household.targets.get(name, ZERO),
            ordinary_yield=c.ordinary_yield,
            qualified_yield=c.qualified_yield,
            tax_exempt_yield=c.tax_exempt_yield,
            turnover=c.turnover,
            foreign_tax_credit=c.foreign_tax_credit,
            tolerance=household.tolerance(name),
        )
        for name, c in household.asset_classes.items()
    )
    accounts = []
    for account in household.accounts:
        value = household.account_value(account.account_id)
        reserve = household.cash_reserve(account.account_id)
        placeable = value - reserve
        limits = {}
        for name, bound in account.bounds.items():
            low = [b for b in (bound.min_dollars,) if b is not None]
            high = [b for b in (bound.max_dollars,) if b is not None]
            if bound.min_weight is not None:
                low.append(bound.min_weight * placeable)
            if bound.max_weight is not None:
                high.append(bound.max_weight * placeable)
            limits[name] = ClassLimits(
                min_dollars=max(low) if low else None, max_dollars=min(high) if high else None
            )
        accounts.append(
            AccountInput(
                account_id=account.account_id,
                treatment=Treatment(account.treatment.value),
                value=value,
                reserve=reserve,
                menu=account.menu,
                limits=limits,
            )
        )
    holdings: list[HoldingInput] = []
    exceptions: list[str] = []
    for lot in household.lots:
        worth = household.market_value(lot)
        if worth is None:
            exceptions.append(
                f"lot {lot.lot_id} in {lot.account_id} ({lot.symbol}) has no price: "
                "left out of the account's value"
            )
            continue
        holdings.append(
            HoldingInput(
                account_id=lot.account_id,
                asset_class=household.asset_class_of(lot.symbol),
                lot_id=lot.lot_id,
                value=worth,
                gain=worth - lot.cost_basis,
                short_term=term_of(lot.acquired, as_of) is Term.SHORT,
                symbol=lot.symbol,
            )
        )
    problem = LocationProblem(
        accounts=tuple(accounts),
        classes=classes,
        tax=rates,
        horizon_years=household.horizon_years,
        target_basis=LocationTargetBasis(household.options.targets.value),
        tax_unrealized_at_horizon=household.options.tax_unrealized_at_horizon,
        holdings=tuple(holdings),
    )
    return problem, exceptions


def locate_household(
    household: Household,
    *,
    as_of: dt.date | None = None,
    ignore_current: bool = False,
    solvers: Sequence[str] = DEFAULT_SOLVERS,
    explain: bool = True,
) -> tuple[LocationResult, list[str]]:
    """Solve the household's asset location.

    Args:
        household: the household.
        as_of: the date for holding periods.
        ignore_current: recommend the ideal placement, ignoring today's lots.
        solvers: location backends in order.
        explain: write the explanations (a caller that needs only the dollars can skip them).

    Returns:
        ``(result, exceptions)``; ``result.recommended`` gives the per-account targets.

    Raises:
        InfeasibleError: targets that the menus and account sizes cannot meet.
        HouseholdError: inputs the location program rejects.
    """
    problem, exceptions = location_problem(household, as_of=as_of)
    try:
        result = locate(problem, ignore_current=ignore_current, solvers=solvers, explain=explain)
        return result, exceptions
    except InfeasibleLocationError as error:
        raise InfeasibleError(
            error.message, file=household.source, field="targets", hint=error.hint
        ) from None
    except LocationInputError as error:
        raise HouseholdError(error.message, file=household.source, hint=error.hint) from None


# --- output ---------------------------------------------------------------


def _text(value: Decimal) -> str:
    return format(value, "f")


def _weight(value: Decimal) -> str:
    return _text(value.quantize(WEIGHT_STEP, rounding=ROUND_HALF_EVEN))


def _per_dollar(value: float | None) -> str | None:
    if value is None:
        return None
    if value == float("inf"):
        return "inf"
    return _text(Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def _rows(placement: Placement) -> list[dict[str, Any]]:
    return [
        {
            "account_id": c.account_id,
            "asset_class": c.asset_class,
            "dollars": _text(c.dollars),
            "weight": _weight(c.weight),
            "offered": c.offered,
            "loss_per_dollar": _per_dollar(c.loss_per_dollar),
            "explanation": c.explanation,
        }
        for c in placement.cells
        if c.offered or c.dollars
    ]


def _value(placement: Placement) -> dict[str, str]:
    return {
        "after_tax_value": _text(placement.after_tax_value),
        "transition_cost": _text(placement.transition_cost),
        "tax_now": _text(placement.tax_now),
        "net_value": _text(placement.net_value),
    }


def location_section(
    household: Household, result: LocationResult, exceptions: Sequence[str] = ()
) -> dict[str, Any]:
    """The ``location`` report section (JSON-ready; decimals are strings).

    Fields are documented in the README's "Asset location" section.
    """
    recommended = result.recommended
    total = household.total_value
    accounts = []
    for account in household.accounts:
        account_id = account.account_id
        reserve = result.reserves[account_id]
        accounts.append(
            {
                "account_id": account_id,
                "type": account.type.value,
                "treatment": account.treatment.value,
                "value": _text(money(household.account_value(account_id))),
                "cash_reserve": _text(reserve),
                "placed": _text(recommended.account_totals[account_id] - reserve),
                "total": _text(recommended.account_totals[account_id]),
            }
        )
    placed_total = sum(recommended.class_totals.values(), ZERO)
    classes = [
        {
            "asset_class": name,
            "target_weight": _text(household.targets.get(name, ZERO)),
            "target": _text(result.class_targets[name]),
            "dollars": _text(dollars),
            "measured": _text(recommended.class_measured[name]),
            "weight": _weight(dollars / placed_total if placed_total else ZERO),
            "ideal_dollars": _text(result.ideal.class_totals[name]),
        }
        for name, dollars in recommended.class_totals.items()
    ]
    growth = [
        {
            "asset_class": name,
            **{
                treatment.value: _per_dollar(result.growth[(name, treatment.value)])
                for treatment in Treatment
            },
        }
        for name in household.asset_classes
    ]
    return {
        "status": result.status,
        "solver": result.solver,
        "horizon_years": result.horizon_years,
        "target_basis": household.options.targets.value,
        "ignore_current": result.ignore_current,
        "rounding": "cents, half-even; each account's rows add to its value",
        "household_value": _text(money(total)),
        "rows": _rows(recommended),
        "accounts": accounts,
        "classes": classes,
        "objective": {
            "recommended": _value(recommended),
            "ideal": _value(result.ideal),
            "naive": {
                "after_tax_value": _text(result.naive_value),
                "transition_cost": _text(result.naive_transition_cost),
                "net_value": _text(result.naive_value - result.naive_transition_cost),
            },
            "greedy": {"after_tax_value": _text(result.greedy_value)},
        },
        "ideal_rows": _rows(result.ideal),
        "sales": [
            {
                "account_id": s.account_id,
                "lot_id": s.lot_id,
                "symbol": s.symbol,
                "asset_class": s.asset_class,
                "dollars_sold": _text(s.dollars_sold),
                "tax_now": _text(s.tax_now),
                "horizon_cost": _text(s.horizon_cost),
            }
            for s in recommended.sales
        ],
        "growth": growth,
        "explanations": list(result.explanations),
        "exceptions": list(exceptions),
    }


def _print_table(section: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    classes = [c["asset_class"] for c in section["classes"]]
    placement = Table(
        title=f"Asset location ({section['solver']}, {section['status']}, "
        f"{section['horizon_years']} years, {section['target_basis']} targets)"
    )
    placement.add_column("account")
    for name in classes:
        placement.add_column(name, justify="right")
    placement.add_column("cash reserve", justify="right")
    placement.add_column("total", justify="right")
    cells = {(r["account_id"], r["asset_class"]): r for r in section["rows"]}
    for account in section["accounts"]:
        row = [f"{account['account_id']} ({account['treatment']})"]
        for name in classes:
            cell = cells.get((account["account_id"], name))
            row.append(f"{Decimal(cell['dollars']):,}" if cell else "-")
        row.append(f"{Decimal(account['cash_reserve']):,}")
        row.append(f"{Decimal(account['total']):,}")
        placement.add_row(*row)
    placement.add_row(
        "total",
        *[f"{Decimal(c['dollars']):,}" for c in section["classes"]],
        f"{sum(Decimal(a['cash_reserve']) for a in section['accounts']):,}",
        f"{Decimal(section['household_value']):,}",
        style="bold",
    )
    if section["target_basis"] == "aftertax":
        placement.add_row(
            "after-tax", *[f"{Decimal(c['measured']):,}" for c in section["classes"]], "", ""
        )
    placement.add_row("target", *[f"{Decimal(c['target']):,}" for c in section["classes"]], "", "")
    console.print(placement)

    values = Table(title="After-tax value at the horizon")
    for column in ("placement", "after tax", "transition cost", "tax now", "net"):
        values.add_column(column, justify="right" if column != "placement" else "left")
    for name in ("recommended", "ideal", "naive"):
        v = section["objective"][name]
        values.add_row(
            name,
            f"{Decimal(v['after_tax_value']):,}",
            f"{Decimal(v['transition_cost']):,}",
            f"{Decimal(v.get('tax_now', '0')):,}" if "tax_now" in v else "",
            f"{Decimal(v['net_value']):,}",
        )
    greedy = section["objective"]["greedy"]["after_tax_value"]
    values.add_row("greedy", f"{Decimal(greedy):,}", "", "", "")
    console.print(values)
    for line in section["explanations"]:
        console.print(f"- {line}", highlight=False)
    for line in section["exceptions"]:
        console.print(f"[yellow]! {line}[/yellow]")


def _print_csv(section: dict[str, Any]) -> None:
    out = io.StringIO()
    fields = ["account_id", "asset_class", "dollars", "weight", "loss_per_dollar", "explanation"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in section["rows"]:
        writer.writerow(row)
    print(out.getvalue(), end="")


@app.command("locate")
def locate_command(
    household_file: Path = typer.Argument(..., help="The household JSON file."),
    format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="Output format."),
    ignore_current: bool = typer.Option(
        False, "--ignore-current", help="Recommend the ideal placement, ignoring today's lots."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date for holding periods (default: the file's as_of)."
    ),
    solver: list[str] | None = typer.Option(
        None,
        "--solver",
        help=f"Solver backend, repeatable, in order ({', '.join(BACKENDS)}; default highs, cbc).",
    ),
) -> None:
    """Asset location: which asset class sits in which account, explained."""
    date = None
    if as_of is not None:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise bad_input(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    for name in solver or ():
        if name not in BACKENDS:
            raise bad_input(f"--solver: unknown solver {name!r} (known: {', '.join(BACKENDS)})")
    household = load_household(household_file)
    result, exceptions = locate_household(
        household,
        as_of=date,
        ignore_current=ignore_current,
        solvers=tuple(solver) if solver else DEFAULT_SOLVERS,
    )
    section = location_section(household, result, exceptions)
    if format is OutputFormat.JSON:
        print(json.dumps({"location": section}, indent=2))
    elif format is OutputFormat.CSV:
        _print_csv(section)
    else:
        _print_table(section)


# --- household import -----------------------------------------------------


def _account_extras(path: Path) -> dict[str, dict[str, str]]:
    """The optional ``name`` and ``cash`` columns of ``accounts.csv``, by account id."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {
            (row.get("account_id") or "").strip(): {
                key: (row.get(key) or "").strip() for key in ("name", "cash")
            }
            for row in csv.DictReader(handle)
        }


def import_household(
    accounts_path: Path,
    transactions_path: Path,
    securities_path: Path | None = None,
    *,
    template: dict[str, Any] | None = None,
    household_id: str | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Convert a CSV set (``FORMATS.md``) into a household document, without loss.

    Accounts, securities and every transaction are carried over (the transactions as
    ``recent_transactions``, so the wash-sale look-back keeps the full history); the
    open lots are the lots engine's replay of the transactions. An account without a
    ``lot_method`` gets ``fifo``, the CSV default. What CSVs do not carry (tax rates,
    asset classes' returns, targets, policy) comes from ``template`` (a household
    document whose accounts and securities are merged by id); without one, the
    placeholders are: rates 24%/15%, a 20-year horizon, each class returning 6%, equal
    targets (say so in ``name``).

    Returns:
        The household document, validated by :func:`household.loader.household_from_dict`.
    """
    from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
    from household.loader import household_from_dict
    from lots.relief import LotMethod
    from lots.washsale import replay

    accounts = read_accounts(accounts_path)
    transactions = read_transactions(transactions_path, accounts)
    securities = read_securities(securities_path) if securities_path else []
    ledger = replay(transactions, accounts, identical_groups(securities), LotMethod.FIFO)
    extras = _account_extras(accounts_path)
    document: dict[str, Any] = copy.deepcopy(template) if template else {}
    template_accounts = {a["account_id"]: a for a in document.get("accounts", [])}
    template_securities = {s["symbol"]: s for s in document.get("securities", [])}
    document.setdefault("household_id", household_id or Path(accounts_path).parent.name)
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
        extra = extras.get(account.account_id, {})
        if extra.get("name"):
            entry["name"] = extra["name"]
        if extra.get("cash"):
            entry["cash"] = extra["cash"]
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
            }.items()
            if value is not None
        }
        for t in transactions
    ]
    household_from_dict(document, source=str(accounts_path))  # validate what we write
    return document


@app.command("import")
def import_command(
    accounts: Path = typer.Option(..., "--accounts", help="accounts.csv"),
    transactions: Path = typer.Option(..., "--transactions", help="transactions.csv"),
    securities: Path | None = typer.Option(None, "--securities", help="securities.csv"),
    template: Path | None = typer.Option(
        None, "--template", help="A household file supplying rates, classes, targets, policy."
    ),
    household_id: str | None = typer.Option(None, "--household-id", help="The household's id."),
    as_of: str | None = typer.Option(None, "--as-of", help="The prices' date (YYYY-MM-DD)."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
    format: OutputFormat = typer.Option(
        OutputFormat.JSON, "--format", help="Only json: the output is a household file."
    ),
) -> None:
    """Convert a CSV set (accounts, transactions, securities) into a household JSON file."""
    from household.loader import read_json

    if format is not OutputFormat.JSON:
        raise bad_input("--format: import writes a household file (json)")
    date = None
    if as_of is not None:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise bad_input(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    document = import_household(
        accounts,
        transactions,
        securities,
        template=read_json(template) if template else None,
        household_id=household_id,
        as_of=date,
    )
    text = json.dumps(document, indent=2) + "\n"
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
