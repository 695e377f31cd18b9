"""The compiled schema check is never less strict than jsonschema, and loading stays exact.

The loader answers "valid" from the compiled check (:mod:`household.fastschema`)
and asks :mod:`jsonschema` only when that check says no. That is only safe if
the compiled check never accepts what jsonschema rejects: tested here on every
fixture and on documents mutated at random places with random JSON values.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from household.fastschema import compile_check, plain_json
from household.loader import household_from_dict, household_schema, household_to_dict, read_json
from household.sweep.synthetic import household_document

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "households"
DOCUMENTS = [read_json(p) for p in sorted(FIXTURES.glob("*.json"))] + [
    household_document(3, lots=8),
    household_to_dict(household_from_dict(household_document(4, lots=8))),
]
CHECK = compile_check(household_schema())
REFERENCE = jsonschema.Draft202012Validator(household_schema())


@pytest.mark.parametrize("index", range(len(DOCUMENTS)))
def test_the_fixtures_take_the_fast_path(index: int) -> None:
    document = DOCUMENTS[index]
    assert plain_json(document)
    assert CHECK(document) and REFERENCE.is_valid(document)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([Decimal("0.5"), Decimal("-1"), Decimal("1.5"), Decimal("1E+2")])
    | st.sampled_from(
        ["", "x", "0.3", "-1", "2026-02-30", "2026-01-01", "taxable", "fifo", "1,000"]
    ),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["a", "type"]), inner, max_size=2)
    ),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(0, len(DOCUMENTS) - 1),
    where=st.integers(0, 10_000),
    action=st.sampled_from(["replace", "delete", "add"]),
    value=JSON_VALUES,
)
def test_the_compiled_check_is_never_less_strict(
    index: int, where: int, action: str, value: Any
) -> None:
    document = copy.deepcopy(DOCUMENTS[index])
    paths = _paths(document)[1:]
    path = paths[where % len(paths)]
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    if action == "replace":
        parent[path[-1]] = value
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["unknown_field"] = value
    else:
        parent.append(value)
    if CHECK(document):
        assert REFERENCE.is_valid(document), path


def test_booleans_are_not_numbers_in_constants() -> None:
    document = copy.deepcopy(DOCUMENTS[0])
    document["schema_version"] = True  # True == 1 in Python, not in JSON Schema
    assert not CHECK(document) and not REFERENCE.is_valid(document)


def test_not_plain_json_goes_the_slow_way() -> None:
    assert not plain_json({"a": [1, 0.5]})
    assert not plain_json({"a": (1, 2)})
    assert not plain_json({1: "a"})
    assert plain_json({"a": [1, Decimal("0.5"), None, True, {"b": "c"}]})
