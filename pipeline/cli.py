"""The `factbase` command line.

Exit codes: 0 all inputs made it; 1 some inputs failed (their count is printed, their reasons
are in failures.jsonl); 2 wrong usage; 3 a configuration, backend or input-folder error that
stops the run before anything is written; 130 interrupted (Ctrl-C), nothing written, answers
received so far kept in the cache. For `diff`, 1 means a score is below a --min bar or, with
--exit-code, that the two sides differ; 141 that the reader closed the pipe early.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline import __version__
from pipeline.config import ConfigError, FlagError, load_settings
from pipeline.diff import DiffError, DiffReport
from pipeline.diff_render import diff_files, markdown, print_text
from pipeline.ingest import IngestError
from pipeline.llm import LOG_REDACTION, BackendError
from pipeline.local import LocalBackendError
from pipeline.parallel import default_workers
from pipeline.records import Failure
from pipeline.runner import Progress as RunProgress
from pipeline.runner import RunOutcome, Until, reconcile_file, run_pipeline
from pipeline.schemas import SCHEMA_DIR, write_schemas

EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as a shell reports a command ended by SIGPIPE

app = typer.Typer(
    name="factbase",
    help="Turn a folder of news articles into one typed, source-grounded JSONL fact base.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

InputDir = Annotated[Path, typer.Argument(help="Folder of .txt/.md articles (searched recursively).")]
OutDir = Annotated[Path, typer.Option("-o", "--out", help="Folder to write the fact base into.")]
EntitiesOption = Annotated[
    Path | None, typer.Option(help="Your own alias registry (TOML, same shape as pipeline/data/entities.toml).")
]
AdjudicateOption = Annotated[
    bool,
    typer.Option(
        "--adjudicate",
        help="Ask the model about the mention pairs a score cannot settle when merging: near the threshold, or "
        "contested by a rival from the same article (off by default).",
    ),
]


def _say(line: str) -> None:
    """One line on stderr, as written (no markup, no highlighting, no wrapping), without secrets."""
    err.print(LOG_REDACTION.without_known_secrets(line), markup=False, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = EXIT_CONFIG) -> typer.Exit:
    _say(f"factbase: error: {message}")
    return typer.Exit(code)


def _file_problem(exc: OSError) -> str:
    """An OS error as "file: what": a rename's target (filename2) is the file the user knows."""
    name = exc.filename2 or exc.filename
    return f"{name}: {exc.strerror}" if name else str(exc.strerror or exc)


def _summary(outcome: RunOutcome, out_dir: Path) -> None:
    report = outcome.report
    counts = report.counts
    failed = outcome.failed_inputs
    adjudicated = f", {counts.pairs_adjudicated} pairs adjudicated" if counts.pairs_adjudicated else ""
    line = (
        f"factbase: {counts.documents} documents, {counts.chunks} chunks, {counts.mentions} mentions, "
        f"{counts.facts} facts, {counts.events_rejected} events rejected, {failed} failed inputs{adjudicated} "
        f"-> {out_dir}/ "
        f"({report.calls} calls, {report.cache_hits} cache hits, {report.usage.total_tokens} tokens, "
        f"{report.duration_s:.1f}s)"
    )
    _say(line)
    _print_no_verdict(outcome)
    _print_failures(outcome.failures)


def _print_no_verdict(outcome: RunOutcome) -> None:
    unanswered = outcome.report.counts.pairs_unanswered
    if unanswered:
        _say(f"factbase: {unanswered} pairs got no verdict, their scores stand (first: {outcome.no_verdict})")


def _print_failures(failures: list[Failure], shown: int = 10) -> None:
    """The first failures that lost part of an input, one line each."""
    lost = [failure for failure in failures if failure.loses_input]
    for failure in lost[:shown]:
        _say(f"factbase: failed: {failure.message}")
    if len(lost) > shown:
        _say(f"factbase: ... and {len(lost) - shown} more")


