"""The fast JSON writer of ``wash-sales``/``gains`` prints what ``json.dump(indent=2)`` prints.

``household.cli.lots.json_text`` replaces ``household.render.print_json``'s
pure-Python ``json`` encoder for speed only; here both run on random documents
of the values these commands print (nested dicts and lists, strings with
non-ASCII and control characters, Decimals, dates, enums, bools, ints, None),
and must give the same text, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from household.cli.lots import json_text
from household.render import to_jsonable
from lots.records import Term

_SCALARS = st.one_of(
    st.text(max_size=8),
    st.booleans(),
    st.none(),
    st.integers(-(10**20), 10**20),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, max_value=10**9, min_value=-(10**9)
    ),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(list(Term)),
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_DOCUMENTS)
def test_json_text_is_json_dump_indent_2(document: object) -> None:
    assert json_text(document) == json.dumps(to_jsonable(document), indent=2)


def test_json_text_by_hand() -> None:
    document = {"rows": [{"sale_date": dt.date(2026, 3, 10), "gain": Decimal("1.50")}], "x": {}}
    assert json_text(document) == (
        '{\n  "rows": [\n    {\n      "sale_date": "2026-03-10",\n      "gain": "1.5"\n'
        '    }\n  ],\n  "x": {}\n}'
    )
