"""Two plans side by side, each difference measured and explained in words.

:func:`compare` takes two plans (a :class:`household.plan.Plan`, or its JSON
document) and returns a :class:`Comparison` of:

- the after-tax value at the horizon (``summary.after_tax_value``: the
  post-trade household by the optimiser's own growth factors, see
  :func:`household.plan.pipeline.after_tax_value`; "not available" for a plan
  document from before the planner reported it);
- the tax now, short-term, long-term and in total (``tax_impact``);
- the trading cost (``summary.cost``);
- the tracking error before and after (``summary.tracking_error_before`` and
  ``_after``: fractions under the household's covariance, see
  :func:`household.plan.pipeline.tracking_errors`; "not available" for older
  plan documents);
- the trades (``summary.trades``) and the location after the trades, per account
  and class (``location[].value_after``);
- the trades that differ, keyed by account, symbol and side.

It reads the plans' JSON documents only, so it works on plans from any version
of the planner that keeps those sections and fields. Differences are always
``b - a``. A metric that is the same on both sides, a location cell that holds
the same dollars and a trade of the same quantity are not differences, so a
household compared with itself has none.

Worked example: plan A pays $1,000 of short-term tax now and $300 of trading
cost; plan B pays $400 and $350. The differences are tax now short ``-600.00``
and trading cost ``50.00``, and the explanation says that B pays $600.00 less
tax now and $50.00 more in trading costs, a net $550.00 in B's favour this year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METRICS", "Comparison", "Difference", "compare", "side_facts"]

#: (name, label, where it is read): the metrics compared, in order.
METRICS: tuple[tuple[str, str], ...] = (
    ("after_tax_value", "after-tax value at the horizon"),
    ("tax_now_short", "tax now, short-term"),
    ("tax_now_long", "tax now, long-term"),
    ("tax_now", "tax now, total"),
    ("trading_cost", "trading cost"),
    ("tracking_error_before", "tracking error before"),
    ("tracking_error_after", "tracking error after"),
    ("trades", "trades"),
)
_CENT = Decimal("0.01")


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


@attrs.frozen
class Difference:
    """One thing that differs between plan A and plan B.

    Attributes:
        section: ``metric``, ``location`` or ``trade``.
        name: the metric's name; ``ACCOUNT/CLASS`` for location;
            ``ACCOUNT/SYMBOL/SIDE`` for a trade.
        a: A's value (``None``: absent in A; for a trade, its quantity).
        b: B's value.
        difference: ``b - a`` (absent counts as zero for location and trades;
            ``None`` where a metric is not available on one side).
        explanation: one sentence.
    """

    section: str
    name: str
    a: Decimal | None
    b: Decimal | None
    difference: Decimal | None
    explanation: str

    def to_json_dict(self) -> dict[str, Any]:
        """Decimals as strings."""

        def text(value: Decimal | int | None) -> str | int | None:
            return value if value is None or isinstance(value, int) else format(value, "f")

        return {
            "section": self.section,
            "name": self.name,
            "a": text(self.a),
            "b": text(self.b),
            "difference": text(self.difference),
            "explanation": self.explanation,
        }


def side_facts(document: Mapping[str, Any]) -> dict[str, Any]:
    """The compared facts of one plan document (``None``: not available)."""
    summary = document["summary"]
    tax = {row.get("term"): row for row in document.get("tax_impact", [])}

    def tax_of(term: str) -> Decimal | None:
        return _decimal(tax.get(term, {}).get("estimated_tax"))

    facts: dict[str, Any] = {
        "household_id": summary.get("household_id"),
        "as_of": summary.get("as_of"),
        "kind": summary.get("kind"),
        "status": summary.get("status"),
        "after_tax_value": _decimal(summary.get("after_tax_value")),
        "tax_now_short": tax_of("short"),
        "tax_now_long": tax_of("long"),
        "tax_now": tax_of("total") if "total" in tax else _decimal(summary.get("tax")),
        "trading_cost": _decimal(summary.get("cost")),
        "tracking_error_before": _decimal(summary.get("tracking_error_before")),
        "tracking_error_after": _decimal(summary.get("tracking_error_after")),
        "trades": int(summary.get("trades", len(document.get("trades", [])))),
    }
    return facts


def _location(document: Mapping[str, Any]) -> dict[str, Decimal]:
    return {
        f"{row['account_id']}/{row['asset_class']}": Decimal(str(row["value_after"]))
        for row in document.get("location", [])
    }


def _trades(document: Mapping[str, Any]) -> dict[str, tuple[Decimal, Decimal]]:
    """``ACCOUNT/SYMBOL/SIDE`` -> (quantity, notional), summed over the blotter's lines."""
    result: dict[str, tuple[Decimal, Decimal]] = {}
    for row in document.get("trades", []):
        key = f"{row['account_id']}/{row['symbol']}/{row['side']}"
        quantity, notional = result.get(key, (Decimal(0), Decimal(0)))
        result[key] = (
            quantity + Decimal(str(row["quantity"])),
            notional + Decimal(str(row["notional"])),
        )
    return result


