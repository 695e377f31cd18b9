"""``summary.html``: a sweep's summary as one self-contained page with two charts.

The charts are inline SVG drawn here (no script, no external file): the
distribution of estimated tax saved per household (a histogram over planned and
refused households), and refusals by the check that refused them.

Worked example of the histogram's bins: savings of 0, 0, 150 and 1,000 dollars
over 4 bins of width 250 fall as 3 in ``[0, 250)``, none in the next two, and
1 in ``[750, 1000]``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["bins", "render_monitor_html", "render_summary_html"]

_WIDTH, _HEIGHT, _MARGIN = 640, 260, 48
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; }
td, th { padding: .25rem .75rem; border-bottom: 1px solid #ddd; }
th { text-align: left; font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #666; font-size: .9rem; }
svg text { font-size: 11px; fill: #333; }
"""


def bins(values: Sequence[float], count: int = 20) -> tuple[list[int], float, float]:
    """A histogram: ``(counts, low, high)`` with ``count`` equal bins over ``[low, high]``."""
    if not values:
        return [], 0.0, 0.0
    low, high = min(values), max(values)
    if high == low:
        return [len(values)], low, high
    width = (high - low) / count
    counts = [0] * count
    for value in values:
        counts[min(count - 1, int((value - low) / width))] += 1
    return counts, low, high


