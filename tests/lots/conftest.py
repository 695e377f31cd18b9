"""Hypothesis profiles for the lots tests.

``default``: 500 examples, no deadline (the reference comparison replays each
history twice). ``thorough``: 10,000 examples, chosen with
``pytest --hypothesis-profile=thorough``. The profiles are registered here as
well as in ``tests/conftest.py`` so these tests keep them on their own; the
profile named on the command line wins.
"""

from __future__ import annotations

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


def pytest_configure(config: pytest.Config) -> None:
    """Load the profile named by ``--hypothesis-profile``, else ``default``."""
    settings.load_profile(config.getoption("hypothesis_profile", None) or "default")
