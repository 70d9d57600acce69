"""The worker pool: results in input order whatever the number of workers, and a worker that
dies is an error, not a run that waits forever."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

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


WORKERS_THEN_WAIT = """
import os, sys, time
from pipeline.parallel import ordered_map

def pid_then_wait(n):
    time.sleep(0.3 * n)
    return os.getpid()

for pid in ordered_map(pid_then_wait, [1, 1, 100, 100], 2, per_task=1):
    print(pid, flush=True)
"""


def test_workers_end_when_their_parent_is_killed() -> None:
    """A `factbase reconcile` killed with SIGKILL left its workers waiting forever, holding their memory."""
    parent = subprocess.Popen([sys.executable, "-c", WORKERS_THEN_WAIT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = {int(parent.stdout.readline()) for _ in range(2)}
    assert len(workers) == 2 and os.getpid() not in workers
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended
