"""The wash-sale ledger: replay a household's trades and apply the wash-sale rule.

The rule (IRS Publication 550, "Wash Sales"; Internal Revenue Code section
1091): a loss on a sale of stock is disallowed when, within 30 days before or
after the sale, the taxpayer (or the spouse, or an IRA of either) acquires
substantially identical stock. The disallowed loss is not lost: it is added to
the basis of the replacement shares, and the holding period of the shares sold
is added to theirs. When the replacement is bought in an IRA or Roth IRA the
loss is gone for good (Revenue Ruling 2008-5): it is disallowed and added to no
basis.

Worked example (Publication 550)::

    2026-01-05  buy  100 XYZ at $10.00        basis $1,000
    2026-03-10  sell 100 XYZ at $9.00         proceeds $900, loss $100
    2026-03-20  buy  100 XYZ at $10.50        within 30 days: a wash sale

    The sale's Form 8949 row: proceeds 900, basis 1,000, code W,
    adjustment 100, gain 0. The new lot's basis is 1,050 + 100 = 1,150, and its
    holding period starts 64 days (2026-01-05 to 2026-03-10) before 2026-03-20,
    on 2026-01-15.

How the replay matches (the contract of ``docs/formats.md``):

* Events are processed in date order; events of one date in file order.
* Replacement shares are those acquired from 30 days before to 30 days after
  the sale (the sale date included), in any account of the household, of the
  same or a substantially identical symbol (one ``identical_group``), except
  the shares sold themselves, other shares of the same purchase, and shares
  bought before the sale but already sold by then.
* Loss shares take replacement shares in the order they were bought, earliest
  first; each replacement share absorbs at most one loss share; earlier loss
  sales are matched first (within a sale, lots in relief order).
* Where only part of a lot is washed, or only part of a lot serves as
  replacement, the lot is split (``L1.1``, ``L1.2``, the matched shares first).
* Gains are never washed; sales inside deferred or exempt accounts are not
  reported and never washed.

Speed: events are sorted once; per identical group, the shares still open to be
a replacement sit in purchase order with a "next open slot" pointer (union-find
with path compression), and future purchases likewise, so each sale finds its
replacements by bisection and each slot is skipped a bounded number of times:
O(n log n) for n events. ``tests/lots/reference.py`` holds a plain quadratic
implementation the tests compare against.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import os
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import attrs

from lots import fastreplay
from lots.errors import InputError, LotsError, NotExact
from lots.events import LOT_EVENTS, Holding, check_transfer, gift_basis, gift_sale_basis, scale
from lots.fastreplay import FastReplay
from lots.numbers import ONE, ZERO, money, split
from lots.records import (
    Account,
    Action,
    Disposition,
    DispositionEvent,
    Lot,
    TaxTreatment,
    Term,
    Transaction,
)
from lots.relief import LotMethod, natural_key, select_lots
from lots.sources import source_digest
from lots.terms import term_of

WINDOW = dt.timedelta(days=30)


@attrs.frozen
class WashMatch:
    """Loss shares of one sale matched to replacement shares of one lot."""

    sale_date: dt.date
    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    replacement_account_id: str
    replacement_symbol: str
    replacement_lot_id: str
    replacement_purchased: dt.date
    disallowed: Decimal
    permanent: bool


@attrs.frozen
class Ledger:
    """The result of a replay.

    Attributes:
        dispositions: every lot relieved by a sale, in sale order (rows of
            deferred and exempt accounts have ``reportable`` false).
        lots: the open lots at the end, by account (in the order accounts were
            given), then purchase order.
        matches: the wash-sale matches, in sale order.
    """

    dispositions: tuple[Disposition, ...]
    lots: tuple[Lot, ...]
    matches: tuple[WashMatch, ...] = ()

    @property
    def reportable(self) -> tuple[Disposition, ...]:
        """The Form 8949 rows: dispositions in taxable accounts."""
        return tuple(d for d in self.dispositions if d.reportable)


class LazyLedger(Ledger):
    """A :class:`Ledger` of the integer replay whose records are built when first read.

    The same ledger as the Decimal replay's, field for field: ``dispositions``,
    ``lots`` and ``matches`` are built (each on its first read, then kept) from the
    fixed-scale integers of :class:`lots.fastreplay.FastReplay`; a caller that reads
    only the open lots never pays for the dispositions. It compares and hashes equal
    to a :class:`Ledger` of the same records, and pickles as one. :attr:`units` is the
    replay itself, for writers that print the integers straight to text
    (``household.cli.lots``).

    >>> from lots.records import AccountType
    >>> ledger = replay(
    ...     [Transaction(dt.date(2026, 1, 5), "joint", "XYZ", Action.BUY, 100, "10.00")],
    ...     [Account("joint", AccountType.JOINT)],
    ... )
    >>> type(ledger).__name__, ledger == Ledger((), ledger.lots), ledger.lots[0].cost_basis
    ('LazyLedger', True, Decimal('1000.00'))
    """

    __slots__ = ("units", "_built")
    units: FastReplay
    _built: dict[str, tuple[Any, ...]]

    def __new__(cls, units: FastReplay | None = None, **fields: Any) -> Any:
        """A lazy ledger of ``units``; given the records instead (as ``attrs.evolve`` and
        ``attrs.assoc`` give them), a plain :class:`Ledger` of those records."""
        if units is None:
            return Ledger(**fields)
        return super().__new__(cls)

    def __init__(self, units: FastReplay) -> None:  # noqa: D107
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "_built", {})

    def _part(self, name: str) -> tuple[Any, ...]:
        built: dict[str, tuple[Any, ...]] = self._built
        value = built.get(name)
        if value is None:
            units = self.units
            if name == "dispositions":
                value = tuple(units.dispositions())
            elif name == "lots":
                value = tuple(units.lots())
            else:
                value = tuple(units.wash_matches())
            built[name] = value
        return value

    @property
    def dispositions(self) -> tuple[Disposition, ...]:
        return self._part("dispositions")

    @property
    def lots(self) -> tuple[Lot, ...]:
        return self._part("lots")

    @property
    def matches(self) -> tuple[WashMatch, ...]:
        return self._part("matches")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ledger):
            return NotImplemented
        return (self.dispositions, self.lots, self.matches) == (
            other.dispositions,
            other.lots,
            other.matches,
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = Ledger.__hash__

    def __repr__(self) -> str:
        return Ledger.__repr__(self)

    def __reduce__(self) -> tuple[type[Ledger], tuple[Any, ...]]:
        return Ledger, (self.dispositions, self.lots, self.matches)


class _Piece:
    """A lot, or part of one, while the replay runs (mutable ledger state)."""

    __slots__ = (
        "account_id",
        "symbol",
        "lot_id",
        "quantity",
        "cost_basis",
        "purchased",
        "acquired",
        "adjustment",
        "purchase",
        "used",
        "slot",
        "order",
        "_natural",
        "loss_basis",
        "inherited",
        "rest",
    )

    def __init__(
        self,
        account_id: str,
        symbol: str,
        lot_id: str,
        quantity: Decimal,
        cost_basis: Decimal,
        purchased: dt.date,
        acquired: dt.date,
        adjustment: Decimal,
        purchase: int,
        used: bool,
        order: tuple[int, ...],
    ) -> None:
        self.account_id = account_id
        self.symbol = symbol
        self.lot_id = lot_id
        self.quantity = quantity
        self.cost_basis = cost_basis
        self.purchased = purchased
        self.acquired = acquired
        self.adjustment = adjustment
        self.purchase = purchase
        self.used = used
        self.slot = -1
        self.order = order
        self._natural: tuple[str | int, ...] | None = None
        self.loss_basis: Decimal | None = None
        self.inherited = False
        # The part split off this one when it became a replacement (``L1.2`` of ``L1.1``).
        self.rest: _Piece | None = None

    @property
    def natural_id(self) -> tuple[str | int, ...]:
        """The lot id's natural sort key, computed once (lot relief breaks ties with it)."""
        if self._natural is None:
            self._natural = natural_key(self.lot_id)
        return self._natural

    def rename(self, lot_id: str) -> None:
        self.lot_id = lot_id
        self._natural = None


