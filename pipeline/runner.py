"""The run: ingest, chunk, extract, ground, reconcile and write, with counts for run.json.

Stages are plain functions; this module is the edge that wires them to the backend and to disk.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import gc
import itertools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

from pydantic import SecretStr, ValidationError

from pipeline import __version__
from pipeline.adjudicate import MAX_TOKENS as ADJUDICATION_MAX_TOKENS
from pipeline.adjudicate import PROMPT as ADJUDICATION_PROMPT
from pipeline.adjudicate import Adjudication, Adjudicator, Tally
from pipeline.cache import ResponseCache
from pipeline.config import ConfigError, Settings
from pipeline.events import first_error, json_error
from pipeline.extract import Extractor, ExtractResult
from pipeline.extract_schema import schema_hash
from pipeline.ground import type_cues_version
from pipeline.ingest import ARTICLE_SUFFIXES, IngestError, find_articles, ingest
from pipeline.llm import NO_KEY, BackendConfig, CachedClient, ModelClient, public_url
from pipeline.local import LocalServer, file_sha256, resolve_settings
from pipeline.prompts import DEFAULT_PROMPT, SMALL_MODEL_PROMPT, load_prompt
from pipeline.reconcile import Intake, Stopwatch, Unreadable, build_facts, reconcile
from pipeline.records import (
    BackendRecord,
    Document,
    Fact,
    Failure,
    InputRecord,
    Mention,
    MentionsFileRecord,
    RunReport,
    StageCounts,
)
from pipeline.write import OutputSet, to_line

Until = Literal["mentions", "facts"]
SMALL_MODEL_MAX_TOKENS = 1536
OUTPUT_FILES = ("mentions.jsonl", "failures.jsonl", "facts.jsonl", "run.json")
RecordT = TypeVar("RecordT", Mention, Fact, Failure)
NO_BACKEND_MESSAGE = (
    "--backend remote but no model endpoint configured: pass --base-url URL --model NAME (or set OPENAI_BASE_URL and "
    "FACTBASE_MODEL) for a vLLM, Ollama or llama.cpp server, or set OPENAI_API_KEY for OpenAI"
)


@dataclass
class Progress:
    """Hooks a front end can attach to; the default does nothing."""

    planned: Callable[[int], None] = lambda n: None
    advance: Callable[[], None] = lambda: None


@dataclass
class RunOutcome:
    report: RunReport
    failures: list[Failure] = field(default_factory=list)
    first_repeat: str | None = None  # where a mention read before was first read again
    no_verdict: str | None = None  # why the first pair put to the model got no verdict

    @property
    def failed_inputs(self) -> int:
        return len({f.path for f in self.failures if f.loses_input})


def _ingest_failure(error: IngestError) -> Failure:
    return Failure(
        stage="ingest",
        path=error.path,
        doc_id=error.doc_id,
        chunk_id=None,
        reason="unreadable_input",
        message=str(error),
        event=None,
    )


def read_inputs(input_dir: Path, reference_date: str | None) -> tuple[list[Document], list[Failure]]:
    documents, failures = [], []
    for item in ingest(input_dir, reference_date):
        if isinstance(item, IngestError):
            failures.append(_ingest_failure(item))
        else:
            documents.append(item)
    return documents, failures


@dataclass(frozen=True)
class Backend:
    """Where the model answers, and what run.json says about it."""

    config: BackendConfig
    kind: Literal["remote", "local"]
    details: dict[str, str]
    prompt: str
    small_model: bool = False  # reduced schema: quotes chosen among the chunk's sentences


@contextmanager
def open_backend(settings: Settings) -> Iterator[Backend]:
    """The configured endpoint; or, when none is configured (or --backend local), a llama.cpp
    server started for the run and stopped when it ends, however it ends."""
    remote = settings.remote_backend() if settings.backend != "local" else None
    if remote is not None:
        yield Backend(remote, "remote", {}, settings.prompt or DEFAULT_PROMPT)
        return
    if settings.backend == "remote":
        raise ConfigError(NO_BACKEND_MESSAGE)
    local = resolve_settings(
        settings.local_model,
        settings.cache_dir,
        settings.local_ctx,
        settings.local_threads,
        settings.local_gpu_layers,
        settings.local_parallel,
    )
    bundled = settings.local_model is None
    with LocalServer(local) as url:
        max_tokens = SMALL_MODEL_MAX_TOKENS if bundled else min(settings.max_tokens, local.n_ctx // 2)
        name = Path(local.model_path).stem  # the server's port changes every run; the model's hash does not
        config = settings.backend_config(url, SecretStr(NO_KEY), name, "json_schema", max_tokens, local.model_sha256)
        prompt = settings.prompt or (SMALL_MODEL_PROMPT if bundled else DEFAULT_PROMPT)
        details = local.details() | ({"type_cues_version": type_cues_version()} if bundled else {})
        yield Backend(config, "local", details, prompt, small_model=bundled)


def backend_record(backend: Backend) -> BackendRecord:
    config = backend.config
    return BackendRecord(
        kind=backend.kind,
        base_url=public_url(config.base_url) if backend.kind == "remote" and config.base_url else None,
        model=config.model,
        mode=config.resolved_mode(),
        temperature=config.temperature,
        seed=config.seed,
        max_tokens=config.max_tokens,
        details=backend.details,
    )


async def _extract(
    settings: Settings, backend: Backend, documents: list[Document], progress: Progress
) -> tuple[ExtractResult, int]:
    client = ModelClient(backend.config)
    try:
        extractor = Extractor(
            client,
            _response_cache(settings),
            load_prompt(backend.prompt),
            settings.concurrency,
            small_model=backend.small_model,
        )
        result = await extractor.extract_documents(
            documents, settings.chunk_tokens, settings.overlap_sentences, progress.advance, progress.planned
        )
        return result, client.http_calls
    finally:
        await client.aclose()


def adjudication(settings: Settings, backend: Backend, tally: Tally) -> Adjudication | None:
    """How reconciliation asks the model about the pairs scored near the threshold, when
    `adjudicate` is on; what it cost is added to `tally`."""
    if not settings.adjudicate:
        return None

    def ask(pairs: list[tuple[Mention, Mention]]) -> list[bool | None]:
        return asyncio.run(_ask(settings, backend, pairs, tally))

    return Adjudication(ask, settings.adjudication_band)


async def _ask(
    settings: Settings, backend: Backend, pairs: list[tuple[Mention, Mention]], tally: Tally
) -> list[bool | None]:
    client = ModelClient(backend.config.model_copy(update={"max_tokens": ADJUDICATION_MAX_TOKENS}))
    try:
        calls = CachedClient(client, _response_cache(settings), settings.concurrency)
        verdicts = await Adjudicator(calls, load_prompt(ADJUDICATION_PROMPT), tally).verdicts(pairs)
        tally.calls += client.http_calls
        return verdicts
    finally:
        await client.aclose()


def _response_cache(settings: Settings) -> ResponseCache:
    return ResponseCache(None if settings.no_cache else settings.cache_dir)


def run_pipeline(
    settings: Settings, input_dir: Path, out_dir: Path, until: Until, progress: Progress | None = None
) -> RunOutcome:
    """Run the pipeline over a folder and write its files into `out_dir`."""
    started = time.monotonic()
    _check_output_folder(out_dir)
    if not find_articles(input_dir):  # a missing or empty folder fails before any server starts
        raise IngestError(input_dir, f"no article in it (files ending in {' or '.join(ARTICLE_SUFFIXES)})")
    tally = Tally()
    with open_backend(settings) as backend:
        documents, failures = read_inputs(input_dir, settings.reference_date)
        result, calls = asyncio.run(_extract(settings, backend, documents, progress or Progress()))
        failures = sort_failures(failures + result.failures)
        facts = []
        if until == "facts":  # before any file is written: a failed adjudication leaves the folder as it was
            facts = build_facts(result.mentions, settings.registry(), adjudication(settings, backend, tally))
    with OutputSet(out_dir, OUTPUT_FILES, marker="run.json") as outputs:
        outputs.write_jsonl("mentions.jsonl", result.mentions)
        outputs.write_jsonl("failures.jsonl", failures)
        if until == "facts":
            outputs.write_jsonl("facts.jsonl", facts)
        else:  # the facts of an earlier run there would not be those of these mentions
            outputs.remove("facts.jsonl")
        report = _run_report(settings, backend, documents, failures, result, facts, until, tally, calls, started)
        outputs.write_json("run.json", report)
    return RunOutcome(report, failures, no_verdict=tally.first_problem)


def _run_report(
    settings: Settings,
    backend: Backend,
    documents: list[Document],
    failures: list[Failure],
    result: ExtractResult,
    facts: list[Fact],
    until: Until,
    tally: Tally,
    calls: int,
    started: float,
) -> RunReport:
    prompt = load_prompt(backend.prompt)
    return RunReport(
        factbase_version=__version__,
        command="run" if until == "facts" else "extract",
        inputs=[_input_record(d) for d in documents],
        backend=backend_record(backend),
        prompt_version=prompt.version,
        adjudication_prompt_version=ADJUDICATION_PROMPT if until == "facts" and settings.adjudicate else None,
        schema_hash=schema_hash(),
        chunking={"chunk_tokens": settings.chunk_tokens, "overlap_sentences": settings.overlap_sentences},
        counts=StageCounts(
            documents=len(documents) + sum(f.stage == "ingest" for f in failures),
            documents_failed=sum(f.stage == "ingest" for f in failures),
            chunks=result.chunks,
            chunks_failed=result.chunks_failed,
            events_returned=result.events_returned,
            events_rejected=result.events_rejected,
            mentions=len(result.mentions),
            facts=len(facts),
            pairs_adjudicated=tally.pairs,
            pairs_unanswered=tally.unanswered,
        ),
        usage=result.usage.add(tally.usage),
        calls=calls + tally.calls,
        cache_hits=result.cache_hits + tally.cache_hits,
        duration_s=round(time.monotonic() - started, 3),
    )


def reconcile_file(settings: Settings, mentions_path: Path, out_dir: Path, workers: int = 1) -> RunOutcome:
    """Build facts.jsonl from an existing mentions.jsonl, streaming: the file is read once to match
    the mentions and again, group by group, to write the facts; parsing, pair scoring and fact
    building run in `workers` processes. With `adjudicate` on, the model is started (or reached)
    to judge the pairs scored near the threshold."""
    started = time.monotonic()
    _check_output_folder(out_dir)
    registry = settings.registry()
    source = MentionFile(mentions_path)
    extraction = extraction_report(mentions_path)
    inputs = extraction.inputs if extraction else []
    references = {i.doc_id: i.reference_date.date for i in inputs}
    earlier, unreadable_earlier = earlier_failures(mentions_path)
    tally = Tally()
    try:
        with contextlib.ExitStack() as stack, collector_paused():
            backend = stack.enter_context(open_backend(settings)) if settings.adjudicate else None
            asking = adjudication(settings, backend, tally) if backend else None
            result = reconcile(source, registry, to_line, workers, references, asking)
            intake = result.intake
            if intake.unreadable and not result.mentions:  # the wrong file, most likely
                first = _line_failures(source, Intake([min(intake.unreadable)], [], []))[0]
                raise ConfigError(f"{first.message}; no line of the file is a mention")
            failures = _line_failures(source, intake) + unreadable_earlier
            lap = Stopwatch()
            outputs = stack.enter_context(OutputSet(out_dir, OUTPUT_FILES, marker="run.json"))
            facts = outputs.write_jsonl("facts.jsonl", result.facts)
            lap("read the groups again, built and wrote %d facts", facts)
            outputs.write_jsonl("failures.jsonl", sort_failures(earlier + failures))
            first_repeat = next(iter(source.locations(intake.repeated[:1]).values()), None)
            size, digest = mentions_path.stat().st_size, file_sha256(mentions_path)
            read = MentionsFileRecord(path=str(mentions_path.resolve()), sha256=digest, bytes=size)
            report = _reconcile_report(extraction, read, backend, result.mentions, intake, facts, tally, started)
            outputs.write_json("run.json", report)
    finally:
        source.close()
    return RunOutcome(report, failures, first_repeat, tally.first_problem)


def _check_output_folder(out_dir: Path) -> None:
    """Before any work: an output path that is a file, or inside one, would fail only once
    everything is done."""
    existing = next(path for path in (out_dir, *out_dir.absolute().parents) if path.exists())
    if not existing.is_dir():
        raise ConfigError(f"{existing}: not a folder (the output folder{' is in it' if existing != out_dir else ''})")


def _reconcile_report(
    extraction: RunReport | None,
    mentions_file: MentionsFileRecord,
    backend: Backend | None,
    mentions: int,
    intake: Intake,
    facts: int,
    tally: Tally,
    started: float,
) -> RunReport:
    return RunReport(
        factbase_version=__version__,
        command="reconcile",
        inputs=extraction.inputs if extraction else [],
        mentions_file=mentions_file,
        backend=backend_record(backend) if backend else None,
        prompt_version=ADJUDICATION_PROMPT if backend else None,
        adjudication_prompt_version=ADJUDICATION_PROMPT if backend else None,
        schema_hash=None,
        chunking={},
        counts=StageCounts(
            mentions=mentions,
            mentions_unreadable=len(intake.unreadable),
            mentions_repeated=len(intake.repeated),
            mentions_conflicting=len(intake.conflicting),
            facts=facts,
            pairs_adjudicated=tally.pairs,
            pairs_unanswered=tally.unanswered,
        ),
        usage=tally.usage,
        calls=tally.calls,
        cache_hits=tally.cache_hits,
        duration_s=round(time.monotonic() - started, 3),
        extraction=extraction,
    )


def _line_failures(source: MentionFile, intake: Intake) -> list[Failure]:
    """One failure per line of the mentions file left out, in file order: not a mention, or
    another mention under an id read before."""
    where = source.locations([w for w, _ in intake.unreadable] + [w for pair in intake.conflicting for w in pair])
    problems = [(w, "unreadable_mention", problem) for w, problem in intake.unreadable] + [
        (w, "conflicting_mention", f"another mention under the id of the one at {where[first]}, which is used")
        for w, first in intake.conflicting
    ]
    return [
        Failure(
            stage="reconcile",
            path=str(source.path),
            doc_id=None,
            chunk_id=None,
            reason=reason,
            message=f"{where[w]}: {problem}",
            event=None,
        )
        for w, reason, problem in sorted(problems)
    ]


def earlier_failures(mentions_path: Path) -> tuple[list[Failure], list[Failure]]:
    """The failures of the run that wrote a mentions.jsonl (the failures.jsonl beside it), but
    those of reconciling, which are made again: a reconciliation's failures.jsonl lists them too,
    as a run's does, and reconciling in place loses none. Second: one failure per line of that
    file that is no failure record (a side file: the mentions are reconciled all the same)."""
    path = mentions_path.parent / "failures.jsonl"
    if not path.is_file():
        return [], []
    carried, unreadable = [], []
    for number, line in _numbered_lines(path):
        try:
            failure = parse_record(path, number, line, Failure)
        except ConfigError as exc:
            unreadable.append(Failure(stage="reconcile", path=str(path), doc_id=None, chunk_id=None,
                                      reason="unreadable_failure", message=str(exc), event=None))  # fmt: skip
            continue
        if failure.stage != "reconcile":
            carried.append(failure)
    return carried, unreadable


def extraction_report(mentions_path: Path) -> RunReport | None:
    """The report of the run that wrote a mentions.jsonl, from the run.json beside it (by
    `factbase extract` or `run`; beside a reconciliation's own, the extraction report it keeps):
    its inputs' reference dates resolve relative dates in mentions not yet normalized, and the
    reconciliation's own run.json keeps it. None beside it: none."""
    path = mentions_path.parent / "run.json"
    if not path.is_file():
        return None
    try:
        report = RunReport.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a run report: {first_error(exc)}") from None
    if report.command != "reconcile":
        return report
    return report.extraction or report  # a reconciliation of an older version kept none: its inputs are the same


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off: reconciling allocates millions of objects that form no
    cycles, and collections walking them again and again cost about 30 % of the time of reading
    the mentions and resolving entities (measured at 300k mentions)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class MentionFile:
    """A mentions.jsonl as a MentionSource: read in parts of about `part_bytes` (whole lines), each
    mention found again later by its line's byte offset, so that memory never holds the whole file
    as objects. Each process reads through its own handle."""

    def __init__(self, path: Path, part_bytes: int = 1 << 22) -> None:
        if not path.is_file():
            raise _not_a_file(path)
        self.path = path
        self.part_bytes = part_bytes
        self._handle: tuple[int, BinaryIO] | None = None  # the process that opened it, the handle

    def parts(self) -> list[tuple[int, int]]:
        """(start, end) byte ranges that begin at the start of a line and together cover the file."""
        size = self.path.stat().st_size
        starts = [0]
        handle = self._open()
        for guess in range(self.part_bytes, size, self.part_bytes):
            if guess > starts[-1]:
                handle.seek(guess - 1)
                handle.readline()  # to the end of the line the guess falls in
                starts.append(handle.tell())
        bounds = [*sorted(set(starts) - {size}), size]
        return list(itertools.pairwise(bounds))  # none for an empty file: no mention, no fact

    def read_lines(self, start: int, end: int) -> Iterator[tuple[int, bytes]]:
        """(byte offset, line) of each record that starts in [start, end)."""
        handle = self._open()
        handle.seek(start)
        offset = start
        while offset < end:
            line = handle.readline()  # splits on b"\n" only: U+2028 may sit in a quote
            if not line:
                break
            record = _without_bom(offset, line)
            if record.strip():
                yield offset, record
            offset += len(line)

    def read(self, part: tuple[int, int]) -> Iterator[tuple[int, Mention | Unreadable]]:
        for offset, line in self.read_lines(*part):
            try:
                yield offset, Mention.model_validate_json(line)
            except ValidationError as exc:
                yield offset, Unreadable(what_is_wrong(line, Mention, exc))

    def load(self, wheres: Iterable[int]) -> list[Mention]:
        handle = self._open()
        mentions = []
        for offset in wheres:
            handle.seek(offset)
            mentions.append(Mention.model_validate_json(_without_bom(offset, handle.readline())))
        return mentions

    def locations(self, wheres: Iterable[int]) -> dict[int, str]:
        """ "file:line" of the lines at these byte offsets, for messages: the lines are counted in
        one reading of the file, a block at a time, however many offsets."""
        found, line, position = {}, 1, 0
        with self.path.open("rb") as handle:
            for offset in sorted(set(wheres)):
                while position < offset:
                    block = handle.read(min(offset - position, 1 << 20))
                    line += block.count(b"\n")
                    position += len(block)
                found[offset] = f"{self.path}:{line}"
        return found

    def _open(self) -> BinaryIO:
        if self._handle is None or self._handle[0] != os.getpid():
            self._handle = (os.getpid(), self.path.open("rb"))
        return self._handle[1]

    def close(self) -> None:
        if self._handle is not None and self._handle[0] == os.getpid():
            self._handle[1].close()


def _without_bom(offset: int, line: bytes) -> bytes:
    """The line without the byte-order mark some editors put at the start of a UTF-8 file."""
    return line.removeprefix(codecs.BOM_UTF8) if offset == 0 else line


def _not_a_file(path: Path) -> ConfigError:
    return ConfigError(f"{path}: {'a folder, not a file' if path.is_dir() else 'no such file'}")


def read_records(path: Path, record_type: type[RecordT]) -> list[RecordT]:
    """Records of one type from a JSONL file; errors name the file and the line."""
    records = [parse_record(path, number, line, record_type) for number, line in _numbered_lines(path)]
    if not records:
        raise ConfigError(f"{path}: empty file")
    return records


def _numbered_lines(path: Path) -> list[tuple[int, bytes]]:
    """The non-blank lines of a JSONL file with their numbers (a byte-order mark is not a record)."""
    if not path.is_file():
        raise _not_a_file(path)
    try:
        text = _without_bom(0, path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    return [(number, line) for number, line in enumerate(text.split(b"\n"), 1) if line.strip()]


def parse_record(path: Path, number: int, line: bytes, record_type: type[RecordT]) -> RecordT:
    """One JSONL line as a record; the error names the file, the line and what is wrong."""
    try:
        return record_type.model_validate_json(line)
    except ValidationError as exc:
        raise ConfigError(f"{path}:{number}: {what_is_wrong(line, record_type, exc)}") from None


def what_is_wrong(line: bytes, record_type: type[RecordT], error: ValidationError) -> str:
    """Why a JSONL line is not a record, in a few plain words: not UTF-8, not JSON (read again
    with the standard parser for its message), or the first field that does not validate."""
    try:
        json.loads(line.rstrip(b"\r\n").decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        return json_error(exc)
    except RecursionError:
        return "not a JSON line (nested too deeply)"
    return f"not a valid {record_type.__name__.lower()}: {first_error(error)}"


def sort_failures(failures: list[Failure]) -> list[Failure]:
    """By file, then by place in it (a chunk's span; a file's own failure first), then by what failed."""

    def order(f: Failure) -> tuple[str, int, int, str, str, str, str]:
        span = (-1, -1) if f.char_start is None or f.char_end is None else (f.char_start, f.char_end)
        return f.path, *span, f.chunk_id or "", f.stage, f.reason, f.message

    return sorted(failures, key=order)


def _input_record(document: Document) -> InputRecord:
    return InputRecord(
        doc_id=document.doc_id,
        path=document.path,
        sha256=document.sha256,
        encoding=document.encoding,
        lang=document.lang,
        chars=document.n_chars,
        reference_date=document.reference_date,
    )
