"""This year's capital-gains tax, with the netting rules of Schedule D.

The rules (IRS Publication 550, "Capital Gains and Losses"; Schedule D lines
7, 15, 16 and 21; Internal Revenue Code sections 1211(b) and 1212(b)):

1. Short-term gains and losses net to a net short-term gain or loss; the
   short-term carryover from last year enters as a short-term loss.
2. Long-term gains and losses net likewise, with the long-term carryover.
3. Across terms: when one term is a net loss and the other a net gain, the
   loss offsets the gain; what remains keeps the character of the larger side
   (a $5,000 short-term gain and a $2,000 long-term loss leave a $3,000
   short-term gain, taxed at the short-term rate).
4. A net capital loss (line 16 negative) offsets up to $3,000 of ordinary
   income ($1,500 married filing separately), short-term loss used first; the
   rest carries forward to next year keeping its character.

Worked example (Publication 550, "Capital Losses"; Bob and Gloria)::

    capital loss 7,000, no other capital transactions, joint return
    deduction against ordinary income   3,000
    carryover to next year              4,000 (7,000 - 3,000)

Rates are flat marginal totals (federal + state + NIIT), one per character:

* ``short_term``: the total rate on a net short-term gain (ordinary federal +
  state + NIIT).
* ``long_term``: the total rate on a net long-term gain (qualified federal +
  state + NIIT).
* ``ordinary_offset``: what one dollar of net capital loss saves when it
  offsets ordinary income. The suggested value is the ordinary federal rate
  plus the state rate, *without* NIIT: a net capital loss lowers wages and
  other ordinary income, which the 3.8% NIIT never taxed (net gain in
  investment income cannot go below zero). :meth:`NettingRates.from_parts`
  builds the three that way.

Simplifications, said once: the $3,000 deduction is never limited by a small
taxable income (section 1211(b)'s "adjusted taxable income" cap); states are
assumed to follow the federal netting (some, such as New Jersey and
Pennsylvania, do not allow the $3,000 deduction); 28% collectibles gain and
unrecaptured section 1250 gain are not modelled. Tax on the carryforward is
next year's, not counted here (the record reports it so a caller can value it).

As a function of the net amounts. Write ``S`` for the net short-term amount
and ``L`` for the net long-term amount (year to date, plus the plan, less the
carryforwards in), ``N = S + L`` (Schedule D line 16), ``x+ = max(x, 0)``,
``x- = max(-x, 0)`` and ``C`` for the loss limit. Then::

    tax(S, L) = r_l * N+  +  (r_s - r_l) * min(S+, N+)  -  r_o * min(N-, C)

a continuous piecewise-linear function with five pieces (see :func:`pieces`):

======================  ========================  =====================
piece                   where                     tax
======================  ========================  =====================
``BOTH_GAINS``          S >= 0, L >= 0            r_s * S + r_l * L
``SHORT_GAIN_NET``      S >= 0, L <= 0, N >= 0    r_s * N
``LONG_GAIN_NET``       S <= 0, L >= 0, N >= 0    r_l * N
``LOSS_WITHIN_LIMIT``   -C <= N <= 0              r_o * N
``LOSS_OVER_LIMIT``     N <= -C                   -r_o * C
======================  ========================  =====================

The pieces are closed polyhedra covering the plane and the formulas agree on
every shared boundary. The function is neither convex nor concave (its slope
along ``N`` goes 0, ``r_o``, then ``r_l`` or ``r_s``), so a mixed-integer
program encodes it with one binary per piece (a disjunction: each piece's
inequalities hold when its binary is one, a convex-hull or big-M formulation),
not with a max of linear forms. Since ``S = a + s`` and ``L = b + l`` for the
plan's short and long amounts ``s, l`` and constants ``a, b`` fixed by the year
to date, each piece is linear in ``(s, l)`` too: :func:`pieces` returns them in
those coordinates, with :func:`added_tax`'s constant (the tax without the plan)
already subtracted.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal

import attrs

from lots.numbers import ZERO, to_decimal


class FilingStatus(enum.Enum):
    """The filing status of the return: it sets the capital-loss limit."""

    SINGLE = "single"
    MARRIED_FILING_JOINTLY = "married_filing_jointly"
    MARRIED_FILING_SEPARATELY = "married_filing_separately"
    HEAD_OF_HOUSEHOLD = "head_of_household"
    QUALIFYING_SURVIVING_SPOUSE = "qualifying_surviving_spouse"

    @property
    def loss_limit(self) -> Decimal:
        """How much net capital loss may offset ordinary income in one year."""
        if self is FilingStatus.MARRIED_FILING_SEPARATELY:
            return Decimal(1500)
        return Decimal(3000)

    @classmethod
    def parse(cls, text: str) -> FilingStatus:
        """Read a filing status, case-insensitively; ``ValueError`` names the known ones."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown filing status {text!r} (known: {known})") from None