def _pipeline_command(until: Until, summary: str) -> Callable[..., None]:
    """`run` and `extract` share every option; they differ only in where they stop."""

    def command(
        input_dir: InputDir,
        out: OutDir = Path("outputs"),
        base_url: Annotated[
            str | None, typer.Option(help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1.")
        ] = None,
        model: Annotated[str | None, typer.Option(help="Model name the endpoint serves.")] = None,
        api_key_env: Annotated[str | None, typer.Option(help="Environment variable holding the API key.")] = None,
        mode: Annotated[
            str | None, typer.Option(help="instructor mode: auto, tools, json_schema, json, md_json.")
        ] = None,
        concurrency: Annotated[int | None, typer.Option(help="Chunks in flight at once.")] = None,
        chunk_tokens: Annotated[int | None, typer.Option(help="Token budget of one chunk.")] = None,
        overlap_sentences: Annotated[int | None, typer.Option(help="Sentences repeated between chunks.")] = None,
        cache_dir: Annotated[Path | None, typer.Option(help="Response cache folder.")] = None,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
        reference_date: Annotated[str | None, typer.Option(help="ISO date for relative expressions.")] = None,
        entities: EntitiesOption = None,
        prompt: Annotated[str | None, typer.Option(help="Prompt version in prompts/, or a .toml path.")] = None,
        backend: Annotated[
            str | None, typer.Option(help="auto (remote if configured, else local), remote, local.")
        ] = None,
        local_model: Annotated[Path | None, typer.Option(help="A GGUF file for the local backend.")] = None,
        local_ctx: Annotated[int | None, typer.Option(help="Local server context size (tokens).")] = None,
        local_threads: Annotated[int | None, typer.Option(help="Local server CPU threads (0: all).")] = None,
        local_gpu_layers: Annotated[int | None, typer.Option(help="Layers offloaded to a GPU (-1: all).")] = None,
        config: Annotated[Path | None, typer.Option(help="Config file (default ./factbase.toml).")] = None,
        adjudicate: AdjudicateOption = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        flags: dict[str, Any] = {
            "base_url": base_url,
            "model": model,
            "api_key_env": api_key_env,
            "mode": mode,
            "concurrency": concurrency,
            "chunk_tokens": chunk_tokens,
            "overlap_sentences": overlap_sentences,
            "cache_dir": cache_dir,
            "no_cache": no_cache or None,
            "reference_date": reference_date,
            "entities": entities,
            "prompt": prompt,
            "backend": backend,
            "local_model": local_model,
            "local_ctx": local_ctx,
            "local_threads": local_threads,
            "local_gpu_layers": local_gpu_layers,
            "adjudicate": adjudicate or None,
        }
        if adjudicate and until == "mentions":
            raise _fail("--adjudicate judges pairs when merging facts; extract writes none (use run)", EXIT_USAGE)
        try:
            settings = load_settings(flags, config)
            with _progress_bar(disabled=quiet or not err.is_terminal) as progress:
                outcome = run_pipeline(settings, input_dir, out, until, progress)
        except FlagError as exc:
            raise _fail(str(exc), EXIT_USAGE) from None
        except (ConfigError, BackendError, LocalBackendError, IngestError, ValueError) as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            raise _fail(_file_problem(exc)) from None
        except KeyboardInterrupt:
            message = "interrupted; the answers received so far are cached, run the same command again to resume"
            raise _fail(message, EXIT_INTERRUPTED) from None
        _summary(outcome, out)
        if outcome.failed_inputs:
            _say(f"factbase: {outcome.failed_inputs} input(s) failed; see {out}/failures.jsonl")
            raise typer.Exit(EXIT_INPUT_FAILED)

    command.__doc__ = summary
    return command


class _progress_bar:
    """A rich progress bar over chunks, on stderr, only in a terminal."""

    def __init__(self, disabled: bool) -> None:
        self.bar = Progress(
            TextColumn("extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=disabled,
            transient=True,
        )
        self.task = self.bar.add_task("chunks", total=None)

    def __enter__(self) -> RunProgress:
        self.bar.start()
        return RunProgress(
            planned=lambda n: self.bar.update(self.task, total=n),
            advance=lambda: self.bar.advance(self.task),
        )

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


app.command("run")(_pipeline_command("facts", "Extract events from every article and merge them into facts.jsonl."))
app.command("extract")(_pipeline_command("mentions", "Extract grounded event mentions only (mentions.jsonl)."))


@app.command("reconcile")
def reconcile(
    mentions: Annotated[Path, typer.Argument(help="A mentions.jsonl written by `factbase extract`.")],
    out: OutDir = Path("outputs"),
    entities: EntitiesOption = None,
    config: Annotated[Path | None, typer.Option(help="Config file (default ./factbase.toml).")] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Processes that parse mentions, score pairs and build facts (default: one per core)."),
    ] = default_workers(),
    adjudicate: AdjudicateOption = False,
) -> None:
    """Merge the mentions of a mentions.jsonl into facts.jsonl."""
    try:
        settings = load_settings({"entities": entities, "adjudicate": adjudicate or None}, config)
        outcome = reconcile_file(settings, mentions, out, workers)
    except (ConfigError, BackendError, LocalBackendError) as exc:
        raise _fail(str(exc)) from None
    except BrokenProcessPool:
        raise _fail("a worker process ended abruptly (killed, or out of memory?): nothing written") from None
    except KeyboardInterrupt:
        raise _fail("interrupted: nothing written", EXIT_INTERRUPTED) from None
    except OSError as exc:
        raise _fail(_file_problem(exc)) from None
    counts = outcome.report.counts
    asked = (
        f" ({counts.pairs_adjudicated} pairs adjudicated, {counts.pairs_unanswered} unanswered, "
        f"{outcome.report.calls} calls, {outcome.report.cache_hits} cache hits)"
        if outcome.report.backend is not None  # a model was asked
        else ""
    )
    _say(f"factbase: {counts.mentions} mentions -> {counts.facts} facts -> {out}/facts.jsonl{asked}")
    beside = out / "mentions.jsonl"
    if beside.exists() and beside.resolve() != mentions.resolve():
        _say(f"factbase: warning: {beside} is another run's: these facts are of {mentions}")
    _print_no_verdict(outcome)
    if outcome.first_repeat:
        _say(
            f"factbase: {counts.mentions_repeated} line(s) repeat a mention read before, each mention used once "
            f"(first: {outcome.first_repeat})"
        )
    if outcome.failures:  # the lines of the mentions file it left out, and those of the failures.jsonl beside it
        _print_failures(outcome.failures)
        side = sum(f.reason == "unreadable_failure" for f in outcome.failures)
        left_out = (
            f"{len(outcome.failures) - side} line(s) of {mentions} left out" if len(outcome.failures) > side else ""
        )
        unread = f"{side} line(s) of {mentions.parent / 'failures.jsonl'} are no failure records" if side else ""
        _say(f"factbase: {'; '.join(filter(None, (left_out, unread)))}; see {out}/failures.jsonl")
        raise typer.Exit(EXIT_INPUT_FAILED)


@app.command("diff")
def diff(
    output: Annotated[Path, typer.Argument(help="facts.jsonl or mentions.jsonl to judge (or a run folder).")],
    golden: Annotated[Path, typer.Argument(help="The golden file of the same kind (or a folder).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print the report as Markdown.")] = False,
    min_f1: Annotated[
        float | None, typer.Option(help="Exit 1 when fact F1 (mention F1 for mentions files) is below this (0 to 1).")
    ] = None,
    min_mention_recall: Annotated[
        float | None, typer.Option(help="Exit 1 when mention recall is below this (0 to 1).")
    ] = None,
    min_merge_f1: Annotated[float | None, typer.Option(help="Exit 1 when B-cubed F1 is below this (0 to 1).")] = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code", help="Exit 1 when the two sides differ in anything the report compares, as git diff does."
        ),
    ] = False,
) -> None:
    """Compare a fact base with its golden copy: matched, missing, extra, split and merged facts.

    Exit 0 when compared (and within the bars); 1 below a bar, or with --exit-code when the
    two sides differ in anything the report compares; 2 for wrong usage; 3 for files that
    cannot be compared; 141 when the reader closes the pipe early (| head)."""
    if as_json and as_markdown:
        raise _fail("--json and --markdown: one report format at a time", EXIT_USAGE)
    bars = {"--min-f1": min_f1, "--min-mention-recall": min_mention_recall, "--min-merge-f1": min_merge_f1}
    for flag, bar in bars.items():
        if bar is not None and not 0 <= bar <= 1:  # NaN too: it would pass every run
            raise _fail(f"{flag} {bar}: a bar is a score from 0 to 1", EXIT_USAGE)
    try:
        report = diff_files(output, golden)
    except DiffError as exc:
        raise _fail(str(exc)) from None
    if min_merge_f1 is not None and report.merge is None:
        raise _fail("--min-merge-f1 bars merging: it needs fact bases, and these files hold mentions", EXIT_USAGE)
    try:
        _print_report(report, as_json, as_markdown)
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that closing stdout stays quiet
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    of_facts = report.kind == "facts"  # for mentions files, the rows read "mentions" and "mention spans"
    scores = [
        ("fact F1" if of_facts else "mention F1", report.facts.f1, min_f1),
        ("mention recall" if of_facts else "mention span recall", report.mentions.recall, min_mention_recall),
        ("merge B-cubed F1", report.merge.bcubed_f1 if report.merge else None, min_merge_f1),
    ]
    below = [f"{name} {value:.3f} < {bar}" for name, value, bar in scores if bar is not None and (value or 0.0) < bar]
    if below:
        _say("factbase: below the bar: " + "; ".join(below))
        raise typer.Exit(EXIT_INPUT_FAILED)
    if exit_code and report.differs():
        raise typer.Exit(EXIT_INPUT_FAILED)


