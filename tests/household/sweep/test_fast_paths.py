"""The sweep's fast paths give what the plain rules give, on good input and on bad.

Each fast path is checked against an independent plain reimplementation of the
rule it short-cuts (the code as it was before, kept here):

- loading: :func:`household.loader._clean` (one pass with no paths kept) stands
  in for :func:`household.loader._scan` and :func:`household.fastschema.plain_json`
  when it says yes; the loader then gives the same household, or the same error
  (file, row, field and message), as the old order of scan, compiled check and
  jsonschema, on the fixtures, on synthetic households and on documents mutated
  with bad values (floats, control and invisible characters, numbers out of
  range, nesting too deep, keys that are not text);
- numbers: :func:`household.strict.parse_decimal` and
  :func:`household.strict.check_decimal` against the full rule written out;
- text: :func:`household.strict.bad_character` against the character-by-character scan;
- JSON: :func:`household.reports._jsonable` against rounding then converting.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from household import loader, reports, strict
from household.errors import SchemaError
from household.fastschema import plain_json
from household.loader import household_from_dict, household_schema, read_json
from household.sweep.synthetic import household_document
from lots.records import Action, Term

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "households"
DOCUMENTS = [read_json(p) for p in sorted(FIXTURES.glob("*.json"))] + [
    household_document(5, lots=8),
]
REFERENCE = jsonschema.Draft202012Validator(household_schema())


# --- the references: the rules as they were written before the fast paths --------------


def old_from_dict(data: Any, source: str | None = None) -> Any:
    """household_from_dict before ``_clean``: scan, then compiled check or jsonschema."""
    problem = loader._scan(data)
    if problem is not None:
        where, message = problem
        raise SchemaError(
            message,
            file=source,
            row=loader.json_path(where),
            field=next((p for p in reversed(where) if isinstance(p, str)), None),
        )
    if plain_json(data) and loader._fast_check()(data):
        return loader._build(loader._normalised(data), loader._Reader(source))
    errors = list(REFERENCE.iter_errors(data))
    if errors:
        raise loader._schema_error(max(errors, key=lambda e: len(e.absolute_path)), source)
    return loader._build(loader._normalised(data), loader._Reader(source))


def outcome(function: Any, data: Any) -> tuple[str, Any]:
    try:
        return "household", function(data, source="f.json")
    except SchemaError as error:
        return "error", (str(error), error.file, error.row, error.field)


_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def old_check_decimal(value: Decimal, shown: object = None) -> Decimal:
    text = value if shown is None else shown
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if value != 0 and (value.adjusted() >= 12 or exponent < -15):
        raise ValueError(f"{text!r} is out of range (at most 10**12 in size and 15 decimal places)")
    return value


def old_parse_decimal(text: str) -> Decimal:
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a number ({strict._NUMBER_HINT})")
    exponent = re.search(r"[eE]([-+]?[0-9]+)$", stripped)
    if exponent and abs(int(exponent.group(1))) > 40:
        raise ValueError(f"{text!r} is out of range (at most 10**12 in size and 15 decimal places)")
    value = Decimal(stripped)
    if value == 0:
        return value
    return old_check_decimal(value, text)


def old_bad_character(text: str) -> str | None:
    bad = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    for position, char in enumerate(text, start=1):
        if char.isascii() and char.isprintable():
            continue
        if unicodedata.category(char) in bad:
            kind = (
                "a control character" if char < " " or char == "\x7f" else "an invisible character"
            )
            return f"{kind} (U+{ord(char):04X}) at position {position}"
    return None


def old_jsonable(column: str, value: Any) -> Any:
    value = reports.rounded(column, value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Action | Term):
        return value.value
    return value


def result(function: Any, *args: Any) -> tuple[str, str]:
    """What a function gives, comparable: its value's repr, or its error's type and text."""
    try:
        return "value", repr(function(*args))
    except (ValueError, ArithmeticError) as error:
        return type(error).__name__, str(error)


# --- loading ----------------------------------------------------------------------------


class Text(str):
    """A str subclass: plain_json lets it through, _clean sends it the slow way."""


def _nested(depth: int) -> Any:
    node: Any = "x"
    for _ in range(depth):
        node = [node]
    return node


BAD_VALUES = st.sampled_from(
    [
        1.5,
        0.0,
        10**12,
        -(10**12),
        10**12 - 1,
        Decimal("1e-16"),
        Decimal("1.0000000000000000"),  # 16 places written, 0 once normalised: accepted
        Decimal("1E+12"),
        Decimal("999999999999.5"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        Decimal("0E-30"),
        "VT\x00I",
        "zero\u200bwidth",
        "no\u00a0break",  # a no-break space: not printable, yet not refused
        "line\u2028separator",
        "caf\u00e9",
        "tab\there",
        Text("VTI"),
        (1, 2),
        _nested(31),
        _nested(40),
        {"VT\x01": "1"},
        {1: "1"},
        {Text("k"): "1"},
    ]
)
GOOD_VALUES = st.sampled_from(["0.3", "2026-01-01", "taxable", "1,000", "", None, True, 3])


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _mutated(document: Any, where: int, action: str, value: Any) -> Any:
    document = copy.deepcopy(document)
    paths = _paths(document)[1:]
    path = paths[where % len(paths)]
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "key" and isinstance(parent, dict):
        parent[value if isinstance(value, str | int) else "VT\x7f"] = parent.pop(last)
    elif isinstance(parent, list):
        parent.insert(last, value)
    else:
        parent[f"extra{where}"] = value
    return document


@pytest.mark.parametrize("index", range(len(DOCUMENTS)))
def test_the_fixtures_are_clean(index: int) -> None:
    """Every good file takes the fast path (else it would speed nothing up)."""
    assert loader._clean(DOCUMENTS[index])
    assert outcome(household_from_dict, DOCUMENTS[index]) == outcome(
        old_from_dict, DOCUMENTS[index]
    )


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(0, len(DOCUMENTS) - 1),
    where=st.integers(0, 10_000),
    action=st.sampled_from(["replace", "add", "key"]),
    value=BAD_VALUES | GOOD_VALUES,
)
def test_loading_agrees_with_the_old_order(index: int, where: int, action: str, value: Any) -> None:
    document = _mutated(DOCUMENTS[index], where, action, value)
    if loader._clean(document):  # sound: nothing the scan refuses, and plain JSON
        assert loader._scan(document) is None
        assert plain_json(document)
    assert outcome(household_from_dict, document) == outcome(old_from_dict, document)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), lots=st.integers(1, 30))
def test_synthetic_households_load_alike(seed: int, lots: int) -> None:
    document = household_document(seed, lots=lots)
    assert loader._clean(document)
    kind, household = outcome(household_from_dict, document)
    assert kind == "household"
    assert (kind, household) == outcome(old_from_dict, document)
    assert len(household.lots) == lots


def test_a_float_and_a_control_character_keep_their_messages() -> None:
    # The first problem in document order names its path, as before: the float in
    # lots[1].quantity comes after the NUL in lots[0].lot_id.
    document = copy.deepcopy(DOCUMENTS[-1])
    document["lots"][0]["lot_id"] = "L\x000"
    document["lots"][1]["quantity"] = 1.5
    assert not loader._clean(document)
    with pytest.raises(SchemaError) as caught:
        household_from_dict(document, source="f.json")
    assert str(caught.value) == (
        "f.json:lots[0].lot_id: lot_id: holds a control character (U+0000) at position 2"
    )


def test_nesting_of_exactly_the_limit_is_clean_and_one_more_is_not() -> None:
    # A value at path length 32 is allowed, at 33 refused (loader.MAX_DEPTH): "x" under
    # "a" and 31 lists is at 1 + 31 = 32, under 32 lists at 33.
    assert loader._scan({"a": _nested(31)}) is None and loader._clean({"a": _nested(31)})
    assert loader._scan({"a": _nested(32)}) is not None and not loader._clean({"a": _nested(32)})


# --- numbers and text -------------------------------------------------------------------

NUMBER_TEXT = st.from_regex(
    r"\A[ ]?[-+]?[0-9]{0,16}(\.[0-9]{0,18})?([eE][-+]?[0-9]{1,3})?[ ]?\Z", fullmatch=True
) | st.sampled_from(["1,000", "NaN", "1_000", "", " ", "\u0661", "12.", ".5", "-0", "1e41"])


@settings(max_examples=400, deadline=None)
@given(text=NUMBER_TEXT)
def test_parse_decimal_is_the_full_rule(text: str) -> None:
    assert result(strict.parse_decimal, text) == result(old_parse_decimal, text)


def test_parse_decimal_by_hand() -> None:
    # 12 digits before the point is the fast path's widest; 13 is 10**12 or more.
    assert strict.parse_decimal("999999999999.999999999999999") == Decimal(
        "999999999999.999999999999999"
    )
    with pytest.raises(ValueError, match="out of range"):
        strict.parse_decimal("1000000000000")
    with pytest.raises(ValueError, match="out of range"):
        strict.parse_decimal("0.0000000000000001")  # 16 places
    assert str(strict.parse_decimal("1.50")) == "1.50"  # written places kept


DECIMALS = (
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.decimals(min_value=-(10**13), max_value=10**13, places=17)
    | st.builds(
        lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
        st.integers(-(10**30), 10**30),
        st.integers(-40, 20),
    )
)


@settings(max_examples=400, deadline=None)
@given(value=DECIMALS)
def test_check_decimal_is_the_full_rule(value: Decimal) -> None:
    try:
        expected = result(old_check_decimal, value)
    except InvalidOperation:  # pragma: no cover - normalize on a signalling NaN
        return
    assert result(strict.check_decimal, value) == expected


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=12) | st.text(st.characters(max_codepoint=0x3000), max_size=12))
def test_bad_character_is_the_character_scan(text: str) -> None:
    assert strict.bad_character(text) == old_bad_character(text)


# --- JSON -------------------------------------------------------------------------------

COLUMNS = st.sampled_from(["price", "quantity", "weight_after", "notional", "rank", "target"])
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.text(max_size=3),
    st.decimals(min_value=-(10**9), max_value=10**9, places=10),
    st.just(Decimal("-0.000000001")),  # rounds to a signless zero
    st.dates(),
    st.sampled_from(list(Action) + list(Term)),
)


@settings(max_examples=400, deadline=None)
@given(column=COLUMNS, value=CELLS)
def test_jsonable_rounds_then_converts(column: str, value: Any) -> None:
    assert repr(reports._jsonable(column, value)) == repr(old_jsonable(column, value))


def test_jsonable_by_hand() -> None:
    # Money to cents half-even (2.675 -> 2.68 and 2.665 -> 2.66: a 5 rounds to the even
    # digit), a quantity to at most 6 places (1.2345675 -> 1.234568, 1.0000004 -> 1, its
    # trailing zeros dropped), anything else a weight to 6; a tiny negative is a plain zero.
    assert reports._jsonable("price", Decimal("2.675")) == "2.68"
    assert reports._jsonable("price", Decimal("2.665")) == "2.66"
    assert reports._jsonable("quantity", Decimal("1.2345675")) == "1.234568"
    assert reports._jsonable("quantity", Decimal("1.0000004")) == "1"
    assert reports._jsonable("weight_after", Decimal("-0.0000001")) == "0.000000"
    assert reports._jsonable("rank", 3) == 3


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.dictionaries(COLUMNS, CELLS, max_size=4), max_size=3))
def test_json_rows_convert_every_cell_alike(rows: list[dict[str, Any]]) -> None:
    expected = [
        {column: old_jsonable(column, value) for column, value in row.items()} for row in rows
    ]
    assert repr(reports.json_rows(rows)) == repr(expected)


# --- the plan's records: sums and indexes worked out once ---------------------------------


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), lots=st.integers(0, 40))
def test_lots_per_account_and_holding_sums_are_the_plain_ones(seed: int, lots: int) -> None:
    from household.plan import snapshot

    household = household_from_dict(household_document(seed, lots=lots))
    for account in household.accounts:
        plain = tuple(lot for lot in household.lots if lot.account_id == account.account_id)
        assert household.lots_in(account.account_id) == plain
    assert household.lots_in("no such account") == ()
    taken, _ = snapshot.take(household, household.as_of)
    for account in taken.accounts:
        for holding in account.holdings:
            assert holding.quantity == sum((lot.quantity for lot in holding.lots), Decimal(0))
            assert holding.cost_basis == sum((lot.cost_basis for lot in holding.lots), Decimal(0))
            price = holding.price
            assert holding.value == (holding.quantity * price if price is not None else 0)
