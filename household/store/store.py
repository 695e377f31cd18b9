"""``Store(url)``: the household store's Python API.

A store is a database (an SQLite file by default, PostgreSQL by URL) holding,
per household, an append-only event log, a versioned policy and every plan (see
:mod:`household.store.schema`). Nothing is ever edited: a correction is a
reversal event. Lots and the wash-sale ledger are never stored; they are a
replay of the events (:func:`lots.washsale.replay`), so what the store says
about a household is, by construction, what a replay of its events says.

Every writing method is one transaction: it happens whole or not at all (a
process killed half-way leaves the store as it was). Writers of one household
are serialised (``BEGIN IMMEDIATE`` on SQLite, a row lock on PostgreSQL), so two
processes appending at once land one after the other.

The recorded-at time of every row comes from the ``clock`` given to the store
(the system clock by default, a fixed one in tests); nothing below reads it.

Example::

    >>> import datetime as dt, tempfile, pathlib
    >>> from household.store import Store
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "household.db"
    >>> store = Store(str(path), clock=lambda: dt.datetime(2026, 6, 1, 12, 0))
    >>> store.init()
    >>> store.list_households()
    []
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL

from household.loader import (
    event_fields,
    household_from_dict,
    household_to_dict,
    lot_event_fields,
)
from household.model import Household
from household.store import schema
from household.store.events import (
    REPLAYED,
    Event,
    EventKind,
    dumps,
    encode,
    ledger_from_text,
    ledger_text,
)
from lots.errors import LotsError
from lots.numbers import plain
from lots.records import Account, AccountType, Action, Lot, Transaction
from lots.relief import LotMethod
from lots.washsale import Ledger, replay

__all__ = [
    "DEFAULT_PATH",
    "CachedLedger",
    "HouseholdState",
    "Store",
    "StoreError",
    "redacted",
    "resolve_url",
    "system_clock",
    "with_events",
]

DEFAULT_PATH = "household.db"
"""The store used when neither ``--store`` nor ``HOUSEHOLD_STORE`` is given."""

POLICY_DROPPED = ("lots", "recent_transactions", "cash_flows")
"""Sections of a household file that are events, not policy."""

DEFAULT_MONITORING: dict[str, Any] = {"review": "quarterly", "long_term_days": 30}
"""Monitoring settings of a household added without any."""


class StoreError(LotsError):
    """The store cannot do what was asked (unknown household, plan, a store not reachable)."""


def system_clock() -> dt.datetime:
    """The time now, in UTC: the default clock of a store (the edge, never the core)."""
    return dt.datetime.now(dt.UTC)


def resolve_url(text: str) -> URL:
    """A store URL from a path or a URL (``sqlite:///...``, ``postgresql://...``).

    A PostgreSQL URL without a driver uses psycopg (version 3).

    >>> resolve_url("/tmp/x.db").render_as_string()
    'sqlite:////tmp/x.db'
    >>> resolve_url("postgresql://me:secret@db/h").drivername
    'postgresql+psycopg'
    """
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().absolute()))
    try:
        url = make_url(text)
    except Exception:
        raise StoreError("not a store URL or path", field="--store") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def redacted(url: URL | str) -> str:
    """A URL for messages: the password, if any, replaced by ``***``.

    >>> redacted("postgresql://me:secret@db/h")
    'postgresql+psycopg://me:***@db/h'
    """
    if isinstance(url, str):
        url = resolve_url(url)
    return url.render_as_string(hide_password=True)


def _scrub(text: str, url: URL) -> str:
    password = url.password
    if password:
        text = text.replace(str(password), "***")
    return text


def _json(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def content_hash(data: bytes | str) -> str:
    """SHA-256 hex digest of a file's bytes or a document's canonical text."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def engine_version() -> str:
    """The engine's version, as kept with every plan."""
    try:
        return f"household-lots {metadata.version('household-lots')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        return "household-lots unknown"


@attrs.frozen
class HouseholdState:
    """What the store knows about one household at one point of its log.

    Attributes:
        household_id: the household.
        policy: the latest policy document (a household file without lots,
            recent transactions, cash flows or cash).
        policy_version: its version number.
        monitoring: the monitoring settings (review calendar, alert bands).
        events: every event, in ``seq`` order (reversed ones included).
    """

    household_id: str
    policy: Mapping[str, Any]
    policy_version: int
    monitoring: Mapping[str, Any]
    events: tuple[Event, ...]
    cached: CachedLedger | None = attrs.field(default=None, eq=False, repr=False)
    _memo: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False, alias="_memo")

    @property
    def seq(self) -> int:
        """The number of the last event (0 for none)."""
        return self.events[-1].seq if self.events else 0

    @property
    def active(self) -> tuple[Event, ...]:
        """The events that count: neither reversals nor reversed."""
        if "active" not in self._memo:
            reversed_ = {e.reverses for e in self.events if e.kind is EventKind.REVERSAL}
            self._memo["active"] = tuple(
                e
                for e in self.events
                if e.kind is not EventKind.REVERSAL and e.seq not in reversed_
            )
        active: tuple[Event, ...] = self._memo["active"]
        return active

    def accounts(self) -> list[Account]:
        """The accounts of the policy, as the lots engine takes them."""
        return [
            Account(
                account_id=a["account_id"],
                type=AccountType.parse(a["type"]),
                owner=a.get("owner", ""),
                lot_method=a.get("lot_method"),
            )
            for a in self.policy["accounts"]
        ]

    def identical_groups(self) -> dict[str, str]:
        """Symbol -> identical group, from the policy's securities."""
        return {
            s["symbol"]: s["identical_group"]
            for s in self.policy.get("securities", [])
            if s.get("identical_group")
        }

    def opening_lots(self) -> list[Lot]:
        """The lots of the ``open_lot`` events that count, in log order."""
        return [e.record() for e in self.active if e.kind is EventKind.OPEN_LOT]

    def transactions(self) -> list[Transaction]:
        """The transactions the replay applies (``trade`` and ``fill`` events), in log order."""
        return [e.record() for e in self.active if e.kind in REPLAYED]

    @property
    def fresh_cache(self) -> bool:
        """Whether the cached replay reflects this state (its last event and its policy)."""
        cached = self.cached
        return (
            cached is not None
            and cached.event_seq == self.seq
            and cached.policy_version == self.policy_version
        )

    def ledger(self) -> Ledger:
        """The wash-sale ledger: a replay of the events (or the cache of that replay).

        The cache (the ``ledgers`` table) is used only when it reflects this
        state's last event and policy version; the result is kept on the state,
        so asking twice replays once.
        """
        if "ledger" not in self._memo:
            if self.cached is not None and self.fresh_cache:
                ledger, extra = ledger_from_text(self.cached.text)
                self._memo["ledger"] = ledger
                self._memo["file_order"] = (ledger, extra.get("file_order"))
            else:
                self._memo["ledger"] = self.replay()
        ledger: Ledger = self._memo["ledger"]
        return ledger

    def replay(self) -> Ledger:
        """The wash-sale ledger by replaying the events, never from the cache."""
        return replay(
            self.transactions(),
            self.accounts(),
            self.identical_groups(),
            LotMethod.FIFO,
            self.opening_lots(),
        )

    def cash(self) -> dict[str, Decimal]:
        """Cash per account: the ``cash`` events, less bought fills, plus sold ones (after fees).

        ``trade`` events (a CSV history) move no cash: the opening cash given
        with them already reflects them.
        """
        cash: dict[str, Decimal] = {}
        for event in self.active:
            if event.kind is EventKind.CASH:
                record = event.record()
                account = record["account_id"]
                cash[account] = (
                    cash[account] + record["amount"] if account in cash else record["amount"]
                )
            elif event.kind is EventKind.FILL:
                txn: Transaction = event.record()
                gross = txn.quantity * txn.price
                delta = gross - txn.fees if txn.action is Action.SELL else -(gross + txn.fees)
                cash[txn.account_id] = cash.get(txn.account_id, Decimal(0)) + delta
        return cash

    def document(self, ledger: Ledger | None = None) -> dict[str, Any]:
        """The household file of this state (what ``store export`` writes).

        Lots are the replay's open lots: those still as an ``open_lot`` event
        gave them first, in that order, then the others in the replay's order.
        Recent transactions are the ``lookback`` events, then the replayed ones
        (a sale's ``cost_basis`` from the replay where one sale alone has its
        date, account and symbol).
        """
        ledger = ledger or self.ledger()
        document = self._policy_document()
        document["lots"] = [_lot_entry(lot, exact=exact) for lot, exact in self._lots(ledger)]
        document["recent_transactions"] = [
            _transaction_entry(txn, basis) for txn, basis in self._recent(ledger)
        ]
        return document

    def _policy_document(self) -> dict[str, Any]:
        """The policy as a household document with each account's cash and the cash flows."""
        document = json.loads(json.dumps(self.policy))
        cash = self.cash()
        for account in document["accounts"]:
            account["cash"] = _text(cash.get(account["account_id"], Decimal(0)))
        document["cash_flows"] = [
            _plain(e.record()) for e in self.active if e.kind is EventKind.CASH_FLOW
        ]
        return document

    def _lots(self, ledger: Ledger) -> list[tuple[Lot, bool]]:
        """The open lots in file order, each with whether an ``open_lot`` event gave it as is.

        Lots still as an ``open_lot`` event gave them come first, in that order,
        then the others in the replay's order.
        """
        known = self._memo.get("file_order")
        if known is not None and known[0] is ledger and known[1] is not None:
            # From the cache: the order and exactness it was kept with, no event decoded.
            return [(ledger.lots[index], bool(exact)) for index, exact in known[1]]
        return [(ledger.lots[index], exact) for index, exact in self.file_order(ledger)]

    def file_order(self, ledger: Ledger) -> list[tuple[int, bool]]:
        """For each lot of ``ledger`` in file order: its index, and whether it is as opened."""
        opening = self.opening_lots()
        order = {(lot.account_id, lot.lot_id): n for n, lot in enumerate(opening)}
        unchanged = set(opening)
        ranked = sorted(
            enumerate(ledger.lots),
            key=lambda item: (
                order.get((item[1].account_id, item[1].lot_id), len(order)),
                item[0],
            ),
        )
        return [(index, lot in unchanged) for index, lot in ranked]

    def _recent(self, ledger: Ledger) -> list[tuple[Transaction, Decimal | None]]:
        """The recent transactions: ``lookback`` events, then the replayed ones.

        Each with the cost basis a sale's entry gives (from the replay, where one
        sale alone has its date, account and symbol), else ``None``.
        """
        recent: list[tuple[Transaction, Decimal | None]] = [
            (e.record(), None) for e in self.active if e.kind is EventKind.LOOKBACK
        ]
        replayed = self.transactions()
        sells = Counter(
            (t.date, t.account_id, t.symbol) for t in replayed if t.action is Action.SELL
        )
        basis: dict[tuple[dt.date, str, str], Decimal] = {}
        for row in ledger.dispositions:
            key = (row.sale_date, row.account_id, row.symbol)
            basis[key] = basis.get(key, Decimal(0)) + row.cost_basis
        for txn in replayed:
            key = (txn.date, txn.account_id, txn.symbol)
            known = txn.action is Action.SELL and sells[key] == 1 and key in basis
            recent.append((txn, plain(basis[key]) if known else None))
        return recent

    def household(self, ledger: Ledger | None = None) -> Household:
        """The household model of this state: what ``household_from_dict(document())`` gives.

        Built from the records, not through a household document: the policy
        (which passed the household file's JSON Schema when it was stored) goes
        through the loader's semantic pass alone
        (:func:`household.loader.household_from_checked`), and the lots and
        transactions are the replay's records, not written out as text and read
        back. Their accounts and symbols are checked against the policy, as the
        loader checks a file's. Lots the replay made lose trailing zeros, as
        :meth:`document` writes them (``"15007"`` for ``15007.00``), so the
        household, its input hash and its export agree.
        """
        from household.loader import household_from_checked

        ledger = ledger or self.ledger()
        source = f"store:{self.household_id}"
        base = household_from_checked(self._policy_document(), source=source)
        accounts = {a.account_id for a in base.accounts}
        lots = []
        for index, (lot, exact) in enumerate(self._lots(ledger)):
            _known(lot.account_id, lot.symbol, accounts, base.securities, source, "lots", index)
            lots.append(lot if exact else _plain_lot(lot))
        recent = []
        for index, (txn, basis) in enumerate(self._recent(ledger)):
            where = "recent_transactions"
            _known(txn.account_id, txn.symbol, accounts, base.securities, source, where, index)
            if txn.to_account_id is not None and txn.to_account_id not in accounts:
                raise StoreError(
                    f"unknown account {txn.to_account_id!r}",
                    file=source,
                    row=f"$.{where}[{index}]",
                    field="to_account_id",
                )
            changes: dict[str, Any] = {"row": index, "source": source}
            if txn.cost_basis is None and basis is not None:
                changes["cost_basis"] = basis
            recent.append(attrs.evolve(txn, **changes))
        return attrs.evolve(base, lots=lots, recent_transactions=recent)