class _Slots:
    """Items in purchase order with a skip-dead pointer (union-find)."""

    __slots__ = ("keys", "items", "parent")

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.items: list[object] = []
        self.parent: list[int] = []

    def append(self, key: int, item: object) -> int:
        index = len(self.items)
        self.keys.append(key)
        self.items.append(item)
        self.parent.append(index)
        return index

    def find(self, index: int) -> int:
        """The first live slot at or after ``index`` (``len`` if none)."""
        parent = self.parent
        size = len(parent)
        root = index
        while root < size and parent[root] != root:
            root = parent[root]
        while index < size and parent[index] != index:
            parent[index], index = root, parent[index]
        return root

    def kill(self, index: int) -> None:
        self.parent[index] = index + 1


@attrs.define
class _Pending:
    """Shares of a future purchase promised to an earlier loss sale."""

    quantity: Decimal
    disallowed: Decimal
    holding_days: int
    permanent: bool
    sale_index: int
    sale_date: dt.date
    account_id: str
    symbol: str
    lot_id: str

    def match(self, replacement: _Piece) -> WashMatch:
        """The match record once the replacement part exists."""
        return WashMatch(
            sale_date=self.sale_date,
            account_id=self.account_id,
            symbol=self.symbol,
            lot_id=self.lot_id,
            quantity=self.quantity,
            replacement_account_id=replacement.account_id,
            replacement_symbol=replacement.symbol,
            replacement_lot_id=replacement.lot_id,
            replacement_purchased=replacement.purchased,
            disallowed=self.disallowed,
            permanent=self.permanent,
        )


def replay(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, Account] | Sequence[Account],
    identical_group: Mapping[str, str] | None = None,
    default_method: LotMethod = LotMethod.FIFO,
    opening_lots: Sequence[Lot] = (),
    *,
    same_sale_replacement: bool = False,
) -> Ledger:
    """Replay a household's history and apply the wash-sale rule across its accounts.

    Args:
        transactions: trades and events in any order (sorted by date here, file
            order kept within a date).
        accounts: the household's accounts (all related for the rule).
        identical_group: symbol -> group name; symbols of one group are
            substantially identical. A symbol is always identical to itself,
            and the new symbol of a ``symbol_change`` to the old one.
        default_method: the lot-relief method of accounts without one.
        opening_lots: lots held before the first transaction (none may be
            bought after it); they can be replacement shares of a loss sale
            within 30 days of their purchase.
        same_sale_replacement: when one sale relieves several lots, treat each
            lot as its own sale, in relief order, so that shares of a lot sold
            later in the same sale can replace an earlier lot's loss (the
            reading of several public trackers). False (the default, the
            contract of ``docs/formats.md``): the shares a sale sells are never
            replacements of its own losses.

    Returns:
        The dispositions, the open lots and the wash-sale matches.

    Raises:
        LotsError: an unknown account, a sale or transfer of more shares than
            held, a specific-identification sale of a lot not held, a duplicate
            lot id, a transfer the law does not allow; the error carries the
            transaction's source file and row.
    """
    if not isinstance(accounts, Mapping):
        accounts = {account.account_id: account for account in accounts}
    with _collector_paused(promote=len(transactions) >= PROMOTE_FROM):
        try:
            return fast_replay(
                transactions,
                accounts,
                identical_group,
                default_method,
                opening_lots,
                same_sale_replacement=same_sale_replacement,
            )
        except (NotExact, LotsError):
            # A number the fixed scales cannot hold, or bad input: the Decimal replay
            # gives the answer (or the error, with its file, row and field).
            return decimal_replay(
                transactions,
                accounts,
                identical_group,
                default_method,
                opening_lots,
                same_sale_replacement=same_sale_replacement,
            )


