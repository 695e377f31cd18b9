"""Loading and validating a household file into :class:`household.model.Household`.

Two passes. First the JSON Schema shipped in the package
(``household/schema/household.schema.json``) checks the shape: required
fields, types, enums, rates between 0 and 1. Then the semantic checks the
schema cannot express: unique account ids, symbols and lot ids; every lot,
transaction, cash flow, menu and bound naming an account, symbol or asset
class that exists; targets over known classes, summing to 1 within 1e-9;
dates that exist. Any failure raises :class:`household.errors.SchemaError`
naming the file, the JSON path (``accounts[2].type``) and the field, e.g.::

    young.json:accounts[2].type: type: 'brokerage' is not one of ['taxable', ...]

Numbers are read exactly: the file is decoded with ``parse_float=Decimal``
and every amount goes through :func:`lots.numbers.to_decimal`, so no float
ever appears.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs
import jsonschema

from household.errors import SchemaError
from household.model import (
    AssetClass,
    Bands,
    CashFlow,
    CashFlowKind,
    ClassBounds,
    Constraints,
    Costs,
    HarvestSettings,
    Household,
    HouseholdAccount,
    LocationOptions,
    RiskSettings,
    Security,
    TargetBasis,
    TaxProfile,
)
from household.strict import (
    MAX_PLACES,
    bad_character,
    check_decimal,
    decode_text,
    parse_date,
    parse_decimal,
    parse_symbol,
)
from lots.errors import InputError
from lots.events import transaction_from_fields
from lots.exposure import ScheduledBuy
from lots.netting import FilingStatus, YearToDate
from lots.numbers import to_decimal
from lots.records import AccountType, Action, Lot, TaxTreatment, Transaction

__all__ = [
    "TARGET_SUM_TOLERANCE",
    "check_plan_date",
    "household_from_checked",
    "household_from_dict",
    "household_schema",
    "household_to_dict",
    "load_household",
    "read_json",
]

TARGET_SUM_TOLERANCE = Decimal("1e-9")
"""How far the targets may sum from 1."""

T = TypeVar("T")


@functools.cache
def household_schema() -> dict[str, Any]:
    """The household JSON Schema shipped in the package."""
    text = resources.files("household").joinpath("schema/household.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(household_schema())


MAX_DEPTH = 32
"""How deeply a household document may nest (a real one nests 5 deep)."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


@functools.cache
def _fast_check() -> Callable[[Any], bool]:
    """The schema compiled once per process: yes or no, fast (see :mod:`household.fastschema`)."""
    from household.fastschema import compile_check

    return compile_check(household_schema())


def read_json(path: str | Path) -> Any:
    """Decode a JSON file exactly (numbers with a fraction become ``Decimal``).

    The file is UTF-8, a byte-order mark dropped (as for CSV files); UTF-16 and
    Latin-1 are refused, and so are ``NaN``, ``Infinity`` and documents nested
    more than :data:`MAX_DEPTH` deep.

    Raises:
        SchemaError: when the file cannot be read or is not JSON (``row`` is ``line N``).
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise SchemaError("is a directory, not a JSON file", file=name) from None
    except OSError as error:
        raise SchemaError(f"cannot read the file: {error.strerror}", file=name) from None
    try:
        text = decode_text(data)
    except ValueError as error:
        raise SchemaError(str(error), file=name) from None
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise SchemaError(
            f"not valid JSON: {error.msg} (column {error.colno})",
            file=name,
            row=f"line {error.lineno}",
        ) from None
    except RecursionError:
        raise SchemaError(f"nested more than {MAX_DEPTH} levels deep", file=name) from None
    except ValueError as error:  # NaN, or an integer of thousands of digits
        raise SchemaError(f"not valid JSON: {_first_line(str(error))}", file=name) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are unique (``json`` would silently keep the last of two)."""
    document: dict[str, Any] = dict(pairs)
    if len(document) == len(pairs):
        return document
    document = {}  # a key given twice: name the first one repeated
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {key!r} appears twice in one object")
        document[key] = value
    return document


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


def load_household(path: str | Path) -> Household:
    """Load, validate and build the household in a JSON file.

    Args:
        path: the household file.

    Returns:
        The :class:`~household.model.Household`.

    Raises:
        SchemaError: naming the file, JSON path and field of the first problem.
    """
    return household_from_dict(read_json(path), source=str(path))