def _money(value: Decimal) -> str:
    return f"${abs(value).quantize(_CENT):,}"


def _metric_sentence(name: str, label: str, a: Any, b: Any) -> tuple[Decimal | None, str]:
    if a is None or b is None:
        missing = "either plan" if a is None and b is None else ("A" if a is None else "B")
        return None, f"The {label} is not available for {missing} (the planner does not report it)."
    delta: Decimal = b - a
    if name == "trades":
        return delta, f"B makes {abs(delta)} {'more' if delta > 0 else 'fewer'} trades than A."
    if name.startswith("tracking_error"):
        direction = "higher" if delta > 0 else "lower"
        return delta, f"The {label} is {abs(delta)} {direction} in B ({b} against {a})."
    if name == "after_tax_value":
        direction = "more" if delta > 0 else "less"
        return delta, f"B is worth {_money(delta)} {direction} after tax at the horizon than A."
    if name.startswith("tax_now"):
        direction = "higher" if delta > 0 else "lower"
        return delta, f"B's {label} is {_money(delta)} {direction} than A's ({b} against {a})."
    direction = "more" if delta > 0 else "less"
    return delta, f"B's {label} is {_money(delta)} {direction} than A's ({b} against {a})."


@attrs.frozen
class Comparison:
    """Plan A against plan B (see the module docstring).

    Attributes:
        a: A's facts (:func:`side_facts`), plus ``edits`` where B is an edited A.
        b: B's facts.
        differences: what differs, metrics first, then location, then trades.
        explanation: the differences in a few sentences.
        location: every location cell as ``(name, a, b)`` (for the table).
    """

    a: Mapping[str, Any]
    b: Mapping[str, Any]
    differences: tuple[Difference, ...]
    explanation: str
    location: tuple[tuple[str, Decimal | None, Decimal | None], ...] = ()

    @property
    def same(self) -> bool:
        """Whether nothing differs."""
        return not self.differences

    def to_json_dict(self) -> dict[str, Any]:
        """``{"a", "b", "differences", "explanation"}``, every decimal a string."""

        def side(facts: Mapping[str, Any]) -> dict[str, Any]:
            return {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in facts.items()}

        return {
            "a": side(self.a),
            "b": side(self.b),
            "differences": [d.to_json_dict() for d in self.differences],
            "explanation": self.explanation,
        }

    def metric_rows(self) -> list[dict[str, Any]]:
        """Every metric: label, A, B and ``b - a`` (``None`` where not available)."""
        rows = []
        for name, label in METRICS:
            a, b = self.a.get(name), self.b.get(name)
            delta = None if a is None or b is None else b - a
            rows.append({"metric": label, "a": a, "b": b, "difference": delta})
        return rows

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """``metrics``, ``location`` and ``differences`` as DataFrames (floats: a view)."""
        import pandas as pd

        def number(value: Any) -> Any:
            return float(value) if isinstance(value, Decimal) else value

        metrics = pd.DataFrame(
            [{k: number(v) for k, v in row.items()} for row in self.metric_rows()],
            columns=["metric", "a", "b", "difference"],
        )
        location = pd.DataFrame(
            [
                {
                    "account_id": name.split("/")[0],
                    "asset_class": name.split("/")[1],
                    "a": number(a),
                    "b": number(b),
                    "difference": number(
                        (Decimal(0) if b is None else b) - (Decimal(0) if a is None else a)
                    ),
                }
                for name, a, b in self.location
            ],
            columns=["account_id", "asset_class", "a", "b", "difference"],
        )
        differences = pd.DataFrame(
            [{k: number(v) for k, v in attrs.asdict(d).items()} for d in self.differences],
            columns=["section", "name", "a", "b", "difference", "explanation"],
        )
        return {"metrics": metrics, "location": location, "differences": differences}


def _document(plan: Any) -> Mapping[str, Any]:
    if isinstance(plan, Mapping):
        return plan
    document: Mapping[str, Any] = plan.to_json_dict()
    return document