@attrs.frozen
class CachedLedger:
    """A cached replay (a row of ``ledgers``): the event seq and policy version it reflects."""

    event_seq: int
    policy_version: int
    text: str = attrs.field(repr=False)


def _known(
    account_id: str,
    symbol: str,
    accounts: set[str],
    securities: Mapping[str, Any],
    source: str,
    section: str,
    index: int,
) -> None:
    """Refuse a record of an account or symbol the policy does not have (as the loader does)."""
    if account_id not in accounts:
        raise StoreError(
            f"unknown account {account_id!r}",
            file=source,
            row=f"$.{section}[{index}]",
            field="account_id",
            hint="not in the policy's accounts",
        )
    if symbol not in securities:
        raise StoreError(
            f"unknown symbol {symbol!r}",
            file=source,
            row=f"$.{section}[{index}]",
            field="symbol",
            hint="not in the policy's securities: add it with store policy --from-file",
        )


def _plain_lot(lot: Lot) -> Lot:
    """``lot`` with its amounts' trailing zeros dropped (as a household file writes them)."""
    return attrs.evolve(
        lot,
        quantity=plain(lot.quantity),
        cost_basis=plain(lot.cost_basis),
        wash_sale_adjustment=plain(lot.wash_sale_adjustment),
    )


def _text(value: Decimal) -> str:
    return format(value, "f")


