"""The records of the lots engine: accounts, lots, transactions, dispositions.

All records are frozen ``attrs`` classes; money and quantities are ``Decimal``
(floats are refused by the converter before any validator runs), dates are
``datetime.date``. A record that exists is valid; change one with
``attrs.evolve``.

A lot carries two dates: ``purchased`` (the trade date, used to order lots for
FIFO and LIFO) and ``acquired`` (the start of the holding period, earlier than
``purchased`` when a wash sale carried a sold lot's holding period over to it).
``cost_basis`` is the lot's total adjusted basis, fees and wash-sale
adjustments included; ``wash_sale_adjustment`` is the part of it that came from
disallowed losses.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

from lots.numbers import ZERO, to_decimal


class TaxTreatment(enum.Enum):
    """How the tax law treats an account's gains."""

    TAXABLE = "taxable"
    DEFERRED = "deferred"
    EXEMPT = "exempt"

    @property
    def reportable(self) -> bool:
        """Whether sales in such an account are reported on Form 8949."""
        return self is TaxTreatment.TAXABLE


class AccountType(enum.Enum):
    """Account types of ``docs/formats.md``, each with its tax treatment."""

    TAXABLE = "taxable"
    JOINT = "joint"
    INDIVIDUAL = "individual"
    TRUST = "trust"
    TRADITIONAL_IRA = "traditional_ira"
    ROLLOVER_IRA = "rollover_ira"
    SEP_IRA = "sep_ira"
    K401 = "401k"
    B403 = "403b"
    B457 = "457b"
    ROTH_IRA = "roth_ira"
    ROTH_401K = "roth_401k"
    HSA = "hsa"

    @property
    def treatment(self) -> TaxTreatment:
        """The account type's tax treatment."""
        return _TREATMENT[self]

    @classmethod
    def parse(cls, text: str) -> AccountType:
        """Read an account type, case-insensitively; ``ValueError`` names the known ones."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown account type {text!r} (known: {known})") from None


_TREATMENT = {
    AccountType.TAXABLE: TaxTreatment.TAXABLE,
    AccountType.JOINT: TaxTreatment.TAXABLE,
    AccountType.INDIVIDUAL: TaxTreatment.TAXABLE,
    AccountType.TRUST: TaxTreatment.TAXABLE,
    AccountType.TRADITIONAL_IRA: TaxTreatment.DEFERRED,
    AccountType.ROLLOVER_IRA: TaxTreatment.DEFERRED,
    AccountType.SEP_IRA: TaxTreatment.DEFERRED,
    AccountType.K401: TaxTreatment.DEFERRED,
    AccountType.B403: TaxTreatment.DEFERRED,
    AccountType.B457: TaxTreatment.DEFERRED,
    AccountType.ROTH_IRA: TaxTreatment.EXEMPT,
    AccountType.ROTH_401K: TaxTreatment.EXEMPT,
    AccountType.HSA: TaxTreatment.EXEMPT,
}


class Action(enum.Enum):
    """What a transaction does: a trade, or one of the events of ``lots.events``."""

    BUY = "buy"
    SELL = "sell"
    REINVEST = "reinvest"
    SPLIT = "split"
    RETURN_OF_CAPITAL = "return_of_capital"
    MERGER = "merger"
    SYMBOL_CHANGE = "symbol_change"
    SPINOFF = "spinoff"
    TRANSFER = "transfer"
    GIFT_RECEIVED = "gift_received"
    INHERITED = "inherited"

    @property
    def purchase(self) -> bool:
        """Shares acquired by purchase (IRC 1091 replacement shares): a buy or a reinvestment."""
        return self in _PURCHASES

    @property
    def opens_lot(self) -> bool:
        """The row brings new shares into the account (``quantity`` shares, positive)."""
        return self in _OPENS

    @property
    def moves_shares(self) -> bool:
        """The row names a quantity of shares (positive) it buys, sells, receives or moves."""
        return self in _OPENS or self in (Action.SELL, Action.TRANSFER)


_PURCHASES = frozenset({Action.BUY, Action.REINVEST})
_OPENS = frozenset({Action.BUY, Action.REINVEST, Action.GIFT_RECEIVED, Action.INHERITED})


class DispositionEvent(enum.Enum):
    """A disposition made by an event rather than a sale (``event`` on the output rows)."""

    CASH_IN_LIEU = "cash_in_lieu"
    MERGER_BOOT = "merger_boot"
    RETURN_OF_CAPITAL_EXCESS = "return_of_capital_excess"


class Term(enum.Enum):
    """Holding-period term of a disposition (Form 8949 Part I or Part II)."""

    SHORT = "short"
    LONG = "long"


def _positive(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


def _not_negative(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def _nonempty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen
class Account:
    """An account of a household: its id, owner and type."""

    account_id: str = attrs.field(validator=_nonempty)
    type: AccountType
    owner: str = ""
    lot_method: str | None = None

    @property
    def treatment(self) -> TaxTreatment:
        """The account's tax treatment."""
        return self.type.treatment


