"""Speed of the wash-sale ledger against the quadratic reference, in one run.

A synthetic household history: 5 accounts (three taxable, a traditional IRA, a
Roth IRA), 50 symbols in 20 identical groups, about 100 events a day, prices on
an equity-like random walk (7% drift, 19% volatility a year, so a sale is at a
loss about a third of the time and most losses meet a replacement), sells a random share of what the
account holds, a mix of lot methods. For n events it prints the fast path's
time, and for n <= 20,000 the reference's time and the ratio.

    python benchmarks/wash_sales.py                 # 1k, 10k, 20k, 100k, 1M
    python benchmarks/wash_sales.py --sizes 1000 20000 --workload active

Three workloads: ``active`` (an event of a held symbol is a sale 45% of the
time; holdings stay small, most losses meet a replacement),
``accumulating`` (10%: open lots pile up, as in a household that contributes
and reinvests, and the reference's scans over them grow with the history) and
``mixed`` (the active history with every event of ``lots.events`` mixed in:
a third of the buys are dividend reinvestments, and about one event in 60 is
a split, a return of capital, a transfer between taxable accounts, a gift, an
inheritance, a spin-off or a symbol change).

``--cli N`` (default 100,000) also times the whole command-line path on the
mixed history: write the CSV set, then ``household wash-sales --format json``
in a child process, from reading the CSV to writing the JSON (Python's start
and imports included), as CPU seconds of the child.

``replay`` returns a ``LazyLedger``: its records are built when first read, so the
fast path's time is the replay's. For n <= ``--boundary-max`` (default 100,000) it
also prints what building all the ``Decimal`` records then costs (``records``:
``Disposition``, ``Lot``, ``WashMatch`` from the integer rows, as a share of the fast
path's time), from one more run.

For n <= ``--decimal-max`` (default 100,000) it also times the Decimal replay
(``lots.washsale.decimal_replay``, the exact fallback of the integer path) on the
same history and prints its ratio to the fast path (``decimal/fast``), checking
the two equal; ``--cli`` likewise prints the CLI path's parts (read, replay,
write) measured in-process.

Times are CPU seconds (``time.process_time``), the best of ``--repeat`` runs:
the machine is shared and noisy, and CPU time is what one core spends. The
ratio is measured in the same run.

The integer replay is the compiled module when the package was built with it
(``lots._fastreplay_native``, see ``setup.py``), else ``lots/fastreplay.py``; the
second line says which, and ``LOTS_REPLAY=python`` measures the pure one.

The first line is a yardstick of the machine itself: the CPU seconds of a fixed
pure-Python loop of the replay's kind of work (dict lookups among 50,000
tuple keys, about 1% of them hits; tuples; integer arithmetic; 2,000,000
rounds), the best of three. These machines
differ from one session to the next by more than 2x in plain interpreter speed,
so an absolute figure compares across sessions only beside its yardstick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lots.errors import NotExact  # noqa: E402
from lots.events import CSV_COLUMNS  # noqa: E402
from lots.records import Account, AccountType, Action, Transaction  # noqa: E402
from lots.relief import LotMethod  # noqa: E402
from lots.washsale import FAST_MODULE, decimal_replay, replay  # noqa: E402

ACCOUNTS = [
    Account("joint", AccountType.JOINT, lot_method="fifo"),
    Account("alex", AccountType.INDIVIDUAL, lot_method="hifo"),
    Account("sam", AccountType.INDIVIDUAL, lot_method="min_tax"),
    Account("ira", AccountType.TRADITIONAL_IRA),
    Account("roth", AccountType.ROTH_IRA),
]
SYMBOLS = [f"S{i:02d}" for i in range(50)]
GROUPS = {symbol: f"G{i % 20:02d}" for i, symbol in enumerate(SYMBOLS)}
EVENTS_PER_DAY = 100
# An equity-like random walk: about 7% a year of drift and 19% of volatility.
DAILY_DRIFT = 0.0003
DAILY_VOLATILITY = 0.012


TAXABLE = ["joint", "alex", "sam"]
SPLITS = [(Decimal(2), Decimal(1)), (Decimal(3), Decimal(2)), (Decimal(1), Decimal(2))]


def history(
    n: int, seed: int = 7, sell_chance: float = 0.45, mixed: bool = False
) -> list[Transaction]:
    """A reproducible synthetic history of ``n`` buys and sells.

    ``sell_chance`` is the chance that an event of a held symbol is a sale:
    0.45 trades actively (holdings stay small), 0.1 accumulates (open lots grow
    with the history, as in a household that contributes and reinvests).
    """
    rng = random.Random(seed)
    start = dt.date(1990, 1, 2)
    prices = {symbol: 100.0 for symbol in SYMBOLS}
    held: dict[tuple[str, str], Decimal] = {}
    transactions: list[Transaction] = []
    day = 0
    live = list(SYMBOLS)
    fresh = 0
    while len(transactions) < n:
        i = len(transactions)
        if i and i % EVENTS_PER_DAY == 0:
            day += 1
            for symbol in prices:
                prices[symbol] *= 1 + rng.gauss(DAILY_DRIFT, DAILY_VOLATILITY)
        account = rng.choice(ACCOUNTS).account_id
        symbol = rng.choice(live)
        price = Decimal(f"{max(prices[symbol], 1.0):.2f}")
        have = held.get((account, symbol), Decimal(0))
        date = start + dt.timedelta(days=day)
        if mixed and rng.random() < 1 / 60:
            event, fresh = _event(rng, date, account, symbol, price, held, live, prices, fresh)
            transactions.extend(event)
            continue
        if have > 0 and rng.random() < sell_chance:
            quantity = (have * Decimal(rng.choice((25, 50, 100))) / 100).quantize(
                Decimal("0.000001")
            )
            quantity = min(max(quantity, Decimal("0.000001")), have)
            action = Action.SELL
            held[(account, symbol)] = have - quantity
        else:
            quantity = Decimal(rng.randint(1, 200))
            if rng.random() < 0.1:
                quantity += Decimal(rng.randint(1, 999_999)) / 1_000_000
            action = Action.REINVEST if mixed and rng.random() < 1 / 3 else Action.BUY
            held[(account, symbol)] = have + quantity
        transactions.append(
            Transaction(
                date=date,
                account_id=account,
                symbol=symbol,
                action=action,
                quantity=quantity,
                price=price,
                fees=Decimal("1") if rng.random() < 0.2 else Decimal(0),
            )
        )
    return transactions[:n]


def _event(
    rng: random.Random,
    date: dt.date,
    account: str,
    symbol: str,
    price: Decimal,
    held: dict[tuple[str, str], Decimal],
    live: list[str],
    prices: dict[str, float],
    fresh: int,
) -> tuple[list[Transaction], int]:
    """One event of ``lots.events`` (rows for every account holding the symbol)."""
    holders = [a.account_id for a in ACCOUNTS if held.get((a.account_id, symbol), 0) > 0]
    kind = rng.choice(["split", "roc", "transfer", "gift", "inherited", "spinoff", "change"])
    zero = Decimal(0)

    def row(account_id: str, action: Action, **fields: object) -> Transaction:
        values: dict[str, object] = {"quantity": zero, "price": zero, **fields}
        return Transaction(date=date, account_id=account_id, symbol=symbol, action=action,
                           **values)  # type: ignore[arg-type]  # fmt: skip

    if kind in ("gift", "inherited"):
        quantity = Decimal(rng.randint(1, 100))
        value = quantity * price
        held[(account, symbol)] = held.get((account, symbol), zero) + quantity
        if kind == "inherited":
            return [row(account, Action.INHERITED, quantity=quantity, fmv=value)], fresh
        donor = (value * Decimal(rng.choice((60, 100, 140))) / 100).quantize(Decimal("0.01"))
        gift = row(account, Action.GIFT_RECEIVED, quantity=quantity, donor_basis=donor, fmv=value,
                   donor_acquired=date - dt.timedelta(days=rng.randint(0, 3000)))  # fmt: skip
        return [gift], fresh
    if not holders:
        return [], fresh
    if kind == "roc":
        amount = Decimal(rng.randint(1, 200)) / 100
        return [row(a, Action.RETURN_OF_CAPITAL, amount_per_share=amount) for a in holders], fresh
    if kind == "transfer":
        sources = [a for a in holders if a in TAXABLE]
        if not sources:
            return [], fresh
        source = rng.choice(sources)
        target = rng.choice([a for a in TAXABLE if a != source])
        quantity = held[(source, symbol)]
        held[(source, symbol)] = zero
        held[(target, symbol)] = held.get((target, symbol), zero) + quantity
        return [row(source, Action.TRANSFER, quantity=quantity, to_account_id=target)], fresh
    if kind == "split":
        ratio = rng.choice(SPLITS)
        for a in holders:
            held[(a, symbol)] = held[(a, symbol)] * ratio[0] / ratio[1]
        prices[symbol] = prices[symbol] * float(ratio[1] / ratio[0])
        return [row(a, Action.SPLIT, ratio=ratio) for a in holders], fresh
    fresh += 1
    new = f"N{fresh:04d}"
    GROUPS.setdefault(new, GROUPS.get(symbol, new))
    prices[new] = prices[symbol]
    if kind == "spinoff":
        live.append(new)
        for a in holders:
            held[(a, new)] = held[(a, symbol)] / 4
        rows = [
            row(a, Action.SPINOFF, new_symbol=new, ratio=(Decimal(1), Decimal(4)),
                basis_fraction=Decimal("0.85"))
            for a in holders
        ]  # fmt: skip
        return rows, fresh
    live[live.index(symbol)] = new
    for a in holders:
        held[(a, new)] = held.pop((a, symbol))
    rows = [
        row(a, Action.SYMBOL_CHANGE, new_symbol=new, ratio=(Decimal(1), Decimal(1)))
        for a in holders
    ]
    return rows, fresh


def best_time(function: object, repeat: int) -> float:
    """Best CPU time of ``repeat`` runs (CPU time: the other core's load counts less)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        function()  # type: ignore[operator]
        best = min(best, time.process_time() - started)
    return best


def yardstick() -> float:
    """CPU seconds of a fixed pure-Python loop: the machine's speed, not the engine's."""

    def work() -> int:
        table = {(i % 97, i): i for i in range(50_000)}
        total = 0
        for round_ in range(2_000_000):
            key = (round_ % 97, (round_ * 7_919) % 50_000)
            value = table.get(key)
            pair = (round_, total & 0xFFFF)
            total += (value if value is not None else pair[0] // 3) - pair[1]
        return total

    return best_time(work, 3)


WORKLOADS = {"active": 0.45, "accumulating": 0.1, "mixed": 0.45}


def records_time(transactions: list[Transaction]) -> float | None:
    """CPU seconds the integer path spends building all the ``Decimal`` records when they
    are read (``Disposition``, ``Lot``, ``WashMatch``; None: it gives up)."""
    accounts = {account.account_id: account for account in ACCOUNTS}
    run = FAST_MODULE.FastReplay(accounts, GROUPS, LotMethod.FIFO)
    gc.collect()
    gc.disable()
    try:
        run.run(transactions, ())
        started = time.process_time()
        run.result()
        return time.process_time() - started
    except NotExact:
        return None
    finally:
        gc.enable()


_COLUMNS = list(CSV_COLUMNS)


def write_csv_set(transactions: list[Transaction], directory: Path) -> None:
    """The history as ``accounts.csv``, ``securities.csv`` and ``transactions.csv``."""
    import csv

    with (directory / "accounts.csv").open("w", newline="") as handle:
        handle.write("account_id,owner,type,lot_method\n")
        for account in ACCOUNTS:
            handle.write(
                f"{account.account_id},o,{account.type.value},{account.lot_method or ''}\n"
            )
    with (directory / "securities.csv").open("w", newline="") as handle:
        handle.write("symbol,asset_class,identical_group\n")
        for symbol, group in GROUPS.items():
            handle.write(f"{symbol},equity,{group}\n")
    with (directory / "transactions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_COLUMNS)
        for t in transactions:
            ratio = f"{t.ratio[0]}:{t.ratio[1]}" if t.ratio else ""
            values = {
                "date": t.date.isoformat(), "account_id": t.account_id, "symbol": t.symbol,
                "action": t.action.value, "quantity": t.quantity or "", "price": t.price or "",
                "fees": t.fees or "", "lot_id": t.lot_id or "", "ratio": ratio,
            }  # fmt: skip
            for name in _COLUMNS[9:]:
                value = getattr(t, name)
                values[name] = "" if value is None else value
            writer.writerow([values[name] for name in _COLUMNS])


def _child_cpu(arguments: list[str], out: Path) -> float:
    """CPU seconds of ``python -m household ARGUMENTS`` in a child process, stdout to ``out``."""
    import os
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with out.open("w") as handle:
        subprocess.run(
            [sys.executable, "-m", "household", *arguments],
            stdout=handle,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_time(n: int, repeat: int = 1) -> tuple[float, float]:
    """CPU seconds of ``household wash-sales --format json`` on the mixed history of ``n``
    (the best of ``repeat`` runs), and of ``household wash-sales --help`` (Python's start,
    the imports and argparse: the start-up the command's time includes)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_csv_set(history(n, mixed=True), directory)
        files = ["--accounts", "accounts.csv", "--transactions", "transactions.csv",
                 "--securities", "securities.csv"]  # fmt: skip
        arguments = [str(directory / f) if f.endswith(".csv") else f for f in files]
        whole = min(
            _child_cpu(["wash-sales", *arguments, "--format", "json"], directory / "out.json")
            for _ in range(repeat)
        )
        start = min(_child_cpu(["wash-sales", "--help"], directory / "help.txt") for _ in range(3))
        return whole, start


def cli_parts(n: int) -> dict[str, float]:
    """CPU seconds of the CLI path's parts in this process, as the command runs them (the
    cyclic collector paused): read the CSV set, replay, write the JSON text; and, as the
    baseline of the writer, the plain JSON of the same ledger (the dicts of
    ``disposition_json``, ``lot_json`` and ``match_json`` through ``json.dumps(indent=2)``),
    checked equal."""
    import json
    import tempfile

    from household.cli.lots import (
        disposition_json,
        lot_json,
        match_json,
        wash_sales_json,
        without_cycle_collection,
    )
    from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
    from household.render import to_jsonable

    times: dict[str, float] = {}

    def timed(name: str, function: object) -> object:
        started = time.process_time()
        result = function()  # type: ignore[operator]
        times[name] = time.process_time() - started
        return result

    @without_cycle_collection
    def run(directory: Path) -> int:
        accounts = timed("read", lambda: read_accounts(directory / "accounts.csv"))
        transactions = timed(
            "read_transactions",
            lambda: read_transactions(directory / "transactions.csv", accounts),
        )
        groups = timed(
            "read_securities",
            lambda: identical_groups(read_securities(directory / "securities.csv")),
        )
        ledger = timed("replay", lambda: replay(transactions, accounts, groups))
        # The reader's baseline: every row by the general path (each value read strictly,
        # then ``lots.events.transaction_from_fields``), checked equal.
        general = timed(
            "plain_read", lambda: _general_read(directory / "transactions.csv", accounts)
        )
        times["same_read"] = float(general == transactions)
        text = timed("json", lambda: wash_sales_json(ledger))
        plain = timed(
            "plain_json",
            lambda: (
                json.dumps(
                    to_jsonable(
                        {
                            "dispositions": [disposition_json(d) for d in ledger.reportable],
                            "lots": [lot_json(lot) for lot in ledger.lots],
                            "matches": [match_json(m) for m in ledger.matches],
                        }
                    ),
                    indent=2,
                )
                + "\n"
            ),
        )
        times["same"] = float(text == plain)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_csv_set(history(n, mixed=True), directory)
        gc.collect()
        run(directory)  # type: ignore[arg-type]
    times["read"] += times.pop("read_transactions") + times.pop("read_securities")
    return times


def _general_read(path: Path, accounts: list[Account]) -> list[Transaction]:
    """``read_transactions`` with every row on its general path (the reader's baseline)."""
    from household.csvio import TRANSACTION_COLUMNS, _general_row, _Rows

    rows = _Rows(path, ["date", "account_id", "symbol", "action", "quantity", "price"],
                 TRANSACTION_COLUMNS)  # fmt: skip
    known = {account.account_id: account for account in accounts}
    numbers: dict[str, Decimal] = {}
    dates: dict[str, dt.date] = {}
    symbols: dict[str, str] = {}
    return [
        _general_row(rows, line, record, known, numbers, dates, symbols) for line, record in rows
    ]


def cli_report(n: int, repeat: int) -> None:
    """Print the whole CLI path's CPU time at ``n`` events and its parts."""
    whole, start = cli_time(n, repeat)
    parts = cli_parts(n)
    rest = whole - start - parts["read"] - parts["replay"] - parts["json"]
    print(
        f"\nCLI path (CSV read to JSON write), mixed, {n:,} events: {whole:.2f} cpu s"
        f"\n  start-up (wash-sales --help) {start:.2f}s; in-process parts: read CSV "
        f"{parts['read']:.2f}s, replay {parts['replay']:.2f}s, write JSON {parts['json']:.2f}s"
        f"; rest {rest:.2f}s"
        f"\n  baselines, same run: plain JSON (json.dumps of the dicts) {parts['plain_json']:.2f}s"
        f" = {parts['plain_json'] / parts['json']:.1f}x the writer"
        + ("" if parts["same"] else "  DIFFERENT")
        + f"; every row by the general path {parts['plain_read']:.2f}s = "
        f"{parts['plain_read'] / parts['read']:.1f}x the reader"
        + ("" if parts["same_read"] else "  DIFFERENT")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--reference-max", type=int, default=20_000)
    parser.add_argument("--decimal-max", type=int, default=100_000)
    parser.add_argument("--boundary-max", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--cli", type=int, default=100_000, help="events of the CLI run (0: none)")
    parser.add_argument(
        "--warm", action="store_true",
        help="for n > 100,000 also time a second replay in the same process (memory reused)",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = sorted(set(args.sizes) | ({20_000} if args.reference_max >= 20_000 else set()))
    try:
        from tests.lots.reference import reference_replay
    except ImportError:  # pragma: no cover - the reference ships with the tests
        reference_replay = None
    workloads = list(WORKLOADS) if args.workload == "all" else [args.workload]
    print(f"machine yardstick: {yardstick():.3f} cpu s (a fixed pure-Python loop)", flush=True)
    engine = "compiled (mypyc)" if FAST_MODULE.__name__.endswith("_native") else "pure Python"
    print(f"integer replay: {FAST_MODULE.__name__}, {engine} (LOTS_REPLAY=python for the other)")
    header = ("workload", "events", "fast (cpu s)", "per event", "reference (cpu s)", "ratio")
    widths = (12, 9, 12, 10, 17, 7)
    print("  ".join(f"{name:>{width}}" for name, width in zip(header, widths, strict=True)))
    for workload in workloads:
        for n in sizes:
            if workload == "accumulating" and n > 100_000:
                continue  # the million-event runs are the active and mixed workloads'
            transactions = history(n, sell_chance=WORKLOADS[workload], mixed=workload == "mixed")
            repeat = args.repeat if n <= 100_000 else 1
            before = resource.getrusage(resource.RUSAGE_SELF)
            fast = best_time(lambda t=transactions: replay(t, ACCOUNTS, GROUPS), repeat)
            after = resource.getrusage(resource.RUSAGE_SELF)
            line = f"{workload:>12}  {n:>9,}  {fast:>12.3f}  {fast / n * 1e6:>8.1f}us"
            if n > 100_000:
                # A first large replay in a process touches fresh memory: the kernel's
                # share of its CPU time is mostly page faults (the ledger's records).
                line += (
                    f"  (system {after.ru_stime - before.ru_stime:.2f}s,"
                    f" {after.ru_minflt - before.ru_minflt:,} page faults)"
                )
                if args.warm:
                    warm = best_time(lambda t=transactions: replay(t, ACCOUNTS, GROUPS), 1)
                    line += f"  warm {warm:.3f}s"
            if reference_replay is not None and n <= args.reference_max:
                slow = best_time(lambda t=transactions: reference_replay(t, ACCOUNTS, GROUPS), 1)
                same = replay(transactions, ACCOUNTS, GROUPS) == reference_replay(
                    transactions, ACCOUNTS, GROUPS
                )
                line += f"  {slow:>17.3f}  {slow / fast:>6.1f}x" + ("" if same else "  DIFFERENT")
            if n <= args.decimal_max:
                exact = best_time(lambda t=transactions: decimal_replay(t, ACCOUNTS, GROUPS), 1)
                same = replay(transactions, ACCOUNTS, GROUPS) == decimal_replay(
                    transactions, ACCOUNTS, GROUPS
                )
                line += f"  decimal {exact:.3f}s = {exact / fast:.2f}x fast" + (
                    "" if same else "  DIFFERENT"
                )
            if n <= args.boundary_max:
                records = records_time(transactions)
                line += "  records " + (
                    "(gives up)" if records is None else f"{records:.3f}s = +{records / fast:.0%}"
                )
            print(line, flush=True)
    if args.cli:
        cli_report(args.cli, args.repeat if args.cli <= 100_000 else 1)


if __name__ == "__main__":
    main()
