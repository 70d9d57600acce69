"""A run killed mid-way resumes from the response cache: nothing lost, nothing duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from conftest import SEEDS, read_lines
from openai_server import quote_first_sentence, serve


def factbase(*args: str | Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_killed_run_resumes_without_loss_or_duplication(tmp_path: Path) -> None:
    answered = 0
    release = threading.Event()

    def stalls_after_five(request: dict[str, Any]) -> Any:
        nonlocal answered
        if answered >= 5:
            release.wait(timeout=30)  # hold the call open until the run is killed
        answered += 1
        return quote_first_sentence(request)

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cache = tmp_path / "cache"
    common = ["--model", "m", "--cache-dir", str(cache), "--concurrency", "1"]
    with serve(stalls_after_five) as server:  # the same endpoint before and after the kill
        run = factbase("run", SEEDS, "-o", tmp_path / "killed", "--base-url", server.url, *common, env=env)
        deadline = time.monotonic() + 60
        while server.calls < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert len(list(cache.rglob("*.json"))) == 5
        assert not (tmp_path / "killed" / "facts.jsonl").exists()
        answered = -(10**6)  # from now on the server answers at once
        release.set()
        calls_before_resume = server.calls
        resumed = factbase("run", SEEDS, "-o", tmp_path / "resumed", "--base-url", server.url, *common, env=env)
        assert resumed.wait(timeout=120) == 0, resumed.stdout.read() if resumed.stdout else ""
        resumed_calls = server.calls - calls_before_resume
    with serve(quote_first_sentence) as server:
        clean = factbase(
            "run", SEEDS, "-o", tmp_path / "clean", "--base-url", server.url, "--model", "m", "--no-cache", env=env
        )
        assert clean.wait(timeout=120) == 0
        clean_calls = server.calls
    assert resumed_calls == clean_calls - 5
    for name in ("mentions.jsonl", "facts.jsonl", "failures.jsonl"):
        assert read_lines(tmp_path / "resumed" / name) == read_lines(tmp_path / "clean" / name)


def test_interrupt_exits_cleanly_without_partial_files(tmp_path: Path) -> None:
    release = threading.Event()

    def never_answers(request: dict[str, Any]) -> Any:
        release.wait(timeout=30)
        return quote_first_sentence(request)

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    with serve(never_answers) as server:
        run = factbase(
            "run", SEEDS, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m", "--no-cache", env=env
        )
        while server.calls < 1:
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        code = run.wait(timeout=30)
        release.set()
    output = run.stdout.read() if run.stdout else ""
    assert code == 130, output
    assert "Traceback" not in output and "interrupted" in output
    assert not (tmp_path / "out").exists()


def test_an_interrupted_reconcile_exits_cleanly_writes_nothing_and_leaves_no_worker(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from reconcile_scale import generate

    generate(60_000, tmp_path / "mentions.jsonl")
    (tmp_path / "out").mkdir()  # an earlier reconciliation's files
    (tmp_path / "out" / "facts.jsonl").write_text("earlier\n")
    (tmp_path / "out" / "run.json").write_text("{}")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = factbase("-v", "reconcile", tmp_path / "mentions.jsonl", "-o", tmp_path / "out", "--workers", "2", env=env)
    assert run.stdout is not None
    for line in run.stdout:  # wait until the workers are building facts
        if "clustered them" in line:
            break
    time.sleep(0.5)
    run.send_signal(signal.SIGINT)
    code = run.wait(timeout=30)
    output = run.stdout.read()
    assert code == 130, output
    assert "Traceback" not in output and "interrupted: nothing written" in output
    assert (tmp_path / "out" / "facts.jsonl").read_text() == "earlier\n"  # the earlier run, as it was
    assert (tmp_path / "out" / "run.json").read_text() == "{}"
    time.sleep(0.5)
    assert not processes_mentioning(str(tmp_path))


def processes_mentioning(text: str) -> list[int]:
    """Processes whose command line contains `text` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue  # ended while being read
    return found