def compare(plan_a: Any, plan_b: Any, *, edits: Sequence[str] = ()) -> Comparison:
    """Compare two plans (records or JSON documents); ``edits`` say how B was made from A.

    Example::

        comparison = compare(rebalance(household, as_of), rebalance(edited, as_of))
        comparison.to_frames()["metrics"]
    """
    doc_a, doc_b = _document(plan_a), _document(plan_b)
    a, b = side_facts(doc_a), side_facts(doc_b)
    differences: list[Difference] = []
    for name, label in METRICS:
        if a[name] == b[name]:
            continue
        delta, sentence = _metric_sentence(name, label, a[name], b[name])
        differences.append(Difference("metric", name, a[name], b[name], delta, sentence))

    zero = Decimal(0)
    loc_a, loc_b = _location(doc_a), _location(doc_b)
    cells = tuple((k, loc_a.get(k), loc_b.get(k)) for k in sorted(set(loc_a) | set(loc_b)))
    for name, value_a, value_b in cells:
        if value_a == value_b:
            continue
        delta = (value_b or zero) - (value_a or zero)
        account, asset_class = name.split("/")
        direction = "more" if delta > 0 else "less"
        sentence = (
            f"B holds {_money(delta)} {direction} {asset_class} in {account} after the trades."
        )
        differences.append(Difference("location", name, value_a, value_b, delta, sentence))

    trades_a, trades_b = _trades(doc_a), _trades(doc_b)
    for name in sorted(set(trades_a) | set(trades_b)):
        qa, na = trades_a.get(name, (None, zero))
        qb, nb = trades_b.get(name, (None, zero))
        if qa == qb:
            continue
        account, symbol, side = name.split("/")
        if qa is None:
            sentence = f"Only B trades: {side} {qb} {symbol} in {account} ({_money(nb)})."
        elif qb is None:
            sentence = f"Only A trades: {side} {qa} {symbol} in {account} ({_money(na)})."
        else:
            sentence = f"B's {side} of {symbol} in {account} is {qb} shares against A's {qa}."
        delta = (qb or zero) - (qa or zero)
        differences.append(Difference("trade", name, qa, qb, delta, sentence))

    explanation = _explain(a, b, differences, tuple(edits))
    sides_a = dict(a)
    if edits:
        sides_a["edits"] = []
        b = {**b, "edits": list(edits)}
    return Comparison(sides_a, b, tuple(differences), explanation, cells)


def _explain(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    differences: Sequence[Difference],
    edits: Sequence[str],
) -> str:
    sentences = []
    if edits:
        sentences.append("B is A with " + ", ".join(edits) + ".")
    if not differences:
        sentences.append("The two plans are the same: no metric, location cell or trade differs.")
        return " ".join(sentences)
    if a.get("status") != b.get("status"):
        sentences.append(f"A's plan is {a.get('status')} and B's is {b.get('status')}.")
    by_name = {d.name: d for d in differences if d.section == "metric"}
    tax, cost = by_name.get("tax_now"), by_name.get("trading_cost")
    if tax is not None and tax.difference is not None:
        parts = []
        for term in ("short", "long"):
            item = by_name.get(f"tax_now_{term}")
            if item is not None and item.difference is not None:
                sign = "+" if item.difference > 0 else "-"
                parts.append(f"{term}-term {sign}{_money(item.difference)}")
        detail = f" ({', '.join(parts)})" if parts else ""
        sentences.append(
            f"B pays {_money(tax.difference)} {'more' if tax.difference > 0 else 'less'}"
            f" tax now than A{detail}."
        )
    if cost is not None and cost.difference is not None:
        sentences.append(
            f"B's trades cost {_money(cost.difference)}"
            f" {'more' if cost.difference > 0 else 'less'} than A's."
        )
    tax_delta = tax.difference if tax is not None and tax.difference is not None else Decimal(0)
    cost_delta = cost.difference if cost is not None and cost.difference is not None else Decimal(0)
    if tax is not None or cost is not None:
        net = tax_delta + cost_delta
        if net != 0:
            favour = "A's" if net > 0 else "B's"
            sentences.append(
                f"Together that is {_money(net)} in {favour} favour this year"
                " (tax now plus trading cost)."
            )
    value = by_name.get("after_tax_value")
    if value is not None:
        sentences.append(value.explanation)
    elif a.get("after_tax_value") is None:
        sentences.append(
            "The after-tax value at the horizon is not available (the planner does not report it"
            " yet), so the long-run effect is not weighed here."
        )
    for name in ("tracking_error_after",):
        if name in by_name:
            sentences.append(by_name[name].explanation)
    moves = [d for d in differences if d.section == "location" and d.difference]
    if moves:
        moved = sum((d.difference for d in moves if d.difference and d.difference > 0), Decimal(0))
        largest = max(moves, key=lambda d: abs(d.difference or Decimal(0)))
        sentences.append(
            f"The location differs in {len(moves)} account and class cells, {_money(moved)}"
            f" placed differently; the largest: {largest.explanation}"
        )
    trades = [d for d in differences if d.section == "trade"]
    if trades:
        only_a = sum(1 for d in trades if d.b is None)
        only_b = sum(1 for d in trades if d.a is None)
        sentences.append(
            f"{len(trades)} trades differ: {only_a} only in A, {only_b} only in B and"
            f" {len(trades) - only_a - only_b} of another size."
        )
    return " ".join(sentences)
