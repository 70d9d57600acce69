"""End to end: the CLI, the real openai client and instructor, a real HTTP server with scripted answers."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from conftest import ROOT, SEEDS, read_lines, run_cli
from openai_server import Reply, chunk_text, first_sentence, is_reask, quote_first_sentence, serve, statement

from pipeline.llm import public_url
from pipeline.records import Fact, Failure, Mention, RunReport

GOLDEN = ROOT / "tests" / "golden"
OUTPUT_FILES = ("mentions.jsonl", "facts.jsonl", "failures.jsonl")


def source_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def assert_grounded(out: Path, input_dir: Path) -> None:
    """Every quote written is the source's text at its offsets."""
    texts = {p.relative_to(input_dir).with_suffix("").as_posix(): source_text(p) for p in input_dir.rglob("*.txt")}
    for line in read_lines(out / "mentions.jsonl"):
        mention = Mention.model_validate_json(line)
        for evidence in mention.evidence:
            assert texts[mention.doc_id][evidence.char_start : evidence.char_end] == evidence.quote
    for line in read_lines(out / "facts.jsonl"):
        for source in Fact.model_validate_json(line).sources:
            assert texts[source.doc_id][source.char_start : source.char_end] == source.quote


def test_clean_run_over_the_seeds(tmp_path: Path) -> None:
    with serve(quote_first_sentence) as server:
        result = run_cli("run", SEEDS, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert_grounded(out, SEEDS)
    report = RunReport.model_validate_json((out / "run.json").read_text())
    assert [i.lang for i in report.inputs] == ["zh", "en", "fr"]
    assert report.counts.chunks == server.calls == report.calls
    assert report.counts.mentions >= 3 and report.counts.facts >= 3
    assert report.usage.total_tokens == 120 * server.calls
    assert report.backend is not None and report.backend.mode == "json_schema"
    mentions = [Mention.model_validate_json(line) for line in read_lines(out / "mentions.jsonl")]
    assert {m.doc_id for m in mentions} == {p.stem for p in SEEDS.iterdir()}
    assert all(m.prompt_version == "extract-v1" for m in mentions)
    assert read_lines(out / "failures.jsonl") == []
    request = server.requests[0].body
    assert request["temperature"] == 0 and request["seed"] == 0
    assert request["response_format"]["type"] == "json_schema"
    assert "1 documents" not in result.output and "3 documents" in result.output


def test_warm_cache_rerun_makes_no_calls_and_writes_identical_files(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serve(quote_first_sentence) as server:
        first = run_cli(
            "run", SEEDS, "-o", tmp_path / "a", "--base-url", server.url, "--model", "m", "--cache-dir", cache
        )
        calls_after_first = server.calls
        second = run_cli(
            "run", SEEDS, "-o", tmp_path / "b", "--base-url", server.url, "--model", "m", "--cache-dir", cache
        )
    assert first.exit_code == second.exit_code == 0
    assert calls_after_first > 0 and server.calls == calls_after_first
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    report = RunReport.model_validate_json((tmp_path / "b" / "run.json").read_text())
    assert report.calls == 0 and report.cache_hits == report.counts.chunks and report.usage.total_tokens == 0


def test_invalid_answer_is_reasked(tmp_path: Path) -> None:
    def script(request: dict[str, Any]) -> Any:
        if not is_reask(request):
            return {"events": [{"type": "statement", "evidence": ["x"]}]}  # fields missing
        return quote_first_sentence(request)

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday. Shares rose.", encoding="utf-8")
    with serve(script) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    assert server.calls == 2
    reask = server.requests[1].body["messages"]
    assert reask[-1]["role"] == "user" and "errors" in reask[-1]["content"].lower()
    assert len(read_lines(tmp_path / "out" / "mentions.jsonl")) == 1
    report = RunReport.model_validate_json((tmp_path / "out" / "run.json").read_text())
    assert report.usage.total_tokens == 240  # summed over the first answer and the re-ask


def test_ungrounded_quote_is_reasked_then_dropped_with_its_reason(tmp_path: Path) -> None:
    invented = "Acme Corp was bought by a rival yesterday"

    def script(request: dict[str, Any]) -> Any:
        text = chunk_text(request)
        if "Shares" in text and not is_reask(request):
            return {"events": [statement(invented)]}
        if "Shares" in text:
            return quote_first_sentence(request)
        return {"events": [statement(invented)]}  # never fixed for the other document

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fixed.txt").write_text("Acme Corp announced a new CEO on Monday. Shares rose.", encoding="utf-8")
    (docs / "never.txt").write_text("Globex said nothing new about its plans.", encoding="utf-8")
    with serve(script) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    mentions = [Mention.model_validate_json(line) for line in read_lines(out / "mentions.jsonl")]
    assert [m.doc_id for m in mentions] == ["fixed"]
    assert mentions[0].evidence[0].quote == "Acme Corp announced a new CEO on Monday."
    failures = [Failure.model_validate_json(line) for line in read_lines(out / "failures.jsonl")]
    assert [(f.doc_id, f.reason) for f in failures] == [("never", "ungrounded_quote")]
    assert server.calls == 2 + 3  # one re-ask for "fixed"; first answer + 2 re-asks for "never"
    assert invented not in (out / "failures.jsonl").read_text() + (out / "mentions.jsonl").read_text()
    assert_grounded(out, docs)


def test_rate_limit_and_server_error_are_retried(tmp_path: Path) -> None:
    replies = iter([Reply(status=429, headers={"Retry-After": "1"}), Reply(status=500)])

    def script(request: dict[str, Any]) -> Any:
        return next(replies, None) or quote_first_sentence(request)

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    started = time.monotonic()
    with serve(script) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    assert server.calls == 3
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert len(read_lines(tmp_path / "out" / "mentions.jsonl")) == 1


def test_truncated_answer_is_retried_with_smaller_chunks(tmp_path: Path) -> None:
    sentences = [f"Company number {i} announced a new product on Monday." for i in range(8)]

    def script(request: dict[str, Any]) -> Any:
        text = chunk_text(request)
        if text.count("announced") > 2:
            return Reply(answer='{"events": [{"type": "statem', finish_reason="length")
        return {"events": [statement(s) for s in sentences if s in text]}

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(" ".join(sentences), encoding="utf-8")
    with serve(script) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    mentions = [Mention.model_validate_json(line) for line in read_lines(tmp_path / "out" / "mentions.jsonl")]
    assert sorted(m.evidence[0].quote for m in mentions) == sorted(sentences)
    # 8 sentences: whole (cut), halves of 4 (cut), quarters of 2 (answered)
    assert server.calls == 1 + 2 + 4
    assert read_lines(tmp_path / "out" / "failures.jsonl") == []


def test_template_syntax_in_an_article_reaches_the_model_unchanged(tmp_path: Path) -> None:
    text = "Acme said {{ revenue }} grew {% if x %}fast{% endif %} and {# not a comment #} ended.\n  Indented line."
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(text, encoding="utf-8")
    with serve(lambda r: {"events": [statement("Acme said {{ revenue }} grew")]}) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    assert chunk_text(server.requests[0].body) == text  # braces, tags, comments and indentation intact
    assert_grounded(tmp_path / "out", docs)
    assert len(read_lines(tmp_path / "out" / "mentions.jsonl")) == 1


def test_bad_inputs_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / "001_35bbcc48e17f0e9c.txt", docs / "sub" / "good.txt")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.md").write_bytes(bytes(range(256)) * 4)
    (docs / "ignored.pdf").write_bytes(b"%PDF")
    with serve(quote_first_sentence) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 1
    assert "2 input(s) failed" in result.output
    assert f"{docs / 'empty.txt'}: empty file" in result.output
    assert f"{docs / 'binary.md'}: not a text file" in result.output
    mentions = [Mention.model_validate_json(line) for line in read_lines(tmp_path / "out" / "mentions.jsonl")]
    assert mentions and {m.doc_id for m in mentions} == {"sub/good"}
    failures = [Failure.model_validate_json(line) for line in read_lines(tmp_path / "out" / "failures.jsonl")]
    assert sorted(f.reason for f in failures) == ["unreadable_input", "unreadable_input"]
    assert sorted(f.doc_id or "" for f in failures) == ["binary", "empty"]  # was null: the ids are known


def test_missing_folder_and_missing_endpoint_are_one_line_errors(tmp_path: Path) -> None:
    result = run_cli("run", SEEDS, "-o", tmp_path / "out", "--backend", "remote")
    assert result.exit_code == 3 and "no model endpoint configured" in result.output
    result = run_cli("run", tmp_path / "nope", "-o", tmp_path / "out")  # fails before a local server starts
    assert result.exit_code == 3 and "no such folder" in result.output
    with serve(quote_first_sentence) as server:
        result = run_cli("run", tmp_path / "nope", "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 3
    assert result.output.strip() == f"factbase: error: {tmp_path / 'nope'}: no such folder"


def test_api_key_never_appears_in_outputs_cache_or_messages(tmp_path: Path, monkeypatch: Any) -> None:
    secret = "sk-test-0123456789abcdefSECRET"
    monkeypatch.setenv("OPENAI_API_KEY", secret)

    def script(request: dict[str, Any]) -> Any:
        if "Globex" in chunk_text(request):  # a server that echoes the key in its error
            return Reply(status=400, body={"error": {"message": f"bad request for key {secret}"}})
        return quote_first_sentence(request)

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    (docs / "b.txt").write_text("Globex Corp announced a new CFO on Monday.", encoding="utf-8")
    cache = tmp_path / "cache"
    with serve(script) as server:
        result = run_cli(
            "-v", "run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m", "--cache-dir", cache
        )
    assert server.requests[0].headers["Authorization"] == f"Bearer {secret}"
    assert result.exit_code == 1
    written = [p.read_text() for p in [*(tmp_path / "out").iterdir(), *cache.rglob("*.json")]]
    assert written and all(secret not in text and "0123456789abcdef" not in text for text in written)
    assert secret not in result.output and "[redacted]" in (tmp_path / "out" / "failures.jsonl").read_text()


def test_a_short_key_and_the_password_in_the_url_stay_out_of_outputs_and_messages(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """ "sk-1234" (shorter than a real key) and the password of http://alice:hunter2pass@host were
    written in full: in errors, in -v logs and (the URL) in run.json."""
    monkeypatch.setenv("FACTBASE_API_KEY", "sk-1234")

    def script(request: dict[str, Any]) -> Any:
        if "Globex" in chunk_text(request):  # a proxy that echoes what it was sent
            return Reply(status=400, body={"error": {"message": "bad request: Bearer sk-1234 from alice:hunter2pass"}})
        return quote_first_sentence(request)

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    (docs / "b.txt").write_text("Globex Corp announced a new CFO on Monday.", encoding="utf-8")
    with serve(script) as server:
        url = server.url.replace("://", "://alice:hunter2pass@")
        result = run_cli("-v", "run", docs, "-o", tmp_path / "out", "--base-url", url, "--model", "m", "--no-cache")
    assert result.exit_code == 1
    written = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    assert "failed" in written and server.url in written  # the failure, and the endpoint without its password
    assert not any(secret in written + result.output for secret in ("sk-1234", "hunter2pass"))
    assert public_url("http://alice:p@ss@host/v1") == "http://host/v1"  # a password with an @ in it


def test_failed_chunks_carry_their_span_and_come_in_document_order(tmp_path: Path) -> None:
    """The span was only inside the message, and failures came in chunk-hash order."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(" ".join(f"Acme Corp hired person number {k}." for k in range(40)), encoding="utf-8")
    with serve(lambda request: Reply(status=400)) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m",
                         "--chunk-tokens", "60", "--no-cache")  # fmt: skip
    assert result.exit_code == 1
    failures = [Failure.model_validate_json(line) for line in read_lines(tmp_path / "out" / "failures.jsonl")]
    spans = [(f.char_start, f.char_end) for f in failures]
    assert len(spans) > 3 and spans == sorted(spans)
    assert all(f"[chars {f.char_start}-{f.char_end}]" in f.message for f in failures)


def test_printed_paths_keep_words_shaped_like_keys(tmp_path: Path) -> None:
    """Every printed line went through the key-shape pattern: "api-schemas-2024" became "[redacted]"."""
    result = run_cli("schema", "-o", tmp_path / "api-schemas-2024")
    assert result.exit_code == 0 and str(tmp_path / "api-schemas-2024" / "fact.schema.json") in result.output


def test_a_command_runs_from_a_thread_other_than_the_main_one(tmp_path: Path) -> None:
    """Setting the SIGTERM handler raised "signal only works in main thread" there."""
    outcome: list[int] = []
    thread = threading.Thread(target=lambda: outcome.append(run_cli("schema", "-o", tmp_path).exit_code))
    thread.start()
    thread.join(60)
    assert outcome == [0]


def test_refused_key_stops_the_run_with_a_clear_message(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("MY_KEY", "sk-live-abcdefghijklmnop")

    def script(request: dict[str, Any]) -> Reply:
        return Reply(status=401, body={"error": {"message": "Incorrect API key provided: sk-live-abcdefghijklmnop"}})

    with serve(script) as server:
        result = run_cli(
            "run", SEEDS, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m", "--api-key-env", "MY_KEY"
        )
    assert result.exit_code == 3
    assert "refused the call" in result.output and "abcdefghijklmnop" not in result.output
    assert not (tmp_path / "out").exists()


def _earlier_run(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A folder holding the files of an earlier run, and their bytes."""
    out = tmp_path / "prev"
    out.mkdir()
    for name in ("mentions.jsonl", "facts.jsonl", "failures.jsonl", "run.json"):
        (out / name).write_text(f"an earlier {name}\n")
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def test_an_endpoint_never_reached_stops_the_run_and_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A wrong port failed every chunk after its retries (17 minutes for a real corpus), then
    replaced the earlier run's files with empty ones."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    monkeypatch.setenv("FACTBASE_BACKOFF_S", "0.01")
    monkeypatch.setenv("FACTBASE_TRANSPORT_RETRIES", "1")
    out, earlier = _earlier_run(tmp_path)
    result = run_cli("run", SEEDS, "-o", out, "--base-url", url, "--model", "m", "--no-cache")
    assert result.exit_code == 3
    assert result.output.startswith(f"factbase: error: cannot reach {url}: APIConnectionError")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier


def test_a_folder_without_articles_is_an_error_that_leaves_the_output_folder_as_it_was(tmp_path: Path) -> None:
    """An empty folder (or a mistyped one holding other files) exited 0 and emptied the earlier run's files."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.pdf").write_bytes(b"%PDF")
    out, earlier = _earlier_run(tmp_path)
    result = run_cli("run", docs, "-o", out, "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert result.exit_code == 3
    assert result.output.strip() == f"factbase: error: {docs}: no article in it (files ending in .txt or .md)"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier


def test_an_output_path_that_is_a_file_fails_before_any_work(tmp_path: Path) -> None:
    """It failed with "File exists" once every chunk had been extracted."""
    (tmp_path / "afile").write_text("mine")
    with serve(quote_first_sentence) as server:
        result = run_cli("run", SEEDS, "-o", tmp_path / "afile", "--base-url", server.url, "--model", "m")
        reconciled = run_cli("reconcile", ROOT / "tests" / "golden" / "mentions.jsonl", "-o", tmp_path / "afile")
    inside = run_cli("reconcile", ROOT / "tests" / "golden" / "mentions.jsonl", "-o", tmp_path / "afile" / "sub")
    assert result.exit_code == reconciled.exit_code == inside.exit_code == 3 and server.calls == 0
    error = f"factbase: error: {tmp_path / 'afile'}: not a folder (the output folder"
    assert result.output == reconciled.output == f"{error})\n" and inside.output == f"{error} is in it)\n"


def test_a_flag_with_a_value_that_cannot_work_is_wrong_usage_and_a_setting_elsewhere_is_configuration(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """--concurrency 0 exited 3 while --workers 0 exited 2: both are wrong usage (exit 2); the same
    value from the environment or the config file is a configuration error (exit 3)."""
    flagged = run_cli(
        "run", SEEDS, "-o", tmp_path / "a", "--concurrency", "0", "--base-url", "http://x/v1", "--model", "m"
    )
    assert flagged.exit_code == 2 and "invalid setting concurrency" in flagged.output
    monkeypatch.setenv("FACTBASE_CONCURRENCY", "0")
    configured = run_cli("run", SEEDS, "-o", tmp_path / "b", "--base-url", "http://x/v1", "--model", "m")
    assert configured.exit_code == 3 and "invalid setting concurrency" in configured.output


def test_extract_refuses_adjudicate_which_it_would_ignore(tmp_path: Path) -> None:
    result = run_cli("extract", SEEDS, "-o", tmp_path / "out", "--adjudicate")
    assert result.exit_code == 2 and "--adjudicate" in result.output and not (tmp_path / "out").exists()


def test_sigterm_stops_a_run_like_ctrl_c_leaving_the_folder_as_it_was(tmp_path: Path) -> None:
    """SIGTERM ended the process at once: no message, temporary files left, workers orphaned."""
    asked, release = threading.Event(), threading.Event()

    def slow(request: dict[str, Any]) -> Any:
        asked.set()
        release.wait(30)
        return quote_first_sentence(request)

    out, earlier = _earlier_run(tmp_path)
    environment = os.environ | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    with serve(slow) as server:
        command = [sys.executable, "-m", "pipeline", "run", str(SEEDS), "-o", str(out)]
        command += ["--base-url", server.url, "--model", "m"]
        process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
        assert asked.wait(60)
        process.terminate()
        _, stderr = process.communicate(timeout=60)
        release.set()
    assert process.returncode == 130
    assert stderr.strip().startswith("factbase: error: interrupted")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier


def test_extract_then_reconcile_equals_run_and_reconciling_in_place_keeps_the_extraction_failures(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    (docs / "empty.txt").write_bytes(b"")
    with serve(quote_first_sentence) as server:
        run_cli("run", docs, "-o", tmp_path / "run", "--base-url", server.url, "--model", "m")
        run_cli("extract", docs, "-o", tmp_path / "ex", "--base-url", server.url, "--model", "m")
    assert not (tmp_path / "ex" / "facts.jsonl").exists()
    result = run_cli("reconcile", tmp_path / "ex" / "mentions.jsonl", "-o", tmp_path / "rec")
    assert result.exit_code == 0, result.output  # the failure is the extraction's, reported by it
    for name in ("facts.jsonl", "failures.jsonl"):
        assert (tmp_path / "rec" / name).read_bytes() == (tmp_path / "run" / name).read_bytes()
    assert "empty file" in (tmp_path / "run" / "failures.jsonl").read_text()
    extracted = RunReport.model_validate_json((tmp_path / "ex" / "run.json").read_bytes())
    for _ in range(2):  # reconciled in place twice: the extraction's report is kept, once
        assert run_cli("reconcile", tmp_path / "ex" / "mentions.jsonl", "-o", tmp_path / "ex").exit_code == 0
        in_place = RunReport.model_validate_json((tmp_path / "ex" / "run.json").read_bytes())
        assert in_place.command == "reconcile" and in_place.extraction == extracted
        assert in_place.inputs == extracted.inputs and extracted.backend is not None
    for name in ("facts.jsonl", "failures.jsonl"):
        assert (tmp_path / "ex" / name).read_bytes() == (tmp_path / "run" / name).read_bytes()
    with serve(quote_first_sentence) as server:  # extracting there again: those facts are no longer its
        run_cli("extract", docs, "-o", tmp_path / "ex", "--base-url", server.url, "--model", "m")
    assert not (tmp_path / "ex" / "facts.jsonl").exists()


def test_reconcile_of_a_file_with_no_mention_names_its_first_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.jsonl"
    bad.write_text('{"not": "a mention"}\n{"nor": "this"}\n', encoding="utf-8")
    result = run_cli("reconcile", bad, "-o", tmp_path / "out")
    assert result.exit_code == 3 and f"{bad}:1: not a valid mention: id: Field required; no line of" in result.output
    bad.write_text("oops\n", encoding="utf-8")
    assert f"{bad}:1: not a JSON line" in run_cli("reconcile", bad, "-o", tmp_path / "out").output
    assert (
        run_cli("reconcile", tmp_path, "-o", tmp_path / "out").output
        == f"factbase: error: {tmp_path}: a folder, not a file\n"
    )
    assert not (tmp_path / "out").exists()


def test_reconcile_of_an_empty_mentions_file_writes_no_fact(tmp_path: Path) -> None:
    empty = tmp_path / "mentions.jsonl"
    empty.write_text("", encoding="utf-8")
    result = run_cli("reconcile", empty, "-o", tmp_path / "out")
    assert result.exit_code == 0 and "0 mentions -> 0 facts" in result.output
    assert read_lines(tmp_path / "out" / "facts.jsonl") == read_lines(tmp_path / "out" / "failures.jsonl") == []


def test_reconcile_skips_bad_lines_and_keeps_the_good_ones(tmp_path: Path) -> None:
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([lines[0], "not json", *lines[1:5], '{"id": "m_1"}']) + "\n", encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    result = run_cli("reconcile", mixed, "-o", tmp_path / "mixed")
    assert result.exit_code == 1
    assert (
        f"failed: {mixed}:2: not a JSON line" in result.output
        and f"failed: {mixed}:7: not a valid mention" in result.output
    )
    assert f"2 line(s) of {mixed} left out" in result.output
    assert run_cli("reconcile", good, "-o", tmp_path / "good").exit_code == 0
    assert (tmp_path / "mixed" / "facts.jsonl").read_bytes() == (tmp_path / "good" / "facts.jsonl").read_bytes()
    failures = [Failure.model_validate_json(line) for line in read_lines(tmp_path / "mixed" / "failures.jsonl")]
    assert [(f.stage, f.reason, f.message.split(": ")[0]) for f in failures] == [
        ("reconcile", "unreadable_mention", f"{mixed}:2"),
        ("reconcile", "unreadable_mention", f"{mixed}:7"),
    ]
    counts = RunReport.model_validate_json((tmp_path / "mixed" / "run.json").read_text()).counts
    assert (counts.mentions, counts.mentions_unreadable, counts.facts) == (5, 2, 5)
    assert read_lines(tmp_path / "good" / "failures.jsonl") == []


def test_reconcile_uses_a_repeated_mention_once_and_says_so(tmp_path: Path) -> None:
    text = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8")
    twice = tmp_path / "twice.jsonl"
    twice.write_text(text + text, encoding="utf-8")
    result = run_cli("reconcile", twice, "-o", tmp_path / "twice")
    assert result.exit_code == 0, result.output
    assert run_cli("reconcile", GOLDEN / "mentions.jsonl", "-o", tmp_path / "once").exit_code == 0
    assert (tmp_path / "twice" / "facts.jsonl").read_bytes() == (tmp_path / "once" / "facts.jsonl").read_bytes()
    lines = text.count("\n")
    assert (
        f"{lines} line(s) repeat a mention read before, each mention used once (first: {twice}:{lines + 1})"
        in result.output
    )
    counts = RunReport.model_validate_json((tmp_path / "twice" / "run.json").read_text()).counts
    assert (counts.mentions, counts.mentions_repeated) == (lines, lines)


def test_tools_mode_for_servers_that_prefer_tool_calls(tmp_path: Path) -> None:
    with serve(quote_first_sentence) as server:
        result = run_cli(
            "run", SEEDS, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m", "--mode", "tools"
        )
    assert result.exit_code == 0, result.output
    assert server.requests[0].body["tool_choice"]["function"]["name"] == "Extraction"
    assert_grounded(tmp_path / "out", SEEDS)
    assert json.loads((tmp_path / "out" / "run.json").read_text())["backend"]["mode"] == "tools"


def test_first_sentence_helper_is_a_prefix() -> None:
    assert first_sentence("Hello there. Next one.") == "Hello there."


def test_quotes_with_unicode_line_separators_survive_reconcile(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Headline\u2028Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    with serve(lambda r: {"events": [statement("Headline\u2028Acme Corp announced")]}) as server:
        assert run_cli("extract", docs, "-o", tmp_path / "ex", "--base-url", server.url, "--model", "m").exit_code == 0
    result = run_cli("reconcile", tmp_path / "ex" / "mentions.jsonl", "-o", tmp_path / "rec")
    assert result.exit_code == 0, result.output
    assert run_cli("diff", tmp_path / "rec", tmp_path / "rec", "--json").exit_code == 0


def test_configuration_errors_exit_3_and_write_nothing(tmp_path: Path) -> None:
    result = run_cli("run", SEEDS, "-o", tmp_path / "out", "--reference-date", "2024-13-01")
    assert result.exit_code == 2 and "not an ISO date" in result.output  # a flag's value: wrong usage
    not_utf8 = tmp_path / "bad.jsonl"
    not_utf8.write_bytes(b"\xff\xfe{}\n")
    result = run_cli("reconcile", not_utf8, "-o", tmp_path / "out")
    assert result.exit_code == 3 and "not UTF-8" in result.output
    (tmp_path / "afile").write_text("x")
    with serve(quote_first_sentence) as server:
        result = run_cli("run", SEEDS, "-o", tmp_path / "afile", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 3 and "afile" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_same_model_name_on_another_endpoint_is_not_served_from_the_cache(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--model", "local"]
    with serve(quote_first_sentence) as first, serve(quote_first_sentence) as second:
        run_cli("run", docs, "-o", tmp_path / "a", "--base-url", first.url, *cache)
        run_cli("run", docs, "-o", tmp_path / "b", "--base-url", second.url, *cache)
        assert (first.calls, second.calls) == (1, 1)


def test_a_chunk_whose_halves_all_fail_counts_as_one_failed_chunk(tmp_path: Path) -> None:
    sentences = [f"Company number {i} announced a new product on Monday." for i in range(4)]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(" ".join(sentences), encoding="utf-8")
    with serve(lambda request: Reply(answer='{"events": [{"type": "statem', finish_reason="length")) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 1
    counts = RunReport.model_validate_json((tmp_path / "out" / "run.json").read_text()).counts
    assert (counts.chunks, counts.chunks_failed) == (1, 1)
    failures = [Failure.model_validate_json(line) for line in read_lines(tmp_path / "out" / "failures.jsonl")]
    assert len(failures) > 1 and {f.reason for f in failures} == {"truncated"}  # one per piece that was cut


def test_a_quote_not_in_the_text_is_reported_even_when_the_event_keeps_another(tmp_path: Path) -> None:
    invented = "Acme Corp sold its headquarters for a song."
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    event = statement("Acme Corp announced a new CEO on Monday.") | {
        "evidence": ["Acme Corp announced a new CEO on Monday.", invented]
    }
    with serve(lambda request: {"events": [event]}) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output  # an event with evidence was kept: no input lost
    [mention] = [Mention.model_validate_json(line) for line in read_lines(tmp_path / "out" / "mentions.jsonl")]
    assert [e.quote for e in mention.evidence] == ["Acme Corp announced a new CEO on Monday."]
    [failure] = [Failure.model_validate_json(line) for line in read_lines(tmp_path / "out" / "failures.jsonl")]
    assert failure.reason == "ungrounded_quote"
    assert failure.message.endswith(
        ": statement event kept without 1 of its 2 quote(s), not found in the text (or too short to place)"
    )
    assert invented not in (tmp_path / "out" / "failures.jsonl").read_text()


def test_a_key_of_any_shape_stays_out_of_verbose_logs_and_the_cache(tmp_path: Path) -> None:
    """A proxy echoes the Authorization header in its error bodies and into an answer; the key
    has no shape the redaction pattern knows. The libraries' own log lines (-v) are filtered too."""
    secret = "tok.ABCDEFGHsecretvalue42"

    def script(request: dict[str, Any]) -> Any:
        if "Globex" in chunk_text(request):
            return Reply(status=500, body={"error": {"message": f"bad gateway for Bearer {secret}"}})
        return f"not json: Bearer {secret}"  # an answer that fails validation and is cached

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    (docs / "b.txt").write_text("Globex Corp announced a new CFO on Monday.", encoding="utf-8")
    environment = os.environ | {
        "FACTBASE_API_KEY": secret, "FACTBASE_BACKOFF_S": "0.01", "FACTBASE_TRANSPORT_RETRIES": "1",
        "FACTBASE_REASKS": "0", "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }  # fmt: skip
    with serve(script) as server:
        command = [sys.executable, "-m", "pipeline", "-v", "run", str(docs), "-o", str(tmp_path / "out")]
        command += ["--base-url", server.url, "--model", "m"]
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 1 and "ERROR" in finished.stderr  # instructor logged the failures
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != docs]
    assert len(files) > 3 and not any(secret.encode() in p.read_bytes() for p in files)
    assert secret not in finished.stderr + finished.stdout


def test_a_reply_with_no_answer_in_it_is_not_cached(tmp_path: Path) -> None:
    """A gateway's 200 with no choices is a glitch, not the model's answer: the next run asks again."""
    healthy = {"on": False}

    def script(request: dict[str, Any]) -> Any:
        return quote_first_sentence(request) if healthy["on"] else Reply(body={"id": "x", "choices": []})

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Acme Corp announced a new CEO on Monday.", encoding="utf-8")
    with serve(script) as server:
        args = ("--base-url", server.url, "--model", "m", "--cache-dir", tmp_path / "cache")
        first = run_cli("run", docs, "-o", tmp_path / "first", *args)
        healthy["on"] = True
        second = run_cli("run", docs, "-o", tmp_path / "second", *args)
    assert first.exit_code == 1 and second.exit_code == 0
    report = RunReport.model_validate_json((tmp_path / "second" / "run.json").read_text())
    assert report.calls == 1 and report.cache_hits == 0 and report.counts.mentions == 1


def test_answers_are_not_touched_by_key_redaction(tmp_path: Path) -> None:
    """Only a real key's value is removed from answers: 'key-person' or 'local' in a quote are words."""
    docs = tmp_path / "docs"
    docs.mkdir()
    sentence = "The key-person insurance of the local council was cancelled on Monday."
    (docs / "a.txt").write_text(sentence, encoding="utf-8")
    with serve(quote_first_sentence) as server:
        result = run_cli("run", docs, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m", "--no-cache")
    assert result.exit_code == 0, result.output
    [mention] = [Mention.model_validate_json(line) for line in read_lines(tmp_path / "out" / "mentions.jsonl")]
    assert mention.evidence[0].quote == sentence


def test_an_event_an_article_tells_in_two_chunks_is_one_fact(tmp_path: Path) -> None:
    """The model reports Mostaque's resignation in every chunk that names him, quoting the first
    sentence there that does: an article that tells it in several places gives one fact, its
    tellings from different chunks merged (they quote different sentences, so extraction kept
    them apart), with every place as a source."""

    def resignation(request: dict[str, Any]) -> dict[str, Any]:
        sentences = re.split(r"(?<=[。！？.!?])\s*", chunk_text(request))
        quote = next((s for s in sentences if "Mostaque" in s), None)
        if quote is None:
            return {"events": []}
        person = {"name": "Mostaque", "canonical_name": "Emad Mostaque", "kind": "person", "role": "subject"}
        company = {
            "name": "Stability AI",
            "canonical_name": "Stability AI",
            "kind": "organization",
            "role": "organization",
        }
        event = statement(quote, type="resignation", position="CEO", participants=[person, company],
                          summary="Emad Mostaque resigned as CEO of Stability AI.")  # fmt: skip
        del event["stance"]
        return {"events": [event]}

    with serve(resignation) as server:
        result = run_cli("run", SEEDS, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert result.exit_code == 0, result.output
    mentions = {m.id: m for m in map(Mention.model_validate_json, read_lines(tmp_path / "out" / "mentions.jsonl"))}
    [fact] = [Fact.model_validate_json(line) for line in read_lines(tmp_path / "out" / "facts.jsonl")]
    told = [mentions[i] for i in fact.mention_ids]
    assert len(told) == len(mentions) > 3 and {m.doc_id for m in told} == {p.stem for p in SEEDS.iterdir()}
    assert len({c for m in told for c in m.chunk_ids}) > len({m.doc_id for m in told})  # several chunks of one article
    assert_grounded(tmp_path / "out", SEEDS)
