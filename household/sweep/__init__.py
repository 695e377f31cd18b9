"""Sweeps: one kind of work over many households, on a process pool or a Dask cluster.

A sweep plans every household of a folder or a store (``SweepKind.REBALANCE``,
``HARVEST``) or lists what needs attention in each (``MONITOR``, the store's
monitor; a household file is monitored as if just added to a store).

    from household.sweep import ProcessPool, SweepKind, run_sweep

    with ProcessPool(workers=2) as executor:
        result = run_sweep(SweepKind.HARVEST, Path("households/"), Path("out/"), executor)
    result.summary["tax_saved"]

See :mod:`household.sweep.driver` for the steps (find, identify, skip the done,
batch, write atomically, finish), :mod:`household.sweep.executors` for the one
executor interface and its implementations, :mod:`household.sweep.work` for
the unit of work and :mod:`household.sweep.outputs` for the files written.
"""

from household.sweep.driver import SweepResult, run_sweep
from household.sweep.executors import DaskCluster, Executor, InProcess, ProcessPool
from household.sweep.work import ROW_FIELDS, SweepKind

__all__ = [
    "ROW_FIELDS",
    "DaskCluster",
    "Executor",
    "InProcess",
    "ProcessPool",
    "SweepKind",
    "SweepResult",
    "run_sweep",
]
