"""Speed of the wash-sale ledger against the quadratic reference, in one run.

A synthetic household history: 5 accounts (three taxable, a traditional IRA, a
Roth IRA), 50 symbols in 20 identical groups, about 100 events a day, prices on
an equity-like random walk (7% drift, 19% volatility a year, so a sale is at a
loss about a third of the time and most losses meet a replacement), sells a random share of what the
account holds, a mix of lot methods. For n events it prints the fast path's
time, and for n <= 20,000 the reference's time and the ratio.

    python benchmarks/wash_sales.py                 # 1k, 10k, 20k, 100k, 1M
    python benchmarks/wash_sales.py --sizes 1000 20000 --workload active

Two workloads: ``active`` (an event of a held symbol is a sale 45% of the
time; holdings stay small, most losses meet a replacement) and
``accumulating`` (10%: open lots pile up, as in a household that contributes
and reinvests, and the reference's scans over them grow with the history).

Times are CPU seconds (``time.process_time``), the best of ``--repeat`` runs:
the machine is shared and noisy, and CPU time is what one core spends. The
ratio is measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lots.records import Account, AccountType, Action, Transaction  # noqa: E402
from lots.washsale import replay  # noqa: E402

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


def history(n: int, seed: int = 7, sell_chance: float = 0.45) -> list[Transaction]:
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
    for i in range(n):
        if i and i % EVENTS_PER_DAY == 0:
            day += 1
            for symbol in SYMBOLS:
                prices[symbol] *= 1 + rng.gauss(DAILY_DRIFT, DAILY_VOLATILITY)
        account = rng.choice(ACCOUNTS).account_id
        symbol = rng.choice(SYMBOLS)
        price = Decimal(f"{max(prices[symbol], 1.0):.2f}")
        have = held.get((account, symbol), Decimal(0))
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
            action = Action.BUY
            held[(account, symbol)] = have + quantity
        transactions.append(
            Transaction(
                date=start + dt.timedelta(days=day),
                account_id=account,
                symbol=symbol,
                action=action,
                quantity=quantity,
                price=price,
                fees=Decimal("1") if rng.random() < 0.2 else Decimal(0),
            )
        )
    return transactions


def best_time(function: object, repeat: int) -> float:
    """Best CPU time of ``repeat`` runs (CPU time: the other core's load counts less)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        function()  # type: ignore[operator]
        best = min(best, time.process_time() - started)
    return best


WORKLOADS = {"active": 0.45, "accumulating": 0.1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--reference-max", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workload", choices=[*WORKLOADS, "both"], default="both")
    args = parser.parse_args()
    sizes = sorted(set(args.sizes) | ({20_000} if args.reference_max >= 20_000 else set()))
    try:
        from tests.lots.reference import reference_replay
    except ImportError:  # pragma: no cover - the reference ships with the tests
        reference_replay = None
    workloads = list(WORKLOADS) if args.workload == "both" else [args.workload]
    header = ("workload", "events", "fast (cpu s)", "per event", "reference (cpu s)", "ratio")
    widths = (12, 9, 12, 10, 17, 7)
    print("  ".join(f"{name:>{width}}" for name, width in zip(header, widths, strict=True)))
    for workload in workloads:
        for n in sizes:
            if workload != "active" and n > 100_000:
                continue  # the million-event run is the active workload's
            transactions = history(n, sell_chance=WORKLOADS[workload])
            repeat = args.repeat if n <= 100_000 else 1
            fast = best_time(lambda t=transactions: replay(t, ACCOUNTS, GROUPS), repeat)
            line = f"{workload:>12}  {n:>9,}  {fast:>12.3f}  {fast / n * 1e6:>8.1f}us"
            if reference_replay is not None and n <= args.reference_max:
                slow = best_time(lambda t=transactions: reference_replay(t, ACCOUNTS, GROUPS), 1)
                same = replay(transactions, ACCOUNTS, GROUPS) == reference_replay(
                    transactions, ACCOUNTS, GROUPS
                )
                line += f"  {slow:>17.3f}  {slow / fast:>6.1f}x" + ("" if same else "  DIFFERENT")
            print(line, flush=True)


if __name__ == "__main__":
    main()