def json_path(parts: Iterable[str | int]) -> str:
    """A JSON path as text: ``("accounts", 2, "type")`` -> ``accounts[2].type``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "$"


def _schema_error(error: jsonschema.ValidationError, source: str | None) -> SchemaError:
    path = list(error.absolute_path)
    field = next((p for p in reversed(path) if isinstance(p, str)), None)
    message = error.message
    if error.validator == "required":
        missing = message.split("'")[1] if "'" in message else None
        field = missing or field
        message = "is required"
        if missing:
            path.append(missing)
    elif error.validator == "additionalProperties":
        message = message.replace(" were unexpected", " is not a known field").replace(
            " was unexpected", " is not a known field"
        )
    elif error.validator == "pattern":
        pattern = str(error.validator_value)
        if "{4}-" in pattern:
            message = f"{error.instance!r} is not a date (YYYY-MM-DD)"
        elif "\\S" in pattern:
            message = f"{error.instance!r} is not an id (no spaces at either end)"
    elif error.validator == "anyOf":
        message = f"{error.instance!r} is not a number (give a JSON number or a decimal string)"
        if isinstance(error.instance, str):
            try:
                parse_decimal(error.instance)
            except ValueError as problem:
                message = str(problem)
        if any("maximum" in str(sub.schema) for sub in error.context or ()):
            message = f"{error.instance!r} is not a rate between 0 and 1"
    if len(message) > 200:
        message = message[:197] + "..."
    return SchemaError(message, file=source, row=json_path(path), field=field)


class _Reader:
    """Builds records from the validated document, naming the JSON path on failure."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, path: Sequence[str | int], message: str, hint: str | None = None) -> SchemaError:
        field = next((p for p in reversed(path) if isinstance(p, str)), None)
        return SchemaError(message, file=self.source, row=json_path(path), field=field, hint=hint)

    def decimal(self, value: object, path: Sequence[str | int]) -> Decimal:
        try:
            if isinstance(value, str):
                return parse_decimal(value)
            return check_decimal(to_decimal(value))
        except (TypeError, ValueError) as error:
            raise self.fail(path, str(error)) from None

    def optional_decimal(self, data: Mapping[str, Any], key: str, path: Sequence[str | int]) -> Any:
        return None if data.get(key) is None else self.decimal(data[key], [*path, key])

    def decimals(
        self, data: Mapping[str, Any], keys: Iterable[str], path: Sequence[str | int]
    ) -> dict[str, Decimal]:
        """The given keys of ``data`` that are present, as Decimals (for ``**kwargs``)."""
        found = {}
        for key in keys:
            if key in data:
                value = data[key]
                try:
                    if isinstance(value, str):
                        found[key] = parse_decimal(value)
                    else:
                        found[key] = check_decimal(to_decimal(value))
                except (TypeError, ValueError) as error:  # the path is built only now
                    raise self.fail([*path, key], str(error)) from None
        return found

    def date(self, value: str, path: Sequence[str | int]) -> dt.date:
        try:
            return parse_date(value)
        except ValueError as error:
            raise self.fail(path, str(error)) from None

    def build(self, factory: Callable[..., T], path: Sequence[str | int], **kwargs: Any) -> T:
        try:
            return factory(**kwargs)
        except (TypeError, ValueError) as error:
            message = str(error)
            field = next((k for k in kwargs if message.startswith(k + " ")), None)
            raise self.fail([*path, field] if field else path, message) from None


#: Numbers of a recent transaction, read strictly before the row is built.
_TRANSACTION_NUMBERS = (
    "quantity",
    "price",
    "fees",
    "cost_basis",
    "cash_per_share",
    "amount_per_share",
    "basis_fraction",
    "donor_basis",
    "fmv",
)
_PRICED = frozenset({Action.BUY, Action.SELL, Action.REINVEST})


def household_from_dict(data: Any, *, source: str | None = None) -> Household:
    """Validate a decoded household document and build the :class:`Household`.

    Args:
        data: the decoded JSON (decode with ``parse_float=Decimal``; floats are refused).
        source: the file name, for error messages.

    Raises:
        SchemaError: naming the JSON path and field of the first problem.
    """
    if not isinstance(data, Mapping):
        raise SchemaError("a household file holds one JSON object", file=source, row="$")
    if _clean(data):
        # Nothing _scan would refuse, and plain decoded JSON: straight to the compiled check.
        if _fast_check()(data):
            return _build(_normalised(data), _Reader(source))
        return _checked_slowly(data, source)
    problem = _scan(data)
    if problem is not None:
        where, message = problem
        raise SchemaError(
            message,
            file=source,
            row=json_path(where),
            field=next((p for p in reversed(where) if isinstance(p, str)), None),
        )
    # The fast path: plain decoded JSON that the compiled check accepts. Otherwise
    # jsonschema, whose verdict and messages stand.
    from household.fastschema import plain_json

    if plain_json(data) and _fast_check()(data):
        return _build(_normalised(data), _Reader(source))
    return _checked_slowly(data, source)


def _checked_slowly(data: Mapping[str, Any], source: str | None) -> Household:
    """``jsonschema``'s verdict and message (its first error), then the build."""
    errors = list(_validator().iter_errors(data))
    if errors:
        # The deepest path is the most specific; anyOf alternatives are not descended
        # into (the "decimal" and "rate" definitions say what they want in words).
        raise _schema_error(max(errors, key=lambda e: len(e.absolute_path)), source)
    return _build(_normalised(data), _Reader(source))


def household_from_checked(data: Mapping[str, Any], *, source: str | None = None) -> Household:
    """Build the :class:`Household` of a document whose JSON Schema check was passed already.

    Only the semantic pass of :func:`household_from_dict` runs (known accounts,
    classes and symbols, targets summing to 1, bands, decimals and dates read
    strictly), not the schema again: for a caller that keeps documents it checked
    when they came in (the store keeps a household's policy so).

    Raises:
        SchemaError: naming the JSON path and field of the first problem.
    """
    return _build(data, _Reader(source))


