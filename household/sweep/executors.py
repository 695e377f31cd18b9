"""Where a sweep's tasks run: one interface, a process pool and a Dask cluster behind it.

An :class:`Executor` maps a picklable function over an iterable of tasks and
yields ``(task, result)`` as each finishes, in completion order, keeping at
most ``window`` tasks in flight: the tasks are drawn from the iterable lazily,
so a sweep of 100,000 households never holds more than ``window`` batches of
plans. A task whose worker died (killed, out of memory) yields ``(task,
exception)`` instead; an exception raised by the function itself is the
function's business (:func:`household.sweep.work.run_task` never raises for a
bad household).

Results do not depend on the executor: the function is pure, and the driver
writes what it returns, so the process pool and Dask give the same files, byte
for byte.

- :class:`ProcessPool`: :class:`concurrent.futures.ProcessPoolExecutor` on
  this machine (``forkserver`` start, so no thread state is forked);
- :class:`DaskCluster`: a ``dask.distributed`` cluster at an address, or a
  :class:`distributed.LocalCluster` it starts (``"local"``). Workers read the
  household files by path, so a remote cluster needs the source folder at the
  same path on every worker (a shared file system).
- :class:`InProcess`: no parallelism, for debugging and tests.
"""

from __future__ import annotations

import abc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["DaskCluster", "Executor", "InProcess", "ProcessPool", "default_workers"]

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The machine's cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor(abc.ABC):
    """Runs tasks somewhere; see the module docstring."""

    #: A short name for the summary: ``process-pool``, ``dask`` or ``in-process``.
    name: str = ""

    #: Seconds of work a task aims at (see :func:`household.sweep.driver.batch_size_for`):
    #: long enough that a task's round trip is about 1% of it (the pool's is about a
    #: millisecond, so a second), short enough that the last tasks leave no worker idle
    #: for long.
    task_seconds: float = 1.0

    @property
    @abc.abstractmethod
    def workers(self) -> int:
        """How many tasks run at once."""

    @abc.abstractmethod
    def imap_unordered(
        self, function: Callable[[T], R], tasks: Iterable[T], window: int
    ) -> Iterator[tuple[T, R | BaseException]]:
        """``(task, function(task))`` in completion order, at most ``window`` in flight."""

    def describe(self) -> dict[str, Any]:
        """What ran the sweep, for ``summary.json``."""
        return {"name": self.name, "workers": self.workers}

    def worker_usage(self) -> dict[str, tuple[int, float]]:
        """Each worker's ``(peak resident bytes, CPU seconds)`` so far (best effort)."""
        pid, peak, cpu = _usage()
        return {str(pid): (peak, cpu)}

    def close(self) -> None:  # noqa: B027 - most executors have nothing to release
        """Release the workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class InProcess(Executor):
    """Runs every task in this process, one after another."""

    name = "in-process"

    @property
    def workers(self) -> int:
        return 1

    def imap_unordered(
        self, function: Callable[[T], R], tasks: Iterable[T], window: int
    ) -> Iterator[tuple[T, R | BaseException]]:
        for task in tasks:
            yield task, function(task)


def _usage(pause: float = 0.0) -> tuple[int, int, float]:
    """``(pid, peak resident bytes, CPU seconds)`` of this process (Linux reports kilobytes)."""
    import resource
    import time

    time.sleep(pause)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return os.getpid(), usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def _warm_up() -> None:
    """Import the planner and compile the schema check once per worker, before the first task.

    Then every object the worker holds (modules, the compiled check) is moved to the cycle
    collector's permanent generation (``gc.freeze``): its full collections, run every few
    plans, no longer walk them. 30 plans in one process: 2.2-2.5 ms of collection a plan
    before, 1.1-1.2 ms after (of about 170 ms).
    """
    import gc

    import household.loader
    import household.plan  # noqa: F401

    household.loader._fast_check()
    gc.freeze()


class ProcessPool(Executor):
    """A pool of worker processes on this machine."""

    name = "process-pool"

    def __init__(self, workers: int | None = None) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self._workers = workers or default_workers()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers, mp_context=context, initializer=_warm_up
        )

    @property
    def workers(self) -> int:
        return self._workers

    def imap_unordered(
        self, function: Callable[[T], R], tasks: Iterable[T], window: int
    ) -> Iterator[tuple[T, R | BaseException]]:
        from concurrent.futures import FIRST_COMPLETED, Future, wait

        pending: dict[Future[R], T] = {}
        source = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._pool.submit(function, task)] = task
            if not pending:
                return
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                error = future.exception()
                yield task, (error if error is not None else future.result())

    def worker_usage(self) -> dict[str, tuple[int, float]]:
        # Tasks that linger a moment, so that every worker takes one.
        futures = [self._pool.submit(_usage, 0.05) for _ in range(4 * self._workers)]
        return {str(pid): (peak, cpu) for pid, peak, cpu in (f.result() for f in futures)}

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


#: Dask settings for the ``LocalCluster`` a sweep starts. The workers' statistical
#: profiler (every 10 ms), the event-loop tick (20 ms) and the system and memory
#: monitors (0.5 s, 0.1 s) cost, measured on 200 households of 150 lots, about a
#: quarter more worker CPU and twice the driver's CPU; a sweep's tasks are
#: seconds long, so these need not be fine-grained.
QUIET_LOCAL_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


class DaskCluster(Executor):
    """A Dask distributed cluster: ``address`` of its scheduler, or ``"local"``.

    With ``"local"`` a :class:`distributed.LocalCluster` of ``workers``
    single-threaded worker processes is started and stopped with the executor,
    with :data:`QUIET_LOCAL_CLUSTER`. A cluster at an address keeps its own
    configuration; give it the same settings for the same speed.
    """

    name = "dask"
    #: A task's round trip through the scheduler costs the driver (which runs a local
    #: cluster's scheduler) and the worker some 10-30 ms of CPU on a loaded machine
    #: (measured: 300 monitor households in 100 tasks took 3.6 s of driver CPU against the
    #: pool's 0.5 s), so Dask's tasks are longer.
    task_seconds = 5.0

    def __init__(self, address: str, workers: int | None = None) -> None:
        try:
            import distributed
        except ImportError:  # pragma: no cover - depends on the extra
            from household.cli import BadUsage

            raise BadUsage(
                "--dask: dask is not installed; pip install 'household-lots[dask]'"
            ) from None
        import logging

        self.address = address
        self._cluster: Any = None
        self._client: Any
        dask: Any = distributed
        if address == "local":
            import dask as dask_core

            with dask_core.config.set(QUIET_LOCAL_CLUSTER):
                self._cluster = dask.LocalCluster(
                    n_workers=workers or default_workers(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self._client = dask.Client(self._cluster)
        else:
            self._client = dask.Client(address)
        self._client.run(_warm_up)

    @property
    def workers(self) -> int:
        info = self._client.scheduler_info()
        threads = [int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()]
        return max(1, sum(threads))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "workers": self.workers, "address": self.address}

    def worker_usage(self) -> dict[str, tuple[int, float]]:
        answers = self._client.run(_usage)
        return {str(w): (int(peak), float(cpu)) for w, (_pid, peak, cpu) in answers.items()}

    def imap_unordered(
        self, function: Callable[[T], R], tasks: Iterable[T], window: int
    ) -> Iterator[tuple[T, R | BaseException]]:
        import distributed

        dask: Any = distributed
        source = iter(tasks)
        owners: dict[Any, T] = {}

        def submit() -> Any:
            try:
                task = next(source)
            except StopIteration:
                return None
            future = self._client.submit(function, task, pure=False)
            owners[future.key] = task
            return future

        first = [f for f in (submit() for _ in range(window)) if f is not None]
        if not first:
            return
        queue = dask.as_completed(first)
        for future in queue:
            task = owners.pop(future.key)
            if future.status == "error":
                yield task, future.exception()
            else:
                yield task, future.result()
            future.release()
            following = submit()
            if following is not None:
                queue.add(following)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
