"""The worker pool: results in input order whatever the number of workers, and a worker that
dies is an error, not a run that waits forever."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from pipeline.parallel import ordered_map


def square_or_die(n: int) -> int:
    if n == 13:
        os._exit(1)  # what the out-of-memory killer does to a worker
    return n * n


@pytest.mark.parametrize(("workers", "per_task"), [(1, 1), (2, 1), (2, 7), (3, 256)])
def test_results_come_back_in_input_order(workers: int, per_task: int) -> None:
    assert list(ordered_map(square_or_die, range(12), workers, per_task)) == [n * n for n in range(12)]


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(BrokenProcessPool):
        list(ordered_map(square_or_die, range(40), 2, per_task=1))