_LIMIT = 10**12  # MAX_MAGNITUDE as an int


def _clean(data: Any) -> bool:
    """``True`` only if :func:`_scan` finds nothing and the document is plain decoded JSON.

    The quick form of :func:`_scan` and :func:`household.fastschema.plain_json`
    together, with no path kept: dicts with ``str`` keys, lists, text, ints,
    ``Decimal``, booleans and ``None`` only, nested at most :data:`MAX_DEPTH`
    deep; every number finite, below 10**12 with at most 15 places as written;
    all the text (keys and values, joined) printable, so no control or invisible
    character. It may say ``False`` of a document :func:`_scan` accepts (a
    ``str`` subclass, ``1.0000000000000000`` with its trailing zeros): the
    caller then takes the slow path, whose verdict and messages stand.
    """
    if type(data) is not dict:
        return False
    texts: list[str] = []
    numbers: list[Any] = []
    stack: list[tuple[Any, int]] = [(data, 1)]  # a container, and the depth of its items
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH and node:
            return False
        if type(node) is dict:
            if {*map(type, node)} - {str}:
                return False
            texts.extend(node)
            values: Any = node.values()
        else:
            values = node
        try:
            texts.append("".join(values))  # all text: the common case (a lot, a symbol list)
            continue
        except TypeError:
            pass
        for value in values:
            kind = type(value)
            if kind is str:
                texts.append(value)
            elif kind is dict or kind is list:
                stack.append((value, depth + 1))
            elif kind is Decimal or kind is int:
                numbers.append(value)
            elif kind is not bool and value is not None:
                return False  # a float, a tuple, a subclass: the slow path says what
    for number in numbers:
        if type(number) is int:
            if not -_LIMIT < number < _LIMIT:
                return False
        elif not number.is_finite() or (
            number and (number.adjusted() >= 12 or number.as_tuple().exponent < -MAX_PLACES)
        ):
            return False
    return "".join(texts).isprintable()


def _scan(data: Any) -> tuple[list[str | int], str] | None:
    """The first value no household file may hold, with its path and why, or ``None``.

    Floats (decode with ``parse_float=Decimal``), numbers out of range (``1e400``,
    ``1e-20``), control or invisible characters in any key or string, and nesting
    deeper than :data:`MAX_DEPTH`. Iterative, so no document can exhaust the stack.
    """
    stack: list[tuple[list[str | int], Any]] = [([], data)]
    while stack:
        path, value = stack.pop()
        if len(path) > MAX_DEPTH:
            return path[:2], f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, float):
            return path, "is a float; decode the file with parse_float=Decimal or give a string"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | Decimal):
            try:
                check_decimal(Decimal(value), str(value))
            except ValueError as error:
                return path, str(error)
        elif isinstance(value, str):
            bad = bad_character(value)
            if bad:
                return path, f"holds {bad}"
        elif isinstance(value, Mapping):
            for key, item in reversed(list(value.items())):
                bad = bad_character(str(key))
                if bad:
                    return [*path, str(key)], f"the key holds {bad}"
                stack.append(([*path, key], item))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                stack.append(([*path, index], value[index]))
    return None


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _normalised(data: Mapping[str, Any]) -> dict[str, Any]:
    """The document with symbols upper-cased and identical groups lower-cased.

    ``vtsax`` and ``VTSAX`` are one security (and ``Total_Market`` and
    ``total_market`` one group), so case never splits a wash-sale group; two
    securities differing only in case are then duplicates. Nothing else changes.
    """
    document = dict(data)
    securities = []
    for spec in data.get("securities", []):
        entry = dict(spec, symbol=_upper(spec["symbol"]))
        if "substitutes" in spec:
            entry["substitutes"] = [_upper(symbol) for symbol in spec["substitutes"]]
        if isinstance(spec.get("identical_group"), str):
            entry["identical_group"] = spec["identical_group"].lower()
        securities.append(entry)
    if "securities" in data:
        document["securities"] = securities
    for section in ("lots", "recent_transactions"):
        if section in data:
            document[section] = [
                dict(item, symbol=_upper(item["symbol"])) for item in data[section]
            ]
    if "constraints" in data:
        constraints = dict(data["constraints"])
        for key in ("restricted", "no_sell"):
            if key in constraints:
                constraints[key] = [_upper(symbol) for symbol in constraints[key]]
        document["constraints"] = constraints
    return document


def _unique(r: _Reader, items: Sequence[Mapping[str, Any]], key: str, section: str) -> None:
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        value = item[key]
        if value in seen:
            raise r.fail(
                [section, index, key],
                f"duplicate {key} {value!r} (first at {section}[{seen[value]}])",
            )
        seen[value] = index