def _rate(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not ZERO <= value <= 1:
        raise ValueError(f"{attribute.name} must be a fraction between 0 and 1, got {value}")


def _not_negative(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class NettingRates:
    """Flat marginal total rates (fractions) for the three characters of net gain.

    Attributes:
        short_term: total rate on a net short-term gain.
        long_term: total rate on a net long-term gain.
        ordinary_offset: what a dollar of net capital loss offsetting ordinary
            income saves (ordinary federal + state, no NIIT; see the module).
        filing_status: sets the loss limit ($1,500 married filing separately,
            else $3,000).
    """

    short_term: Decimal = attrs.field(converter=to_decimal, validator=_rate)
    long_term: Decimal = attrs.field(converter=to_decimal, validator=_rate)
    ordinary_offset: Decimal = attrs.field(converter=to_decimal, validator=_rate)
    filing_status: FilingStatus = FilingStatus.MARRIED_FILING_JOINTLY

    @property
    def loss_limit(self) -> Decimal:
        """The filing status's limit on net capital loss against ordinary income."""
        return self.filing_status.loss_limit

    @classmethod
    def from_parts(
        cls,
        *,
        ordinary: Decimal,
        qualified: Decimal,
        state: Decimal = ZERO,
        niit: Decimal = ZERO,
        short_term: Decimal | None = None,
        filing_status: FilingStatus = FilingStatus.MARRIED_FILING_JOINTLY,
    ) -> NettingRates:
        """The totals from federal, state and NIIT rates.

        ``short_term`` is the federal short-term rate (``ordinary`` when not
        given). Short-term total = short_term + state + niit; long-term total =
        qualified + state + niit; ordinary offset = ordinary + state.

        >>> NettingRates.from_parts(
        ...     ordinary=Decimal("0.35"), qualified=Decimal("0.15"),
        ...     state=Decimal("0.05"), niit=Decimal("0.038"))  # doctest: +NORMALIZE_WHITESPACE
        NettingRates(short_term=Decimal('0.438'), long_term=Decimal('0.238'),
                     ordinary_offset=Decimal('0.40'),
                     filing_status=<FilingStatus.MARRIED_FILING_JOINTLY: 'married_filing_jointly'>)
        """
        federal_short = ordinary if short_term is None else short_term
        return cls(
            short_term=federal_short + state + niit,
            long_term=qualified + state + niit,
            ordinary_offset=ordinary + state,
            filing_status=filing_status,
        )


@attrs.frozen
class YearToDate:
    """What this year has realised so far, and the carryforwards from last year.

    Attributes:
        short_gain: net short-term gain realised this year so far (signed:
            negative for a net loss).
        long_gain: net long-term gain realised this year so far (signed).
        carryforward_short: short-term capital loss carried in from last year
            (a positive amount of loss).
        carryforward_long: long-term capital loss carried in (positive).
    """

    short_gain: Decimal = attrs.field(default=ZERO, converter=to_decimal)
    long_gain: Decimal = attrs.field(default=ZERO, converter=to_decimal)
    carryforward_short: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )
    carryforward_long: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )

    @property
    def short_net(self) -> Decimal:
        """Net short-term amount before any plan: gain less the carryforward in."""
        return self.short_gain - self.carryforward_short

    @property
    def long_net(self) -> Decimal:
        """Net long-term amount before any plan."""
        return self.long_gain - self.carryforward_long


@attrs.frozen
class NettedTax:
    """The year's netting, as Schedule D does it.

    Attributes:
        short_net: net short-term gain or loss (line 7), carryforward included.
        long_net: net long-term gain or loss (line 15), carryforward included.
        taxed_short: the net gain taxed at the short-term rate (after netting
            across terms; zero or positive).
        taxed_long: the net gain taxed at the long-term rate (zero or positive).
        ordinary_offset: net capital loss deducted against ordinary income
            (zero or positive, at most the loss limit).
        carryforward_short: short-term loss carried to next year (>= 0).
        carryforward_long: long-term loss carried to next year (>= 0).
        tax: ``taxed_short * r_s + taxed_long * r_l - ordinary_offset * r_o``
            (negative when the offset saves tax); exact, not rounded.
    """

    short_net: Decimal
    long_net: Decimal
    taxed_short: Decimal
    taxed_long: Decimal
    ordinary_offset: Decimal
    carryforward_short: Decimal
    carryforward_long: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        """Schedule D line 16: short_net + long_net."""
        return self.short_net + self.long_net


