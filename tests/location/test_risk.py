"""Tracking error: the formula by hand, the default covariance, the tangent cuts' error."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from location.errors import LocationInputError
from location.risk import (
    DEFAULT_VOLATILITY,
    UNKNOWN_VOLATILITY,
    approximate_variance,
    covariance_matrix,
    tangent_cuts,
    tracking_error,
    tracking_factors,
)


def test_tracking_error_by_hand() -> None:
    # d = (0.7 - 0.6, 0.3 - 0.4) = (0.1, -0.1).
    # TE^2 = 0.1^2 * 0.16^2 + 0.1^2 * 0.05^2 + 2 * 0.1 * (-0.1) * 0.2 * 0.16 * 0.05
    #      = 0.000256 + 0.000025 - 0.000032 = 0.000249; TE = sqrt(0.000249) = 0.0157797.
    cov = covariance_matrix(
        ["stocks", "bonds"],
        volatilities={"stocks": 0.16, "bonds": 0.05},
        correlations={"stocks": {"bonds": 0.2}},
    )
    te = tracking_error({"stocks": 0.7, "bonds": 0.3}, {"stocks": 0.6, "bonds": 0.4}, cov)
    assert te == pytest.approx(math.sqrt(0.000249), rel=1e-12)
    assert te == pytest.approx(0.0157797, abs=1e-7)
    # On target: zero.
    assert tracking_error({"stocks": 0.6, "bonds": 0.4}, {"stocks": 0.6, "bonds": 0.4}, cov) == 0


def test_explicit_covariance_wins() -> None:
    # One class fully out of its 10% target, variance 0.04: TE = 0.1 * 0.2 = 0.02.
    cov = covariance_matrix(["a", "b"], covariance={"a": {"a": 0.04, "b": 0.0}, "b": {"b": 0.0}})
    assert tracking_error({"a": 0.0, "b": 1.0}, {"a": 0.1, "b": 0.9}, cov) == pytest.approx(0.02)
    assert cov.assumed == ()


def test_default_covariance_and_unknown_classes() -> None:
    cov = covariance_matrix(["us_stocks", "bonds", "crypto"])
    assert cov.defaulted == ("us_stocks", "bonds")
    assert cov.assumed == ("crypto",)
    # US stocks' default volatility 17.95% (Callan 2021-2030): variance 0.03222025.
    assert cov.matrix[0, 0] == pytest.approx(0.1795**2)
    # Stocks-bonds: 0.10 * 0.1795 * 0.0375 = 0.000673125.
    assert cov.matrix[0, 1] == pytest.approx(0.10 * 0.1795 * 0.0375)
    # The unknown class: the largest default volatility, uncorrelated.
    assert cov.matrix[2, 2] == pytest.approx(UNKNOWN_VOLATILITY**2)
    assert cov.matrix[0, 2] == 0 and cov.matrix[1, 2] == 0
    # The fixtures' aliases are known.
    assert {"stocks", "intl", "munis", "reits", "small_value", "cash_equivalents"} <= set(
        DEFAULT_VOLATILITY
    )


def test_not_positive_semidefinite_is_refused() -> None:
    with pytest.raises(LocationInputError, match="positive semi-definite"):
        covariance_matrix(
            ["a", "b", "c"],
            volatilities={"a": 0.1, "b": 0.1, "c": 0.1},
            correlations={"a": {"b": 0.9, "c": 0.9}, "b": {"c": -0.9}},
        )


def test_tangent_cut_gap_by_hand() -> None:
    # lambda = 1, accuracy 0.25: spacing 2 * sqrt(0.25) = 1; on [-1, 1] tangents at
    # -1, 0, 1. The worst gap is at z = 0.5: 0.25 - max(2*0.5 - 1, 0, -2*0.5 - 1) = 0.25.
    cuts = tangent_cuts(1.0, 1.0, 0.25)
    assert len(cuts) == 3
    assert 0.5**2 - max(c.at(0.5) for c in cuts) == pytest.approx(0.25)


simplex = st.lists(st.integers(0, 100), min_size=5, max_size=5).filter(lambda xs: sum(xs) > 0)
CLASSES = ["us_stocks", "intl_stocks", "bonds", "munis", "reits"]


@settings(max_examples=200)
@given(simplex, simplex, st.sampled_from([1e-4, 1e-6, 1e-8]))
def test_cuts_bound_the_approximation_error(w: list[int], t: list[int], accuracy: float) -> None:
    cov = covariance_matrix(CLASSES)
    weights = {k: x / sum(w) for k, x in zip(CLASSES, w, strict=True)}
    target = {k: x / sum(t) for k, x in zip(CLASSES, t, strict=True)}
    factors = tracking_factors(cov, accuracy)
    exact = tracking_error(weights, target, cov) ** 2
    approx = approximate_variance(factors, weights, target, cov)
    # From below, and within the accuracy asked for.
    assert approx <= exact + 1e-15
    assert exact - approx <= accuracy + 1e-15
    # The factors rebuild S: sum lambda v v' = S.
    rebuilt = sum(f.eigenvalue * np.outer(f.vector, f.vector) for f in factors)
    assert np.allclose(rebuilt, cov.matrix, atol=1e-12)