def _build(data: Mapping[str, Any], r: _Reader) -> Household:  # noqa: C901 - one pass per section
    tax_data = data["tax"]
    carryforward = r.decimals(
        tax_data.get("carryforward", {}), ("short", "long"), ["tax", "carryforward"]
    )
    for term, amount in carryforward.items():
        if amount < 0:
            raise r.fail(
                ["tax", "carryforward", term],
                f"a carryforward is a positive amount of loss, got {amount}",
                hint="must not be negative",
            )
    year_to_date = r.build(
        YearToDate,
        ["tax", "year_to_date"],
        **r.decimals(
            tax_data.get("year_to_date", {}), ("short_gain", "long_gain"), ["tax", "year_to_date"]
        ),
        **{f"carryforward_{k}": v for k, v in carryforward.items()},
    )
    tax = r.build(
        TaxProfile,
        ["tax"],
        **r.decimals(
            tax_data,
            ("ordinary", "qualified", "short_term", "state", "niit", "withdrawal"),
            ["tax"],
        ),
        filing_status=FilingStatus(tax_data.get("filing_status", "married_filing_jointly")),
        year_to_date=year_to_date,
    )

    path: list[str | int]
    classes: dict[str, AssetClass] = {}
    for name, spec in data["asset_classes"].items():
        path = ["asset_classes", name]
        fields = (
            "expected_return",
            "ordinary_yield",
            "qualified_yield",
            "tax_exempt_yield",
            "turnover",
            "foreign_tax_credit",
            "state_exempt_yield",
        )
        classes[name] = r.build(
            AssetClass,
            path,
            name=name,
            in_state=spec.get("in_state", True),
            **r.decimals(spec, fields, path),
        )

    targets: dict[str, Decimal] = {}
    for name, weight in data["targets"].items():
        if name not in classes:
            raise r.fail(
                ["targets", name],
                f"unknown asset class {name!r}",
                hint="define it under asset_classes",
            )
        targets[name] = r.decimal(weight, ["targets", name])
    total = sum(targets.values(), Decimal(0))
    if abs(total - 1) > TARGET_SUM_TOLERANCE:
        raise r.fail(["targets"], f"targets sum to {total}, not 1")

    options_data = data.get("options", {})
    tolerance = {}
    for name, value in options_data.get("tolerance", {}).items():
        if name not in classes:
            raise r.fail(["options", "tolerance", name], f"unknown asset class {name!r}")
        tolerance[name] = r.decimal(value, ["options", "tolerance", name])
    options = LocationOptions(
        targets=TargetBasis(options_data.get("targets", "pretax")),
        tolerance=tolerance,
        tax_unrealized_at_horizon=options_data.get("tax_unrealized_at_horizon", False),
    )

    accounts_data = data["accounts"]
    _unique(r, accounts_data, "account_id", "accounts")
    accounts = []
    for index, spec in enumerate(accounts_data):
        path = ["accounts", index]
        for position, name in enumerate(spec.get("menu", ())):
            if name not in classes:
                raise r.fail([*path, "menu", position], f"unknown asset class {name!r}")
        bounds = {}
        for name, bound in spec.get("bounds", {}).items():
            if name not in classes:
                raise r.fail([*path, "bounds", name], f"unknown asset class {name!r}")
            bound_path = [*path, "bounds", name]
            keys = ("min_weight", "max_weight", "min_dollars", "max_dollars")
            bounds[name] = r.build(ClassBounds, bound_path, **r.decimals(bound, keys, bound_path))
            low, high = bounds[name].min_weight, bounds[name].max_weight
            if low is not None and high is not None and low > high:
                raise r.fail(bound_path, f"min_weight {low} is above max_weight {high}")
            low, high = bounds[name].min_dollars, bounds[name].max_dollars
            if low is not None and high is not None and low > high:
                raise r.fail(bound_path, f"min_dollars {low} is above max_dollars {high}")
        accounts.append(
            r.build(
                HouseholdAccount,
                path,
                account_id=spec["account_id"],
                type=AccountType.parse(spec["type"]),
                owner=spec.get("owner", ""),
                lot_method=spec.get("lot_method", "min_tax"),
                cash=r.decimal(spec.get("cash", 0), [*path, "cash"]),
                menu=spec.get("menu"),
                bounds=bounds,
                name=spec.get("name", ""),
                after_tax_basis=r.decimal(
                    spec.get("after_tax_basis", 0), [*path, "after_tax_basis"]
                ),
            )
        )
        if accounts[-1].after_tax_basis and accounts[-1].treatment is not TaxTreatment.DEFERRED:
            raise r.fail(
                [*path, "after_tax_basis"],
                f"after_tax_basis is for deferred accounts, not a {spec['type']} account",
            )
    account_ids = {a.account_id for a in accounts}

    def known_account(value: str, where: list[str | int]) -> str:
        if value not in account_ids:
            raise r.fail(where, f"unknown account {value!r}", hint="not in accounts")
        return value

    securities_data = data.get("securities", [])
    _unique(r, securities_data, "symbol", "securities")
    securities = {}
    for index, spec in enumerate(securities_data):
        path = ["securities", index]
        try:
            parse_symbol(spec["symbol"])
        except ValueError as error:
            raise r.fail([*path, "symbol"], str(error)) from None
        if spec["asset_class"] not in classes:
            raise r.fail([*path, "asset_class"], f"unknown asset class {spec['asset_class']!r}")
        securities[spec["symbol"]] = r.build(
            Security,
            path,
            symbol=spec["symbol"],
            asset_class=spec["asset_class"],
            identical_group=spec.get("identical_group"),
            substitutes=spec.get("substitutes", ()),
            restricted=spec.get("restricted", False),
            sector=spec.get("sector"),
            **r.decimals(spec, ("price", "half_spread_bps", "adv", "volatility"), path),
        )
    for index, spec in enumerate(securities_data):
        security = securities[spec["symbol"]]
        if security.price is not None and security.price <= 0:
            raise r.fail(
                ["securities", index, "price"],
                f"{security.price} must be positive (leave price out for an unpriced security)",
            )
        if security.adv is not None and security.adv <= 0:
            raise r.fail(
                ["securities", index, "adv"],
                f"{security.adv} must be positive (leave adv out when it is not known)",
            )
        for position, symbol in enumerate(spec.get("substitutes", ())):
            if symbol not in securities:
                raise r.fail(
                    ["securities", index, "substitutes", position],
                    f"unknown symbol {symbol!r}",
                    hint="not in securities",
                )

    def known_symbol(value: str, where: list[str | int]) -> str:
        if value not in securities:
            raise r.fail(where, f"unknown symbol {value!r}", hint="not in securities")
        return value

    # A security-level menu (``funds``): each fund must be known; the class menu is
    # derived from the funds' classes (intersected with a class menu when both are given).
    for index, spec in enumerate(accounts_data):
        if spec.get("funds") is None:
            continue
        funds = [
            known_symbol(symbol, ["accounts", index, "funds", position])
            for position, symbol in enumerate(spec["funds"])
        ]
        derived = [securities[symbol].asset_class for symbol in funds]
        menu = tuple(dict.fromkeys(k for k in derived if accounts[index].offers(k)))
        accounts[index] = attrs.evolve(accounts[index], funds=tuple(funds), menu=menu)

    lots = []
    seen_lots: dict[tuple[str, str], int] = {}
    for index, spec in enumerate(data.get("lots", [])):
        path = ["lots", index]
        key = (known_account(spec["account_id"], [*path, "account_id"]), spec["lot_id"])
        known_symbol(spec["symbol"], [*path, "symbol"])
        if key in seen_lots:
            raise r.fail(
                [*path, "lot_id"],
                f"duplicate lot_id {key[1]!r} in account {key[0]!r}"
                f" (first at lots[{seen_lots[key]}])",
            )
        seen_lots[key] = index
        purchased = r.date(spec["purchased"], [*path, "purchased"])
        extra = {}
        if "acquired" in spec:
            extra["acquired"] = r.date(spec["acquired"], [*path, "acquired"])
        if spec.get("inherited"):
            extra["inherited"] = True
        lot = r.build(
            Lot,
            path,
            account_id=spec["account_id"],
            symbol=spec["symbol"],
            lot_id=spec["lot_id"],
            purchased=purchased,
            **extra,
            **r.decimals(
                spec, ("quantity", "cost_basis", "wash_sale_adjustment", "loss_basis"), path
            ),
        )
        if lot.wash_sale_adjustment > lot.cost_basis:
            raise r.fail(
                [*path, "wash_sale_adjustment"],
                f"{lot.wash_sale_adjustment} is larger than the lot's cost_basis "
                f"{lot.cost_basis} (the basis includes the adjustment)",
            )
        lots.append(lot)

    constraints_data = data.get("constraints", {})
    for section in ("restricted", "no_sell"):
        for position, symbol in enumerate(constraints_data.get(section, ())):
            known_symbol(symbol, ["constraints", section, position])
    reserve = {}
    for account_id, amount in constraints_data.get("cash_reserve", {}).items():
        place: list[str | int] = ["constraints", "cash_reserve", account_id]
        reserve[known_account(account_id, place)] = r.decimal(amount, place)
        if reserve[account_id] < 0:
            raise SchemaError(
                f"{reserve[account_id]} for account {account_id!r} must not be negative",
                file=r.source,
                row=json_path(place),
                field="cash_reserve",
            )
    constraints = r.build(
        Constraints,
        ["constraints"],
        fractional_shares=constraints_data.get("fractional_shares", False),
        restricted=constraints_data.get("restricted", ()),
        no_sell=constraints_data.get("no_sell", ()),
        cash_reserve=reserve,
        **r.decimals(
            constraints_data,
            ("min_trade", "max_security_weight", "max_sector_weight"),
            ["constraints"],
        ),
    )

    cash_flows = []
    for index, spec in enumerate(data.get("cash_flows", [])):
        path = ["cash_flows", index]
        cash_flows.append(
            r.build(
                CashFlow,
                path,
                account_id=known_account(spec["account_id"], [*path, "account_id"]),
                date=r.date(spec["date"], [*path, "date"]),
                amount=r.decimal(spec["amount"], [*path, "amount"]),
                kind=CashFlowKind(spec["kind"]),
            )
        )

    scheduled = []
    for index, spec in enumerate(data.get("scheduled_buys", [])):
        path = ["scheduled_buys", index]
        quantity = r.decimal(spec["quantity"], [*path, "quantity"])
        if quantity <= 0:
            raise r.fail([*path, "quantity"], f"{quantity} must be positive")
        scheduled.append(
            r.build(
                ScheduledBuy,
                path,
                date=r.date(spec["date"], [*path, "date"]),
                account_id=known_account(spec["account_id"], [*path, "account_id"]),
                symbol=known_symbol(spec["symbol"], [*path, "symbol"]),
                quantity=quantity,
                kind=spec["kind"],
            )
        )

    methods = {a.account_id: a.lot_method for a in accounts}
    transactions = []
    for index, spec in enumerate(data.get("recent_transactions", [])):
        path = ["recent_transactions", index]
        known_account(spec["account_id"], [*path, "account_id"])
        known_symbol(spec["symbol"], [*path, "symbol"])
        if spec.get("to_account_id") is not None:
            known_account(spec["to_account_id"], [*path, "to_account_id"])
        fields = dict(spec)
        fields.update(r.decimals(spec, _TRANSACTION_NUMBERS, path))
        for key in ("date", "donor_acquired"):
            if isinstance(spec.get(key), str):
                fields[key] = r.date(spec[key], [*path, key])
        try:
            transaction = transaction_from_fields(fields, file=r.source, row=index)
        except InputError as error:
            where = [*path, error.field] if error.field else path
            raise r.fail(where, error.message, error.hint) from None
        if transaction.action in _PRICED and transaction.price <= 0:
            raise r.fail([*path, "price"], f"{transaction.price} must be positive")
        if (
            transaction.action is Action.SELL
            and transaction.lot_id is None
            and methods[transaction.account_id] == "specific"
        ):
            raise r.fail(
                [*path, "lot_id"],
                f"is required: account {transaction.account_id!r} uses specific identification",
            )
        transactions.append(transaction)
    wash_sale = data.get("wash_sale", {})

    bands = r.build(
        Bands,
        ["bands"],
        **r.decimals(
            data.get("bands", {}),
            ("absolute", "relative", "outer_absolute", "outer_relative"),
            ["bands"],
        ),
    )
    for field in attrs.fields(Bands):
        if getattr(bands, field.name) < 0:
            raise r.fail(
                ["bands", field.name], f"{getattr(bands, field.name)} must not be negative"
            )
    for inner, outer in (("absolute", "outer_absolute"), ("relative", "outer_relative")):
        if getattr(bands, inner) > getattr(bands, outer):
            given = data.get("bands", {})
            raise r.fail(
                ["bands", inner if inner in given else outer],
                f"the inner band {inner} {getattr(bands, inner)} is wider than the outer band "
                f"{outer} {getattr(bands, outer)}"
                + ("" if inner in given and outer in given else " (the default)"),
            )
    costs = r.build(
        Costs,
        ["costs"],
        **r.decimals(
            data.get("costs", {}),
            (
                "commission_per_trade",
                "commission_per_share",
                "half_spread_bps",
                "impact_coefficient",
            ),
            ["costs"],
        ),
    )
    harvest = r.build(
        HarvestSettings,
        ["harvest"],
        **r.decimals(
            data.get("harvest", {}), ("min_loss_dollars", "min_loss_percent"), ["harvest"]
        ),
    )
    risk = _risk(data.get("risk", {}), classes, r)
    as_of = r.date(data["as_of"], ["as_of"]) if "as_of" in data else None
    return r.build(
        Household,
        [],
        household_id=data["household_id"],
        name=data.get("name", ""),
        as_of=as_of,
        horizon_years=data["horizon_years"],
        tax=tax,
        asset_classes=classes,
        targets=targets,
        options=options,
        accounts=accounts,
        securities=securities,
        lots=lots,
        bands=bands,
        constraints=constraints,
        costs=costs,
        cash_flows=cash_flows,
        harvest=harvest,
        tax_budget=r.optional_decimal(data, "tax_budget", ["tax_budget"]),
        recent_transactions=transactions,
        scheduled_buys=scheduled,
        same_sale_replacement=bool(wash_sale.get("same_sale_replacement", False)),
        risk=risk,
        source=r.source,
    )