def net(short_net: Decimal, long_net: Decimal, rates: NettingRates) -> NettedTax:
    """Net one year's short and long amounts (carryforwards already in them).

    Args:
        short_net: net short-term amount (signed), carryforward subtracted.
        long_net: net long-term amount (signed), carryforward subtracted.
        rates: the rates and filing status.

    Returns:
        The netting: what is taxed at which rate, the offset, the carryforwards
        and the tax.
    """
    short_net, long_net = to_decimal(short_net), to_decimal(long_net)
    combined = short_net + long_net
    taxed_short = taxed_long = offset = carry_short = carry_long = ZERO
    if combined >= 0:
        # Rule 3: a loss in one term offsets the other's gain; the rest keeps the
        # character of the larger side.
        if short_net >= 0 and long_net >= 0:
            taxed_short, taxed_long = short_net, long_net
        elif short_net >= 0:
            taxed_short = combined
        else:
            taxed_long = combined
    else:
        # Rule 4: the net loss offsets ordinary income up to the limit, short-term
        # loss first (section 1212(b)(2)); the rest carries forward by character.
        loss = -combined
        offset = min(loss, rates.loss_limit)
        short_loss = max(-short_net, ZERO)
        long_loss = max(-long_net, ZERO)
        # A gain in one term has already absorbed part of the other's loss.
        if short_net > 0:
            long_loss -= short_net
        if long_net > 0:
            short_loss -= long_net
        used_short = min(offset, short_loss)
        carry_short = short_loss - used_short
        carry_long = long_loss - (offset - used_short)
        assert carry_short >= 0 and carry_long >= 0
        assert carry_short + carry_long == loss - offset
    tax = (
        taxed_short * rates.short_term
        + taxed_long * rates.long_term
        - offset * rates.ordinary_offset
    )
    return NettedTax(
        short_net=short_net,
        long_net=long_net,
        taxed_short=taxed_short,
        taxed_long=taxed_long,
        ordinary_offset=offset,
        carryforward_short=carry_short,
        carryforward_long=carry_long,
        tax=tax,
    )


def netted_tax(
    year_to_date: YearToDate,
    rates: NettingRates,
    plan_short: Decimal = ZERO,
    plan_long: Decimal = ZERO,
) -> NettedTax:
    """The year's netting with a plan's realised gains added to the year to date.

    Args:
        year_to_date: realised so far this year, and the carryforwards in.
        rates: the rates and filing status.
        plan_short: the plan's net short-term gain (signed).
        plan_long: the plan's net long-term gain (signed).

    Returns:
        The whole year's :class:`NettedTax`.

    >>> rates = NettingRates(Decimal("0.40"), Decimal("0.20"), Decimal("0.35"))
    >>> netted_tax(YearToDate(short_gain=Decimal(-7000)), rates).carryforward_short
    Decimal('4000')
    """
    return net(
        year_to_date.short_net + to_decimal(plan_short),
        year_to_date.long_net + to_decimal(plan_long),
        rates,
    )


def added_tax(
    year_to_date: YearToDate,
    plan_short: Decimal,
    plan_long: Decimal,
    rates: NettingRates,
) -> Decimal:
    """What a plan adds to this year's tax: netted tax with it less without it.

    This is the figure a plan's ``summary.tax`` reports. The year to date and
    the carryforwards are in both terms, so a plan's loss that only offsets
    gains already realised saves at their rate, and a plan's gain that a
    carryforward absorbs costs nothing.

    >>> rates = NettingRates(Decimal("0.40"), Decimal("0.20"), Decimal("0.35"))
    >>> ytd = YearToDate(long_gain=Decimal(5000))
    >>> added_tax(ytd, Decimal(-2000), Decimal(0), rates)  # 2,000 less LT gain at 20%
    Decimal('-400.00')
    """
    with_plan = netted_tax(year_to_date, rates, plan_short, plan_long).tax
    without = netted_tax(year_to_date, rates).tax
    return with_plan - without


class Piece(enum.Enum):
    """The five linear pieces of the netted tax (see the module's table)."""

    BOTH_GAINS = "both_gains"
    SHORT_GAIN_NET = "short_gain_net"
    LONG_GAIN_NET = "long_gain_net"
    LOSS_WITHIN_LIMIT = "loss_within_limit"
    LOSS_OVER_LIMIT = "loss_over_limit"


@attrs.frozen
class Linear:
    """``short * s + long * l + constant`` in the plan's amounts ``(s, l)``."""

    short: Decimal
    long: Decimal
    constant: Decimal

    def at(self, plan_short: Decimal, plan_long: Decimal) -> Decimal:
        """The value at ``(plan_short, plan_long)``."""
        return self.short * plan_short + self.long * plan_long + self.constant