def _print_report(report: DiffReport, as_json: bool, as_markdown: bool) -> None:
    if as_json:
        print(report.model_dump_json(indent=2))
    elif as_markdown:
        print(markdown(report))
    else:
        console = Console(highlight=False)
        with console.capture() as text:  # written below, so that a closed pipe is ours to handle
            print_text(report, console)
        sys.stdout.write(text.get())
    sys.stdout.flush()  # a closed pipe shows here, not at exit


@app.command("schema")
def schema(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write the schemas into.")] = SCHEMA_DIR,
) -> None:
    """Write the JSON Schema of every record the pipeline writes."""
    try:
        written = write_schemas(out)
    except OSError as exc:
        raise _fail(_file_problem(exc)) from None
    for path in written:
        _say(f"factbase: wrote {path}")


def _version(value: bool) -> None:
    if value:
        print(f"factbase {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every call and retry, and each reconciliation stage's time.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.CRITICAL,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(LOG_REDACTION)
    if threading.current_thread() is threading.main_thread():  # only it may set handlers
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(number: int, frame: object) -> None:
    """SIGTERM (a `kill`, a scheduler stopping the job) ends a command as Ctrl-C does: temporary
    files removed, workers and the local server stopped, the folder as it was."""
    raise KeyboardInterrupt


def main() -> None:
    app()
