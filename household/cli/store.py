"""``household store``: init, add, list, show, export, reverse, policy.

The store is ``--store PATH-or-URL``, else ``$HOUSEHOLD_STORE``, else
``./household.db`` (an SQLite file, created with mode 0600). Every command
brings the store to the latest schema revision first, and every writing
command is one transaction. A URL's password is never printed.

Examples::

    household store init --store sqlite:///family.db
    household store add fixtures/households/young_couple.json --store family.db
    household store list --format json --store family.db
    household store show young-couple --format json --store family.db
    household store export young-couple --out young.json --store family.db
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from household.cli import BadUsage
from household.cli.common import OutputFormat, add_format

if TYPE_CHECKING:
    from household.store import Store

REVIEW_HELP = "review calendar: quarterly, semi-annual, annual, or dates YYYY-MM-DD,YYYY-MM-DD"


def add_store(parser: argparse.ArgumentParser) -> None:
    """``--store PATH-or-URL`` (default ``$HOUSEHOLD_STORE``, else ``./household.db``)."""
    parser.add_argument(
        "--store",
        dest="store",
        default=None,
        metavar="URL",
        help="store path or URL (default $HOUSEHOLD_STORE, else ./household.db)",
    )


def open_store(args: argparse.Namespace) -> Store:
    """The store the arguments name, brought to the latest revision."""
    from household.store import Store
    from household.store.store import DEFAULT_PATH

    text = getattr(args, "store", None) or os.environ.get("HOUSEHOLD_STORE") or DEFAULT_PATH
    store = Store(text)
    store.init()
    return store


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """The ``store`` sub-commands."""
    sub = parser.add_subparsers(dest="store_command", metavar="SUBCOMMAND")

    init = sub.add_parser("init", help="create the store (or migrate it to the latest revision)")
    add_store(init)
    add_format(init)
    init.set_defaults(run=init_command)

    add = sub.add_parser("add", help="add a household file, or a CSV set, to the store")
    add.add_argument("household_file", nargs="?", type=Path, help="household JSON file")
    add.add_argument("--accounts", type=Path, default=None, help="accounts.csv")
    add.add_argument("--transactions", type=Path, default=None, help="transactions.csv")
    add.add_argument("--securities", type=Path, default=None, help="securities.csv")
    add.add_argument("--template", type=Path, default=None, help="household file for policy")
    add.add_argument("--household-id", default=None, help="the household's id (CSV sets)")
    add.add_argument("--review", default=None, help=REVIEW_HELP)
    add_store(add)
    add_format(add)
    add.set_defaults(run=add_command)

    listing = sub.add_parser("list", help="one line per household: id, events, plans")
    add_store(listing)
    add_format(listing)
    listing.set_defaults(run=list_command)

    show = sub.add_parser("show", help="a household's lots, ledger, policy and plans")
    show.add_argument("household_id")
    add_store(show)
    add_format(show)
    show.set_defaults(run=show_command)

    export = sub.add_parser("export", help="the household as a household file, without loss")
    export.add_argument("household_id")
    export.add_argument("--out", type=Path, default=None, help="write here instead of stdout")
    add_store(export)
    export.set_defaults(run=export_command)

    reverse = sub.add_parser("reverse", help="cancel an event with a reversing event")
    reverse.add_argument("household_id")
    reverse.add_argument("seq", type=int, help="the event's number (store show)")
    reverse.add_argument("--reason", default="", help="why (kept with the reversal)")
    add_store(reverse)
    add_format(reverse)
    reverse.set_defaults(run=reverse_command)

    policy = sub.add_parser("policy", help="record a new policy version (review calendar, bands)")
    policy.add_argument("household_id")
    policy.add_argument("--review", default=None, help=REVIEW_HELP)
    policy.add_argument("--long-term-days", type=int, default=None, help="lots turning long-term")
    policy.add_argument(
        "--alert-absolute", default=None, help="drift alert band, absolute weight (0.05)"
    )
    policy.add_argument(
        "--alert-relative", default=None, help="drift alert band, relative to target (0.25)"
    )
    policy.add_argument(
        "--from-file", type=Path, default=None, help="a household file whose policy to take"
    )
    add_store(policy)
    add_format(policy)
    policy.set_defaults(run=policy_command)

    cash = sub.add_parser("cash", help="record cash in or out of an account (an event)")
    cash.add_argument("household_id")
    cash.add_argument("account_id")
    cash.add_argument("amount", help="dollars, negative for money out")
    cash.add_argument("--date", required=True, help="effective date YYYY-MM-DD")
    add_store(cash)
    add_format(cash)
    cash.set_defaults(run=cash_command)

    events = sub.add_parser("events", help="a household's event log")
    events.add_argument("household_id")
    add_store(events)
    add_format(events)
    events.set_defaults(run=events_command)

    parser.set_defaults(run=lambda args: _missing(parser))


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("household store: a sub-command is required (init, add, list, ...)", file=sys.stderr)
    return 2


def _print(document: Any, output: OutputFormat, rows: list[dict[str, Any]], title: str) -> None:
    from household.render import console, csv_text, print_json, table

    if output is OutputFormat.JSON:
        print_json(document)
    elif output is OutputFormat.CSV:
        sys.stdout.write(csv_text(rows))
    else:
        columns = list(rows[0]) if rows else []
        console().print(table(title, rows, columns))


def init_command(args: argparse.Namespace) -> int:
    from household.store import redacted

    store = open_store(args)
    document = {"store": redacted(store.url), "revision": store.revision()}
    _print(document, args.output, [document], "store")
    return 0


def monitoring_settings(
    review: str | None, base: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """Monitoring settings from the options (checked), on top of ``base``."""
    from household.store.monitor import parse_review
    from household.store.store import DEFAULT_MONITORING

    settings = dict(base if base is not None else DEFAULT_MONITORING)
    if review is not None:
        settings["review"] = parse_review(review, "--review")
    for key, value in extra.items():
        if value is not None:
            settings[key] = value
    return settings


def add_command(args: argparse.Namespace) -> int:
    from household.loader import household_from_dict, load_household, read_json

    store = open_store(args)
    monitoring = monitoring_settings(args.review)
    if args.household_file is not None:
        if args.accounts or args.transactions:
            raise BadUsage(
                "store add: give a household file or --accounts/--transactions, not both"
            )
        household = load_household(args.household_file)
        household_id = store.add_household(household, monitoring=monitoring)
    else:
        if not (args.accounts and args.transactions):
            raise BadUsage("store add: a household file, or --accounts and --transactions")
        from household.csvio import read_accounts, read_transactions
        from household.importing import import_household
        from household.store.store import csv_events, policy_of

        document = import_household(
            args.accounts,
            args.transactions,
            args.securities,
            template=read_json(args.template) if args.template else None,
            household_id=args.household_id,
        )
        household = household_from_dict(document, source=str(args.accounts))
        transactions = read_transactions(args.transactions, read_accounts(args.accounts))
        household_id = store.add_household(
            household,
            monitoring=monitoring,
            events=csv_events(household, transactions),
            policy=policy_of(document),
        )
    entry = next(e for e in store.list_households() if e["household_id"] == household_id)
    _print(entry, args.output, [entry], "added")
    return 0


def list_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    rows = store.list_households()
    _print(rows, args.output, rows, "households")
    return 0


def show_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    document = store.show(args.household_id)
    if args.output is OutputFormat.TABLE:
        from household.render import console, table

        out = console()
        lots = document["lots"]
        out.print(table(f"{args.household_id}: open lots", lots, list(lots[0]) if lots else []))
        rows = document["ledger"]["dispositions"]
        out.print(table("dispositions", rows, list(rows[0]) if rows else []))
        plans = document["plans"]
        out.print(table("plans", plans, ["plan_id", "kind", "as_of", "event_seq", "input_hash"]))
        return 0
    _print(document, args.output, document["lots"], "lots")
    return 0


def export_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    document = store.export(args.household_id)
    text = json.dumps(document, indent=2) + "\n"
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def reverse_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    seq = store.reverse(args.household_id, args.seq, args.reason)
    entry = {"household_id": args.household_id, "reversed": args.seq, "seq": seq}
    _print(entry, args.output, [entry], "reversal")
    return 0


def policy_command(args: argparse.Namespace) -> int:
    from household.loader import household_to_dict, load_household
    from household.store.store import policy_of

    store = open_store(args)
    state = store.state(args.household_id)
    policy = None
    if args.from_file is not None:
        household = load_household(args.from_file)
        if household.household_id != args.household_id:
            raise BadUsage(
                f"--from-file: the file is household {household.household_id!r},"
                f" not {args.household_id!r}"
            )
        policy = policy_of(household_to_dict(household))
    alerts = dict(state.monitoring.get("alert_bands", {}))
    for key, text in (("absolute", args.alert_absolute), ("relative", args.alert_relative)):
        if text is not None:
            from household.store.monitor import parse_rate

            alerts[key] = str(parse_rate(text, f"--alert-{key}"))
    monitoring = monitoring_settings(
        args.review,
        dict(state.monitoring),
        long_term_days=args.long_term_days,
        alert_bands=alerts or None,
    )
    version = store.put_policy(args.household_id, policy, monitoring)
    entry = {"household_id": args.household_id, "policy_version": version, **monitoring}
    _print(
        entry,
        args.output,
        [{"household_id": args.household_id, "policy_version": version}],
        "policy",
    )
    return 0


def events_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    rows = [
        {
            "seq": e.seq,
            "kind": e.kind.value,
            "effective_date": e.effective_date.isoformat(),
            "recorded_at": e.recorded_at,
            "reverses": e.reverses,
            "payload": json.dumps({k: v for k, v in e.payload.items() if k != "$record"}),
        }
        for e in store.events(args.household_id)
    ]
    _print(rows, args.output, rows, f"{args.household_id}: events")
    return 0


def cash_command(args: argparse.Namespace) -> int:
    from household.cli.common import parse_date
    from household.store import EventKind
    from lots.errors import InputError
    from lots.numbers import to_decimal

    try:
        amount = to_decimal(args.amount)
    except (TypeError, ValueError):
        raise InputError(f"{args.amount!r} is not a number", field="amount") from None
    date = parse_date(args.date, "--date")
    assert date is not None
    store = open_store(args)
    state = store.state(args.household_id)
    if args.account_id not in {a["account_id"] for a in state.policy["accounts"]}:
        raise InputError(f"unknown account {args.account_id!r}", field="account_id")
    record = {"account_id": args.account_id, "amount": amount}
    (seq,) = store.append(args.household_id, [(EventKind.CASH, date, record)])
    entry = {
        "household_id": args.household_id,
        "seq": seq,
        "account_id": args.account_id,
        "amount": str(amount),
    }
    _print(entry, args.output, [entry], "cash")
    return 0
