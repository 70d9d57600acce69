"""The embedded local backend: a real llama.cpp server with the bundled model, and no orphans.

Marked `local`: `.ci/run` runs them; skip them locally with `pytest -m "not local"`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, read_lines, run_cli
from test_end_to_end import assert_grounded

from pipeline.local import LocalServer, LocalSettings, resolve_settings
from pipeline.records import Mention, RunReport

pytestmark = pytest.mark.local


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture
def settings(model_cache: Path) -> LocalSettings:
    return resolve_settings(None, model_cache, n_ctx=2048, threads=2, gpu_layers=0, n_parallel=1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead too
        return stat.read().split(") ")[1][0] != "Z"


def server_children(parent: int) -> list[int]:
    """Pids of pipeline.local_server processes started by `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"pipeline.local_server" in cmdline and cmdline[-2:-1] == [str(parent).encode()]:
                found.append(int(entry.name))
    return found


def test_one_chunk_through_the_whole_local_path(tmp_path: Path, model_cache: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "news.txt").write_text(
        "Stability AI said on Saturday that its chief executive Emad Mostaque has resigned.", encoding="utf-8"
    )
    result = run_cli(
        "run", docs, "-o", tmp_path / "out", "--backend", "local", "--cache-dir", model_cache, "--local-ctx", "4096"
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    report = RunReport.model_validate_json((out / "run.json").read_text())
    assert report.backend is not None and report.backend.kind == "local" and report.backend.mode == "json_schema"
    assert report.backend.details["model_sha256"] == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    assert report.calls >= 1 and report.usage.total_tokens > 0
    assert report.prompt_version == "extract-small-v1"
    assert report.backend.details["type_cues_version"] == "1"  # which cue words kept its events
    assert_grounded(out, docs)  # whatever the 270M model said, only grounded quotes are written
    for line in read_lines(out / "mentions.jsonl"):
        mention = Mention.model_validate_json(line)
        assert all(p.name in (docs / "news.txt").read_text() for p in mention.event.participants)
    assert server_children(os.getpid()) == []
    again = run_cli(  # the server comes up on another port: the answers are still the cached ones
        "run", docs, "-o", tmp_path / "again", "--backend", "local", "--cache-dir", model_cache, "--local-ctx", "4096"
    )
    assert again.exit_code == 0, again.output
    rerun = RunReport.model_validate_json((tmp_path / "again" / "run.json").read_text())
    assert rerun.calls == 0 and rerun.cache_hits == report.calls
    assert (tmp_path / "again" / "mentions.jsonl").read_bytes() == (out / "mentions.jsonl").read_bytes()


def test_server_constrains_output_to_the_schema(settings: LocalSettings) -> None:
    """The server really enforces the JSON schema (servers that fail open would not)."""
    import openai

    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string", "enum": ["red", "green"]}},
        "required": ["colour"],
        "additionalProperties": False,
    }
    with LocalServer(settings) as url:
        client = openai.OpenAI(base_url=url, api_key="local")
        answer = client.chat.completions.create(
            model="local",
            messages=[{"role": "user", "content": "Write a poem about the sea, in YAML."}],
            response_format={"type": "json_schema", "json_schema": {"name": "c", "schema": schema}},
            max_tokens=30,
            temperature=0,
        )
    assert json.loads(answer.choices[0].message.content or "")["colour"] in {"red", "green"}


def test_server_is_gone_after_normal_exit_and_after_an_exception(settings: LocalSettings) -> None:
    server = LocalServer(settings)
    with server:
        assert server.process is not None
        pid = server.process.pid
        assert alive(pid)
    assert not alive(pid)
    server = LocalServer(settings)
    with pytest.raises(RuntimeError), server:
        assert server.process is not None
        pid = server.process.pid
        raise RuntimeError("boom inside the run")
    assert not alive(pid)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_server_is_gone_after_the_pipeline_is_interrupted_or_killed(
    tmp_path: Path, model_cache: Path, sig: int
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "long.txt").write_text("Acme Corp hired a new chief executive on Monday. " * 200, encoding="utf-8")
    command = [sys.executable, "-m", "pipeline", "run", str(docs), "-o", str(tmp_path / "out"), "--backend", "local"]
    command += ["--cache-dir", str(model_cache), "--no-cache", "--local-ctx", "2048"]
    run = subprocess.Popen(
        command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    children: list[int] = []
    while not children and time.monotonic() < deadline and run.poll() is None:
        children = server_children(run.pid)
        time.sleep(0.2)
    assert children, "the local server never started"
    time.sleep(3)  # let the server load and the first calls begin
    run.send_signal(sig)
    run.wait(timeout=60)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in children)
    if sig == signal.SIGINT:
        assert run.returncode == 130
        assert not (tmp_path / "out" / "facts.jsonl").exists()


def test_two_cold_runs_give_identical_files(tmp_path: Path, model_cache: Path) -> None:
    """One slot, no prompt-cache reuse, temperature 0 and a fixed seed: reproducible without a cache."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "news.txt").write_text(
        "Intel invested $50 million in Stability AI in October 2023. The company denied the report.",
        encoding="utf-8",
    )
    for run in ("a", "b"):
        common = ["--backend", "local", "--cache-dir", model_cache, "--no-cache", "--local-ctx", "4096"]
        assert run_cli("run", docs, "-o", tmp_path / run, *common).exit_code == 0
    for name in ("mentions.jsonl", "facts.jsonl", "failures.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