def _histogram(
    values: Sequence[float],
    what: str = "estimated tax saved per household",
    money: bool = True,
    none: str = "No planned household.",
) -> str:
    counts, low, high = bins(values)
    if not counts:
        return f'<p class="note">{html.escape(none)}</p>'
    sign = "$" if money else ""
    top = max(counts)
    plot_w, plot_h = _WIDTH - 2 * _MARGIN, _HEIGHT - 2 * _MARGIN
    bar_w = plot_w / len(counts)
    parts = [
        f'<svg width="{_WIDTH}" height="{_HEIGHT}" role="img" aria-label="{html.escape(what)}">'
    ]
    for index, n in enumerate(counts):
        h = plot_h * n / top
        x = _MARGIN + index * bar_w
        y = _MARGIN + plot_h - h
        start = low + (high - low) * index / len(counts)
        end = low + (high - low) * (index + 1) / len(counts)
        title = f"{n} households, {what}: {sign}{start:,.0f} to {sign}{end:,.0f}"
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}"'
            f' fill="#2b7bb9"><title>{html.escape(title)}</title></rect>'
        )
    axis_y = _MARGIN + plot_h
    parts.append(
        f'<line x1="{_MARGIN}" y1="{axis_y}" x2="{_WIDTH - _MARGIN}" y2="{axis_y}" stroke="#333"/>'
    )
    parts.append(f'<text x="{_MARGIN}" y="{axis_y + 16}">{sign}{low:,.0f}</text>')
    middle = (low + high) / 2
    parts.append(
        f'<text x="{_MARGIN + plot_w / 2}" y="{axis_y + 16}" text-anchor="middle">'
        f"{sign}{middle:,.0f}</text>"
    )
    parts.append(
        f'<text x="{_WIDTH - _MARGIN}" y="{axis_y + 16}" text-anchor="end">{sign}{high:,.0f}</text>'
    )
    parts.append(
        f'<text x="{_WIDTH / 2}" y="{axis_y + 32}" text-anchor="middle">{html.escape(what)}</text>'
    )
    parts.append(f'<text x="{_MARGIN - 6}" y="{_MARGIN + 4}" text-anchor="end">{top}</text>')
    parts.append(f'<text x="{_MARGIN - 6}" y="{axis_y}" text-anchor="end">0</text>')
    parts.append(
        f'<text x="12" y="{_MARGIN + plot_h / 2}" transform="rotate(-90 12 {_MARGIN + plot_h / 2})"'
        ' text-anchor="middle">households</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _refusals(
    reasons: Mapping[str, int], none: str = "No plan was refused.", label: str = "refusals"
) -> str:
    reasons = {k: v for k, v in reasons.items() if v}
    if not reasons:
        return f'<p class="note">{html.escape(none)}</p>'
    row_h, label_w = 26, 180
    height = row_h * len(reasons) + 20
    top = max(reasons.values())
    plot_w = _WIDTH - label_w - 60
    parts = [
        f'<svg width="{_WIDTH}" height="{height}" role="img" aria-label="{html.escape(label)}">'
    ]
    for index, (reason, n) in enumerate(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))):
        y = 10 + index * row_h
        w = max(1.0, plot_w * n / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(reason)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="#c0504d"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _as_of(summary: Mapping[str, Any]) -> str:
    as_of = str(summary["as_of"])
    return "each file's date" if as_of == "file" else as_of


def render_summary_html(summary: Mapping[str, Any], tax_saved: Sequence[float]) -> str:
    """The page: the summary's figures, the two charts, the first failures."""
    from household.sweep.outputs import summary_table

    esc = html.escape
    rows = "".join(
        f"<tr><th>{esc(label)}</th><td class='n'>{esc(value)}</td></tr>"
        for label, value in summary_table(summary)
    )
    failures = summary.get("failures", [])
    failure_rows = "".join(
        f"<tr><td>{esc(f['household_id'])}</td><td>{esc(f['error'])}</td></tr>" for f in failures
    )
    finite = [v for v in tax_saved if math.isfinite(v)]
    failed_block = (
        f"<h2>Failed households (first {len(failures)})</h2>"
        f"<table><tr><th>household</th><th>error</th></tr>{failure_rows}</table>"
        if failures
        else ""
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Sweep {esc(str(summary['sweep_id']))}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Sweep {esc(str(summary['sweep_id']))}: {esc(str(summary['kind']))}"
        f" as of {esc(_as_of(summary))}</h1>"
        f"<p class='note'>Source {esc(str(summary['source']))}; "
        f"ran on {esc(str(summary['executor'].get('name')))} with"
        f" {esc(str(summary['executor'].get('workers')))} workers.</p>"
        f"<table>{rows}</table>"
        f"<h2>Distribution of estimated tax saved</h2>{_histogram(finite)}"
        f"<h2>Refusals by reason</h2>{_refusals(summary.get('refusals_by_reason', {}))}"
        f"{failed_block}"
        "<p class='note'>Per-household figures: households.csv, households.parquet and"
        " plans/ID.json next to this page.</p></body></html>\n"
    )


def render_monitor_html(summary: Mapping[str, Any], alerts: Sequence[float]) -> str:
    """A monitor sweep's page: its figures, alerts by code, alerts per household."""
    from household.sweep.outputs import summary_table

    esc = html.escape
    rows = "".join(
        f"<tr><th>{esc(label)}</th><td class='n'>{esc(value)}</td></tr>"
        for label, value in summary_table(summary)
    )
    failures = summary.get("failures", [])
    failure_rows = "".join(
        f"<tr><td>{esc(f['household_id'])}</td><td>{esc(f['error'])}</td></tr>" for f in failures
    )
    failed_block = (
        f"<h2>Failed households (first {len(failures)})</h2>"
        f"<table><tr><th>household</th><th>error</th></tr>{failure_rows}</table>"
        if failures
        else ""
    )
    chart = _histogram(alerts, "alerts per household", money=False, none="No household.")
    by_kind = _refusals(summary.get("alerts_by_kind", {}), "No alert.", "alerts by kind")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Sweep {esc(str(summary['sweep_id']))}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Sweep {esc(str(summary['sweep_id']))}: monitor as of {esc(_as_of(summary))}</h1>"
        f"<p class='note'>Source {esc(str(summary['source']))}; "
        f"ran on {esc(str(summary['executor'].get('name')))} with"
        f" {esc(str(summary['executor'].get('workers')))} workers.</p>"
        f"<table>{rows}</table>"
        f"<h2>Alerts by kind</h2>{by_kind}"
        f"<h2>Alerts per household</h2>{chart}"
        f"{failed_block}"
        "<p class='note'>Per-household figures: households.csv, households.parquet and"
        " alerts/ID.json next to this page.</p></body></html>\n"
    )
