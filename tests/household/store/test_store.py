"""The store: a household in, the same household out; what it says is a replay of its events."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import stat
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from household.importing import import_household
from household.loader import (
    household_from_checked,
    household_from_dict,
    household_to_dict,
    load_household,
)
from household.model import Household
from household.store import EventKind, Store, StoreError, schema
from household.store.events import decode, encode, ledger_text
from lots.errors import InsufficientSharesError
from lots.records import Account, AccountType, Action, Lot, Transaction
from lots.washsale import Ledger, replay
from tests.cli_runner import invoke
from tests.household.store.helpers import household_document
from tests.strategies import histories

ROOT = Path(__file__).resolve().parents[3]
HOUSEHOLDS = sorted((ROOT / "fixtures" / "households").glob("*.json"))
DEMO = ROOT / "fixtures" / "csv" / "demo"


@pytest.mark.parametrize("path", HOUSEHOLDS, ids=lambda p: p.stem)
def test_every_fixture_household_round_trips_on_sqlite(path: Path, tmp_path: Path) -> None:
    store = Store(str(tmp_path / "h.db"), clock=lambda: dt.datetime(2026, 6, 1))
    store.init()
    household = load_household(path)
    store.add_household(household)
    assert store.export(household.household_id) == household_to_dict(household)
    # The lots are the replay's, and equal the file's lots.
    assert set(store.lots(household.household_id)) == set(household.lots)


def test_fixtures_round_trip_on_each_backend(store: Store) -> None:
    for path in HOUSEHOLDS:
        household = load_household(path)
        store.add_household(household)
    for path in HOUSEHOLDS:
        household = load_household(path)
        assert store.export(household.household_id) == household_to_dict(household)
    listed = {entry["household_id"]: entry["events"] for entry in store.list_households()}
    # plan-harvest: 2 accounts (cash events) + 6 lots + 2 recent transactions = 10 events.
    assert listed["plan-harvest"] == 10
    assert len(listed) == len(HOUSEHOLDS)


def test_a_csv_set_becomes_trades_and_replays_to_the_imported_lots(store: Store) -> None:
    from household.cli.store import configure  # noqa: F401 - the command module imports

    result = invoke(
        [
            "store",
            "add",
            "--accounts",
            str(DEMO / "accounts.csv"),
            "--transactions",
            str(DEMO / "transactions.csv"),
            "--securities",
            str(DEMO / "securities.csv"),
            "--household-id",
            "demo",
            "--store",
            store.url.render_as_string(hide_password=False),
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.stderr
    imported = import_household(
        DEMO / "accounts.csv",
        DEMO / "transactions.csv",
        DEMO / "securities.csv",
        household_id="demo",
    )
    # The same household (amounts equal as numbers: the store keeps "235.00" as
    # the CSV wrote it, the importer writes "235").
    assert _comparable(household_from_dict(store.export("demo"))) == _comparable(
        household_from_dict(imported)
    )
    kinds = {e.kind for e in store.events("demo")}
    assert EventKind.TRADE in kinds and EventKind.OPEN_LOT not in kinds


def _comparable(household: Household) -> Household:
    """The household without the file positions its transactions carry."""
    return attrs.evolve(
        household,
        recent_transactions=[
            attrs.evolve(t, row=None, source=None) for t in household.recent_transactions
        ],
    )


_ids = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(history=histories(max_events=25), noise=st.booleans())
def test_what_the_store_says_is_a_replay_of_its_events(store: Store, history, noise: bool) -> None:
    household_id = f"h{next(_ids)}"
    document = household_document(
        household_id, list(history.accounts), history.identical_group, history.default_method
    )
    store.add_household(household_from_dict(document))
    events: list = [(EventKind.OPEN_LOT, lot.purchased, lot) for lot in history.opening_lots]
    events += [(EventKind.TRADE, txn.date, txn) for txn in history.transactions]
    store.append(household_id, events)
    if noise:
        # A mistaken buy, then its reversal: the replay must not see it.
        last = max(t.date for t in history.transactions)
        mistaken = Transaction(last, history.accounts[0].account_id, "AAA", Action.BUY, "7", "1")
        (seq,) = store.append(household_id, [(EventKind.TRADE, last, mistaken)])
        store.reverse(household_id, seq, "entered twice")
    expected = replay(**history.arguments())  # type: ignore[arg-type]
    assert store.ledger(household_id) == expected
    reopened = Store(store.url, clock=store.clock)  # a new connection reads the same
    assert reopened.ledger(household_id) == expected
    # The store answered from its cache (kept by the last append); a replay of the events
    # read back, without the cache, says the same.
    state = reopened.state(household_id)
    assert state.fresh_cache
    assert state.replay() == expected
    reopened.dispose()


def test_a_reversal_takes_an_event_out_of_the_replay_but_not_out_of_the_log(store: Store) -> None:
    accounts = [Account("joint", AccountType.JOINT, lot_method="fifo")]
    store.add_household(household_from_dict(household_document("h", accounts)))
    buy = Transaction(dt.date(2026, 1, 5), "joint", "AAA", Action.BUY, "100", "10")
    wrong = Transaction(dt.date(2026, 2, 5), "joint", "AAA", Action.BUY, "50", "12")
    seqs = store.append("h", [(EventKind.FILL, buy.date, buy), (EventKind.FILL, wrong.date, wrong)])
    assert [lot.quantity for lot in store.lots("h")] == [Decimal(100), Decimal(50)]
    store.reverse("h", seqs[1], "not ours")
    assert [lot.quantity for lot in store.lots("h")] == [Decimal(100)]
    # Cash: 0 opening - 100 * 10 (the reversed buy moves no cash).
    assert store.state("h").cash()["joint"] == Decimal(-1000)
    events = store.events("h")
    assert [e.kind for e in events][-3:] == [EventKind.FILL, EventKind.FILL, EventKind.REVERSAL]
    assert events[-1].reverses == seqs[1]
    with pytest.raises(StoreError, match="already reversed"):
        store.reverse("h", seqs[1])


def test_an_event_the_replay_refuses_is_not_written(store: Store) -> None:
    accounts = [Account("joint", AccountType.JOINT, lot_method="fifo")]
    store.add_household(household_from_dict(household_document("h", accounts)))
    before = store.events("h")
    oversold = Transaction(dt.date(2026, 1, 5), "joint", "AAA", Action.SELL, "1", "10")
    with pytest.raises(InsufficientSharesError):
        store.append("h", [(EventKind.FILL, oversold.date, oversold)])
    assert store.events("h") == before


def test_adding_a_household_twice_is_refused(store: Store) -> None:
    household = load_household(HOUSEHOLDS[0])
    store.add_household(household)
    with pytest.raises(StoreError, match="already in the store"):
        store.add_household(household)


def test_payloads_are_generic_and_exact() -> None:
    lot = Lot("joint", "XYZ", "L1", "0.123456789", "1000.10", dt.date(2026, 1, 5))
    assert decode(json.loads(json.dumps(encode(lot)))) == lot
    txn = Transaction(dt.date(2026, 3, 10), "joint", "XYZ", "sell", "100", "9.005", lot_id="L1")
    assert decode(json.loads(json.dumps(encode(txn)))) == txn
    assert encode(txn)["price"] == {"$decimal": "9.005"}


def test_show_and_list_json(store: Store) -> None:
    url = store.url.render_as_string(hide_password=False)
    path = next(p for p in HOUSEHOLDS if p.stem == "plan_harvest")
    assert invoke(["store", "add", str(path), "--store", url]).exit_code == 0
    listed = json.loads(invoke(["store", "list", "--format", "json", "--store", url]).stdout)
    assert listed[0]["household_id"] == "plan-harvest" and listed[0]["events"] == 10
    shown = json.loads(
        invoke(["store", "show", "plan-harvest", "--format", "json", "--store", url]).stdout
    )
    assert {"household_id", "lots", "ledger", "policy", "plans"} <= set(shown)
    assert len(shown["lots"]) == 6 and shown["plans"] == []
    assert shown["policy"]["monitoring"]["review"] == "quarterly"
    unknown = invoke(["store", "show", "nobody", "--store", url])
    assert unknown.exit_code == 2 and "no household 'nobody'" in unknown.stderr


def test_a_new_sqlite_file_is_created_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "new" / "household.db"
    old = os.umask(0o022)
    try:
        assert invoke(["store", "init", "--store", str(path)]).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_default_store_is_the_environment_variable_then_household_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOUSEHOLD_STORE", raising=False)
    assert invoke(["store", "init"]).exit_code == 0
    assert (tmp_path / "household.db").exists()
    monkeypatch.setenv("HOUSEHOLD_STORE", str(tmp_path / "other.db"))
    assert invoke(["store", "init"]).exit_code == 0
    assert (tmp_path / "other.db").exists()


def test_a_password_is_never_printed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    secret = "s3cr3t-Pa55"
    url = f"postgresql://alice:{secret}@127.0.0.1:1/nowhere"
    result = invoke(["store", "list", "--store", url])
    assert result.exit_code == 2
    assert secret not in result.output
    assert "alice:***@127.0.0.1" in result.stderr
    assert secret not in repr(Store(url))
    captured = capfd.readouterr()
    assert secret not in captured.out + captured.err


def test_clock_is_only_the_recorded_at(
    backend_url: str, fixed_clock: Callable[[], dt.datetime]
) -> None:
    store = Store(backend_url, clock=fixed_clock)
    store.init()
    household = load_household(HOUSEHOLDS[0])
    store.add_household(household)
    recorded = {e.recorded_at for e in store.events(household.household_id)}
    assert recorded == {"2026-06-01T12:00:00+00:00"}  # one transaction, one reading
    store.dispose()


def test_frames_hold_the_records_exactly(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "h.db"))
    store.init()
    household = load_household(next(p for p in HOUSEHOLDS if p.stem == "plan_harvest"))
    store.add_household(household)
    frames = store.frames("plan-harvest")
    lots = frames["lots"]
    assert list(lots["lot_id"]) == [lot.lot_id for lot in store.lots("plan-harvest")]
    assert lots.loc[lots["lot_id"] == "J1", "cost_basis"].item() == Decimal("30000.00")
    assert list(frames["events"]["kind"])[:2] == ["cash", "cash"]
    assert frames["dispositions"].empty and "replacement_lot_id" in frames["matches"].columns


def test_ids_are_bound_parameters_never_sql(store: Store) -> None:
    hostile = "x'); DROP TABLE events; --"
    accounts = [Account("o'brien", AccountType.JOINT, lot_method="fifo")]
    store.add_household(household_from_dict(household_document(hostile, accounts)))
    buy = Transaction(dt.date(2026, 1, 5), "o'brien", "AAA", Action.BUY, "1", "10", lot_id="'; --")
    store.append(hostile, [(EventKind.FILL, buy.date, buy)])
    assert [lot.lot_id for lot in store.lots(hostile)] == ["'; --"]
    assert store.household_ids() == [hostile]


WALK = ROOT / "fixtures" / "store" / "year"


def _walked(store: Store) -> str:
    """The README's walk family, harvested, its fills imported and a lot corrected."""
    url = store.url.render_as_string(hide_password=False)
    assert invoke(["store", "add", str(WALK / "household.json"), "--store", url]).exit_code == 0
    assert invoke(["harvest", "--store", url, "walk-family"]).exit_code == 0
    fills = ["fills", "import", str(WALK / "fills.csv"), "--plan", "1", "--store", url]
    assert invoke(fills).exit_code == 0
    custodian = ["--custodian", str(WALK / "custodian_lots.csv"), "--accept", "--store", url]
    assert invoke(["reconcile", "walk-family", *custodian]).exit_code == 0
    return "walk-family"


