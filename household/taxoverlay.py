"""What selling a lot costs in tax, and whether the plan may sell it now.

A sale in a taxable account realises ``proceeds - basis`` on every lot it
relieves, short-term when the lot was held a year or less. The estimated tax is
``short-term gain * short-term rate + long-term gain * long-term rate`` (rates
with state and NIIT included, from the household's tax profile); a loss gives
a negative tax (a saving). Sales in deferred and exempt accounts cost no tax.

The overlay decides, lot by lot in the order the account's lot-relief method
relieves them (the household default is minimum tax), whether a rebalancing
sale may take it:

* a **loss** is always welcome (unless a wash sale would disallow it);
* a **gain** is deferred while the class is inside its outer band; an outer
  breach forces it;
* a **short-term gain on a lot that turns long-term within 30 days** is not
  realised unless the outer band forces it (then it is logged);
* the running tax of the plan must stay within the **annual tax budget**.

Because a broker relieves lots in the account's method order, a sale cannot
skip a lot: the first lot the overlay refuses ends the sale (with minimum tax
the losses come first, so "losses only" is exactly a prefix).

Worked example: a lot of 100 shares with basis $6,000 sold at $50 realises
5,000 - 6,000 = -$1,000; held since 2024-01-10 and sold 2026-06-01 it is
long-term; at a 15% + 5% long-term rate it saves $200 of tax.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from household.model import Household, HouseholdAccount
from lots.numbers import ZERO, split
from lots.records import Lot, TaxTreatment, Term
from lots.relief import LotMethod
from lots.terms import long_term_from, term_of

#: A short-term lot this close to turning long-term is not sold unless forced.
LONG_TERM_SOON_DAYS = 30


@attrs.frozen
class TaxRates:
    """Total marginal rates (federal + state + NIIT) on realised gains."""

    short_term: Decimal
    long_term: Decimal

    @classmethod
    def of(cls, household: Household) -> TaxRates:
        """The household's rates from its tax profile."""
        return cls(household.tax.short_term_total, household.tax.long_term_total)

    def tax(self, term: Term, gain: Decimal) -> Decimal:
        """Estimated tax on ``gain`` (negative for a loss: a saving)."""
        return gain * (self.short_term if term is Term.SHORT else self.long_term)


@attrs.frozen
class LotSale:
    """Shares of one lot sold by a plan, with their estimated gain and tax.

    Attributes:
        lot: the lot as held before the sale.
        quantity: shares taken from it.
        price: the sale price per share.
        sale_date: the trade date.
        taxable: whether the account is taxable (else gain and tax are 0).
        basis: the basis of the shares sold (a proportional part of the lot's).
        term: short or long, from the lot's holding-period start.
        tax: estimated tax (0 outside taxable accounts).
    """

    lot: Lot
    quantity: Decimal
    price: Decimal
    sale_date: dt.date
    taxable: bool
    basis: Decimal
    term: Term
    tax: Decimal

    @property
    def proceeds(self) -> Decimal:
        """``quantity * price`` (before commission)."""
        return self.quantity * self.price

    @property
    def gain(self) -> Decimal:
        """``proceeds - basis`` (the estimate; a wash sale would change it)."""
        return self.proceeds - self.basis

    @property
    def short_gain(self) -> Decimal:
        """The gain if short-term and taxable, else 0."""
        return self.gain if self.taxable and self.term is Term.SHORT else ZERO

    @property
    def long_gain(self) -> Decimal:
        """The gain if long-term and taxable, else 0."""
        return self.gain if self.taxable and self.term is Term.LONG else ZERO


def lot_sale(
    lot: Lot, quantity: Decimal, price: Decimal, sale_date: dt.date, taxable: bool, rates: TaxRates
) -> LotSale:
    """Price the sale of ``quantity`` shares of ``lot``.

    Args:
        lot: the lot.
        quantity: shares sold from it (at most ``lot.quantity``).
        price: sale price per share.
        sale_date: the trade date.
        taxable: whether the account is taxable.
        rates: the household's rates.

    Returns:
        The :class:`LotSale`, basis split in proportion to shares.
    """
    basis, _ = split(lot.cost_basis, quantity, lot.quantity)
    term = term_of(lot.acquired, sale_date)
    tax = rates.tax(term, quantity * price - basis) if taxable else ZERO
    return LotSale(lot, quantity, price, sale_date, taxable, basis, term, tax)


def method_of(account: HouseholdAccount) -> LotMethod:
    """The account's lot-relief method (minimum tax where the file names none)."""
    if not account.lot_method:
        return LotMethod.MIN_TAX
    method = LotMethod.parse(account.lot_method)
    # A plan cannot name lots for a method of "specific": it picks them as minimum tax would.
    return LotMethod.MIN_TAX if method is LotMethod.SPECIFIC else method


def turns_long_soon(lot: Lot, sale_date: dt.date, days: int = LONG_TERM_SOON_DAYS) -> bool:
    """Whether a short-term lot becomes long-term within ``days`` days of ``sale_date``."""
    if term_of(lot.acquired, sale_date) is Term.LONG:
        return False
    return (long_term_from(lot.acquired) - sale_date).days <= days


@attrs.frozen
class Verdict:
    """Whether a lot may be sold now; ``code``/``reason`` say why not (or why forced)."""

    allowed: bool
    code: str = ""
    reason: str = ""


def judge(
    sale: LotSale,
    *,
    forced: bool,
    tax_used: Decimal,
    budget: Decimal | None,
    budget_binding: bool = True,
) -> Verdict:
    """Apply the overlay's rules to one (whole-lot) sale.

    Args:
        sale: the lot sale, priced.
        forced: whether the class is outside its outer band (or cash must be raised).
        tax_used: the plan's estimated tax so far.
        budget: the annual tax budget (``None``: unlimited).
        budget_binding: ``False`` lets a forced cash need exceed the budget (logged).

    Returns:
        The :class:`Verdict`; an allowed verdict may carry a note (``forced_*``).
    """
    if not sale.taxable or sale.gain <= 0:
        return Verdict(True)
    lot = sale.lot
    if turns_long_soon(lot, sale.sale_date):
        soon = long_term_from(lot.acquired)
        if not forced:
            return Verdict(
                False,
                "short_term_soon_long",
                f"lot {lot.lot_id} turns long-term on {soon.isoformat()}; "
                "its short-term gain is not realised now",
            )
        soon_note = f"lot {lot.lot_id} sold short-term although long-term from {soon.isoformat()}"
    else:
        soon_note = ""
    if not forced:
        return Verdict(
            False,
            "deferred_gain",
            f"lot {lot.lot_id} would realise a gain while drift is inside the outer band",
        )
    if budget is not None and tax_used + sale.tax > budget:
        if budget_binding:
            return Verdict(False, "tax_budget", f"lot {lot.lot_id} would exceed the tax budget")
        return Verdict(True, "tax_budget_exceeded", f"lot {lot.lot_id} exceeds the tax budget")
    if soon_note:
        return Verdict(True, "forced_short_term", soon_note)
    return Verdict(True)


def is_taxable(treatment: TaxTreatment) -> bool:
    """Whether sales in an account of this treatment are taxed."""
    return treatment is TaxTreatment.TAXABLE
