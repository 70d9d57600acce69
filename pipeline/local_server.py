"""The child process that serves a GGUF model over the OpenAI protocol with llama.cpp's server.

    python -m pipeline.local_server SETTINGS_JSON PARENT_PID

Run only by `pipeline.local`. It asks the kernel to kill it when its parent dies (so a killed
pipeline never leaves an orphan), prints `READY <url>` once the model is loaded and the port
listens, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def main() -> None:
    settings, parent = json.loads(sys.argv[1]), int(sys.argv[2])
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(1)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):  # before the server starts: no window for a race
        signal.signal(sig, lambda *_: stop.set())

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = settings["model_path"]
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the kernel picks a free port
    params.n_ctx = settings["n_ctx"]
    params.n_parallel = settings["n_parallel"]
    params.cpuparams.n_threads = settings["threads"]
    params.cpuparams_batch.n_threads = settings["threads"]
    params.n_gpu_layers = settings["gpu_layers"]
    params.fit_params = False
    params.cache_prompt = False  # reusing another request's KV cache changes the numbers: answers would vary
    params.verbosity = 0
    if settings.get("chat_template"):
        params.use_jinja = False  # a built-in template name, for GGUFs that carry none
        params.chat_template = settings["chat_template"]
    server = xllamacpp.Server(params)
    print("READY", server.listening_address, flush=True)
    stop.wait()
    del server


if __name__ == "__main__":
    main()
