"""Shared test set-up: float traps and hypothesis profiles.

Every test runs with ``decimal.FloatOperation`` trapped, so a float that slips
into Decimal arithmetic (or a Decimal compared with a float) fails the test.

Hypothesis profiles: ``default`` (500 examples where a test does not set its
own) and ``thorough`` (10,000), chosen with ``pytest --hypothesis-profile=thorough``.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("default")


@pytest.fixture(autouse=True)
def trap_float_operations() -> Iterator[None]:
    """Fail on any float mixed into Decimal arithmetic."""
    with decimal.localcontext() as context:
        context.traps[decimal.FloatOperation] = True
        yield
