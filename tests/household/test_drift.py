"""Drift per class and band breaches, worked by hand."""

from decimal import Decimal

from household.model import Bands
from household.plan.drift import BreachStatus, any_breach, measure

D = Decimal
BANDS = Bands(absolute="0.03", relative="0.20", outer_absolute="0.08", outer_relative="0.40")


def test_worked_example_60_percent_target_at_66() -> None:
    drifts = measure({"us": D(66), "bond": D(34)}, {"us": D("0.6"), "bond": D("0.4")}, BANDS)
    by_class = {d.asset_class: d for d in drifts}
    us = by_class["us"]
    # inner = min(0.03, 0.2 * 0.6 = 0.12) = 0.03; outer = min(0.08, 0.24) = 0.08
    assert us.inner_width == D("0.03")
    assert us.outer_width == D("0.08")
    assert us.absolute == D("0.06")
    # relative = 0.06 / 0.6 = 0.1
    assert us.relative == D("0.1")
    assert us.status is BreachStatus.INNER_BREACH
    # severity = 0.06 / 0.03 = 2
    assert us.severity == D(2)
    # dollars: 66 - 0.6 * 100 = 6 overweight; band edge = (0.6 + 0.03) * 100 = 63
    assert us.dollars_off == D(6)
    assert us.band_edge_value(D(100)) == D(63)
    assert any_breach(drifts)


def test_relative_band_binds_for_a_small_class() -> None:
    values = {"em": D("6.5"), "us": D("93.5")}
    drifts = measure(values, {"em": D("0.05"), "us": D("0.95")}, BANDS)
    em = next(d for d in drifts if d.asset_class == "em")
    # inner = min(0.03, 0.2 * 0.05 = 0.01) = 0.01; drift 0.015 -> severity 1.5
    assert em.inner_width == D("0.010")
    assert em.severity == D("1.5")
    assert em.status is BreachStatus.INNER_BREACH
    # outer = min(0.08, 0.4 * 0.05 = 0.02): 0.015 is inside it
    assert em.outer_width == D("0.020")
    # ranked first: em severity 1.5 > us severity 0.015/0.03 = 0.5
    assert [d.asset_class for d in drifts] == ["em", "us"]


def test_outer_breach_and_edge_counts_as_inside() -> None:
    drifts = measure({"a": D(70), "b": D(30)}, {"a": D("0.6"), "b": D("0.4")}, BANDS)
    assert {d.asset_class: d.status for d in drifts} == {
        "a": BreachStatus.OUTER_BREACH,  # +0.10 > 0.08
        "b": BreachStatus.OUTER_BREACH,  # -0.10 > min(0.08, 0.16)
    }
    edge = measure({"a": D(63), "b": D(37)}, {"a": D("0.6"), "b": D("0.4")}, BANDS)
    assert all(d.status is BreachStatus.INSIDE for d in edge)  # exactly 0.03 off
    assert not any_breach(edge)


def test_zero_target_class_has_no_relative_drift_and_uses_absolute_band() -> None:
    drifts = measure({"gold": D(5), "us": D(95)}, {"us": D(1)}, BANDS)
    gold = next(d for d in drifts if d.asset_class == "gold")
    assert gold.target == 0
    assert gold.relative is None
    assert gold.inner_width == D("0.03")
    assert gold.status is BreachStatus.INNER_BREACH  # 0.05 > 0.03


def test_wide_bands_never_breach() -> None:
    wide = Bands(absolute="0.5", relative="1", outer_absolute="0.9", outer_relative="1")
    drifts = measure({"a": D(90), "b": D(10)}, {"a": D("0.5"), "b": D("0.5")}, wide)
    # a: |0.9 - 0.5| = 0.4 <= min(0.5, 1 * 0.5) = 0.5: inside; b likewise
    assert not any_breach(drifts)