def _set_cache(store: Store, household_id: str, text: str) -> None:
    with store.writing(household_id) as connection:
        connection.execute(
            schema.ledgers.update()
            .where(schema.ledgers.c.household_id == household_id)
            .values(ledger=text)
        )


def test_the_cached_replay_is_used_only_while_it_reflects_the_last_event(store: Store) -> None:
    household_id = _walked(store)
    state = store.state(household_id)
    # Kept by the last write (the accepted correction: a reversal and an open_lot, 10 events).
    assert (state.cached.event_seq, state.cached.policy_version) == (state.seq, 1) == (10, 1)
    assert state.fresh_cache and state.ledger() == state.replay()
    # The cache is what a read uses: replace it with a wrong one and the store says that.
    _set_cache(store, household_id, ledger_text(Ledger((), ())))
    assert store.lots(household_id) == ()
    # A new policy version: the cache no longer reflects the state, and the replay answers.
    store.put_policy(household_id, monitoring={"review": "annual", "long_term_days": 30})
    assert not store.state(household_id).fresh_cache
    assert store.ledger(household_id) == state.replay()
    # Likewise after a new event (a cash deposit: the replay keeps its lots).
    _set_cache(store, household_id, ledger_text(Ledger((), ())))
    with store.writing(household_id) as connection:
        connection.execute(
            schema.ledgers.update()
            .where(schema.ledgers.c.household_id == household_id)
            .values(policy_version=2)
        )
    assert store.lots(household_id) == ()  # the wrong cache, at the current seq and policy
    invoke(
        [
            "store",
            "cash",
            household_id,
            "joint",
            "100",
            "--date",
            "2026-04-02",
            "--store",
            store.url.render_as_string(hide_password=False),
        ]
    )
    assert store.ledger(household_id) == state.replay()


