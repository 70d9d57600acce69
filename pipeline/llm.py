"""The model client: one schema-constrained extraction call through instructor on the openai client.

Three kinds of trouble, three answers:
- transport faults (429, 5xx, timeouts, dropped connections) are retried by tenacity with
  exponential backoff and jitter, honouring Retry-After; a fresh retrying object per call;
- an invalid or ungrounded answer is re-asked by instructor, a capped number of times;
- a truncated answer (finish_reason "length") is never parsed: the caller splits the chunk.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlparse

import httpx
import instructor
import openai
from instructor.core import Hooks, IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ConfigDict, SecretStr
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_random_exponential

from pipeline.cache import ModelAnswer, ResponseCache, cache_key
from pipeline.extract_schema import schema_hash
from pipeline.prompts import PromptTemplate
from pipeline.records import Usage

MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
_TRANSIENT_STATUS = {408, 409, 429}
_MAX_RETRY_AFTER_S = 120.0


class BackendError(Exception):
    """The endpoint refuses every call (bad key, unknown model, wrong URL): stop the run."""


class CallError(Exception):
    """One call failed for good; the chunk is recorded as a failure and the run goes on."""


class BackendConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    base_url: str | None
    api_key: SecretStr
    model: str
    mode: str = "auto"
    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = 4096
    timeout_s: float = 300.0
    reasks: int = 2
    transport_retries: int = 5
    backoff_s: float = 1.0
    model_fingerprint: str | None = None  # e.g. a GGUF's SHA-256: the model behind the name

    def model_identity(self) -> str:
        """What identifies the model for the response cache: its fingerprint, else its endpoint
        (the same name can serve different models on two servers), never the key."""
        return self.model_fingerprint or public_url(self.base_url or "openai").rstrip("/")

    def secrets(self) -> list[SecretStr]:
        """The API key, and the password the endpoint's URL may carry: written nowhere."""
        password = urlparse(self.base_url or "").password
        return [self.api_key, *([SecretStr(password)] if password else [])]

    def resolved_mode(self) -> str:
        """TOOLS for OpenAI itself; JSON_SCHEMA (server-side constrained decoding) elsewhere."""
        if self.mode != "auto":
            return self.mode
        host = urlparse(self.base_url or "https://api.openai.com/v1").hostname or ""
        return "tools" if host.endswith("openai.com") else "json_schema"


NO_KEY = "no-key"  # the key factbase gives a server that takes any (the local one): no secret
MIN_SECRET = 8  # a shorter key is removed as a whole word only, so that it takes no word with it


def without_secrets(text: str, secrets: Iterable[SecretStr]) -> str:
    """The text with each secret's value removed: wherever it is, or as a whole word for a short
    one ("sk-1234"); never NO_KEY."""
    for secret in secrets:
        text = _without_secret(text, secret.get_secret_value())
    return text


def _without_secret(text: str, value: str) -> str:
    if not value or value == NO_KEY:
        return text
    if len(value) >= MIN_SECRET:
        return text.replace(value, "[redacted]")
    return re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "[redacted]", text)


def redact(text: str, secrets: Iterable[SecretStr] = ()) -> str:
    """Remove the secrets, anything shaped like an API key and the credentials a URL carries from a message."""
    return re.sub(r"\b(sk|key|api)[-_][A-Za-z0-9_\-*]{6,}", "[redacted]", without_credentials(text, secrets))


def without_credentials(text: str, secrets: Iterable[SecretStr]) -> str:
    """The text without the secrets nor the user:password@ of a URL."""
    return _URL_CREDENTIALS.sub("[redacted]@", without_secrets(text, secrets))


_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s]+@")  # the user:password@ of http://user:pass@word@host/v1


def public_url(url: str) -> str:
    """The endpoint's URL without the user name and password it may carry, to record or show."""
    return _URL_CREDENTIALS.sub("", url)