def _plain(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A decoded payload dict as household-file JSON (decimals and dates as text)."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, Decimal):
            out[key] = _text(value)
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _lot_entry(lot: Lot, *, exact: bool) -> dict[str, Any]:
    """A lot as the household file writes it; a lot the replay made loses trailing zeros."""
    text = _text if exact else _short
    return {
        "account_id": lot.account_id,
        "symbol": lot.symbol,
        "lot_id": lot.lot_id,
        "quantity": text(lot.quantity),
        "purchased": lot.purchased.isoformat(),
        "acquired": lot.acquired.isoformat(),
        "cost_basis": text(lot.cost_basis),
        "wash_sale_adjustment": text(lot.wash_sale_adjustment),
        **lot_event_fields(lot, text),
    }


def _short(value: Decimal) -> str:
    return format(plain(value), "f")


def _transaction_entry(txn: Transaction, basis: Decimal | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": txn.date.isoformat(),
        "account_id": txn.account_id,
        "symbol": txn.symbol,
        "action": txn.action.value,
        "quantity": _text(txn.quantity),
        "price": _text(txn.price),
        "fees": _text(txn.fees),
    }
    if txn.lot_id is not None:
        entry["lot_id"] = txn.lot_id
    cost_basis = txn.cost_basis if txn.cost_basis is not None else basis
    if cost_basis is not None:
        entry["cost_basis"] = _text(cost_basis)
    entry.update((k, v) for k, v in event_fields(txn, _text).items() if v is not None)
    return entry


def policy_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The policy part of a household document: all but lots, history, flows and cash."""
    policy = {k: v for k, v in document.items() if k not in POLICY_DROPPED}
    policy["accounts"] = [{k: v for k, v in a.items() if k != "cash"} for a in document["accounts"]]
    return json.loads(json.dumps(policy))


def household_events(household: Household) -> list[tuple[EventKind, dt.date, Any]]:
    """The events ``store add`` writes for a household file (see :mod:`household.store.events`).

    Cash events are dated ``as_of`` (else the latest date in the file).
    """
    dates = [lot.purchased for lot in household.lots] + [
        t.date for t in household.recent_transactions
    ]
    opened = household.as_of or (max(dates) if dates else dt.date(1970, 1, 1))
    out: list[tuple[EventKind, dt.date, Any]] = []
    for account in household.accounts:
        out.append(
            (EventKind.CASH, opened, {"account_id": account.account_id, "amount": account.cash})
        )
    for lot in household.lots:
        out.append((EventKind.OPEN_LOT, lot.purchased, lot))
    for txn in household.recent_transactions:
        out.append((EventKind.LOOKBACK, txn.date, attrs.evolve(txn, row=None, source=None)))
    for flow in household.cash_flows:
        entry = {
            "account_id": flow.account_id,
            "date": flow.date,
            "amount": flow.amount,
            "kind": flow.kind.value,
        }
        out.append((EventKind.CASH_FLOW, flow.date, entry))
    return out


class Store:
    """A household store at a URL or path (see the module docstring).

    Args:
        url: a path (an SQLite file, created with mode 0600) or a URL
            (``sqlite:///path``, ``postgresql://user:password@host/db``).
        clock: gives the recorded-at time of every row written.
        echo: log the SQL (bound parameters are never shown).
    """

    def __init__(
        self,
        url: str | URL,
        *,
        clock: Callable[[], dt.datetime] = system_clock,
        echo: bool = False,
    ) -> None:
        self.url = resolve_url(url) if isinstance(url, str) else url
        self.clock = clock
        self._engine: Engine | None = None
        self._echo = echo

    def __repr__(self) -> str:
        return f"Store({redacted(self.url)!r})"

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    # -- connections -----------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (made on first use; a new SQLite file gets mode 0600)."""
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        if self.is_sqlite:
            database = self.url.database
            if database and database != ":memory:":
                path = Path(database)
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with contextlib.suppress(FileExistsError):
                        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            engine = sa.create_engine(
                self.url, connect_args={"timeout": 60}, echo=self._echo, hide_parameters=True
            )

            @sa.event.listens_for(engine, "connect")
            def _connect(dbapi_connection: Any, record: Any) -> None:
                dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

            @sa.event.listens_for(engine, "begin")
            def _begin(connection: Connection) -> None:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        return sa.create_engine(self.url, echo=self._echo, hide_parameters=True, pool_pre_ping=True)

    @contextlib.contextmanager
    def _connect(self, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.begin() if write else self.engine.connect() as connection:
                yield connection
        except sa.exc.OperationalError as error:
            message = _scrub(str(error.orig).strip().splitlines()[0], self.url)
            raise StoreError(f"store {redacted(self.url)}: {message}", field="--store") from None

    @contextlib.contextmanager
    def writing(self, household_id: str | None = None) -> Iterator[Connection]:
        """One write transaction; with a household, its row is locked first."""
        with self._connect(True) as connection:
            if household_id is not None:
                query = _household_query(household_id)
                if not self.is_sqlite:
                    query = query.with_for_update()
                if connection.execute(query).first() is None:
                    raise unknown_household(household_id)
            yield connection

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection."""
        with self._connect(False) as connection:
            yield connection

    def now(self) -> str:
        """The recorded-at text of the store's clock (ISO 8601)."""
        return self.clock().isoformat()

    def dispose(self) -> None:
        """Close the engine's connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- migrations ------------------------------------------------------

    def _alembic(self, connection: Connection) -> Any:
        from alembic.config import Config

        config = Config()
        location = resources.files("household.store").joinpath("migrations")
        config.set_main_option("script_location", str(location))
        config.attributes["connection"] = connection
        return config

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (Alembic; ``head`` is the latest)."""
        from alembic import command

        with self._connect(True) as connection:
            command.upgrade(self._alembic(connection), revision)

    def revision(self) -> str | None:
        """The schema's current revision (``None`` for an empty database)."""
        from alembic.migration import MigrationContext

        with self.reading() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def init(self) -> None:
        """Create the store, or bring an older one to the latest revision (idempotent)."""
        if self.revision() != self.head():
            self.migrate("head")

    @staticmethod
    def head() -> str:
        """The latest schema revision shipped."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        location = resources.files("household.store").joinpath("migrations")
        config.set_main_option("script_location", str(location))
        head = ScriptDirectory.from_config(config).get_current_head()
        assert head is not None
        return head

    # -- households ------------------------------------------------------

    def add_household(
        self,
        household: Household,
        *,
        monitoring: Mapping[str, Any] | None = None,
        events: Iterable[tuple[EventKind, dt.date, Any]] | None = None,
        policy: Mapping[str, Any] | None = None,
    ) -> str:
        """Add a household (its policy and events, see :func:`household_events`), one transaction.

        Raises:
            StoreError: the household is already in the store.
        """
        household_id = household.household_id
        policy = policy if policy is not None else policy_of(household_to_dict(household))
        now = self.now()
        with self.writing() as connection:
            if connection.execute(_household_query(household_id)).first() is not None:
                raise StoreError(
                    f"household {household_id!r} is already in the store",
                    field="household_id",
                    hint="export it, or add the new events with fills import",
                )
            connection.execute(
                schema.households.insert(), {"household_id": household_id, "created_at": now}
            )
            self._put_policy(
                connection, household_id, policy, monitoring or DEFAULT_MONITORING, 1, now
            )
            self.append_in(
                connection,
                household_id,
                household_events(household) if events is None else events,
                0,
                now,
            )
        return household_id

    def _put_policy(
        self,
        connection: Connection,
        household_id: str,
        policy: Mapping[str, Any],
        monitoring: Mapping[str, Any],
        version: int,
        now: str,
    ) -> None:
        connection.execute(
            schema.policies.insert(),
            {
                "household_id": household_id,
                "version": version,
                "recorded_at": now,
                # Not sorted: the order of classes, targets and securities is the file's.
                "document": json.dumps({"household": policy, "monitoring": monitoring}),
            },
        )

    def put_policy(
        self,
        household_id: str,
        policy: Mapping[str, Any] | None = None,
        monitoring: Mapping[str, Any] | None = None,
    ) -> int:
        """Record a new policy version (either part left as it was when ``None``); its number."""
        with self.writing(household_id) as connection:
            current = self._policy(connection, household_id)
            version = current[0] + 1
            if policy is not None:
                checked = dict(policy)
                checked["accounts"] = [dict(a, cash="0") for a in policy["accounts"]]
                household_from_dict(checked, source="policy")
            self._put_policy(
                connection,
                household_id,
                policy if policy is not None else current[1],
                monitoring if monitoring is not None else current[2],
                version,
                self.now(),
            )
        return version

    def append_in(
        self,
        connection: Connection,
        household_id: str,
        events: Iterable[tuple[EventKind, dt.date, Any]],
        after: int,
        now: str,
        *,
        import_id: int | None = None,
    ) -> list[int]:
        """Insert events after ``after`` inside the write transaction ``connection``; their seqs.

        Encoded and sent 5,000 at a time. No replay checks them here: the caller
        has (:meth:`append` does, :func:`household.store.fills.import_fills` too).
        """
        rows: list[dict[str, Any]] = []
        seqs: list[int] = []
        seq = after
        for kind, effective, record in events:
            seq += 1
            payload = encode(record)
            rows.append(
                {
                    "household_id": household_id,
                    "seq": seq,
                    "kind": kind.value,
                    "effective_date": effective,
                    "recorded_at": now,
                    "account_id": _plain_field(payload, "account_id"),
                    "symbol": _plain_field(payload, "symbol"),
                    "action": _action(payload),
                    "reverses": payload.get("reverses") if kind is EventKind.REVERSAL else None,
                    "import_id": import_id,
                    "payload": dumps(payload),
                }
            )
            seqs.append(seq)
            if len(rows) == 5000:
                connection.execute(schema.events.insert(), rows)
                rows = []
        if rows:
            connection.execute(schema.events.insert(), rows)
        return seqs

    def _last_seq(self, connection: Connection, household_id: str) -> int:
        value = connection.execute(
            sa.select(sa.func.max(schema.events.c.seq)).where(
                schema.events.c.household_id == household_id
            )
        ).scalar()
        return int(value or 0)

    def append(
        self, household_id: str, events: Sequence[tuple[EventKind, dt.date, Any]]
    ) -> list[int]:
        """Append events (kind, effective date, record) to a household's log; their seqs.

        The replay is run on the result first: events that make it fail (a sale
        of shares not held, an unknown account) are refused and nothing is written.
        """
        with self.writing(household_id) as connection:
            state = self.state_in(connection, household_id)
            candidate = with_events(state, events)
            seqs = self.append_in(connection, household_id, events, state.seq, self.now())
            self.keep_ledger(connection, candidate, candidate.ledger())
            return seqs

    def reverse(self, household_id: str, seq: int, reason: str = "") -> int:
        """Cancel an event with a reversal (the event stays in the log); the reversal's seq."""
        with self.writing(household_id) as connection:
            state = self.state_in(connection, household_id)
            target = next((e for e in state.events if e.seq == seq), None)
            if target is None:
                raise StoreError(f"no event {seq} in household {household_id!r}", field="seq")
            if target.kind is EventKind.REVERSAL:
                raise StoreError(f"event {seq} is a reversal; it cannot be reversed", field="seq")
            if seq not in {e.seq for e in state.active}:
                raise StoreError(f"event {seq} is already reversed", field="seq")
            reversal = (
                EventKind.REVERSAL,
                target.effective_date,
                {"reverses": seq, "reason": reason},
            )
            candidate = with_events(state, [reversal])
            (seq,) = self.append_in(connection, household_id, [reversal], state.seq, self.now())
            self.keep_ledger(connection, candidate, candidate.ledger())
            return seq

    # -- reading ---------------------------------------------------------

    def _policy(
        self, connection: Connection, household_id: str
    ) -> tuple[int, dict[str, Any], dict[str, Any]]:
        row = connection.execute(
            sa.select(schema.policies.c.version, schema.policies.c.document)
            .where(schema.policies.c.household_id == household_id)
            .order_by(schema.policies.c.version.desc())
            .limit(1)
        ).first()
        if row is None:
            raise unknown_household(household_id)
        document = json.loads(row.document)
        return int(row.version), document["household"], document["monitoring"]

    def state_in(
        self, connection: Connection, household_id: str, upto: int | None = None
    ) -> HouseholdState:
        """The household's state read on ``connection`` (inside a transaction of the caller's)."""
        version, policy, monitoring = self._policy(connection, household_id)
        query = _events_query().where(schema.events.c.household_id == household_id)
        if upto is not None:
            query = query.where(schema.events.c.seq <= upto)
        events = tuple(_event(row) for row in connection.execute(query))
        cached = _cached_ledgers(connection, [household_id]).get(household_id)
        return HouseholdState(household_id, policy, version, monitoring, events, cached)

    def keep_ledger(self, connection: Connection, state: HouseholdState, ledger: Ledger) -> None:
        """Cache ``ledger`` as the replay of ``state`` (inside a write transaction).

        Kept unless the cache already reflects ``state`` or a later event (a
        writer that read an older state never replaces a newer replay).
        """
        table = schema.ledgers
        current = connection.execute(
            sa.select(table.c.event_seq, table.c.policy_version).where(
                table.c.household_id == state.household_id
            )
        ).first()
        if current is not None:
            if (current.event_seq, current.policy_version) >= (state.seq, state.policy_version):
                return
            connection.execute(table.delete().where(table.c.household_id == state.household_id))
        connection.execute(
            table.insert(),
            {
                "household_id": state.household_id,
                "event_seq": state.seq,
                "policy_version": state.policy_version,
                "recorded_at": self.now(),
                "ledger": ledger_text(ledger, file_order=state.file_order(ledger)),
            },
        )

    def state(self, household_id: str, upto: int | None = None) -> HouseholdState:
        """The household's policy and events (up to event ``upto``)."""
        with self.reading() as connection:
            return self.state_in(connection, household_id, upto)

    def states(self, household_ids: Sequence[str] | None = None) -> list[HouseholdState]:
        """Every household's state (or those named), read in two queries, sorted by id."""
        with self.reading() as connection:
            policies = connection.execute(
                sa.select(
                    schema.policies.c.household_id,
                    schema.policies.c.version,
                    schema.policies.c.document,
                ).order_by(schema.policies.c.household_id, schema.policies.c.version)
            ).all()
            query = _events_query(schema.events.c.household_id)
            if household_ids is not None:
                query = query.where(schema.events.c.household_id.in_(list(household_ids)))
            grouped: dict[str, list[Event]] = {}
            for row in connection.execute(query):
                grouped.setdefault(row.household_id, []).append(_event(row))
            cached = _cached_ledgers(connection, household_ids)
        latest: dict[str, tuple[int, str]] = {}
        for row in policies:
            latest[row.household_id] = (int(row.version), row.document)
        wanted = sorted(latest) if household_ids is None else sorted(household_ids)
        out = []
        for household_id in wanted:
            if household_id not in latest:
                raise unknown_household(household_id)
            version, text = latest[household_id]
            document = json.loads(text)
            out.append(
                HouseholdState(
                    household_id,
                    document["household"],
                    version,
                    document["monitoring"],
                    tuple(grouped.get(household_id, ())),
                    cached.get(household_id),
                )
            )
        return out

    def events(self, household_id: str) -> tuple[Event, ...]:
        """Every event of the household, in order."""
        return self.state(household_id).events

    def ledger(self, household_id: str) -> Ledger:
        """The wash-sale ledger: a replay of the household's events.

        When the cached replay reflects the last event and the policy version, it
        is read alone (the events are not read at all); otherwise the events are
        read and replayed.
        """
        with self.reading() as connection:
            version = self._policy(connection, household_id)[0]
            last = self._last_seq(connection, household_id)
            cached = _cached_ledgers(connection, [household_id]).get(household_id)
            if cached is not None and (cached.event_seq, cached.policy_version) == (last, version):
                return ledger_from_text(cached.text)[0]
            return self.state_in(connection, household_id).ledger()

    def lots(self, household_id: str) -> tuple[Lot, ...]:
        """The open lots, by replay."""
        return self.ledger(household_id).lots

    def frames(self, household_id: str) -> dict[str, Any]:
        """pandas DataFrames of the household: ``lots``, ``dispositions``, ``matches``, ``events``.

        Columns are the records' fields (``lots.records.Lot``, ``Disposition``,
        ``lots.washsale.WashMatch``); amounts stay ``Decimal`` (object columns).
        """
        import pandas as pd

        state = self.state(household_id)
        ledger = state.ledger()

        def frame(records: Sequence[Any], kind: type) -> pd.DataFrame:
            columns = [field.name for field in attrs.fields(kind)]
            return pd.DataFrame([attrs.asdict(r, recurse=False) for r in records], columns=columns)

        from lots.records import Disposition
        from lots.washsale import WashMatch

        events = pd.DataFrame(
            [
                {
                    "seq": e.seq,
                    "kind": e.kind.value,
                    "effective_date": e.effective_date,
                    "recorded_at": e.recorded_at,
                    "reverses": e.reverses,
                    "import_id": e.import_id,
                    "payload": e.text,
                }
                for e in state.events
            ],
            columns=[
                "seq",
                "kind",
                "effective_date",
                "recorded_at",
                "reverses",
                "import_id",
                "payload",
            ],
        )
        return {
            "lots": frame(ledger.lots, Lot),
            "dispositions": frame(ledger.dispositions, Disposition),
            "matches": frame(ledger.matches, WashMatch),
            "events": events,
        }

    def household(self, household_id: str) -> Household:
        """The household as the planner takes it (lots by replay)."""
        return self.state(household_id).household()

    def export(self, household_id: str) -> dict[str, Any]:
        """The household file of the household (see :meth:`HouseholdState.document`)."""
        return household_to_dict(self.household(household_id))

    def household_ids(self) -> list[str]:
        """Every household id, sorted."""
        with self.reading() as connection:
            rows = connection.execute(
                sa.select(schema.households.c.household_id).order_by(
                    schema.households.c.household_id
                )
            )
            return [row.household_id for row in rows]

    def list_households(self) -> list[dict[str, Any]]:
        """One entry per household: id, event count, policy version, plan count."""
        with self.reading() as connection:
            counts = _per_household(connection, schema.events, sa.func.count())
            versions = _per_household(
                connection, schema.policies, sa.func.max(schema.policies.c.version)
            )
            plans = _per_household(connection, schema.plans, sa.func.count())
            rows = connection.execute(
                sa.select(schema.households).order_by(schema.households.c.household_id)
            ).all()
        return [
            {
                "household_id": row.household_id,
                "events": int(counts.get(row.household_id, 0)),
                "policy_version": int(versions.get(row.household_id, 0)),
                "plans": int(plans.get(row.household_id, 0)),
                "created_at": row.created_at,
            }
            for row in rows
        ]

    def show(self, household_id: str) -> dict[str, Any]:
        """``{"household_id", "lots", "ledger", "policy", "plans", ...}`` as JSON-ready data."""
        from household.store.views import show_document

        state = self.state(household_id)
        return show_document(state, state.ledger(), self.plans(household_id))

    # -- plans -----------------------------------------------------------

    def save_plan(
        self,
        state: HouseholdState,
        kind: str,
        as_of: dt.date,
        document: dict[str, Any],
        input_document: Mapping[str, Any],
        parameters: Mapping[str, Any],
    ) -> int:
        """Keep a plan made from ``state``; its ``plan_id`` (also put in ``summary.plan_id``)."""
        with self.writing(state.household_id) as connection:
            result = connection.execute(
                schema.plans.insert().returning(schema.plans.c.plan_id),
                {
                    "household_id": state.household_id,
                    "kind": kind,
                    "as_of": as_of,
                    "recorded_at": self.now(),
                    "event_seq": state.seq,
                    "policy_version": state.policy_version,
                    "input_hash": content_hash(_json(input_document)),
                    "engine_version": engine_version(),
                    "parameters": _json(dict(parameters)),
                    "document": "{}",
                },
            )
            plan_id = int(result.scalar_one())
            document["summary"]["plan_id"] = plan_id
            connection.execute(
                schema.plans.update()
                .where(schema.plans.c.plan_id == plan_id)
                .values(document=json.dumps(document))
            )
            if not state.fresh_cache:
                self.keep_ledger(connection, state, state.ledger())
        return plan_id

    def plan(self, plan_id: int) -> dict[str, Any]:
        """A stored plan: its row's fields and ``document`` (the plan JSON)."""
        with self.reading() as connection:
            row = connection.execute(
                sa.select(schema.plans).where(schema.plans.c.plan_id == plan_id)
            ).first()
        if row is None:
            raise StoreError(f"no plan {plan_id} in the store", field="--plan")
        return _plan_row(row, with_document=True)

    def plans(self, household_id: str) -> list[dict[str, Any]]:
        """The household's plans, oldest first (without their documents)."""
        with self.reading() as connection:
            rows = connection.execute(
                sa.select(schema.plans)
                .where(schema.plans.c.household_id == household_id)
                .order_by(schema.plans.c.plan_id)
            ).all()
        return [_plan_row(row, with_document=False) for row in rows]

    def imports(self, household_id: str) -> list[dict[str, Any]]:
        """The household's fills imports, oldest first: each one's stored report, tickets aside.

        An entry: ``import_id``, ``plan_id``, ``file``, ``content_hash``,
        ``recorded_at``, ``events`` (the first and last seq appended),
        ``next_review`` and ``totals`` (slippage, costs and tax, estimated and actual).
        """
        with self.reading() as connection:
            rows = connection.execute(
                sa.select(schema.imports)
                .where(schema.imports.c.household_id == household_id)
                .order_by(schema.imports.c.import_id)
            ).all()
        out = []
        for row in rows:
            report = json.loads(row.report)
            out.append(
                {
                    "import_id": row.import_id,
                    "plan_id": row.plan_id,
                    "file": row.file_name,
                    "content_hash": row.content_hash,
                    "recorded_at": row.recorded_at,
                    "events": report.get("events"),
                    "next_review": report.get("next_review"),
                    "totals": report.get("totals", {}),
                }
            )
        return out

    # -- reviews ---------------------------------------------------------

    def next_reviews(self) -> dict[str, dt.date]:
        """Household id -> the next review date set after fills (re-armed)."""
        with self.reading() as connection:
            rows = connection.execute(
                sa.select(schema.reviews.c.household_id, schema.reviews.c.next_review)
            ).all()
        return {row.household_id: row.next_review for row in rows}

    def arm_review(
        self, connection: Connection, household_id: str, date: dt.date, reason: str
    ) -> None:
        """Set the household's next review date (inside a write transaction)."""
        connection.execute(
            schema.reviews.delete().where(schema.reviews.c.household_id == household_id)
        )
        connection.execute(
            schema.reviews.insert(),
            {
                "household_id": household_id,
                "next_review": date,
                "armed_at": self.now(),
                "reason": reason,
            },
        )


def unknown_household(household_id: str) -> StoreError:
    """The error for a household the store does not hold."""
    return StoreError(f"no household {household_id!r} in the store", field="household_id")


def _household_query(household_id: str) -> sa.Select[Any]:
    """The household's row in ``households`` (none when it is not in the store)."""
    table = schema.households
    return sa.select(table.c.household_id).where(table.c.household_id == household_id)


def _per_household(connection: Connection, table: sa.Table, value: Any) -> dict[str, Any]:
    """``value`` (an aggregate) over ``table``'s rows, per household id."""
    query = sa.select(table.c.household_id, value).group_by(table.c.household_id)
    return {row[0]: row[1] for row in connection.execute(query)}


def _events_query(*leading: Any) -> sa.Select[Any]:
    """The columns an :class:`Event` is made of (after ``leading`` ones), in log order."""
    columns = schema.events.c
    return sa.select(
        *leading,
        columns.seq,
        columns.kind,
        columns.effective_date,
        columns.recorded_at,
        columns.payload,
        columns.reverses,
        columns.import_id,
    ).order_by(*leading, columns.seq)


def _event(row: Any) -> Event:
    """The :class:`Event` of a row of :func:`_events_query`."""
    return Event(
        seq=row.seq,
        kind=EventKind(row.kind),
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        text=row.payload,
        reverses=row.reverses,
        import_id=row.import_id,
    )


def _cached_ledgers(
    connection: Connection, household_ids: Sequence[str] | None
) -> dict[str, CachedLedger]:
    """The cached replays of the households (all when ``None``), by household id."""
    table = schema.ledgers
    query = sa.select(
        table.c.household_id, table.c.event_seq, table.c.policy_version, table.c.ledger
    )
    if household_ids is not None:
        query = query.where(table.c.household_id.in_(list(household_ids)))
    return {
        row.household_id: CachedLedger(row.event_seq, row.policy_version, row.ledger)
        for row in connection.execute(query)
    }


def _plan_row(row: Any, *, with_document: bool) -> dict[str, Any]:
    entry = {
        "plan_id": row.plan_id,
        "household_id": row.household_id,
        "kind": row.kind,
        "as_of": row.as_of.isoformat(),
        "recorded_at": row.recorded_at,
        "event_seq": row.event_seq,
        "policy_version": row.policy_version,
        "input_hash": row.input_hash,
        "engine_version": row.engine_version,
        "parameters": json.loads(row.parameters),
    }
    if with_document:
        entry["document"] = json.loads(row.document)
    return entry


def _plain_field(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) else None


def _action(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("action")
    if isinstance(value, dict):
        return str(value.get("value"))
    return value if isinstance(value, str) else None


def with_events(
    state: HouseholdState, events: Sequence[tuple[EventKind, dt.date, Any]]
) -> HouseholdState:
    """``state`` with ``events`` appended (not stored), to check them by replay first."""
    seq = state.seq
    added = []
    for kind, effective, record in events:
        seq += 1
        payload = encode(record)
        added.append(
            Event(
                seq=seq,
                kind=kind,
                effective_date=effective,
                recorded_at="",
                text=dumps(payload),
                reverses=payload.get("reverses") if kind is EventKind.REVERSAL else None,
            )
        )
    return attrs.evolve(state, events=state.events + tuple(added), _memo={})


def csv_events(
    household: Household, transactions: Sequence[Transaction]
) -> list[tuple[EventKind, dt.date, Any]]:
    """The events ``store add --accounts --transactions`` writes: cash, then one trade per row.

    The replay of the trades gives the lots (the household's ``lots``, which
    came from the same replay, are not stored as opening lots).
    """
    out = [
        event
        for event in household_events(attrs.evolve(household, lots=(), recent_transactions=()))
    ]
    flows = [event for event in out if event[0] is EventKind.CASH_FLOW]
    out = [event for event in out if event[0] is not EventKind.CASH_FLOW]
    out.extend((EventKind.TRADE, txn.date, txn) for txn in transactions)
    return out + flows
