"""Parallel: an ordered `map` over forked worker processes, for the bulk work of large
reconciliations (parsing and normalizing parts of the input, scoring batches of pairs, building
facts), which Python threads would not speed up.

Workers are forked, so they start with everything the parent holds (the entity index, the match
table) instead of receiving it pickled; only items and results cross between processes. Results
come back in input order, so the output does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_task: Callable[[Any], Any] | None = None  # what the forked workers run, set just before the fork
PER_TASK = 256  # items sent to a worker at a time, by default


def _run(item: Any) -> Any:
    assert _task is not None
    return _task(item)


def _exit_with_parent(parent: int) -> None:
    """In a worker: end when the parent process is gone (killed with SIGKILL, say), instead of
    waiting forever for work that will never come, holding its memory."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


PARENT_CHECK_S = 0.5


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def ordered_map(
    function: Callable[[Item], Result], items: Iterable[Item], workers: int, per_task: int = PER_TASK
) -> Iterator[Result]:
    """function(item) for each item, in order; in `workers` forked processes when more than one
    (and the platform can fork), in this process otherwise. Items go to the workers `per_task` at
    a time: many for small items, one for large ones. A worker that dies (killed, out of memory)
    raises BrokenProcessPool here instead of leaving the run waiting for it forever."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    global _task
    _task = function
    context = multiprocessing.get_context("fork")
    executor = ProcessPoolExecutor(workers, context, initializer=_exit_with_parent, initargs=(os.getpid(),))
    try:
        yield from executor.map(_run, items, chunksize=per_task)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        _task = None