class RedactingFilter(logging.Filter):
    """Removes the API keys of this run's clients from every log record, the libraries' too
    (instructor logs an endpoint's error body, which some proxies fill with the request's
    Authorization header). Installed on the log handlers by the CLI."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[str, SecretStr] = {}  # by value: one entry per key, however many clients

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed call: logging reports it itself
        clean = self.clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
        return True

    def clean(self, text: str) -> str:
        """The text without this run's API keys, key-shaped words or URL credentials."""
        return redact(text, self.secrets.values())

    def without_known_secrets(self, text: str) -> str:
        """The text without this run's API keys and URL credentials, key-shaped words kept: a
        line factbase writes names paths ("api-schemas-2024/"), which that shape would eat."""
        return without_credentials(text, self.secrets.values())


LOG_REDACTION = RedactingFilter()


def _is_transient(exc: BaseException | None) -> bool:
    if isinstance(exc, InstructorRetryException):
        exc = exc.__cause__
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code in _TRANSIENT_STATUS or exc.status_code >= 500)


def _retry_after_s(exc: BaseException | None) -> float:
    if isinstance(exc, InstructorRetryException):
        exc = exc.__cause__
    if not isinstance(exc, openai.APIStatusError):
        return 0.0
    value = exc.response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), _MAX_RETRY_AFTER_S)
    except ValueError:
        return 0.0


