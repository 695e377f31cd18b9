"""A fast yes-or-no check of a household document against its JSON Schema.

:mod:`jsonschema` takes about 0.2 s to validate a household of 150 lots: it
interprets the schema node by node, resolving every ``$ref`` and trying every
``anyOf`` branch. Loading thousands of households in a sweep needs it under a
few milliseconds. This module compiles the same schema once per process into
Python code (:mod:`fastjsonschema`) and answers only "valid or not"; the loader
keeps :mod:`jsonschema` for the message when the answer is no. So validation
is never weakened as long as this check is *at least as strict* as
:mod:`jsonschema` (it may be stricter: then the loader asks :mod:`jsonschema`,
and its verdict stands). Tests check the two agree on the fixtures and on
mutated documents (``tests/household/sweep/test_loading.py``).

Before compiling, the schema is rewritten into an equivalent one that compiles
to faster code:

- every ``$ref`` is inlined (the schema has no recursion), so no function call
  and no error-path string is built per value;
- ``anyOf`` whose branches each test one different type with keywords of that
  type only is merged into one node: ``anyOf: [{type: number, minimum: 0},
  {type: string, pattern: P}]`` is ``{type: [number, string], minimum: 0,
  pattern: P}``, since ``minimum`` applies to numbers only and ``pattern`` to
  strings only (JSON Schema 2020-12, section 7.6);
- ``const`` and ``enum`` of numbers also refuse booleans, and of booleans refuse
  numbers (in Python ``True == 1``, where JSON Schema keeps them apart).

And before the compiled check, :func:`plain_json` makes sure the document holds
only what a JSON decoder gives (dicts with text keys, lists, text, ints,
``Decimal``, booleans, ``None``): anything else (a tuple, a float) goes the slow
way, where the loader's own messages apply.

    >>> check = compile_check({"type": "object", "properties": {"n": {"const": 1}}})
    >>> check({"n": 1}), check({"n": True}), check({"n": 2})
    (True, False, False)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

__all__ = ["compile_check", "flatten", "plain_json"]

_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})
_KEYWORDS_OF = {
    "number": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}),
    "integer": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}),
    "string": frozenset({"pattern", "minLength", "maxLength"}),
}
_SCALARS = (str, int, Decimal, type(None))  # bool is an int


def _merge_any_of(branches: list[Any]) -> dict[str, Any] | None:
    """One node equivalent to ``anyOf`` of single-type branches, or ``None``."""
    types = [b.get("type") if isinstance(b, Mapping) else None for b in branches]
    if not all(isinstance(t, str) and t in _KEYWORDS_OF for t in types):
        return None
    if len(set(types)) != len(types) or {"number", "integer"} <= set(types):
        return None
    merged: dict[str, Any] = {"type": types}
    for branch in branches:
        for key, value in branch.items():
            if key == "type":
                continue
            if key not in _KEYWORDS_OF[branch["type"]] or key in merged:
                return None
            merged[key] = value
    return merged


def _strict_constants(node: dict[str, Any]) -> dict[str, Any]:
    values = [node["const"]] if "const" in node else list(node.get("enum", ()))
    numbers = any(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in values)
    booleans = any(isinstance(v, bool) for v in values)
    if numbers and not booleans:
        return {"allOf": [node, {"not": {"type": "boolean"}}]}
    if booleans and not numbers:
        return {"allOf": [node, {"not": {"type": "number"}}]}
    return node


def flatten(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema rewritten as the module docstring says (``$ref`` inlined, ``anyOf`` merged)."""
    definitions = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            reference = node["$ref"]
            assert reference.startswith("#/$defs/"), reference
            target = walk(definitions[reference.split("/")[-1]])
            rest = {
                key: walk(value)
                for key, value in node.items()
                if key != "$ref" and key not in _ANNOTATIONS
            }
            return {"allOf": [target, rest]} if rest else target
        result = {
            key: walk(value)
            for key, value in node.items()
            if key not in ("$defs", "$schema", "$id")
            and not (key in _ANNOTATIONS and not isinstance(value, Mapping))
        }
        if set(result) == {"anyOf"}:
            merged = _merge_any_of(result["anyOf"])
            if merged is not None:
                return merged
        if "const" in result or "enum" in result:
            return _strict_constants(result)
        return result

    flat: dict[str, Any] = walk(schema)
    return flat


def compile_check(schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """A function ``document -> bool``: ``True`` only for a document the schema accepts."""
    import fastjsonschema

    validate = fastjsonschema.compile(flatten(schema), use_formats=False)
    error = fastjsonschema.JsonSchemaValueException

    def check(document: Any) -> bool:
        try:
            validate(document)
        except error:
            return False
        return True

    return check


def plain_json(document: Any) -> bool:
    """Whether ``document`` holds only what a JSON decoder (``parse_float=Decimal``) gives."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if type(key) is not str:
                    return False
                if isinstance(value, dict | list):
                    stack.append(value)
                elif not isinstance(value, _SCALARS):
                    return False
        elif isinstance(node, list):
            for value in node:
                if isinstance(value, dict | list):
                    stack.append(value)
                elif not isinstance(value, _SCALARS):
                    return False
        elif not isinstance(node, _SCALARS):
            return False
    return True
