"""The comparison as one self-contained HTML page (no script, no external file)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from household.whatif.compare import Comparison

__all__ = ["render_comparison_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; }
td, th { padding: .25rem .75rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #1f5fa8; } .down { color: #b35c00; } .note { color: #666; }
"""


def _cell(value: Any) -> str:
    if value is None:
        return "<td class='n note'>n/a</td>"
    if isinstance(value, Decimal | int):
        return f"<td class='n'>{html.escape(format(value, ','))}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _delta(value: Any) -> str:
    if value is None:
        return "<td class='n note'>n/a</td>"
    css = "up" if value > 0 else ("down" if value < 0 else "")
    sign = "+" if value > 0 else ""
    return f"<td class='n {css}'>{sign}{html.escape(format(value, ','))}</td>"


def _zero(value: Decimal | None) -> Decimal:
    return Decimal(0) if value is None else value


def render_comparison_html(comparison: Comparison) -> str:
    """The page: the explanation, the metrics, the location and the differing trades."""
    esc = html.escape
    a, b = comparison.a, comparison.b
    metrics = "".join(
        f"<tr><th>{esc(r['metric'])}</th>{_cell(r['a'])}{_cell(r['b'])}{_delta(r['difference'])}</tr>"
        for r in comparison.metric_rows()
    )
    location = "".join(
        f"<tr><td>{esc(name.split('/')[0])}</td><td>{esc(name.split('/')[1])}</td>"
        f"{_cell(va)}{_cell(vb)}{_delta(_zero(vb) - _zero(va))}</tr>"
        for name, va, vb in comparison.location
    )
    trades = "".join(
        f"<tr><td>{esc(d.name.replace('/', ' '))}</td>{_cell(d.a)}{_cell(d.b)}"
        f"{_delta(d.difference)}<td>{esc(d.explanation)}</td></tr>"
        for d in comparison.differences
        if d.section == "trade"
    )
    edits = b.get("edits") or []
    edit_text = f"<p>B: <code>{esc(', '.join(edits))}</code></p>" if edits else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>What-if: {esc(str(a.get('household_id')))}</title><style>{_STYLE}</style>"
        "</head><body>"
        f"<h1>A: {esc(str(a.get('household_id')))} against B: {esc(str(b.get('household_id')))}"
        f"</h1><p class='note'>{esc(str(a.get('kind')))} plans as of {esc(str(a.get('as_of')))}"
        f" and {esc(str(b.get('as_of')))}; A is {esc(str(a.get('status')))},"
        f" B is {esc(str(b.get('status')))}.</p>{edit_text}"
        f"<h2>In words</h2><p>{esc(comparison.explanation)}</p>"
        "<h2>Metrics</h2><table><tr><th></th><th>A</th><th>B</th><th>B - A</th></tr>"
        f"{metrics}</table>"
        "<h2>Location after the trades</h2><table><tr><th>account</th><th>class</th>"
        f"<th>A</th><th>B</th><th>B - A</th></tr>{location}</table>"
        "<h2>Trades that differ</h2>"
        + (
            "<table><tr><th>trade</th><th>A shares</th><th>B shares</th><th>B - A</th><th></th>"
            f"</tr>{trades}</table>"
            if trades
            else "<p class='note'>None.</p>"
        )
        + "</body></html>\n"
    )
