"""Corporate actions and other events over a household's open lots.

A real history is more than buys and sells. Each event below is a small pure
function over one open lot, ``event(holding, transaction) -> Outcome``, all of
one signature and looked up in :data:`LOT_EVENTS` by the transaction's
:class:`~lots.records.Action`; the wash-sale replay (``lots.washsale``) applies
them to every open lot of the symbol in the account and does what is left at
the account level (cash in lieu of a fractional share is a sale of that
fraction, through the ordinary sale path). The events that bring shares in
(``gift_received``, ``inherited``) have their basis rules here too
(:func:`gift_basis`, :func:`gift_sale_basis`), and a transfer between two
accounts is checked by :func:`check_transfer`.

Worked examples (each is a test in ``tests/lots/test_events.py``):

* **Split** (IRS, "Stocks (Options, Splits, Traders)" FAQ; Publication 550,
  "Stocks and Bonds"): 100 shares bought at $10 and 100 at $12; a 2-for-1
  split makes the first lot 200 shares of basis $1,000 ($5 a share) and the
  second 200 shares of basis $1,200 ($6 a share). Dates do not change.
* **Return of capital** (Publication 550, "Nondividend Distributions"): stock
  bought for $100; a return of capital of $80 reduces the basis to $20; a
  later one of $30 reduces it to zero and the other $10 is a capital gain
  (long-term there: the stock was held more than a year).
* **Merger with cash boot** (26 CFR 1.356-1; IRC 356(a), 358): stock of basis
  $85 exchanged for one new share worth $100 and $75 of cash: the realized gain
  is $175 - $85 = $90, the gain recognized is the lesser of the boot and the
  gain, $75; the new share's basis is $85 - $75 + $75 = $85. With a realized
  loss (basis $114,000, new stock worth $79,800 and $22,800 of cash) nothing
  is recognized (IRC 356(c)) and the new basis is $114,000 - $22,800 = $91,200.
* **Spin-off** (Publication 550, "Corporate reorganizations", the RGB/SFH
  example; the Form 8937 gives the fraction): 75 shares of RGB with basis
  $5,400 receive 25 shares of SFH (ratio 1:3); SFH takes 10.9624% of the basis:
  $591.97 (Publication 550 rounds to $592); RGB keeps $4,808.03. Both keep the
  RGB acquisition dates.
* **Gift** (Publication 551, "Gifts"): donor's basis $10,000, fair market value
  at the gift $8,000. Sold for $12,000: a $2,000 gain (donor's basis, donor's
  holding period). Sold for $7,000: a $1,000 loss (the $8,000 basis, holding
  period from the gift). Sold for $9,000: neither gain nor loss.
* **Inherited** (Publication 559, "Basis of Inherited Property"; Publication
  551): the basis is the fair market value at the date of death (or the
  alternate valuation date); a sale is long-term however soon it follows.

The parsing of one transaction row with every action's extra columns is
:func:`transaction_from_fields`, shared by the CSV reader and the household
file loader; it raises :class:`~lots.errors.InputError` naming file, row and
field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact
from typing import NamedTuple, TypeVar

from lots.errors import InputError
from lots.numbers import ONE, ZERO, split, to_decimal
from lots.records import Account, Action, DispositionEvent, TaxTreatment, Transaction

#: A share quantity scaled by a ratio with no exact decimal (a 1:3 reverse split of
#: one share) is carried to 12 decimal places, a millionth of the 6 places of a file.
SCALED_QUANTITY_STEP = Decimal("1e-12")
_EXACT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[Inexact])


class Holding(NamedTuple):
    """What an event needs to know of one open lot (totals, not per share)."""

    quantity: Decimal
    cost_basis: Decimal
    adjustment: Decimal = ZERO
    loss_basis: Decimal | None = None


class Outcome(NamedTuple):
    """An event's effect on one lot.

    Attributes:
        kept: the lot after the event (of ``new_symbol`` after a merger).
        child: a spin-off's new lot, else None.
        proceeds: cash the event paid on the lot that is a disposition
            (a merger's boot, a return of capital over basis), else 0.
        disposed_basis: the basis of that disposition.
        event: which disposition, or None.
    """

    kept: Holding
    child: Holding | None = None
    proceeds: Decimal = ZERO
    disposed_basis: Decimal = ZERO
    event: DispositionEvent | None = None


def scale(quantity: Decimal, ratio: tuple[Decimal, Decimal]) -> Decimal:
    """``quantity * new / old``, exact where a decimal can hold it, else to 12 places."""
    new, old = ratio
    try:
        return _EXACT.divide(_EXACT.multiply(quantity, new), old)
    except Inexact:
        return (quantity * new / old).quantize(SCALED_QUANTITY_STEP, rounding=ROUND_HALF_EVEN)


def _fraction(amount: Decimal, fraction: Decimal) -> tuple[Decimal, Decimal]:
    """``amount * fraction`` to 15 places, and the exact rest: :func:`lots.numbers.split`
    of the amount in the proportion ``fraction / 1``.

    A fraction of 1 (or 0) keeps all (or none) of the amount, unrounded; a part that
    rounds past the amount (one of more than 15 places) is the amount: the rest is
    never below zero.

    >>> _fraction(Decimal("10.0000000000000006"), Decimal(1))
    (Decimal('10.0000000000000006'), Decimal('0'))
    >>> _fraction(Decimal("6E-16"), Decimal("0.9"))
    (Decimal('6E-16'), Decimal('0'))
    """
    return split(amount, fraction, ONE)


def _capped(adjustment: Decimal, basis: Decimal) -> Decimal:
    # The wash-sale adjustment is part of the basis; a basis reduced below it keeps
    # only what is left of it.
    return min(adjustment, basis)


def split_lot(holding: Holding, txn: Transaction) -> Outcome:
    """A stock split: shares scale by ``new:old``; total basis and dates do not change."""
    assert txn.ratio is not None
    return Outcome(holding._replace(quantity=scale(holding.quantity, txn.ratio)))


def return_of_capital(holding: Holding, txn: Transaction) -> Outcome:
    """A nondividend distribution of ``amount_per_share``: basis down, any excess a gain."""
    assert txn.amount_per_share is not None
    paid = txn.amount_per_share * holding.quantity
    loss_basis = None if holding.loss_basis is None else max(holding.loss_basis - paid, ZERO)
    if paid <= holding.cost_basis:
        basis = holding.cost_basis - paid
        return Outcome(
            Holding(holding.quantity, basis, _capped(holding.adjustment, basis), loss_basis)
        )
    excess = paid - holding.cost_basis
    return Outcome(
        Holding(holding.quantity, ZERO, ZERO, loss_basis),
        proceeds=excess,
        disposed_basis=ZERO,
        event=DispositionEvent.RETURN_OF_CAPITAL_EXCESS,
    )


def merge(holding: Holding, txn: Transaction) -> Outcome:
    """A merger or symbol change: ``new:old`` shares of ``new_symbol``, maybe cash boot.

    Stock for stock carries the basis. With ``cash_per_share`` (per old share)
    the gain recognized is the lesser of the boot and the realized gain
    (``new shares * price + boot - basis``), a loss is not recognized, and the
    new basis is ``basis - boot + recognized``. The disposition of the boot
    has proceeds = the boot and basis = boot - recognized.
    """
    ratio = txn.ratio or (ONE, ONE)
    quantity = scale(holding.quantity, ratio)
    boot = (txn.cash_per_share or ZERO) * holding.quantity
    if boot == 0:
        return Outcome(holding._replace(quantity=quantity))
    realized = quantity * txn.price + boot - holding.cost_basis
    recognized = min(boot, max(realized, ZERO))
    recovered = boot - recognized
    basis = holding.cost_basis - recovered
    loss_basis = None if holding.loss_basis is None else max(holding.loss_basis - recovered, ZERO)
    return Outcome(
        Holding(quantity, basis, _capped(holding.adjustment, basis), loss_basis),
        proceeds=boot,
        disposed_basis=recovered,
        event=DispositionEvent.MERGER_BOOT,
    )


def spin_off(holding: Holding, txn: Transaction) -> Outcome:
    """A spin-off: ``new:old`` child shares; the parent keeps ``basis_fraction`` of the basis."""
    assert txn.ratio is not None and txn.basis_fraction is not None
    fraction = txn.basis_fraction
    parent_basis, child_basis = _fraction(holding.cost_basis, fraction)
    parent_adjustment, child_adjustment = _fraction(holding.adjustment, fraction)
    parent_loss = child_loss = None
    if holding.loss_basis is not None:
        parent_loss, child_loss = _fraction(holding.loss_basis, fraction)
    return Outcome(
        Holding(holding.quantity, parent_basis, parent_adjustment, parent_loss),
        child=Holding(
            scale(holding.quantity, txn.ratio), child_basis, child_adjustment, child_loss
        ),
    )


#: The events over one open lot, by action; one signature ``(holding, txn) -> Outcome``.
LOT_EVENTS: dict[Action, Callable[[Holding, Transaction], Outcome]] = {
    Action.SPLIT: split_lot,
    Action.RETURN_OF_CAPITAL: return_of_capital,
    Action.MERGER: merge,
    Action.SYMBOL_CHANGE: merge,
    Action.SPINOFF: spin_off,
}


def gift_basis(donor_basis: Decimal, fmv: Decimal) -> tuple[Decimal, Decimal | None]:
    """The basis of gifted shares: (basis for a gain, basis for a loss or None).

    The donor's basis carries over; when the fair market value at the gift is
    lower, it is the basis for a loss (Publication 551, "Gifts").
    """
    return donor_basis, (fmv if fmv < donor_basis else None)


#: An exact amount: a ``Decimal``, or the fixed-scale integer of ``lots.fastreplay``.
_Amount = TypeVar("_Amount", Decimal, int)


def gift_sale_basis(
    basis: _Amount, loss_basis: _Amount | None, proceeds: _Amount
) -> tuple[_Amount, bool]:
    """The basis a sale of gifted shares uses, and whether it is the fair-value one.

    Above the donor's basis: the donor's basis (a gain). Below the fair value
    at the gift: that value (a loss, holding period from the gift). Between:
    the proceeds, neither gain nor loss. The amounts are ``Decimal`` or, in the
    integer replay, units of one fixed scale.
    """
    if loss_basis is None or proceeds >= basis:
        return basis, False
    if proceeds < loss_basis:
        return loss_basis, True
    return proceeds, False


def check_transfer(source: Account, target: Account, *, field: str = "to_account_id") -> None:
    """Refuse a transfer in kind the law does not allow between these accounts.

    Shares move in kind between taxable accounts, and between deferred and
    exempt ones (a Roth conversion in kind). Into an IRA from a taxable account
    the law allows only cash contributions; out of an IRA into a taxable
    account a distribution in kind is a taxable distribution at fair value (a
    new basis), not a transfer of lots.
    """
    taxable_from = source.treatment is TaxTreatment.TAXABLE
    taxable_to = target.treatment is TaxTreatment.TAXABLE
    if taxable_from and not taxable_to:
        raise InputError(
            f"cannot transfer shares in kind from taxable account {source.account_id!r} "
            f"into {target.type.value} account {target.account_id!r}",
            field=field,
            account=source.account_id,
            hint="a contribution to an IRA is cash: record a sell here and a buy there",
        )
    if taxable_to and not taxable_from:
        raise InputError(
            f"cannot transfer lots from {source.type.value} account {source.account_id!r} "
            f"into taxable account {target.account_id!r}",
            field=field,
            account=source.account_id,
            hint="a distribution in kind is taxable at fair value: record a sell "
            "there and a buy at that value here",
        )


# -- parsing one row -----------------------------------------------------------

#: The columns each action may fill besides date, account_id, symbol, action.
_EXTRA = (
    "quantity",
    "price",
    "fees",
    "lot_id",
    "ratio",
    "new_symbol",
    "cash_per_share",
    "amount_per_share",
    "basis_fraction",
    "to_account_id",
    "donor_basis",
    "donor_acquired",
    "fmv",
    "cost_basis",
)
#: The columns of a ``transactions.csv`` row (``docs/formats.md``), in their order;
#: ``cost_basis`` is the household file's only (a look-back sell's adjusted basis).
CSV_COLUMNS = ("date", "account_id", "symbol", "action", *(c for c in _EXTRA if c != "cost_basis"))
_USES: dict[Action, frozenset[str]] = {
    Action.BUY: frozenset({"quantity", "price", "fees", "lot_id"}),
    Action.REINVEST: frozenset({"quantity", "price", "fees", "lot_id"}),
    Action.SELL: frozenset({"quantity", "price", "fees", "lot_id", "cost_basis"}),
    Action.SPLIT: frozenset({"ratio", "price"}),
    Action.RETURN_OF_CAPITAL: frozenset({"amount_per_share"}),
    Action.MERGER: frozenset({"new_symbol", "ratio", "cash_per_share", "price"}),
    Action.SYMBOL_CHANGE: frozenset({"new_symbol", "ratio", "cash_per_share", "price"}),
    Action.SPINOFF: frozenset({"new_symbol", "ratio", "basis_fraction", "price"}),
    Action.TRANSFER: frozenset({"quantity", "lot_id", "to_account_id", "price"}),
    Action.GIFT_RECEIVED: frozenset(
        {"quantity", "lot_id", "donor_basis", "donor_acquired", "fmv", "price"}
    ),
    Action.INHERITED: frozenset({"quantity", "lot_id", "fmv", "price"}),
}


class _Row:
    """One row's fields, with where they came from for errors."""

    def __init__(self, fields: Mapping[str, object], file: str | None, row: int | str | None):
        self.fields = fields
        self.file = file
        self.row = row

    def error(self, field: str, message: str, hint: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=self.row, field=field, hint=hint)

    def raw(self, field: str) -> object | None:
        value = self.fields.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value

    def text(self, field: str) -> str:
        value = self.raw(field)
        if value is None:
            raise self.error(field, "is empty")
        return str(value).strip()

    def optional_text(self, field: str) -> str | None:
        value = self.raw(field)
        return None if value is None else str(value).strip()

    def number(self, field: str, *, default: Decimal | None = None) -> Decimal:
        value = self.raw(field)
        if value is None:
            if default is None:
                raise self.error(field, "is empty")
            return default
        try:
            return to_decimal(value)
        except (TypeError, ValueError) as error:
            raise self.error(field, str(error)) from None

    def optional_number(self, field: str) -> Decimal | None:
        return None if self.raw(field) is None else self.number(field)

    def not_negative(self, field: str, value: Decimal) -> Decimal:
        if value < 0:
            raise self.error(field, f"{value} must not be negative")
        return value

    def positive(self, field: str, value: Decimal) -> Decimal:
        if value <= 0:
            raise self.error(field, f"{value} must be positive")
        return value

    def date(self, field: str) -> dt.date:
        value = self.raw(field)
        if value is None:
            raise self.error(field, "is empty")
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.error(field, f"{value!r} is not a date (YYYY-MM-DD)") from None

    def ratio(self) -> tuple[Decimal, Decimal]:
        text = self.text("ratio")
        parts = text.split(":")
        if len(parts) != 2:
            raise self.error("ratio", f"{text!r} is not a ratio new:old (2:1, 1:10)")
        try:
            new, old = (to_decimal(part) for part in parts)
        except (TypeError, ValueError):
            raise self.error("ratio", f"{text!r} is not a ratio new:old (2:1, 1:10)") from None
        if new <= 0 or old <= 0:
            raise self.error("ratio", f"{text!r}: both sides must be positive")
        return new, old


_TRADES = frozenset({Action.BUY, Action.SELL, Action.REINVEST})
_EVENT_COLUMNS = tuple(field for field in _EXTRA if field not in _USES[Action.SELL])


def _trade(
    r: _Row,
    fields: Mapping[str, object],
    action: Action,
    date: dt.date,
    account_id: str,
    symbol: str,
    file: str | None,
    row: int | str | None,
) -> Transaction | None:
    """The common row, a plain buy or sell, read quickly; None to take the general path
    (an event column filled, a number that is not plain, a value out of range)."""
    for field in _EVENT_COLUMNS:
        if fields.get(field):
            return None
    if fields.get("cost_basis") not in (None, ""):
        return None
    try:
        quantity = _plain_number(fields.get("quantity"))
        price = _plain_number(fields.get("price"))
        fees = _plain_number(fields.get("fees") or ZERO)
    except ArithmeticError:  # InvalidOperation: let the general path name the field
        return None
    if quantity is None or price is None or fees is None:
        return None
    if not (
        quantity.is_finite() and price.is_finite() and fees.is_finite()
        and quantity > 0 and price >= 0 and fees >= 0
    ):  # fmt: skip
        return None
    lot_id = fields.get("lot_id")
    return Transaction(
        date,
        account_id,
        symbol,
        action,
        quantity,
        price,
        fees,
        lot_id.strip() or None if isinstance(lot_id, str) else None,
        row if isinstance(row, int) or row is None else None,
        file,
    )


def _plain_number(value: object) -> Decimal | None:
    """A number given as text or as a Decimal (a CSV reader parses it strictly first);
    None for anything else (the general path reads it, or names the field)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return Decimal(value)
    return None


def _is_zero(value: object) -> bool:
    try:
        return to_decimal(value) == 0
    except (TypeError, ValueError):
        return False


def parse_action(text: str) -> Action:
    """An action name, case-insensitively; ``ValueError`` names the known ones."""
    try:
        return Action(text.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in Action)
        raise ValueError(f"{text!r} is not a known action ({known})") from None


def transaction_from_fields(
    fields: Mapping[str, object],
    *,
    file: str | None = None,
    row: int | str | None = None,
    accounts: Mapping[str, Account] | None = None,
) -> Transaction:
    """Build one transaction from a row's fields (a CSV row or a household file entry).

    Args:
        fields: column -> value (``str``, a number other than ``float``,
            ``None`` or empty for an absent value); the columns of
            ``docs/formats.md``: ``date, account_id, symbol, action, quantity, price,
            fees, lot_id`` and the events' ``ratio, new_symbol, cash_per_share,
            amount_per_share, basis_fraction, to_account_id, donor_basis,
            donor_acquired, fmv`` (and ``cost_basis`` on a household file's sell).
        file: the source, for errors.
        row: the row (line number, or index in the household file), for errors.
        accounts: the household's accounts by id; when given, unknown accounts
            are refused here and a transfer is checked (:func:`check_transfer`).

    Returns:
        The transaction (``quantity`` 0 on a row that names none).

    Raises:
        InputError: a missing or malformed field, a column the action does not
            use, or a value out of range; it names file, row and field.
    """
    r = _Row(fields, file, row)
    date = r.date("date")
    account_id = r.text("account_id")
    if accounts is not None and account_id not in accounts:
        raise r.error("account_id", f"unknown account {account_id!r}")
    symbol = r.text("symbol")
    action_text = r.text("action")
    try:
        action = parse_action(action_text)
    except ValueError as error:
        raise r.error("action", str(error)) from None
    if action in _TRADES:
        trade = _trade(r, fields, action, date, account_id, symbol, file, row)
        if trade is not None:
            return trade
    uses = _USES[action]
    for field in _EXTRA:
        if field not in uses and r.raw(field) is not None:
            if field in ("quantity", "price", "fees") and _is_zero(r.raw(field)):
                continue  # a zero where the action needs no number is an empty column
            raise r.error(field, f"is not used by a {action.value} row (leave it empty)")

    values: dict[str, object] = {}
    if action.moves_shares:
        values["quantity"] = r.positive("quantity", r.number("quantity"))
    if action in (Action.BUY, Action.REINVEST, Action.SELL):
        values["price"] = r.not_negative("price", r.number("price"))
        values["fees"] = r.not_negative("fees", r.number("fees", default=ZERO))
        values["cost_basis"] = r.optional_number("cost_basis")
    elif "price" in uses:
        values["price"] = r.not_negative("price", r.number("price", default=ZERO))
    if action in (Action.SPLIT, Action.MERGER, Action.SPINOFF):
        values["ratio"] = r.ratio()
    if action is Action.SYMBOL_CHANGE:
        values["ratio"] = r.ratio() if r.raw("ratio") is not None else (ONE, ONE)
    if action in (Action.MERGER, Action.SYMBOL_CHANGE, Action.SPINOFF):
        new_symbol = r.text("new_symbol")
        if new_symbol == symbol:
            raise r.error("new_symbol", f"is the old symbol {symbol!r}")
        values["new_symbol"] = new_symbol
    if action in (Action.MERGER, Action.SYMBOL_CHANGE):
        cash = r.optional_number("cash_per_share")
        if cash is not None:
            r.not_negative("cash_per_share", cash)
            if cash > 0 and r.raw("price") is None:
                raise r.error(
                    "price",
                    "is empty; a merger with cash needs the fair value of one new share",
                    hint="the gain recognized is the lesser of the cash and the realized gain",
                )
        values["cash_per_share"] = cash
    if action is Action.RETURN_OF_CAPITAL:
        values["amount_per_share"] = r.positive("amount_per_share", r.number("amount_per_share"))
    if action is Action.SPINOFF:
        fraction = r.number("basis_fraction")
        if not ZERO <= fraction <= ONE:
            raise r.error("basis_fraction", f"{fraction} is not between 0 and 1")
        values["basis_fraction"] = fraction
    if action is Action.TRANSFER:
        target = r.text("to_account_id")
        if target == account_id:
            raise r.error("to_account_id", "is the account the shares come from")
        if accounts is not None:
            if target not in accounts:
                raise r.error("to_account_id", f"unknown account {target!r}")
            try:
                check_transfer(accounts[account_id], accounts[target])
            except InputError as error:
                raise error.located(file=file, row=row) from None
        values["to_account_id"] = target
    if action is Action.GIFT_RECEIVED:
        values["donor_basis"] = r.not_negative("donor_basis", r.number("donor_basis"))
        donor_acquired = r.date("donor_acquired")
        if donor_acquired > date:
            raise r.error("donor_acquired", f"{donor_acquired} is after the gift ({date})")
        values["donor_acquired"] = donor_acquired
        values["fmv"] = r.not_negative("fmv", r.number("fmv"))
    if action is Action.INHERITED:
        values["fmv"] = r.not_negative("fmv", r.number("fmv"))
    values.setdefault("quantity", ZERO)
    values.setdefault("price", ZERO)
    lot_id = r.optional_text("lot_id") if "lot_id" in uses else None
    return Transaction(
        date=date,
        account_id=account_id,
        symbol=symbol,
        action=action,
        lot_id=lot_id,
        row=row if isinstance(row, int) or row is None else None,
        source=file,
        **values,  # type: ignore[arg-type]
    )