@attrs.frozen
class TaxPiece:
    """One linear piece of :func:`added_tax` in the plan's amounts ``(s, l)``.

    Attributes:
        piece: which piece.
        constraints: the piece's region, each ``Linear`` form ``>= 0``.
        tax: the added tax on the region (``netted tax - tax without the plan``).
        carryforward: the total loss carried to next year on the region.
    """

    piece: Piece
    constraints: tuple[Linear, ...]
    tax: Linear
    carryforward: Linear

    def contains(self, plan_short: Decimal, plan_long: Decimal) -> bool:
        """Whether ``(plan_short, plan_long)`` lies in the (closed) region."""
        return all(form.at(plan_short, plan_long) >= 0 for form in self.constraints)


def pieces(year_to_date: YearToDate, rates: NettingRates) -> tuple[TaxPiece, ...]:
    """The linear pieces of ``added_tax(year_to_date, s, l, rates)`` in ``(s, l)``.

    With ``a = year_to_date.short_net`` and ``b = year_to_date.long_net`` the
    net amounts are ``S = a + s`` and ``L = b + l``; each piece of the module's
    table becomes a polyhedron in ``(s, l)`` and a linear added tax, the tax
    without the plan (a constant) subtracted. Breakpoints: ``s = -a``,
    ``l = -b``, ``s + l = -(a + b)`` and ``s + l = -(a + b) - C``.

    For every ``(s, l)`` at least one piece contains it, and every piece that
    contains it gives ``added_tax`` exactly (the tests check both).

    >>> rates = NettingRates(Decimal("0.40"), Decimal("0.20"), Decimal("0.35"))
    >>> [p.piece.value for p in pieces(YearToDate(), rates)][:2]
    ['both_gains', 'short_gain_net']
    """
    a, b = year_to_date.short_net, year_to_date.long_net
    limit = rates.loss_limit
    r_s, r_l, r_o = rates.short_term, rates.long_term, rates.ordinary_offset
    base = net(a, b, rates).tax
    one, zero = Decimal(1), ZERO
    short_ge = Linear(one, zero, a)  # S >= 0
    short_le = Linear(-one, zero, -a)  # S <= 0
    long_ge = Linear(zero, one, b)  # L >= 0
    long_le = Linear(zero, -one, -b)  # L <= 0
    net_ge = Linear(one, one, a + b)  # N >= 0
    net_le = Linear(-one, -one, -(a + b))  # N <= 0
    net_ge_limit = Linear(one, one, a + b + limit)  # N >= -C
    net_le_limit = Linear(-one, -one, -(a + b) - limit)  # N <= -C
    no_carry = Linear(zero, zero, zero)

    def tax(short: Decimal, long: Decimal, constant: Decimal) -> Linear:
        return Linear(short, long, constant - base)

    return (
        TaxPiece(Piece.BOTH_GAINS, (short_ge, long_ge), tax(r_s, r_l, r_s * a + r_l * b), no_carry),
        TaxPiece(
            Piece.SHORT_GAIN_NET,
            (short_ge, long_le, net_ge),
            tax(r_s, r_s, r_s * (a + b)),
            no_carry,
        ),
        TaxPiece(
            Piece.LONG_GAIN_NET, (short_le, long_ge, net_ge), tax(r_l, r_l, r_l * (a + b)), no_carry
        ),
        TaxPiece(
            Piece.LOSS_WITHIN_LIMIT,
            (net_le, net_ge_limit),
            tax(r_o, r_o, r_o * (a + b)),
            no_carry,
        ),
        TaxPiece(
            Piece.LOSS_OVER_LIMIT,
            (net_le_limit,),
            tax(zero, zero, -r_o * limit),
            Linear(-one, -one, -(a + b) - limit),
        ),
    )


def breakpoints(year_to_date: YearToDate, rates: NettingRates) -> Sequence[Linear]:
    """The lines ``form = 0`` in ``(s, l)`` where the added tax changes slope.

    ``s = -a`` (net short-term at zero), ``l = -b`` (net long-term at zero),
    ``s + l = -(a + b)`` (line 16 at zero) and ``s + l = -(a + b) - C`` (the
    loss limit), with ``a, b`` the year to date's net amounts.
    """
    a, b = year_to_date.short_net, year_to_date.long_net
    one = Decimal(1)
    return (
        Linear(one, ZERO, a),
        Linear(ZERO, one, b),
        Linear(one, one, a + b),
        Linear(one, one, a + b + rates.loss_limit),
    )