def check_plan_date(household: Household, as_of: dt.date) -> None:
    """Refuse a plan date before a lot's purchase or a recent transaction.

    A plan for ``as_of`` cannot sell a lot bought later, nor look back on a trade
    that has not happened yet.

    Raises:
        SchemaError: naming the file, the lot (``lots[3]``) or transaction and its date.
    """
    for index, lot in enumerate(household.lots):
        if lot.purchased > as_of:
            raise SchemaError(
                f"lot {lot.lot_id!r} in account {lot.account_id!r} was bought {lot.purchased}, "
                f"after the plan date {as_of}",
                file=household.source,
                row=f"lots[{index}]",
                field="purchased",
                lot=lot.lot_id,
            )
    for index, transaction in enumerate(household.recent_transactions):
        if transaction.date > as_of:
            raise SchemaError(
                f"{transaction.action.value} of {transaction.symbol} in account "
                f"{transaction.account_id!r} on {transaction.date} is after the plan date {as_of}",
                file=household.source,
                row=f"recent_transactions[{index}]",
                field="date",
            )
    for index, buy in enumerate(household.scheduled_buys):
        if buy.date < as_of:
            raise SchemaError(
                f"scheduled buy of {buy.symbol} in account {buy.account_id!r} on {buy.date} is "
                f"before the plan date {as_of}",
                file=household.source,
                row=f"scheduled_buys[{index}]",
                field="date",
                hint="a buy that has happened belongs in recent_transactions",
            )


