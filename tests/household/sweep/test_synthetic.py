"""The one synthetic household generator: seeded, its parameters honoured, valid files."""

from __future__ import annotations

import datetime as dt

import pytest

from household.sweep.synthetic import AS_OF, household, household_document


@pytest.mark.parametrize("seed", [0, 7, 177])
def test_the_parameters_are_honoured(seed: int) -> None:
    document = household_document(seed, lots=40, years=6, min_days=1, household_id=f"b-{seed}")
    assert document == household_document(
        seed, lots=40, years=6, min_days=1, household_id=f"b-{seed}"
    )
    assert document["household_id"] == f"b-{seed}" and len(document["lots"]) == 40
    ages = [(AS_OF - dt.date.fromisoformat(lot["purchased"])).days for lot in document["lots"]]
    assert all(1 <= age <= 6 * 365 for age in ages)
    # The default keeps every lot out of the 30-day wash window, within two years.
    default = household_document(seed, lots=40)
    ages = [(AS_OF - dt.date.fromisoformat(lot["purchased"])).days for lot in default["lots"]]
    assert all(31 <= age <= 2 * 365 for age in ages)
    assert default["household_id"] == f"synthetic-{seed:05d}"


def test_the_model_is_the_document_loaded() -> None:
    model = household(3, lots=12, household_id="h3")
    assert model.household_id == "h3" and len(model.lots) == 12
    assert len(model.accounts) == 5 and model.as_of == AS_OF
    document = household_document(3, lots=12, household_id="h3")
    basis = sum(float(lot["cost_basis"]) for lot in document["lots"])
    assert float(sum(lot.cost_basis for lot in model.lots)) == pytest.approx(basis, abs=1e-6)
