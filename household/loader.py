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
    Security,
    TargetBasis,
    TaxProfile,
)
from lots.errors import InputError
from lots.events import transaction_from_fields
from lots.numbers import to_decimal
from lots.records import AccountType, Lot, Transaction

__all__ = [
    "TARGET_SUM_TOLERANCE",
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


def read_json(path: str | Path) -> Any:
    """Decode a JSON file exactly (numbers with a fraction become ``Decimal``).

    Raises:
        SchemaError: when the file cannot be read or is not JSON (``row`` is ``line N``).
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SchemaError(f"cannot read the file: {error.strerror}", file=name) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise SchemaError(
            f"not valid JSON: {error.msg} (column {error.colno})",
            file=name,
            row=f"line {error.lineno}",
        ) from None


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
    elif error.validator == "anyOf":
        message = f"{error.instance!r} is not a number (give a JSON number or a decimal string)"
        if any("maximum" in str(sub.schema) for sub in error.context or ()):
            message = f"{error.instance!r} is not a rate between 0 and 1"
    if len(message) > 160:
        message = message[:157] + "..."
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
            return to_decimal(value)
        except (TypeError, ValueError) as error:
            raise self.fail(path, str(error)) from None

    def optional_decimal(self, data: Mapping[str, Any], key: str, path: Sequence[str | int]) -> Any:
        return None if data.get(key) is None else self.decimal(data[key], [*path, key])

    def decimals(
        self, data: Mapping[str, Any], keys: Iterable[str], path: Sequence[str | int]
    ) -> dict[str, Decimal]:
        """The given keys of ``data`` that are present, as Decimals (for ``**kwargs``)."""
        return {k: self.decimal(data[k], [*path, k]) for k in keys if k in data}

    def date(self, value: str, path: Sequence[str | int]) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"{value!r} is not a date (YYYY-MM-DD)") from None

    def build(self, factory: Callable[..., T], path: Sequence[str | int], **kwargs: Any) -> T:
        try:
            return factory(**kwargs)
        except (TypeError, ValueError) as error:
            message = str(error)
            field = next((k for k in kwargs if message.startswith(k + " ")), None)
            raise self.fail([*path, field] if field else path, message) from None


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
    floats = _find_float(data, [])
    if floats is not None:
        raise SchemaError(
            "is a float; decode the file with parse_float=Decimal or give a string",
            file=source,
            row=json_path(floats),
            field=next((p for p in reversed(floats) if isinstance(p, str)), None),
        )
    errors = list(_validator().iter_errors(data))
    if errors:
        # The deepest path is the most specific; anyOf alternatives are not descended
        # into (the "decimal" and "rate" definitions say what they want in words).
        raise _schema_error(max(errors, key=lambda e: len(e.absolute_path)), source)
    return _build(data, _Reader(source))


def _find_float(value: Any, path: list[str | int]) -> list[str | int] | None:
    if isinstance(value, float):
        return path
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _find_float(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_float(item, [*path, index])
            if found is not None:
                return found
    return None


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
    tax = r.build(
        TaxProfile,
        ["tax"],
        **r.decimals(
            data["tax"],
            ("ordinary", "qualified", "short_term", "state", "niit", "withdrawal"),
            ["tax"],
        ),
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
        )
        classes[name] = r.build(AssetClass, path, name=name, **r.decimals(spec, fields, path))

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
            )
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
        lots.append(
            r.build(
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
        )

    constraints_data = data.get("constraints", {})
    for section in ("restricted", "no_sell"):
        for position, symbol in enumerate(constraints_data.get(section, ())):
            known_symbol(symbol, ["constraints", section, position])
    reserve = {}
    for account_id, amount in constraints_data.get("cash_reserve", {}).items():
        place: list[str | int] = ["constraints", "cash_reserve", account_id]
        reserve[known_account(account_id, place)] = r.decimal(amount, place)
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

    transactions = []
    for index, spec in enumerate(data.get("recent_transactions", [])):
        path = ["recent_transactions", index]
        known_account(spec["account_id"], [*path, "account_id"])
        known_symbol(spec["symbol"], [*path, "symbol"])
        if spec.get("to_account_id") is not None:
            known_account(spec["to_account_id"], [*path, "to_account_id"])
        try:
            transaction = transaction_from_fields(spec, file=r.source, row=index)
        except InputError as error:
            where = [*path, error.field] if error.field else path
            raise r.fail(where, error.message, error.hint) from None
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
        same_sale_replacement=bool(wash_sale.get("same_sale_replacement", False)),
        source=r.source,
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
        },
        "asset_classes": {
            name: {
                "expected_return": dec(c.expected_return),
                "ordinary_yield": dec(c.ordinary_yield),
                "qualified_yield": dec(c.qualified_yield),
                "tax_exempt_yield": dec(c.tax_exempt_yield),
                "turnover": dec(c.turnover),
                "foreign_tax_credit": dec(c.foreign_tax_credit),
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
                    "bounds": {
                        k: {f: dec(v) for f, v in attrs_items(b) if v is not None}
                        for k, b in a.bounds.items()
                    }
                    or None,
                    "lot_method": a.lot_method,
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
    """The event columns of a recent transaction (``FORMATS.md``), the empty ones dropped."""

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