def raw_output(completion: Any) -> str | None:
    """The answer's JSON text, from a tool call or from the message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError):
        return None
    if message.tool_calls:
        return str(message.tool_calls[0].function.arguments)
    return message.content if isinstance(message.content, str) else None


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    return Usage(
        prompt_tokens=raw.prompt_tokens or 0,
        completion_tokens=raw.completion_tokens or 0,
        total_tokens=raw.total_tokens or 0,
    )


class ModelClient:
    """An async instructor client with call counting; one per run."""

    def __init__(self, config: BackendConfig) -> None:
        self.config = config
        for secret in config.secrets():
            LOG_REDACTION.secrets[secret.get_secret_value()] = secret
        self.mode = config.resolved_mode()
        self.http_calls = 0
        self.reached = False  # whether the endpoint has answered any request of this run
        hooks: dict[str, list[Callable[..., Any]]] = {
            "request": [self._count_request],
            "response": [self._note_response],
        }
        self._http = httpx.AsyncClient(event_hooks=hooks)
        self._client = instructor.from_openai(
            openai.AsyncOpenAI(
                base_url=config.base_url,
                api_key=config.api_key.get_secret_value(),
                max_retries=0,  # tenacity decides, so that every retry is counted and bounded
                timeout=config.timeout_s,
                http_client=self._http,
            ),
            mode=MODES[self.mode],
        )

    async def _count_request(self, request: httpx.Request) -> None:
        self.http_calls += 1

    async def _note_response(self, response: httpx.Response) -> None:
        self.reached = True

    async def aclose(self) -> None:
        await self._http.aclose()

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_random_exponential(multiplier=self.config.backoff_s, max=60 * self.config.backoff_s)
        exc = state.outcome.exception() if state.outcome else None
        return max(_retry_after_s(exc), backoff(state))

    async def extract(
        self, response_model: type[BaseModel], messages: list[dict[str, str]], context: dict[str, Any]
    ) -> ModelAnswer:
        """One extraction: the answer, the last rejected answer, or a truncation marker; never
        with the API key in it (an answer can echo what a proxy put in the conversation)."""
        answer = await self._answer(response_model, messages, context)
        if answer.output is None:
            return answer
        return answer.model_copy(update={"output": without_secrets(answer.output, self.config.secrets())})

    async def _answer(
        self, response_model: type[BaseModel], messages: list[dict[str, str]], context: dict[str, Any]
    ) -> ModelAnswer:
        retrying = AsyncRetrying(  # built per call: tenacity keeps state on the object
            stop=stop_after_attempt(1 + self.config.transport_retries),
            wait=self._wait,
            retry=retry_if_exception(_is_transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._extract_once(response_model, messages, context)
        except IncompleteOutputException as exc:
            completion = exc.last_completion
            return ModelAnswer(
                status="truncated",
                output=None,
                usage=_usage(getattr(completion, "usage", None)),
                attempts=1,
                error="the answer was cut off at max_tokens",
            )
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, openai.APIStatusError) or _is_transient(exc):
                raise self._call_error(cause or exc) from None
            return ModelAnswer(
                status="exhausted",
                output=raw_output(exc.last_completion),
                usage=_usage(exc.total_usage),
                attempts=exc.n_attempts,
                error=redact(str(cause or exc), self.config.secrets())[:2000],
            )
        except openai.OpenAIError as exc:
            raise self._call_error(exc) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _extract_once(
        self, response_model: type[BaseModel], messages: list[dict[str, str]], context: dict[str, Any]
    ) -> ModelAnswer:
        attempts = 0

        def count_attempt(*args: Any, **kwargs: Any) -> None:
            nonlocal attempts
            attempts += 1

        hooks = Hooks()
        hooks.on("completion:kwargs", count_attempt)

        result, completion = await self._client.chat.completions.create_with_completion(
            response_model=response_model,
            hooks=hooks,
            messages=messages,  # type: ignore[arg-type]
            context=context,
            max_retries=self.config.reasks,
            strict=False,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
            **({"seed": self.config.seed} if self.config.seed is not None else {}),
        )
        return ModelAnswer(
            status="ok",
            output=result.model_dump_json(),
            usage=_usage(getattr(completion, "usage", None)),
            attempts=attempts,
            error=None,
        )

    def _call_error(self, exc: BaseException) -> Exception:
        message = redact(f"{type(exc).__name__}: {exc}", self.config.secrets())
        status = getattr(exc, "status_code", None)
        endpoint = public_url(self.config.base_url or "OpenAI")
        if status in (401, 403, 404):
            return BackendError(f"{endpoint} refused the call: {message}")
        unreachable = isinstance(exc, openai.APIConnectionError) and not isinstance(exc, openai.APITimeoutError)
        if unreachable and not self.reached:  # a wrong port, a server down: every call would fail the same way
            return BackendError(f"cannot reach {endpoint}: {message}")
        return CallError(message)


class CachedClient:
    """Model calls through the response cache, at most `concurrency` at a time: a repeated or
    resumed run reads its answers back instead of calling. The key holds everything that decides
    an answer (model, prompt, schema, settings, the message variables), never the API key."""

    def __init__(self, client: ModelClient, cache: ResponseCache, concurrency: int) -> None:
        self.client = client
        self.cache = cache
        self._slots = asyncio.Semaphore(concurrency)

    def key(self, prompt: PromptTemplate, context: dict[str, str], response_model: type[BaseModel]) -> str:
        config = self.client.config
        return cache_key(
            {
                "model": config.model,
                "model_identity": config.model_identity(),
                "prompt_version": prompt.version,
                "messages": prompt.messages(),
                "context": context,
                "schema_hash": schema_hash(response_model),
                "mode": self.client.mode,
                "temperature": config.temperature,
                "seed": config.seed,
                "max_tokens": config.max_tokens,
            }
        )

    async def answer(
        self, prompt: PromptTemplate, context: dict[str, str], response_model: type[BaseModel]
    ) -> tuple[ModelAnswer, bool]:
        """The model's answer, and whether it came from the cache."""
        key = self.key(prompt, context, response_model)
        cached = self.cache.get(key)
        if cached is not None:
            return cached, True
        async with self._slots:
            answer = await self.client.extract(response_model, prompt.messages(), context)
        if answer.status != "exhausted" or answer.output is not None:
            self.cache.put(key, answer)  # a reply with no answer in it (an HTML page, no choices) is a glitch
        return answer, False
