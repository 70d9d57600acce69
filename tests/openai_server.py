"""A real HTTP server speaking the OpenAI chat-completions protocol, for tests.

It runs on a free loopback port in a thread. A *script* decides each answer: given the request
body it returns the answer object (which the server sends as a tool call when the request
offers tools, as message content otherwise), or a `Reply` for errors and truncations. The
pipeline talks to it with the real openai client and the real instructor, over real HTTP.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}


@dataclass
class Reply:
    """A raw reply: an HTTP error, an answer with a chosen finish reason, or a 200 with any body."""

    status: int = 200
    answer: Any = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


Script = Callable[[dict[str, Any]], Any]


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]


class ScriptedServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.requests.append(Recorded(body, dict(self.headers.items())))
                outcome = server.script(body)
                reply = outcome if isinstance(outcome, Reply) else Reply(answer=outcome)
                if reply.status == 200 and reply.body is not None:  # a malformed reply, sent as scripted
                    self._send(200, reply.body, reply.headers)
                    return
                if reply.status != 200:
                    error = reply.body or {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}
                    self._send(reply.status, error, reply.headers)
                    return
                self._send(200, completion(body, reply.answer, reply.finish_reason), reply.headers)

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a killed client
                    self.wfile.write(data)

        return Handler

    @property
    def calls(self) -> int:
        return len(self.requests)


def completion(request: dict[str, Any], answer: Any, finish_reason: str) -> dict[str, Any]:
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if request.get("tools"):
        name = request["tools"][0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}],
        }
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "scripted"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": USAGE,
    }


@contextmanager
def serve(script: Script) -> Iterator[ScriptedServer]:
    server = ScriptedServer(script)
    thread = threading.Thread(target=server._httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._httpd.shutdown()
        server._httpd.server_close()


def chunk_text(request: dict[str, Any]) -> str:
    """The article text of an extraction request (the first user message, after 'TEXT:')."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return str(user.split("TEXT:\n", 1)[1])


def is_reask(request: dict[str, Any]) -> bool:
    return sum(m["role"] in {"user", "tool"} for m in request["messages"]) > 1


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[。！？.!?])\s+|(?<=[。！？])|\n", text.strip(), maxsplit=1)[0]


def statement(quote: str, **fields: Any) -> dict[str, Any]:
    """A minimal valid event quoting `quote`."""
    event = {
        "type": "statement",
        "evidence": [quote],
        "summary": "Someone said something.",
        "participants": [
            {"name": "Stability AI", "canonical_name": "Stability AI", "kind": "organization", "role": "speaker"}
        ],
        "time": None,
        "amounts": [],
        "modality": "asserted",
        "attribution": None,
        "stance": "claim",
    }
    return event | fields


def quote_first_sentence(request: dict[str, Any]) -> dict[str, Any]:
    """A script that reports one statement per chunk, quoting its first sentence."""
    return {"events": [statement(first_sentence(chunk_text(request)))]}
