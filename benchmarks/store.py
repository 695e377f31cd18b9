"""Speed of the household store, each against the same work from a file in the same run.

Three measurements (CPU seconds of this process, ``time.process_time``, best of
``--repeat``; with PostgreSQL the server's own time is not counted):

1. **Adding a household with 100,000 events.** A CSV set of 100,000 buys and
   sells over 4 accounts and 8 symbols. From a file: read the CSV set and replay
   it through the wash-sale ledger (what every file-based command starts with).
   Into the store: read the CSV set and insert its 100,000 events in one
   transaction. Then the store's lots: read the events back and replay them,
   against the same replay from the file; and once a write has kept the replay
   (the ``ledgers`` cache), the lots read from it alone.
2. **Planning from the store.** Households of ``benchmarks/rebalance.py``
   (about 150 lots each). From a file: load the household file and plan. From
   the store: rebuild the household from its policy, events and cached replay
   and plan, then keep the plan (JSON, input hash) in the store. The overhead is
   the ratio of the totals. Then the store's part alone, without the optimiser
   (whose speed moves the overhead's denominator): rebuilding the household and
   keeping a plan document, against loading the household file; and rebuilding
   without the cache (replaying the events).
3. **Monitoring 1,000 stored households.** From files: load each household file,
   replay its lots, and monitor it. From the store: ``monitor`` over the store
   (all policies and events read in two queries).

    python benchmarks/store.py                 # SQLite in a temporary directory
    python benchmarks/store.py --url postgresql://user@/db?host=/tmp --households 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(
    str(ROOT / "benchmarks")
)  # after the packages: benchmarks/location.py is not `location`

import attrs  # noqa: E402

from household.loader import household_to_dict, load_household  # noqa: E402
from household.plan import rebalance  # noqa: E402
from household.store import Store  # noqa: E402
from household.store.monitor import monitor_household, monitor_store  # noqa: E402
from household.store.planning import plan_from_store  # noqa: E402
from household.store.store import policy_of  # noqa: E402

AS_OF = dt.date(2026, 6, 1)


def best(repeat: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def write_csv_set(directory: Path, events: int, seed: int = 7) -> None:
    """accounts.csv, transactions.csv (``events`` rows), securities.csv."""
    rng = random.Random(seed)
    accounts = [
        ("joint", "joint"),
        ("alex", "individual"),
        ("ira", "traditional_ira"),
        ("roth", "roth_ira"),
    ]
    symbols = ["VTI", "ITOT", "VXUS", "IXUS", "BND", "AGG", "VNQ", "VTEB"]
    (directory / "accounts.csv").write_text(
        "account_id,owner,type,lot_method\n" + "".join(f"{a},{a},{t},fifo\n" for a, t in accounts)
    )
    (directory / "securities.csv").write_text(
        "symbol,asset_class,price\n" + "".join(f"{s},stocks,100\n" for s in symbols)
    )
    held: dict[tuple[str, str], int] = {}
    rows = ["date,account_id,symbol,action,quantity,price"]
    start = dt.date(1990, 1, 2)
    for n in range(events):
        date = start + dt.timedelta(days=n // 8)
        account = accounts[rng.randrange(len(accounts))][0]
        symbol = symbols[rng.randrange(len(symbols))]
        price = f"{rng.randint(5000, 15000) / 100:.2f}"
        have = held.get((account, symbol), 0)
        if have >= 10 and rng.random() < 0.45:
            quantity = rng.randint(1, have // 2)
            rows.append(f"{date},{account},{symbol},sell,{quantity},{price}")
            held[(account, symbol)] = have - quantity
        else:
            quantity = rng.randint(1, 20)
            rows.append(f"{date},{account},{symbol},buy,{quantity},{price}")
            held[(account, symbol)] = have + quantity
    (directory / "transactions.csv").write_text("\n".join(rows) + "\n")


def adding(work: Path, url: str, events: int, repeat: int) -> None:
    from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
    from household.loader import household_from_dict
    from household.store import EventKind
    from lots.relief import LotMethod
    from lots.washsale import replay

    csv_dir = work / "csv"
    csv_dir.mkdir()
    write_csv_set(csv_dir, events)
    accounts_path, transactions_path = csv_dir / "accounts.csv", csv_dir / "transactions.csv"
    securities_path = csv_dir / "securities.csv"
    accounts = read_accounts(accounts_path)
    # The policy of the stored household: the CSV set's accounts and securities, no history.
    policy = {
        "household_id": "big",
        "as_of": "2026-06-01",
        "horizon_years": 20,
        "tax": {"ordinary": "0.24", "qualified": "0.15"},
        "asset_classes": {"stocks": {"expected_return": "0.06"}},
        "targets": {"stocks": "1"},
        "accounts": [
            {"account_id": a.account_id, "type": a.type.value, "lot_method": "fifo"}
            for a in accounts
        ],
        "securities": [
            {"symbol": s.symbol, "asset_class": "stocks", "price": "100"}
            for s in read_securities(securities_path)
        ],
    }
    household = household_from_dict(policy)

    def from_file() -> None:
        rows = read_transactions(transactions_path, read_accounts(accounts_path))
        groups = identical_groups(read_securities(securities_path))
        replay(rows, read_accounts(accounts_path), groups, LotMethod.FIFO)

    counter = iter(range(1000))

    def into_store() -> None:
        store = Store(url)
        rows = read_transactions(transactions_path, read_accounts(accounts_path))
        store.add_household(
            household.__class__.from_dict({**policy, "household_id": f"big{next(counter)}"}),
            events=[(EventKind.TRADE, txn.date, txn) for txn in rows],
        )
        store.dispose()

    file_seconds = best(repeat, from_file)
    store_seconds = best(repeat, into_store)
    print(f"add a household of {events:,} events:")
    print(f"  from a file: read the CSV set, replay it   {file_seconds:8.2f} s")
    print(
        f"  into the store: read it, insert it         {store_seconds:8.2f} s"
        f"   ratio {store_seconds / file_seconds:5.2f}"
    )
    store = Store(url)
    read_seconds = best(repeat, lambda: store.ledger("big0"))
    print(
        f"  the store's lots: read events, replay      {read_seconds:8.2f} s"
        f"   ratio {read_seconds / file_seconds:5.2f}"
    )
    state = store.state("big0")
    with store.writing("big0") as connection:  # as the next write (fills, a plan) keeps it
        store.keep_ledger(connection, state, state.ledger())
    cached_seconds = best(repeat, lambda: store.ledger("big0"))
    print(
        f"  the store's lots again: the cached replay   {cached_seconds:8.2f} s"
        f"   ratio {cached_seconds / file_seconds:5.2f}"
    )
    store.dispose()


def planning(work: Path, url: str, count: int, repeat: int) -> None:
    from rebalance import household as make_household  # benchmarks/rebalance.py

    store = Store(url)
    paths = []
    for seed in range(count):
        household = make_household(seed, 150)
        path = work / f"plan-{seed}.json"
        path.write_text(json.dumps(household_to_dict(household)))
        paths.append(path)
        store.add_household(household)
    ids = [load_household(p).household_id for p in paths]
    rebalance(load_household(paths[0]), AS_OF)  # warm-up: imports, the solver's first load

    def from_files() -> None:
        for path in paths:  # as `household rebalance FILE --format json`: the plan's JSON too
            rebalance(load_household(path), AS_OF).to_json_dict()

    def from_store() -> None:
        for household_id in ids:
            plan_from_store(store, household_id, "rebalance", AS_OF)

    households = [load_household(path) for path in paths]

    def in_memory() -> None:
        for household in households:
            rebalance(household, AS_OF).to_json_dict()

    # The store's own part, without the optimiser: rebuild the household (policy, events or
    # the cached replay) and keep a plan document, against loading the household file.
    document = rebalance(households[0], AS_OF).to_json_dict()

    def load_files() -> None:
        for path in paths:
            load_household(path)

    def rebuild_and_keep() -> None:
        for household_id in ids:
            state = store.state(household_id)
            household = state.household()
            kept = json.loads(json.dumps(document))
            parameters = {"kind": "rebalance", "as_of": AS_OF.isoformat()}
            store.save_plan(
                state, "rebalance", AS_OF, kept, household_to_dict(household), parameters
            )

    def rebuild_uncached() -> None:
        for household_id in ids:
            state = attrs.evolve(store.state(household_id), cached=None)
            state.household()

    file_seconds = best(repeat, from_files)
    store_seconds = best(repeat, from_store)
    memory_seconds = best(repeat, in_memory)
    load_seconds = best(repeat, load_files)
    keep_seconds = best(repeat, rebuild_and_keep)
    uncached_seconds = best(repeat, rebuild_uncached)
    overhead = store_seconds / file_seconds - 1
    print(f"plan {count} households (about 150 lots each):")
    print(
        f"  from files (load, plan, its JSON)        {file_seconds:8.2f} s"
        f"   {file_seconds / count * 1000:6.0f} ms a plan"
    )
    print(
        f"  from the store (rebuild, plan, keep)     {store_seconds:8.2f} s"
        f"   {store_seconds / count * 1000:6.0f} ms a plan   overhead {overhead:+.1%}"
    )
    print(
        f"  the plans alone (in memory, JSON)        {memory_seconds:8.2f} s"
        f"   {memory_seconds / count * 1000:6.0f} ms a plan"
        f"   store part {store_seconds / memory_seconds - 1:+.1%}"
    )
    print(
        f"  load the household files                 {load_seconds:8.3f} s"
        f"   {load_seconds / count * 1000:6.1f} ms a household"
    )
    print(
        f"  rebuild from the store and keep a plan   {keep_seconds:8.3f} s"
        f"   {keep_seconds / count * 1000:6.1f} ms a household   ratio"
        f" {keep_seconds / load_seconds:5.2f}"
    )
    print(
        f"  rebuild alone, replaying (no cache)      {uncached_seconds:8.3f} s"
        f"   {uncached_seconds / count * 1000:6.1f} ms a household   ratio"
        f" {uncached_seconds / load_seconds:5.2f}"
    )
    store.dispose()


def monitoring(work: Path, url: str, count: int, repeat: int) -> None:
    from rebalance import household as make_household

    from lots.relief import LotMethod
    from lots.washsale import replay

    store = Store(url)
    paths = []
    for seed in range(count):
        household = make_household(10_000 + seed, 30)
        path = work / f"monitor-{seed}.json"
        path.write_text(json.dumps(household_to_dict(household)))
        paths.append(path)
    # One transaction per household, as `store add` does.
    for path in paths:
        store.add_household(load_household(path))

    def from_files() -> None:
        for path in paths:
            household = load_household(path)
            document = household_to_dict(household)
            ledger = replay((), household.accounts, {}, LotMethod.FIFO, household.lots)
            cash = {a.account_id: a.cash for a in household.accounts}
            monitor_household(
                household.household_id,
                policy_of(document),
                {"review": "quarterly"},
                ledger,
                cash,
                household.recent_transactions,
                AS_OF,
            )

    def from_store() -> None:
        monitor_store(store, AS_OF)

    file_seconds = best(repeat, from_files)
    store_seconds = best(repeat, from_store)
    print(f"monitor {count:,} households (about 30 lots each):")
    print(f"  from files (load, replay, monitor)         {file_seconds:8.2f} s")
    print(
        f"  from the store (two queries, replay)       {store_seconds:8.2f} s"
        f"   ratio {store_seconds / file_seconds:5.2f}"
    )
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="store URL (default: SQLite in a temp dir)")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--parts", default="add,plan,monitor", help="which measurements (default all three)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        for part, run in (("add", adding), ("plan", planning), ("monitor", monitoring)):
            if part not in args.parts.split(","):
                continue
            url = args.url or f"sqlite:///{work / (part + '.db')}"
            Store(url).init()
            (work / part).mkdir()
            size = {"add": args.events, "plan": args.plans, "monitor": args.households}[part]
            run(work / part, url, size, args.repeat)


if __name__ == "__main__":
    main()
