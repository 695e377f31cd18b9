"""Editing a household document by path: ``--set tax.ordinary=0.35``.

A path is dot-separated keys with list indices in brackets:
``tax.ordinary``, ``targets.bonds``, ``accounts[0].lot_method``,
``harvest.min_loss_dollars``. An index may also be an item's id:
``accounts[joint].cash`` is the account whose ``account_id`` is ``joint``
(``securities[VTI].price`` by ``symbol``).

The path must exist in the document, with one allowance: a key the household
schema defines at that place may be added where the file leaves it out (its
default applies otherwise), so ``harvest.min_loss_dollars`` can be set in a
file that has no ``harvest`` section. ``targets.gold`` in a file without a
``gold`` target is refused: targets are the file's own keys.

The value is read as JSON where it parses (``0.35`` is the decimal 0.35, never
a float; ``true``, ``null``, ``["a", "b"]``), else as text (``hifo``).

After every edit the document is validated again, exactly as a file is; an
edit that makes it invalid is bad input naming the ``--set`` and the problem::

    >>> document = {"tax": {"ordinary": "0.32"}, "accounts": [{"account_id": "joint", "cash": 0}]}
    >>> edited = apply_edits(document, [parse_edit("tax.ordinary=0.35")], validate=False)
    >>> edited["tax"]["ordinary"], document["tax"]["ordinary"]
    (Decimal('0.35'), '0.32')
    >>> apply_edits(document, [parse_edit("accounts[joint].cash=500")], validate=False)["accounts"]
    [{'account_id': 'joint', 'cash': 500}]
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from household.errors import SchemaError

__all__ = ["Edit", "apply_edits", "parse_edit", "parse_path"]

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)")
_ID_KEYS = ("account_id", "symbol", "lot_id", "household_id")


@attrs.frozen
class Edit:
    """One ``--set PATH=VALUE``.

    Attributes:
        text: as given.
        path: the parsed path (keys and indices; an index may be an id).
        value: the new value.
    """

    text: str
    path: tuple[str | int, ...]
    value: Any

    @property
    def path_text(self) -> str:
        """The path as given (before ``=``)."""
        return self.text.split("=", 1)[0].strip()


def _bad(text: str, message: str) -> SchemaError:
    return SchemaError(f"--set {text}: {message}", field=text.split("=", 1)[0].strip())


def parse_path(text: str) -> tuple[str | int, ...]:
    """``accounts[0].lot_method`` -> ``("accounts", 0, "lot_method")``; ``[joint]`` stays text.

    Raises:
        SchemaError: for a path that is not keys and bracketed indices.
    """
    parts: list[str | int] = []
    for segment in text.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise _bad(text, f"{segment!r} is not a key or key[index]")
        parts.append(match.group(1))
        for index in re.findall(r"\[([^\]]+)\]", match.group(2)):
            parts.append(int(index) if index.lstrip("-").isdigit() else f"[{index}]")
    return tuple(parts)


def parse_edit(text: str) -> Edit:
    """``PATH=VALUE`` as an :class:`Edit`.

    Raises:
        SchemaError: without ``=`` or with a bad path.
    """
    if "=" not in text:
        raise _bad(text, "give PATH=VALUE")
    path_text, raw = text.split("=", 1)
    path = parse_path(path_text.strip())
    try:
        value: Any = json.loads(raw, parse_float=Decimal)
    except ValueError:
        value = raw
    return Edit(text, path, value)


def _schema_at(schema: Mapping[str, Any] | None, key: str | int, root: Mapping[str, Any]) -> Any:
    """The sub-schema under ``key`` (``None`` where the schema does not define it)."""
    if schema is None:
        return None
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].split("/")[-1]]
    if isinstance(key, int):
        return schema.get("items")
    properties = schema.get("properties", {})
    if key in properties:
        return properties[key]
    return None


def _item_index(items: Sequence[Any], label: str) -> int | None:
    wanted = label[1:-1]
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and any(item.get(k) == wanted for k in _ID_KEYS):
            return index
    return None


def _set(document: Any, edit: Edit, root_schema: Mapping[str, Any] | None) -> None:
    node = document
    schema: Any = root_schema
    walked = ""
    for position, key in enumerate(edit.path):
        last = position == len(edit.path) - 1
        if isinstance(key, str) and key.startswith("["):
            if not isinstance(node, list):
                raise _bad(edit.text, f"{walked or '$'} is not a list")
            found = _item_index(node, key)
            if found is None:
                raise _bad(edit.text, f"{walked}{key} does not exist (no item with that id)")
            key = found
        if isinstance(key, int):
            if not isinstance(node, list):
                raise _bad(edit.text, f"{walked or '$'} is not a list")
            if not -len(node) <= key < len(node):
                raise _bad(edit.text, f"{walked}[{key}] does not exist ({len(node)} items)")
            walked += f"[{key}]"
        else:
            if not isinstance(node, dict):
                raise _bad(edit.text, f"{walked or '$'} has no keys")
            walked += f".{key}" if walked else key
            if key not in node:
                if root_schema is None or _schema_at(schema, key, root_schema) is None:
                    raise _bad(edit.text, f"{walked} does not exist")
                if not last:
                    node[key] = {}
        if root_schema is not None:
            schema = _schema_at(schema, key, root_schema)
        if last:
            node[key] = edit.value
        else:
            node = node[key]


def apply_edits(
    document: Mapping[str, Any],
    edits: Sequence[Edit],
    *,
    source: str | None = None,
    validate: bool = True,
) -> dict[str, Any]:
    """A copy of ``document`` with the edits applied (and validated, by default).

    Raises:
        SchemaError: for a path that does not exist, or an edited document that
            is not a valid household (the message names the ``--set``).
    """
    from household.loader import household_from_dict, household_schema

    edited: dict[str, Any] = copy.deepcopy(dict(document))
    schema = household_schema() if validate else None
    for edit in edits:
        _set(edited, edit, schema)
    if validate and edits:
        try:
            household_from_dict(edited, source=source)
        except SchemaError as error:
            given = " ".join(f"--set {e.text}" for e in edits)
            raise SchemaError(
                f"{given}: makes the household invalid: {error.message}",
                file=source,
                row=error.row,
                field=error.field,
            ) from None
    return edited