@attrs.frozen
class Lot:
    """Shares of one symbol bought together in one account, with their adjusted basis.

    Attributes:
        account_id: the account holding the lot.
        symbol: the security.
        lot_id: the lot's id in its account (``L1``; ``L1.1`` for a split part).
        quantity: shares, positive.
        cost_basis: total adjusted basis in dollars (fees and wash-sale
            adjustments included).
        purchased: the trade date.
        acquired: the start of the holding period (``purchased`` unless a
            wash sale carried a holding period over).
        wash_sale_adjustment: the disallowed losses added to ``cost_basis``.
        loss_basis: for shares received as a gift whose fair market value at
            the gift was below the donor's basis, the (lower) total basis for a
            loss (Publication 551, "Gifts"); None otherwise. ``cost_basis`` is
            then the basis for a gain, ``acquired`` the donor's date and
            ``purchased`` the gift date.
        inherited: shares acquired from a decedent: always long-term.
    """

    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal = attrs.field(converter=to_decimal, validator=_positive)
    cost_basis: Decimal = attrs.field(converter=to_decimal, validator=_not_negative)
    purchased: dt.date
    acquired: dt.date = attrs.field()
    wash_sale_adjustment: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )
    loss_basis: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_decimal)
    )
    inherited: bool = False

    @acquired.default
    def _acquired_default(self) -> dt.date:
        return self.purchased

    @acquired.validator
    def _acquired_not_after_purchase(self, attribute: object, value: dt.date) -> None:
        if value > self.purchased:
            raise ValueError("acquired (holding-period start) is after the purchase date")

    @property
    def basis_per_share(self) -> Decimal:
        """Adjusted basis per share."""
        return self.cost_basis / self.quantity


@attrs.frozen
class Transaction:
    """A buy or a sell, as read from ``transactions.csv`` or a household file.

    ``row`` and ``source`` say where it came from, for error messages.
    ``lot_id`` names the new lot on a buy, or the lot to sell on a sell
    (specific identification). ``cost_basis`` is optional: on a sell whose lots
    are no longer held (a household file's recent sales), the adjusted basis of
    the shares sold, so a look-back can tell a loss from a gain. The ledger
    replay ignores it and computes the basis itself.
    """

    date: dt.date
    account_id: str
    symbol: str
    action: Action = attrs.field(converter=Action)
    quantity: Decimal = attrs.field(converter=to_decimal, validator=_not_negative)
    price: Decimal = attrs.field(converter=to_decimal, validator=_not_negative)
    fees: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_not_negative)
    lot_id: str | None = None
    row: int | None = None
    source: str | None = None
    cost_basis: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_decimal)
    )
    #: ``(new, old)`` of a split, merger, symbol change or spin-off (``3:1`` is ``(3, 1)``).
    ratio: tuple[Decimal, Decimal] | None = None
    new_symbol: str | None = None
    cash_per_share: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_decimal)
    )
    amount_per_share: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_decimal)
    )
    basis_fraction: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_decimal)
    )
    to_account_id: str | None = None
    donor_basis: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_decimal)
    )
    donor_acquired: dt.date | None = None
    fmv: Decimal | None = attrs.field(default=None, converter=attrs.converters.optional(to_decimal))

    def __attrs_post_init__(self) -> None:
        if self.action.moves_shares and self.quantity <= 0:
            raise ValueError(f"quantity must be positive, got {self.quantity}")

    @property
    def gross(self) -> Decimal:
        """Quantity times price, before fees."""
        return self.quantity * self.price


@attrs.frozen
class Disposition:
    """One lot relieved by a sale: a Form 8949 row.

    ``gain = proceeds - cost_basis + adjustment``; ``adjustment`` is the
    disallowed wash-sale loss (positive), with ``code`` ``"W"``;
    ``permanently_disallowed`` is the part of it whose replacement shares sit
    in a deferred or exempt account. ``reportable`` is false for sales inside
    deferred or exempt accounts (kept for conservation checks, not reported).
    ``event`` is set on a row made by an event (cash in lieu of a fraction, a
    merger's cash boot, a return of capital over basis); ``quantity`` is 0 on
    the last two (no shares leave the account). ``inherited`` is set on a row of
    shares acquired from a decedent: Form 8949 column (b) then reads ``INHERITED``
    instead of a date (Form 8949 instructions, column (b)).
    """

    sale_date: dt.date
    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    acquired: dt.date
    purchased: dt.date
    term: Term
    proceeds: Decimal
    cost_basis: Decimal
    adjustment: Decimal = ZERO
    permanently_disallowed: Decimal = ZERO
    reportable: bool = True
    event: DispositionEvent | None = None
    inherited: bool = False

    @property
    def code(self) -> str:
        """Form 8949 column (f): ``W`` for a wash sale, else empty."""
        return "W" if self.adjustment > 0 else ""

    @property
    def gain(self) -> Decimal:
        """Form 8949 column (h): proceeds - basis + adjustment."""
        return self.proceeds - self.cost_basis + self.adjustment

    @property
    def year(self) -> int:
        """The tax year of the sale."""
        return self.sale_date.year