#: The environment variable that picks the integer replay's module: ``auto`` (the
#: default: the compiled one when it is built and current, else the pure one),
#: ``python`` (always ``lots/fastreplay.py``, as plain Python) or ``native`` (the
#: compiled one, or :func:`fast_module` raises ``ImportError``).
ENGINE_VARIABLE = "LOTS_REPLAY"


def _is_current(native: ModuleType) -> bool:
    """Whether ``native`` was built from the ``lots`` sources beside it now."""
    names = getattr(native, "SOURCE_FILES", None)
    recorded = getattr(native, "SOURCE_DIGEST", None)
    if not names or recorded is None:
        return False
    try:
        return bool(source_digest(Path(fastreplay.__file__).parent, names) == recorded)
    except OSError:  # a source file gone
        return False


def fast_module(engine: str | None = None) -> ModuleType:
    """The module of the integer replay: ``lots._fastreplay_native`` or ``lots.fastreplay``.

    ``lots._fastreplay_native`` is ``lots/fastreplay.py`` compiled with mypyc when the
    package is built (``setup.py``); the same code, so the same answers, in 0.6 to 0.8
    of the time. It is used only when the digest it was built with
    (``SOURCE_DIGEST``, over its ``SOURCE_FILES``: ``fastreplay.py`` and the ``lots``
    modules it imports) is that of those files beside ``lots/fastreplay.py`` now:
    after an edit of any of them without a rebuild, the pure module runs. ``engine`` (default:
    the ``LOTS_REPLAY`` environment variable, else ``auto``) is ``auto``, ``python``
    or ``native`` (see :data:`ENGINE_VARIABLE`).

    Raises:
        ImportError: ``native`` was asked for and is not built, or is stale.
        ValueError: an unknown ``engine``.
    """
    engine = engine or os.environ.get(ENGINE_VARIABLE) or "auto"
    if engine not in ("auto", "python", "native"):
        raise ValueError(f"{ENGINE_VARIABLE}={engine!r}: use auto, python or native")
    if engine == "python":
        return fastreplay
    try:
        native = importlib.import_module("lots._fastreplay_native")
    except ImportError:
        if engine == "native":
            raise
        return fastreplay
    if not _is_current(native):
        if engine == "native":
            raise ImportError(
                "lots._fastreplay_native was built from other lots sources than these:"
                " reinstall the package (pip install -e .) to rebuild it"
            )
        return fastreplay
    return native


#: The integer replay's module this process uses (see :func:`fast_module`).
FAST_MODULE = fast_module()
_FastReplay: type[FastReplay] = FAST_MODULE.FastReplay


def fast_replay(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, Account] | Sequence[Account],
    identical_group: Mapping[str, str] | None = None,
    default_method: LotMethod = LotMethod.FIFO,
    opening_lots: Sequence[Lot] = (),
    *,
    same_sale_replacement: bool = False,
) -> Ledger:
    """:func:`replay` on fixed-scale integers only (``lots.fastreplay``, or its compiled
    twin: :data:`FAST_MODULE`).

    Raises:
        NotExact: a number of the history does not fit the scales, or the input is
            bad (:func:`replay` then runs :func:`decimal_replay`).
    """
    if not isinstance(accounts, Mapping):
        accounts = {account.account_id: account for account in accounts}
    run = _FastReplay(accounts, identical_group or {}, default_method, same_sale_replacement)
    run.run(transactions, opening_lots)
    return LazyLedger(run)


def decimal_replay(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, Account] | Sequence[Account],
    identical_group: Mapping[str, str] | None = None,
    default_method: LotMethod = LotMethod.FIFO,
    opening_lots: Sequence[Lot] = (),
    *,
    same_sale_replacement: bool = False,
) -> Ledger:
    """:func:`replay` on ``Decimal`` throughout: the exact fallback of the fast path."""
    if not isinstance(accounts, Mapping):
        accounts = {account.account_id: account for account in accounts}
    return _Replay(accounts, identical_group or {}, default_method, same_sale_replacement).run(
        transactions, opening_lots
    )


#: Transactions from which a replay moves what it made to the collector's oldest generation
#: (:func:`promote_survivors`): a large history's ledger outlives the replay, and its
#: objects would cost a collection over all of them; a small one's (a plan's replay of a
#: household, hundreds of events, many times a second in a sweep) are garbage soon, and
#: promoting them, with whatever else the program holds at that moment, starves the
#: collector's full passes: a sweep worker grew by a quarter of a megabyte a household.
PROMOTE_FROM = 10_000


@contextlib.contextmanager
def _collector_paused(promote: bool = True) -> Iterator[None]:
    """Pause Python's cycle collector during a replay.

    A replay allocates a few objects per event and creates no reference cycles;
    with the collector running, its full passes over the growing heap made a
    large replay a third slower. The previous state is restored, and, with
    ``promote``, the objects made meanwhile are moved to the oldest generation
    (:func:`promote_survivors`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if promote:
                promote_survivors()
            gc.enable()


def promote_survivors() -> None:
    """Move every object the cycle collector tracks to its oldest generation, at once.

    While the collector is paused, every container made (a replay's tuples, lists
    and pieces: millions at 1,000,000 events) stays in the youngest generation, and
    the first allocation after :func:`gc.enable` runs a collection over all of them:
    0.25 s after a 100,000-event replay, for objects that are still alive and hold
    no cycle. ``gc.freeze()`` then ``gc.unfreeze()`` moves them all to the oldest
    generation without visiting them (any cycle among them is still collected, by
    the next full collection). Nothing is done while the program keeps objects
    frozen itself (``gc.get_freeze_count()``): unfreezing would release them.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


#: A spin-off's child lot sorts after every part of its parent lot (children of one
#: parent in the order of their spin-offs).
CHILD_ORDER = 1 << 30

_NEW_SYMBOL = frozenset({Action.MERGER, Action.SYMBOL_CHANGE})