def _risk(data: Mapping[str, Any], classes: Mapping[str, AssetClass], r: _Reader) -> RiskSettings:
    """The ``risk`` section: every class it names must be an asset class."""

    def known(name: str, where: list[str | int]) -> str:
        if name not in classes:
            raise r.fail(
                where, f"unknown asset class {name!r}", hint="define it under asset_classes"
            )
        return name

    def matrix(key: str) -> dict[str, dict[str, Decimal]]:
        rows: dict[str, dict[str, Decimal]] = {}
        for first, row in data.get(key, {}).items():
            known(first, ["risk", key, first])
            rows[first] = {
                known(second, ["risk", key, first, second]): r.decimal(
                    value, ["risk", key, first, second]
                )
                for second, value in row.items()
            }
        return rows

    volatilities = {
        known(name, ["risk", "volatilities", name]): r.decimal(
            value, ["risk", "volatilities", name]
        )
        for name, value in data.get("volatilities", {}).items()
    }
    for name, value in volatilities.items():
        if value < 0:
            raise r.fail(
                ["risk", "volatilities", name], f"a volatility is not negative, got {value}"
            )
    correlations = matrix("correlations")
    for first, row in correlations.items():
        for second, value in row.items():
            if not -1 <= value <= 1:
                raise r.fail(
                    ["risk", "correlations", first, second],
                    f"a correlation lies in [-1, 1], got {value}",
                )
    return r.build(
        RiskSettings,
        ["risk"],
        covariance=matrix("covariance"),
        volatilities=volatilities,
        correlations=correlations,
        **r.decimals(data, ("risk_aversion",), ["risk"]),
    )


