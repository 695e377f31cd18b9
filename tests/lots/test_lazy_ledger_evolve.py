"""``attrs.evolve`` of the replay's lazy ledger gives a plain ``Ledger`` of the new records.

The replay returns a :class:`lots.washsale.LazyLedger`; callers that edit a ledger the attrs
way (``attrs.evolve(ledger, matches=())``) got a ``TypeError`` from its constructor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from lots.events import Action, Transaction
from lots.records import Account, AccountType
from lots.washsale import LazyLedger, Ledger, replay


def _ledger() -> Ledger:
    # Buy 100 at $10, sell 100 at $8 (a $200 loss), buy 100 at $9 ten days later: washed whole.
    return replay(
        [
            Transaction(dt.date(2026, 1, 5), "joint", "XYZ", Action.BUY, 100, "10.00"),
            Transaction(dt.date(2026, 3, 2), "joint", "XYZ", Action.SELL, 100, "8.00"),
            Transaction(dt.date(2026, 3, 12), "joint", "XYZ", Action.BUY, 100, "9.00"),
        ],
        [Account("joint", AccountType.JOINT)],
    )


def test_evolve_gives_a_plain_ledger_of_the_changed_records() -> None:
    ledger = _ledger()
    assert type(ledger) is LazyLedger
    evolved = attrs.evolve(ledger, matches=())
    assert type(evolved) is Ledger
    assert evolved.matches == ()
    assert evolved.dispositions == ledger.dispositions
    assert evolved.lots == ledger.lots
    # Publication 550's rule: the replacement's basis is its $900 plus the $200 disallowed,
    # and its holding period starts 56 days (Jan 5 to Mar 2) before its purchase on Mar 12
    (lot,) = evolved.lots
    assert lot.cost_basis == Decimal("1100.00") and lot.wash_sale_adjustment == Decimal("200")
    assert lot.acquired == dt.date(2026, 3, 12) - dt.timedelta(days=56) == dt.date(2026, 1, 15)
    assert len(ledger.matches) == 1  # the original is untouched


def test_evolve_with_no_changes_equals_the_original() -> None:
    ledger = _ledger()
    same = attrs.evolve(ledger)
    assert type(same) is Ledger
    assert same == ledger and ledger == same
    assert hash(same) == hash(ledger)