def test_the_household_from_records_is_the_household_of_its_document(store: Store) -> None:
    household_id = _walked(store)
    state = store.state(household_id)
    source = f"store:{household_id}"
    from_document = household_from_checked(state.document(), source=source)
    assert state.household() == from_document
    # Through the schema too, and the export round-trips.
    assert household_from_dict(state.document(), source=source) == from_document
    assert household_to_dict(state.household()) == store.export(household_id)
    # A fill's SCHB lot, made by the replay, is written (and held) without trailing zeros.
    (schb,) = [lot for lot in state.household().lots if lot.symbol == "SCHB"]
    assert str(schb.cost_basis) == "23985.99" and str(schb.quantity) == "999"


def test_a_stored_record_of_an_unknown_symbol_is_refused_when_planning(store: Store) -> None:
    accounts = [Account("joint", AccountType.JOINT, lot_method="fifo")]
    store.add_household(household_from_dict(household_document("h", accounts)))
    buy = Transaction(dt.date(2026, 1, 5), "joint", "ZZZ", Action.BUY, "1", "10")
    deposit = {"account_id": "joint", "amount": Decimal(10)}  # the fill's 10.00
    store.append("h", [(EventKind.CASH, buy.date, deposit), (EventKind.FILL, buy.date, buy)])
    with pytest.raises(StoreError, match="unknown symbol 'ZZZ'") as raised:
        store.household("h")
    assert raised.value.field == "symbol" and raised.value.file == "store:h"