# --- writing --------------------------------------------------------------


def _text(value: Decimal) -> str:
    return format(value, "f")


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def household_to_dict(household: Household) -> dict[str, Any]:
    """The household as a JSON document that :func:`household_from_dict` reads back.

    Every decimal is a string; optional fields that are unset are left out.
    """

    def dec(value: Decimal | None) -> str | None:
        return None if value is None else _text(value)

    tax = household.tax
    document: dict[str, Any] = {
        "schema_version": 1,
        "household_id": household.household_id,
        "name": household.name or None,
        "as_of": household.as_of.isoformat() if household.as_of else None,
        "horizon_years": household.horizon_years,
        "tax": {
            "ordinary": dec(tax.ordinary),
            "qualified": dec(tax.qualified),
            "short_term": dec(tax.short_term),
            "state": dec(tax.state),
            "niit": dec(tax.niit),
            "withdrawal": dec(tax.withdrawal),
            "filing_status": tax.filing_status.value,
            "year_to_date": {
                "short_gain": dec(tax.year_to_date.short_gain),
                "long_gain": dec(tax.year_to_date.long_gain),
            },
            "carryforward": {
                "short": dec(tax.year_to_date.carryforward_short),
                "long": dec(tax.year_to_date.carryforward_long),
            },
        },
        "asset_classes": {
            name: {
                "expected_return": dec(c.expected_return),
                "ordinary_yield": dec(c.ordinary_yield),
                "qualified_yield": dec(c.qualified_yield),
                "tax_exempt_yield": dec(c.tax_exempt_yield),
                "turnover": dec(c.turnover),
                "foreign_tax_credit": dec(c.foreign_tax_credit),
                "state_exempt_yield": dec(c.state_exempt_yield),
                "in_state": c.in_state,
            }
            for name, c in household.asset_classes.items()
        },
        "targets": {name: dec(w) for name, w in household.targets.items()},
        "options": {
            "targets": household.options.targets.value,
            "tolerance": {k: dec(v) for k, v in household.options.tolerance.items()},
            "tax_unrealized_at_horizon": household.options.tax_unrealized_at_horizon,
        },
        "accounts": [
            _drop_none(
                {
                    "account_id": a.account_id,
                    "name": a.name or None,
                    "owner": a.owner or None,
                    "type": a.type.value,
                    "cash": dec(a.cash),
                    "menu": list(a.menu) if a.menu is not None else None,
                    "funds": list(a.funds) if a.funds is not None else None,
                    "bounds": {
                        k: {f: dec(v) for f, v in attrs_items(b) if v is not None}
                        for k, b in a.bounds.items()
                    }
                    or None,
                    "lot_method": a.lot_method,
                    "after_tax_basis": dec(a.after_tax_basis) if a.after_tax_basis else None,
                }
            )
            for a in household.accounts
        ],
        "securities": [
            _drop_none(
                {
                    "symbol": s.symbol,
                    "asset_class": s.asset_class,
                    "price": dec(s.price),
                    "identical_group": s.identical_group,
                    "substitutes": list(s.substitutes) or None,
                    "restricted": s.restricted or None,
                    "sector": s.sector,
                    "half_spread_bps": dec(s.half_spread_bps),
                    "adv": dec(s.adv),
                    "volatility": dec(s.volatility),
                }
            )
            for s in household.securities.values()
        ],
        "lots": [
            {
                "account_id": lot.account_id,
                "symbol": lot.symbol,
                "lot_id": lot.lot_id,
                "quantity": dec(lot.quantity),
                "purchased": lot.purchased.isoformat(),
                "acquired": lot.acquired.isoformat(),
                "cost_basis": dec(lot.cost_basis),
                "wash_sale_adjustment": dec(lot.wash_sale_adjustment),
                **lot_event_fields(lot, dec),
            }
            for lot in household.lots
        ],
        "bands": {f: dec(v) for f, v in attrs_items(household.bands)},
        "constraints": _drop_none(
            {
                "min_trade": dec(household.constraints.min_trade),
                "fractional_shares": household.constraints.fractional_shares,
                "restricted": list(household.constraints.restricted),
                "no_sell": list(household.constraints.no_sell),
                "max_security_weight": dec(household.constraints.max_security_weight),
                "max_sector_weight": dec(household.constraints.max_sector_weight),
                "cash_reserve": {k: dec(v) for k, v in household.constraints.cash_reserve.items()},
            }
        ),
        "costs": {f: dec(v) for f, v in attrs_items(household.costs)},
        "cash_flows": [
            {
                "account_id": f.account_id,
                "date": f.date.isoformat(),
                "amount": dec(f.amount),
                "kind": f.kind.value,
            }
            for f in household.cash_flows
        ],
        "harvest": {f: dec(v) for f, v in attrs_items(household.harvest)},
        "tax_budget": dec(household.tax_budget),
        "risk": {
            "covariance": {
                k: {j: dec(x) for j, x in row.items()}
                for k, row in household.risk.covariance.items()
            },
            "volatilities": {k: dec(x) for k, x in household.risk.volatilities.items()},
            "correlations": {
                k: {j: dec(x) for j, x in row.items()}
                for k, row in household.risk.correlations.items()
            },
            "risk_aversion": dec(household.risk.risk_aversion),
        },
        "recent_transactions": [
            _drop_none(
                {
                    "date": t.date.isoformat(),
                    "account_id": t.account_id,
                    "symbol": t.symbol,
                    "action": t.action.value,
                    "quantity": dec(t.quantity),
                    "price": dec(t.price),
                    "fees": dec(t.fees),
                    "lot_id": t.lot_id,
                    "cost_basis": None if t.cost_basis is None else dec(t.cost_basis),
                    **event_fields(t, dec),
                }
            )
            for t in household.recent_transactions
        ],
        "scheduled_buys": [
            {
                "date": b.date.isoformat(),
                "account_id": b.account_id,
                "symbol": b.symbol,
                "quantity": dec(b.quantity),
                "kind": b.kind,
            }
            for b in household.scheduled_buys
        ]
        or None,
        "wash_sale": ({"same_sale_replacement": True} if household.same_sale_replacement else None),
    }
    return _drop_none(document)