class _Replay:
    """The state of one replay: open lots, replacement candidates, promised purchases."""

    def __init__(
        self,
        accounts: Mapping[str, Account],
        identical_group: Mapping[str, str],
        default_method: LotMethod,
        same_sale_replacement: bool = False,
    ) -> None:
        self.accounts = accounts
        self.identical_group = identical_group
        self.same_sale = same_sale_replacement
        self.account_index = {account_id: i for i, account_id in enumerate(accounts)}
        self.methods = {
            account_id: LotMethod.parse(account.lot_method)
            if account.lot_method
            else default_method
            for account_id, account in accounts.items()
        }
        self.taxable = {
            account_id: account.treatment is TaxTreatment.TAXABLE
            for account_id, account in accounts.items()
        }
        # Open lots per (account, symbol), in purchase order.
        self.holdings: dict[tuple[str, str], list[_Piece]] = {}
        # Open, not yet used shares per identical group, in purchase order: one slot per
        # purchase, holding its open candidate parts (usually one) in lot order.
        self.candidates: dict[tuple[str, str], _Slots] = {}
        # Purchases per identical group (event index as key) not yet fully promised.
        self.future: dict[tuple[str, str], _Slots] = {}
        self.unpromised: dict[int, Decimal] = {}
        self.promised: dict[int, list[_Pending]] = {}
        # Splits per symbol, (event index, ratio), one per symbol, date and ratio.
        self.splits: dict[str, list[tuple[int, tuple[Decimal, Decimal]]]] = {}
        self.dispositions: list[Disposition] = []
        self.matches: list[tuple[int, WashMatch]] = []
        self.lot_ids: dict[str, set[str]] = {account_id: set() for account_id in accounts}
        self.generated: dict[tuple[str, str, dt.date], int] = {}
        self.group_keys: dict[str, tuple[str, str]] = {}

    def group(self, symbol: str) -> tuple[str, str]:
        """The identical-group key of a symbol (the symbol itself when it has none)."""
        key = self.group_keys.get(symbol)
        if key is None:
            group = self.identical_group.get(symbol)
            key = self.group_keys[symbol] = ("group", group) if group else ("symbol", symbol)
        return key

    # -- candidates ---------------------------------------------------------

    def add_candidate(self, piece: _Piece) -> None:
        key = self.group(piece.symbol)
        slots = self.candidates.get(key)
        if slots is None:
            slots = self.candidates[key] = _Slots()
        piece.slot = slots.append(piece.purchased.toordinal(), [piece])

    def drop_candidate(self, piece: _Piece) -> None:
        if piece.slot >= 0:
            slots = self.candidates[self.group(piece.symbol)]
            parts = slots.items[piece.slot]
            assert isinstance(parts, list)
            parts.remove(piece)
            if not parts:
                slots.kill(piece.slot)
            piece.slot = -1

    # -- the run ------------------------------------------------------------

    def run(self, transactions: Sequence[Transaction], opening_lots: Sequence[Lot]) -> Ledger:
        ordered = sorted(transactions, key=lambda txn: txn.date)  # stable: file order kept
        for txn in ordered:
            self.check(txn)
        # One split of a security is a row per account holding it: count the rows of one
        # symbol, date and ratio once per account (the k-th row of each account together).
        seen_splits: set[tuple[str, dt.date, tuple[Decimal, Decimal] | None, int]] = set()
        split_rows: dict[tuple[str, dt.date, tuple[Decimal, Decimal] | None, str], int] = {}
        for index, txn in enumerate(ordered):
            action = txn.action
            if action.purchase:
                slots = self.future.setdefault(self.group(txn.symbol), _Slots())
                slots.append(index, txn)
                self.unpromised[index] = txn.quantity
            elif action is Action.SYMBOL_CHANGE:
                # A new ticker for the same stock: identical to the old one, unless the
                # securities give it a group of its own.
                assert txn.new_symbol is not None
                if txn.new_symbol not in self.identical_group:
                    self.group_keys.setdefault(txn.new_symbol, self.group(txn.symbol))
            elif action is Action.SPLIT:
                row_key = (txn.symbol, txn.date, txn.ratio, txn.account_id)
                occurrence = split_rows[row_key] = split_rows.get(row_key, 0) + 1
                key = (txn.symbol, txn.date, txn.ratio, occurrence)
                if key not in seen_splits:
                    seen_splits.add(key)
                    assert txn.ratio is not None
                    self.splits.setdefault(txn.symbol, []).append((index, txn.ratio))
        self.open(opening_lots, ordered[0].date if ordered else None)
        for index, txn in enumerate(ordered):
            try:
                _HANDLERS[txn.action](self, index, txn)
            except LotsError as error:
                if error.account is None:
                    error.account = txn.account_id
                if error.date is None:
                    error.date = txn.date
                raise error.located(file=txn.source, row=txn.row) from None
        return self.result()

    def check(self, txn: Transaction) -> None:
        """Refuse unknown accounts and transfers the law does not allow, at their row."""
        try:
            if txn.account_id not in self.accounts:
                raise InputError(
                    f"unknown account {txn.account_id!r}",
                    field="account_id",
                    account=txn.account_id,
                )
            if txn.action is Action.TRANSFER:
                target = txn.to_account_id
                if target is None or target not in self.accounts:
                    raise InputError(
                        f"unknown account {target!r}", field="to_account_id", account=target
                    )
                check_transfer(self.accounts[txn.account_id], self.accounts[target])
        except LotsError as error:
            raise error.located(file=txn.source, row=txn.row) from None

    def open(self, opening_lots: Sequence[Lot], first_date: dt.date | None) -> None:
        """Seed the ledger with the lots held before the first transaction."""
        # Purchase order: by trade date, lots of one date in the order given (as
        # transactions of one date keep file order).
        opening = sorted(opening_lots, key=lambda lot: lot.purchased)
        for number, lot in enumerate(opening):
            if lot.account_id not in self.accounts:
                raise InputError(
                    f"unknown account {lot.account_id!r}", field="account_id", lot=lot.lot_id
                )
            if first_date is not None and lot.purchased > first_date:
                raise InputError(
                    f"opening lot bought {lot.purchased}, after the first transaction "
                    f"({first_date})",
                    field="purchased",
                    account=lot.account_id,
                    lot=lot.lot_id,
                )
            self.claim_lot_id(lot.account_id, lot.lot_id)
            # A lot that absorbed a loss, or was not bought (a gift, an inheritance),
            # is no replacement.
            used = (
                lot.wash_sale_adjustment > 0
                or lot.acquired != lot.purchased
                or lot.loss_basis is not None
                or lot.inherited
            )
            piece = _Piece(
                lot.account_id,
                lot.symbol,
                lot.lot_id,
                lot.quantity,
                lot.cost_basis,
                lot.purchased,
                lot.acquired,
                lot.wash_sale_adjustment,
                purchase=-1 - number,
                used=used,
                order=(number - len(opening),),
            )
            piece.loss_basis = lot.loss_basis
            piece.inherited = lot.inherited
            self.holdings.setdefault((lot.account_id, lot.symbol), []).append(piece)
            if not piece.used:
                self.add_candidate(piece)

    def claim_lot_id(self, account_id: str, lot_id: str) -> None:
        if lot_id in self.lot_ids[account_id]:
            raise InputError(
                f"duplicate lot id {lot_id!r} in account {account_id!r}",
                field="lot_id",
                account=account_id,
                lot=lot_id,
            )
        self.lot_ids[account_id].add(lot_id)

    def new_lot_id(self, txn: Transaction) -> str:
        """A generated lot id, stable across runs: ``SYMBOL-DATE-N``."""
        key = (txn.account_id, txn.symbol, txn.date)
        number = self.generated.get(key, 0)
        while True:
            number += 1
            lot_id = f"{txn.symbol}-{txn.date.isoformat()}-{number}"
            if lot_id not in self.lot_ids[txn.account_id]:
                break
        self.generated[key] = number
        return lot_id

    def split_factor(self, symbol: str, after: int, before: int) -> tuple[Decimal, Decimal] | None:
        """The product of the splits of ``symbol`` between two events (None: no split)."""
        splits = self.splits.get(symbol)
        if not splits:
            return None
        new, old = ONE, ONE
        for index, (n, d) in splits:
            if after < index < before:
                new, old = new * n, old * d
        return None if new == old else (new, old)

    # -- buys ---------------------------------------------------------------

    def buy(self, index: int, txn: Transaction) -> None:
        """Open the lot of a purchase, split where earlier loss sales claimed its shares."""
        lot_id = txn.lot_id if txn.lot_id is not None else self.new_lot_id(txn)
        self.claim_lot_id(txn.account_id, lot_id)
        claims = self.promised.pop(index, [])
        promised = sum((claim.quantity for claim in claims), ZERO)
        parts = len(claims) + (1 if promised < txn.quantity else 0)
        taxable = self.taxable[txn.account_id]
        quantity_left, basis_left = txn.quantity, txn.quantity * txn.price + txn.fees
        pieces: list[_Piece] = []
        for number, claim in enumerate(claims, start=1):
            basis, basis_left = split(basis_left, claim.quantity, quantity_left)
            quantity_left -= claim.quantity
            adjustment = ZERO if claim.permanent else claim.disallowed
            acquired = txn.date
            if taxable:
                acquired -= dt.timedelta(days=claim.holding_days)
            piece_id = lot_id if parts == 1 else f"{lot_id}.{number}"
            pieces.append(
                _Piece(
                    txn.account_id,
                    txn.symbol,
                    piece_id,
                    claim.quantity,
                    basis + adjustment,
                    txn.date,
                    acquired,
                    adjustment,
                    index,
                    True,
                    (index, number),
                )  # fmt: skip
            )
            self.matches.append((claim.sale_index, claim.match(pieces[-1])))
        if quantity_left > 0:
            piece_id = lot_id if parts == 1 else f"{lot_id}.{parts}"
            rest = _Piece(
                txn.account_id, txn.symbol, piece_id, quantity_left, basis_left, txn.date,
                txn.date, ZERO, index, False, (index, parts),
            )  # fmt: skip
            pieces.append(rest)
            self.add_candidate(rest)
        self.holdings.setdefault((txn.account_id, txn.symbol), []).extend(pieces)

    def receive(self, index: int, txn: Transaction) -> None:
        """Open the lot of a gift (carryover basis) or an inheritance (stepped-up basis)."""
        lot_id = txn.lot_id if txn.lot_id is not None else self.new_lot_id(txn)
        self.claim_lot_id(txn.account_id, lot_id)
        loss_basis = None
        if txn.action is Action.GIFT_RECEIVED:
            if txn.donor_basis is None or txn.fmv is None or txn.donor_acquired is None:
                raise InputError("a gift needs donor_basis, donor_acquired and fmv", field="fmv")
            if txn.donor_acquired > txn.date:
                raise InputError(
                    f"{txn.donor_acquired} is after the gift ({txn.date})", field="donor_acquired"
                )
            basis, loss_basis = gift_basis(txn.donor_basis, txn.fmv)
            acquired = txn.donor_acquired
        else:
            if txn.fmv is None:
                raise InputError("an inheritance needs fmv", field="fmv")
            basis, acquired = txn.fmv, txn.date
        # Not bought: never a replacement (IRC 1091 counts purchases only).
        piece = _Piece(
            txn.account_id, txn.symbol, lot_id, txn.quantity, basis, txn.date, acquired, ZERO,
            index, True, (index, 1),
        )  # fmt: skip
        piece.loss_basis = loss_basis
        piece.inherited = txn.action is Action.INHERITED
        self.holdings.setdefault((txn.account_id, txn.symbol), []).append(piece)

    # -- events over the open lots ------------------------------------------

    def corporate(self, index: int, txn: Transaction) -> None:
        """A split, return of capital, merger, symbol change or spin-off (``LOT_EVENTS``)."""
        key = (txn.account_id, txn.symbol)
        held = self.holdings.get(key)
        if not held:
            return
        event = LOT_EVENTS[txn.action]
        received: list[_Piece] = []
        # In lot order (as the open lots are listed), so the rows it makes come in that order.
        for piece in sorted(held, key=_lot_order):
            outcome = event(
                Holding(piece.quantity, piece.cost_basis, piece.adjustment, piece.loss_basis), txn
            )
            kept = outcome.kept
            piece.quantity, piece.cost_basis, piece.adjustment, piece.loss_basis = kept
            if outcome.event is not None:
                sold = _Sold(
                    piece.lot_id, piece.acquired, piece.purchased, piece.purchase, piece.inherited
                )
                self.dispose(
                    txn, sold, piece.lot_id, ZERO, outcome.proceeds, outcome.disposed_basis,
                    ZERO, ZERO, outcome.event,
                )  # fmt: skip
            if outcome.child is not None:
                received.append(self.child(index, piece, outcome.child, txn))
        if txn.action in _NEW_SYMBOL:
            assert txn.new_symbol is not None
            same_stock = self.group(txn.new_symbol) == self.group(txn.symbol)
            for piece in held:
                if not same_stock:
                    # Shares received in a tax-free merger are no purchase: no replacement.
                    self.drop_candidate(piece)
                    piece.used = True
                piece.symbol = txn.new_symbol
            del self.holdings[key]
            self.holdings.setdefault((txn.account_id, txn.new_symbol), []).extend(held)
            received = held
        elif txn.action is Action.SPLIT:
            received = held
        if received and txn.price > 0:
            self.cash_in_lieu(index, txn, received)

    def child(self, index: int, parent: _Piece, holding: Holding, txn: Transaction) -> _Piece:
        """A spin-off's child lot: the parent's dates, its share of the basis; no replacement."""
        assert txn.new_symbol is not None
        lot_id = f"{parent.lot_id}-{txn.new_symbol}"
        self.claim_lot_id(parent.account_id, lot_id)
        piece = _Piece(
            parent.account_id, txn.new_symbol, lot_id, holding.quantity, holding.cost_basis,
            parent.purchased, parent.acquired, holding.adjustment, parent.purchase, True,
            parent.order + (CHILD_ORDER + index,),
        )  # fmt: skip
        piece.loss_basis = holding.loss_basis
        piece.inherited = parent.inherited
        self.holdings.setdefault((parent.account_id, txn.new_symbol), []).append(piece)
        return piece

    def cash_in_lieu(self, index: int, txn: Transaction, received: list[_Piece]) -> None:
        """Sell the fraction of a share the event left, at ``price``, from those lots."""
        total = sum((piece.quantity for piece in received), ZERO)
        fraction = total - total.to_integral_value(rounding="ROUND_FLOOR")
        if fraction <= 0:
            return
        symbol = received[0].symbol
        sale = Transaction(
            date=txn.date,
            account_id=txn.account_id,
            symbol=symbol,
            action=Action.SELL,
            quantity=fraction,
            price=txn.price,
            row=txn.row,
            source=txn.source,
        )
        self.sell(index, sale, DispositionEvent.CASH_IN_LIEU, received)

    def transfer(self, index: int, txn: Transaction) -> None:
        """Move lots in kind to another account: basis, dates and adjustments unchanged."""
        assert txn.to_account_id is not None
        source, target = txn.account_id, txn.to_account_id
        held = self.holdings.get((source, txn.symbol), [])
        method = LotMethod.SPECIFIC if txn.lot_id else self.methods[source]
        chosen = select_lots(held, txn.quantity, method, txn.date, ZERO, txn.lot_id)
        destination = self.holdings.setdefault((target, txn.symbol), [])
        for piece, take in chosen:
            if take == piece.quantity:
                held.remove(piece)
                piece.account_id = target
                piece.rename(self.transferred_id(piece.lot_id, source, target))
                destination.append(piece)
                continue
            basis, piece.cost_basis = split(piece.cost_basis, take, piece.quantity)
            adjustment, piece.adjustment = split(piece.adjustment, take, piece.quantity)
            moved = _Piece(
                target, piece.symbol, self.transferred_id(f"{piece.lot_id}.1", source, target),
                take, basis, piece.purchased, piece.acquired, adjustment, piece.purchase,
                piece.used, piece.order + (1,),
            )  # fmt: skip
            if piece.loss_basis is not None:
                moved.loss_basis, piece.loss_basis = split(piece.loss_basis, take, piece.quantity)
            moved.inherited = piece.inherited
            piece.quantity -= take
            piece.rename(f"{piece.lot_id}.2")
            piece.order = piece.order + (2,)
            if piece.slot >= 0:
                parts = self.candidates[self.group(piece.symbol)].items[piece.slot]
                assert isinstance(parts, list)
                parts.insert(parts.index(piece), moved)
                moved.slot = piece.slot
            destination.append(moved)

    def transferred_id(self, lot_id: str, source: str, target: str) -> str:
        """The lot's id in the account it moves to.

        Prefixed ``<source>:`` when the id, or the lot it is a part of (``L1`` of
        ``L1.2``), is taken there; both are then claimed in that account.
        """
        taken = self.lot_ids[target]
        if lot_id in taken or lot_id.split(".")[0] in taken:
            lot_id = f"{source}:{lot_id}"
        self.claim_lot_id(target, lot_id)
        taken.add(lot_id.split(".")[0])
        return lot_id

    # -- sells --------------------------------------------------------------

    def sell_row(self, index: int, txn: Transaction) -> None:
        self.sell(index, txn)

    def sell(
        self,
        index: int,
        txn: Transaction,
        event: DispositionEvent | None = None,
        pool: Sequence[_Piece] | None = None,
    ) -> None:
        """Relieve lots for a sale and wash its loss shares against replacements.

        ``pool``: the lots the sale may take from (default: all the account holds).
        """
        held = self.holdings.get((txn.account_id, txn.symbol), [])
        method = LotMethod.SPECIFIC if txn.lot_id else self.methods[txn.account_id]
        chosen = select_lots(
            held if pool is None else pool, txn.quantity, method, txn.date, txn.price, txn.lot_id
        )
        left = [txn.quantity * txn.price - txn.fees, txn.quantity]  # proceeds, shares
        if not self.same_sale:
            # Relieve every lot first: the shares sold can never replace themselves.
            relieved = [self.relieve(piece, take, left, held) for piece, take in chosen]
            for sold, take, basis, proceeds in relieved:
                self.settle(index, txn, sold, take, basis, proceeds, event)
            return
        # Each lot its own sale, in relief order: a lot not yet relieved may replace the
        # loss of one relieved before it; the parts it is split into as it becomes a
        # replacement are then sold in lot order (the matched part first).
        for piece, take in chosen:
            part: _Piece | None = piece
            while take > 0:
                assert part is not None
                share = min(take, part.quantity)
                if share > 0:
                    sold, share, basis, proceeds = self.relieve(part, share, left, held)
                    self.settle(index, txn, sold, share, basis, proceeds, event)
                    take -= share
                part = part.rest

    def relieve(
        self, piece: _Piece, take: Decimal, left: list[Decimal], held: list[_Piece]
    ) -> tuple[_Sold, Decimal, Decimal, Decimal]:
        """Take ``take`` shares off an open lot: the sold shares, their basis and proceeds."""
        basis, piece.cost_basis = split(piece.cost_basis, take, piece.quantity)
        _, piece.adjustment = split(piece.adjustment, take, piece.quantity)
        loss_basis = None
        if piece.loss_basis is not None:
            loss_basis, piece.loss_basis = split(piece.loss_basis, take, piece.quantity)
        proceeds, left[0] = split(left[0], take, left[1])
        left[1] -= take
        acquired = piece.acquired
        if loss_basis is not None:
            # A gift sold below the donor's basis (Publication 551): the fair-value basis
            # and the gift date for a loss, the proceeds between the two.
            basis, fair_value = gift_sale_basis(basis, loss_basis, proceeds)
            if fair_value:
                acquired = piece.purchased
        # The sold shares as they are now: a later wash in this same sale may rename
        # or re-date the rest of their lot (when the rest becomes a replacement).
        sold = _Sold(piece.lot_id, acquired, piece.purchased, piece.purchase, piece.inherited)
        piece.quantity -= take
        if piece.quantity == 0:
            held.remove(piece)
            self.drop_candidate(piece)
        return sold, take, basis, proceeds

    def settle(
        self,
        index: int,
        txn: Transaction,
        sold: _Sold,
        take: Decimal,
        basis: Decimal,
        proceeds: Decimal,
        event: DispositionEvent | None,
    ) -> None:
        """Write the row(s) of one relieved lot, washing a loss.

        A loss that rounds to $0.00 on the form (under half a cent) is no loss.
        """
        if not self.taxable[txn.account_id] or money(basis - proceeds) <= 0:
            self.dispose(txn, sold, sold.lot_id, take, proceeds, basis, ZERO, ZERO, event)
        else:
            self.wash(index, txn, sold, take, basis, proceeds, event)

    def wash(
        self,
        index: int,
        txn: Transaction,
        sold: _Sold,
        take: Decimal,
        basis: Decimal,
        proceeds: Decimal,
        event: DispositionEvent | None = None,
    ) -> None:
        """Match the loss shares of one relieved lot and write its Form 8949 row(s)."""
        claims = self.replacements(index, txn, sold, take)
        washed = sum((quantity for _, quantity, _ in claims), ZERO)
        if washed == 0:
            self.dispose(txn, sold, sold.lot_id, take, proceeds, basis, ZERO, ZERO, event)
            return
        washed_basis, rest_basis = split(basis, washed, take)
        washed_proceeds, rest_proceeds = split(proceeds, washed, take)
        adjustment = washed_basis - washed_proceeds
        if money(adjustment) <= 0:
            # The loss on the shares that would be washed rounds to $0.00: no loss to
            # disallow, and the replacement shares stay free.
            self.dispose(txn, sold, sold.lot_id, take, proceeds, basis, ZERO, ZERO, event)
            return
        holding_days = (txn.date - sold.acquired).days
        permanent_total = ZERO
        disallowed_left, quantity_left = adjustment, washed
        for target, quantity, shares in claims:
            disallowed, disallowed_left = split(disallowed_left, quantity, quantity_left)
            quantity_left -= quantity
            if isinstance(target, _Piece):
                permanent = not self.taxable[target.account_id]
                replacement = self.absorb(target, shares, disallowed, holding_days)
                match = WashMatch(
                    txn.date, txn.account_id, txn.symbol, sold.lot_id, shares,
                    replacement.account_id, replacement.symbol, replacement.lot_id,
                    replacement.purchased, disallowed, permanent,
                )  # fmt: skip
                self.matches.append((index, match))
            else:
                permanent = not self.taxable[target.account_id]
                self.unpromised[target.slot] -= shares
                if self.unpromised[target.slot] == 0:
                    self.future[self.group(txn.symbol)].kill(target.position)
                self.promised.setdefault(target.slot, []).append(
                    _Pending(
                        shares,
                        disallowed,
                        holding_days,
                        permanent,
                        index,
                        txn.date,
                        txn.account_id,
                        txn.symbol,
                        sold.lot_id,
                    )  # fmt: skip
                )
            if permanent:
                permanent_total += disallowed
        if washed == take:
            self.dispose(
                txn, sold, sold.lot_id, take, proceeds, basis, adjustment, permanent_total, event
            )
        else:
            self.dispose(
                txn, sold, f"{sold.lot_id}.1", washed, washed_proceeds, washed_basis, adjustment,
                permanent_total, event,
            )  # fmt: skip
            self.dispose(
                txn, sold, f"{sold.lot_id}.2", take - washed, rest_proceeds, rest_basis, ZERO,
                ZERO, event,
            )  # fmt: skip

    def replacements(
        self, index: int, txn: Transaction, sold: _Sold, loss_shares: Decimal
    ) -> list[tuple[_Piece | _Promise, Decimal, Decimal]]:
        """Replacement shares for ``loss_shares``, earliest purchase first.

        Each claim is ``(target, loss shares, replacement shares)``; the two
        differ only where a split of the replacement's symbol falls between the
        sale and a later purchase (2:1: one loss share takes two new shares).
        """
        claims: list[tuple[_Piece | _Promise, Decimal, Decimal]] = []
        wanted = loss_shares
        key = self.group(txn.symbol)
        slots = self.candidates.get(key)
        if slots is not None:
            position = slots.find(bisect_left(slots.keys, (txn.date - WINDOW).toordinal()))
            while wanted > 0 and position < len(slots.items):
                parts = slots.items[position]
                assert isinstance(parts, list)
                for piece in parts:
                    if piece.purchase != sold.purchase:
                        take = min(wanted, piece.quantity)
                        claims.append((piece, take, take))
                        wanted -= take
                        if wanted == 0:
                            break
                position = slots.find(position + 1)
        buys = self.future.get(key)
        if buys is not None and wanted > 0:
            last = (txn.date + WINDOW).toordinal()
            position = buys.find(bisect_right(buys.keys, index))
            while wanted > 0 and position < len(buys.items):
                buy_index = buys.keys[position]
                buy = buys.items[position]
                assert isinstance(buy, Transaction)
                if buy.date.toordinal() > last:
                    break
                free = self.unpromised[buy_index]
                factor = self.split_factor(buy.symbol, index, buy_index)
                if factor is None:
                    take = shares = min(wanted, free)
                else:
                    shares = scale(wanted, factor)
                    take = wanted
                    if shares > free:
                        shares = free
                        take = min(wanted, scale(free, (factor[1], factor[0])))
                # Claimed only once the wash is settled (``wash`` takes the shares).
                claims.append((_Promise(buy_index, buy.account_id, position), take, shares))
                wanted -= take
                position = buys.find(position + 1)
        return claims

    def absorb(
        self, target: _Piece, quantity: Decimal, disallowed: Decimal, holding_days: int
    ) -> _Piece:
        """Make ``quantity`` shares of an open lot replacement shares; returns that part."""
        if quantity < target.quantity:
            # Split: the matched shares become part .1, the rest part .2 keeps the slot.
            part_basis, rest_basis = split(target.cost_basis, quantity, target.quantity)
            part_adjustment, rest_adjustment = split(target.adjustment, quantity, target.quantity)
            rest = _Piece(
                target.account_id, target.symbol, f"{target.lot_id}.2",
                target.quantity - quantity, rest_basis, target.purchased, target.acquired,
                rest_adjustment, target.purchase, False, target.order + (2,),
            )  # fmt: skip
            rest.slot = target.slot
            parts = self.candidates[self.group(target.symbol)].items[rest.slot]
            assert isinstance(parts, list)
            parts[parts.index(target)] = rest
            held = self.holdings[(target.account_id, target.symbol)]
            held.insert(held.index(target) + 1, rest)
            target.slot = -1
            target.rest = rest
            target.rename(f"{target.lot_id}.1")
            target.quantity = quantity
            target.cost_basis = part_basis
            target.adjustment = part_adjustment
            target.order = target.order + (1,)
        else:
            self.drop_candidate(target)
        target.used = True
        if self.taxable[target.account_id]:
            target.cost_basis += disallowed
            target.adjustment += disallowed
            target.acquired -= dt.timedelta(days=holding_days)
        return target

    def dispose(
        self,
        txn: Transaction,
        sold: _Sold,
        lot_id: str,
        quantity: Decimal,
        proceeds: Decimal,
        basis: Decimal,
        adjustment: Decimal,
        permanent: Decimal,
        event: DispositionEvent | None = None,
    ) -> None:
        self.dispositions.append(
            Disposition(
                txn.date,
                txn.account_id,
                txn.symbol,
                lot_id,
                quantity,
                sold.acquired,
                sold.purchased,
                Term.LONG if sold.inherited else term_of(sold.acquired, txn.date),
                proceeds,
                basis,
                adjustment,
                permanent,
                self.taxable[txn.account_id],
                event,
                sold.inherited,
            )
        )

    def result(self) -> Ledger:
        pieces = [piece for held in self.holdings.values() for piece in held]
        pieces.sort(
            key=lambda p: (self.account_index[p.account_id], p.order, natural_key(p.lot_id))
        )
        lots = tuple(
            Lot(
                account_id=p.account_id,
                symbol=p.symbol,
                lot_id=p.lot_id,
                quantity=p.quantity,
                cost_basis=p.cost_basis,
                purchased=p.purchased,
                acquired=p.acquired,
                wash_sale_adjustment=p.adjustment,
                loss_basis=p.loss_basis,
                inherited=p.inherited,
            )
            for p in pieces
        )
        self.matches.sort(key=lambda item: item[0])
        return Ledger(
            dispositions=tuple(self.dispositions),
            lots=lots,
            matches=tuple(match for _, match in self.matches),
        )


#: What the replay does with each kind of row: one signature ``(replay, index, row)``.
_HANDLERS: dict[Action, Callable[[_Replay, int, Transaction], None]] = {
    Action.BUY: _Replay.buy,
    Action.REINVEST: _Replay.buy,
    Action.SELL: _Replay.sell_row,
    Action.SPLIT: _Replay.corporate,
    Action.RETURN_OF_CAPITAL: _Replay.corporate,
    Action.MERGER: _Replay.corporate,
    Action.SYMBOL_CHANGE: _Replay.corporate,
    Action.SPINOFF: _Replay.corporate,
    Action.TRANSFER: _Replay.transfer,
    Action.GIFT_RECEIVED: _Replay.receive,
    Action.INHERITED: _Replay.receive,
}


def _lot_order(piece: _Piece) -> tuple[int, ...]:
    return piece.order


class _Sold(NamedTuple):
    """Shares relieved by a sale, as their lot was when they were sold."""

    lot_id: str
    acquired: dt.date
    purchased: dt.date
    purchase: int
    inherited: bool = False


class _Promise(NamedTuple):
    """Shares of a purchase later than the sale (``slot`` is its event index)."""

    slot: int
    account_id: str
    position: int  # its place among the group's purchases
