"""Reliability: a writer killed mid-transaction changes nothing; concurrent writers serialise.

Both run real processes (``subprocess``) on each backend.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from household.loader import household_from_dict
from household.store import Store
from lots.records import Account, AccountType
from tests.household.store.helpers import household_document

ROOT = Path(__file__).resolve().parents[3]
HARVEST = ROOT / "fixtures" / "households" / "plan_harvest.json"

ADD_LARGE = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from decimal import Decimal
    import sqlalchemy as sa
    from household.loader import household_from_dict
    from household.store import EventKind, Store
    from lots.records import Account, AccountType, Action, Transaction
    from tests.household.store.helpers import household_document

    url, marker = sys.argv[1], sys.argv[2]
    store = Store(url)
    batches = []

    @sa.event.listens_for(store.engine, "after_execute")
    def _after(conn, clauseelement, multiparams, params, execution_options, result):
        if multiparams and len(multiparams) > 1000:
            batches.append(1)
            if len(batches) == 3:  # 15,000 of the 100,000 events are in: stop and be killed
                open(marker, "w").write("inserting")
                time.sleep(60)

    accounts = [Account("joint", AccountType.JOINT, lot_method="fifo")]
    household = household_from_dict(household_document("big", accounts))
    start = dt.date(2000, 1, 3)
    events = [
        (EventKind.TRADE, start + dt.timedelta(days=n // 10),
         Transaction(start + dt.timedelta(days=n // 10), "joint", "AAA", Action.BUY,
                     Decimal(1 + n % 7), Decimal(100 + n % 13)))
        for n in range(100_000)
    ]
    store.add_household(household, events=events)
    print("finished")
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_a_writer_killed_in_the_middle_leaves_the_store_as_it_was(
    backend_url: str, tmp_path: Path
) -> None:
    store = Store(backend_url)
    store.init()
    accounts = [Account("joint", AccountType.JOINT, lot_method="fifo")]
    store.add_household(household_from_dict(household_document("small", accounts)))
    before = (store.list_households(), store.events("small"))
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", ADD_LARGE, backend_url, str(marker)],
        env=_env(),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, "the writer ended before it was killed"
        assert time.monotonic() < deadline, "the writer never got going"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    store.dispose()
    reopened = Store(backend_url)
    reopened.init()
    assert (reopened.list_households(), reopened.events("small")) == before
    assert "big" not in reopened.household_ids()
    reopened.dispose()


def _fills(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / name
    path.write_text("date,account_id,symbol,side,quantity,price,fees\n" + rows)
    return path


def _import(url: str, path: Path, plan_id: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "household",
            "fills",
            "import",
            str(path),
            "--plan",
            str(plan_id),
            "--store",
            url,
            "--format",
            "json",
        ],
        env=_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_importing_fills_at_once(backend_url: str, tmp_path: Path) -> None:
    from tests.cli_runner import invoke

    assert invoke(["store", "add", str(HARVEST), "--store", backend_url]).exit_code == 0
    plan = json.loads(
        invoke(["harvest", "--store", backend_url, "plan-harvest", "--format", "json"]).stdout
    )
    plan_id = plan["summary"]["plan_id"]
    store = Store(backend_url)
    start = len(store.events("plan-harvest"))
    first = _fills(tmp_path, "a.csv", "2026-06-02,joint,VTI,sell,60,250,0\n")
    second = _fills(tmp_path, "b.csv", "2026-06-02,joint,VTI,sell,40,250,0\n")
    # Two different files at once: both land, one after the other, nothing lost or doubled.
    processes = [_import(backend_url, first, plan_id), _import(backend_url, second, plan_id)]
    results = [(p.wait(timeout=120), p.communicate()) for p in processes]
    codes = [code for code, _ in results]
    assert all(code in (0, 2) for code in codes), results
    events = store.events("plan-harvest")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))  # no gap, no double
    landed = codes.count(0)
    assert len(events) == start + landed
    for code, (_, err) in results:
        if code:
            assert "Traceback" not in err and err.startswith("household: "), err
    assert landed >= 1
    # The same file twice at once: exactly one lands.
    third = _fills(tmp_path, "c.csv", "2026-06-03,joint,SCHB,buy,10,25,0\n")
    twins = [_import(backend_url, third, plan_id), _import(backend_url, third, plan_id)]
    outcomes = [(p.wait(timeout=120), p.communicate()) for p in twins]
    assert sorted(code for code, _ in outcomes) == [0, 2], outcomes
    refused = next(err for code, (_, err) in outcomes if code == 2)
    assert "imported already" in refused or "locked" in refused, refused
    after = store.events("plan-harvest")
    assert len(after) == len(events) + 1
    assert [e.seq for e in after] == list(range(1, len(after) + 1))
    # The cached replay kept by the last writer is the replay of every event that landed.
    state = store.state("plan-harvest")
    assert state.fresh_cache and state.ledger() == state.replay()
    assert len(store.imports("plan-harvest")) == landed + 1
    store.dispose()


def test_a_password_is_never_printed_nor_logged_on_a_working_server(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """A real connection with a password in its URL (the test server trusts any password)."""
    import logging

    import sqlalchemy as sa

    from tests.cli_runner import invoke
    from tests.household.store.conftest import fresh_url

    secret = "s3cr3t-Pa55"
    with fresh_url("postgresql", tmp_path) as url:
        parts = sa.engine.make_url(url)
        user = parts.username or "postgres"
        with_password = parts.set(username=user, password=secret).render_as_string(
            hide_password=False
        )
        caplog.set_level(logging.DEBUG)  # SQLAlchemy's engine and pool logs, Alembic's
        store = Store(with_password, echo=True)
        store.init()
        store.add_household(
            household_from_dict(
                household_document("h", [Account("joint", AccountType.JOINT, lot_method="fifo")])
            )
        )
        store.dispose()
        outputs = [
            invoke([*command, "--store", with_password, "--format", "json"])
            for command in (["store", "init"], ["store", "list"], ["store", "show", "h"])
        ]
        assert all(result.exit_code == 0 for result in outputs), outputs
        assert f"{user}:***@" in outputs[0].stdout  # the URL is shown, its password is not
        captured = capfd.readouterr()
        printed = "".join(r.output for r in outputs) + captured.out + captured.err
        assert secret not in printed
        assert caplog.records and secret not in caplog.text
        assert secret not in repr(store) and secret not in str(store.engine.url)