def lot_event_fields(lot: Lot, dec: Callable[[Decimal], str | None]) -> dict[str, Any]:
    """A lot's gift loss basis and inheritance flag, where it has them."""
    fields: dict[str, Any] = {}
    if lot.loss_basis is not None:
        fields["loss_basis"] = dec(lot.loss_basis)
    if lot.inherited:
        fields["inherited"] = True
    return fields


def event_fields(t: Transaction, dec: Callable[[Decimal], str | None]) -> dict[str, Any]:
    """The event columns of a recent transaction (``docs/formats.md``), the empty ones dropped."""

    def optional(value: Decimal | None) -> str | None:
        return None if value is None else dec(value)

    return {
        "ratio": None if t.ratio is None else f"{_text(t.ratio[0])}:{_text(t.ratio[1])}",
        "new_symbol": t.new_symbol,
        "cash_per_share": optional(t.cash_per_share),
        "amount_per_share": optional(t.amount_per_share),
        "basis_fraction": optional(t.basis_fraction),
        "to_account_id": t.to_account_id,
        "donor_basis": optional(t.donor_basis),
        "donor_acquired": None if t.donor_acquired is None else t.donor_acquired.isoformat(),
        "fmv": optional(t.fmv),
    }


def attrs_items(record: Any) -> list[tuple[str, Any]]:
    """``(field name, value)`` pairs of an attrs record."""
    import attrs

    return [(f.name, getattr(record, f.name)) for f in attrs.fields(type(record))]
