"""A self-contained HTML report of a plan: tables of every section and two inline SVG charts.

The wealth manager who signs the plan opens ``report.html`` from a folder or an
e-mail, often offline, so the file carries everything: CSS inline, charts as
inline SVG drawn by matplotlib (pre/post allocation by class against target,
and drift before/after against the inner band), no script and no network
reference. The numbers are the same rounded rows as the JSON and CSV outputs
(:func:`household.reports.sections`).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from household.render import display_row, is_numeric_cell
from household.reports import json_rows, sections

if TYPE_CHECKING:
    from household.plan import Plan


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    # No metadata: no date (the report is the same byte for byte), no RDF namespaces.
    metadata = {"Creator": None, "Date": None, "Format": None, "Type": None}
    import matplotlib

    # A fixed salt makes the SVG's clip-path ids the same on every run.
    with matplotlib.rc_context({"svg.hashsalt": "household-report"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata=metadata)
    text = buffer.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def allocation_chart(plan: Plan) -> str:
    """Grouped bars: target, before and after weight per class (household), as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in sections(plan)["allocation"] if r["scope"] == "household"]
    classes = [r["asset_class"] for r in rows]
    target = [float(r["target"] or 0) * 100 for r in rows]
    before = [float(r["weight_before"]) * 100 for r in rows]
    after = [float(r["weight_after"]) * 100 for r in rows]
    figure, axes = plt.subplots(figsize=(7, 3.2))
    positions = range(len(classes))
    width = 0.27
    axes.bar([p - width for p in positions], target, width, label="target", color="#bbbbbb")
    axes.bar(list(positions), before, width, label="before", color="#d9822b")
    axes.bar([p + width for p in positions], after, width, label="after", color="#2b6cd9")
    axes.set_xticks(list(positions), classes, rotation=20, ha="right", fontsize=8)
    axes.set_ylabel("% of household")
    axes.legend(fontsize=8)
    axes.set_title("Allocation before and after")
    svg = _svg(figure)
    plt.close(figure)
    return svg


def drift_chart(plan: Plan) -> str:
    """Horizontal bars: drift before and after per class, with the inner band, as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sections(plan)["drift"]
    classes = [r["asset_class"] for r in rows]
    before = [float(r["drift"]) * 100 for r in rows]
    after = [float(r["drift_after"] or 0) * 100 for r in rows]
    bands = [float(r["inner_band"]) * 100 if r["inner_band"] is not None else 0.0 for r in rows]
    figure, axes = plt.subplots(figsize=(7, 0.5 + 0.45 * max(1, len(classes))))
    positions = list(range(len(classes)))
    axes.barh([p - 0.2 for p in positions], before, 0.4, label="before", color="#d9822b")
    axes.barh([p + 0.2 for p in positions], after, 0.4, label="after", color="#2b6cd9")
    for p, band in zip(positions, bands, strict=True):
        if band:
            axes.plot([-band, -band], [p - 0.45, p + 0.45], color="#555555", linewidth=1)
            axes.plot([band, band], [p - 0.45, p + 0.45], color="#555555", linewidth=1)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(positions, classes, fontsize=8)
    axes.set_xlabel("drift, percentage points (lines: inner band)")
    axes.legend(fontsize=8)
    axes.set_title("Drift before and after")
    svg = _svg(figure)
    plt.close(figure)
    return svg


def render_html(plan: Plan) -> str:
    """The plan as one self-contained HTML page."""
    from importlib import resources

    import jinja2

    template_text = (
        resources.files("household").joinpath("templates/report.html.j2").read_text("utf-8")
    )
    environment = jinja2.Environment(autoescape=True)
    template = environment.from_string(template_text)
    tables = []
    for name, rows in sections(plan).items():
        if name == "summary":
            continue
        converted = [display_row(row) for row in json_rows(rows)]
        columns = list(converted[0]) if converted else []
        tables.append({"name": name, "columns": columns, "rows": converted})
    summary = display_row(json_rows(sections(plan)["summary"])[0])
    return template.render(
        plan=plan,
        summary=summary,
        numeric=is_numeric_cell,
        tables=tables,
        allocation_svg=allocation_chart(plan),
        drift_svg=drift_chart(plan),
    )
