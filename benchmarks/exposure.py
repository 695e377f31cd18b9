"""Speed of the wash-sale exposure against the replay it reads, in one run.

The history of ``benchmarks/wash_sales.py`` (5 accounts, 50 symbols in 20
identical groups, about 100 events a day). For n events it prints the replay's
CPU time, the exposure's time on top of a given ledger (``ledger=``, what a
caller that has replayed already pays), the exposure's time with its own
replay, and the ratios; then the time of one ``sale_washed`` query and of one
``buy_washes`` query (a replay of the history with the buy) against the replay.

    python benchmarks/exposure.py                 # 1k, 10k, 100k
    python benchmarks/exposure.py --sizes 1000 20000
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from wash_sales import ACCOUNTS, GROUPS, best_time, history  # noqa: E402

from lots.exposure import exposure  # noqa: E402
from lots.washsale import replay  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'events':>8} {'replay s':>9} {'+exposure s':>12} {'ratio':>6} {'full s':>8} {'ratio':>6}"
    )
    for n in args.sizes:
        txns = history(n)
        as_of = max(t.date for t in txns)
        ledger = replay(txns, ACCOUNTS, GROUPS)
        t_replay = best_time(lambda: replay(txns, ACCOUNTS, GROUPS), args.repeat)  # noqa: B023
        t_read = best_time(
            lambda: exposure(txns, ACCOUNTS, as_of, GROUPS, ledger=ledger),  # noqa: B023
            args.repeat,
        )
        t_full = best_time(lambda: exposure(txns, ACCOUNTS, as_of, GROUPS), args.repeat)  # noqa: B023
        print(
            f"{n:>8} {t_replay:>9.3f} {t_read:>12.3f} {t_read / t_replay:>6.2f} "
            f"{t_full:>8.3f} {t_full / t_replay:>6.2f}"
        )
    found = exposure(txns, ACCOUNTS, as_of, GROUPS, ledger=ledger)
    lot = next(lot for lot in ledger.lots if lot.account_id == "joint")
    start = time.process_time()
    for _ in range(1000):
        found.sale_washed(lot, lot.quantity, Decimal("0.01"))
    per_query = (time.process_time() - start) / 1000
    print(f"one sale_washed query, last history: {per_query * 1e6:.1f} us")
    # A buy query replays the history with the buy (the replay is the rule's one
    # implementation): its time against the replay's, in the same run.
    losses = [s.symbol for g in found.groups.values() for s in g.loss_sales]
    if not losses:
        print("one buy_washes query: no loss sale in the last 30 days, answered without a replay")
        return
    t_buy = best_time(lambda: found.buy_washes("ira", losses[0], Decimal(10)), args.repeat)
    print(f"one buy_washes query, last history: {t_buy:.3f} s ({t_buy / t_replay:.2f}x the replay)")


if __name__ == "__main__":
    main()
