"""Settings: flags, then environment, then a config file, then defaults (first one set wins).

Environment names are `FACTBASE_<SETTING>` (e.g. FACTBASE_MODEL, FACTBASE_CONCURRENCY), plus
`OPENAI_BASE_URL` for the endpoint. The config file is `factbase.toml` in the working folder,
or the one `--config` names, with the same setting names as keys. The API key is never a flag
or a file entry: it is read from the environment variable `api_key_env` names (default
FACTBASE_API_KEY, then OPENAI_API_KEY), held as a secret, and never written anywhere.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from pipeline import dates
from pipeline.adjudicate import BAND, MAX_BAND
from pipeline.entities import DEFAULT_REGISTRY, RegistryEntry, RegistryError, load_registry
from pipeline.events import first_error
from pipeline.llm import NO_KEY, BackendConfig, public_url

DEFAULT_CONFIG_FILE = Path("factbase.toml")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_KEY_VARIABLES = ("FACTBASE_API_KEY", "OPENAI_API_KEY")


class ConfigError(Exception):
    """Settings that cannot work; the message says what to set."""


class FlagError(ConfigError):
    """A flag given a value that cannot work: wrong usage of the command (exit 2)."""


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "factbase"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FACTBASE_", extra="forbid", populate_by_name=True, toml_file=DEFAULT_CONFIG_FILE
    )

    backend: Literal["auto", "remote", "local"] = "auto"
    base_url: str | None = Field(None, validation_alias=AliasChoices("FACTBASE_BASE_URL", "OPENAI_BASE_URL"))
    model: str | None = None
    api_key_env: str | None = None
    mode: Literal["auto", "tools", "json_schema", "json", "md_json"] = "auto"
    concurrency: int = Field(4, ge=1, le=64)
    chunk_tokens: int = Field(600, ge=50)
    overlap_sentences: int = Field(1, ge=0)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    no_cache: bool = False
    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = Field(4096, ge=256)
    timeout_s: float = Field(300.0, gt=0)
    reasks: int = Field(2, ge=0, le=5)
    transport_retries: int = Field(5, ge=0)
    backoff_s: float = Field(1.0, ge=0)
    prompt: str | None = None  # extract-v1; extract-small-v1 on the bundled local model
    reference_date: str | None = None
    entities: Path | None = None  # the user's alias registry, read after pipeline/data/entities.toml
    adjudicate: bool = False  # ask the model about pairs scored near the threshold (pipeline.adjudicate)
    adjudication_band: float = Field(BAND, ge=0, le=MAX_BAND, allow_inf_nan=False)
    local_model: Path | None = None
    local_ctx: int = Field(8192, ge=512)
    local_threads: int = Field(0, ge=0)  # 0: every core
    local_gpu_layers: int = Field(0, ge=-1)
    local_parallel: int = Field(1, ge=1)  # one slot: batched slots make answers vary between runs

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    @field_validator("reference_date")
    @classmethod
    def _iso_reference_date(cls, value: str | None) -> str | None:
        if value is not None and dates.parse_iso(value) is None:
            raise ValueError(f"reference date {value!r} is not an ISO date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Qn)")
        return value

    def registry(self) -> list[RegistryEntry]:
        """The shipped alias registry, with the user's entries over it."""
        paths = [DEFAULT_REGISTRY, *([self.entities] if self.entities else [])]
        try:
            return load_registry(paths)
        except RegistryError as exc:
            raise ConfigError(str(exc)) from exc

    def api_key(self) -> SecretStr | None:
        names = (self.api_key_env,) if self.api_key_env else DEFAULT_KEY_VARIABLES
        for name in names:
            value = os.environ.get(name, "").strip()  # a key read from a file may end in a line break
            if value and not (value.isascii() and value.isprintable() and " " not in value):
                raise ConfigError(
                    f"the API key in {name} has a character no HTTP header carries (a space or non-ASCII)"
                )
            if value:
                return SecretStr(value)
        if self.api_key_env:
            raise ConfigError(f"--api-key-env names {self.api_key_env}, which is not set")
        return None

    def remote_backend(self) -> BackendConfig | None:
        """The remote endpoint's settings, or None when no endpoint is configured."""
        key = self.api_key()
        if self.base_url is None and key is None:
            return None
        if self.model is None and self.base_url is not None:
            raise ConfigError(
                f"--model is required with --base-url {public_url(self.base_url)} (the name the server serves)"
            )
        model = self.model or DEFAULT_OPENAI_MODEL
        # local servers take any key; the client needs one
        return self.backend_config(self.base_url, key or SecretStr(NO_KEY), model, self.mode, self.max_tokens)

    def backend_config(
        self,
        base_url: str | None,
        api_key: SecretStr,
        model: str,
        mode: str,
        max_tokens: int,
        model_fingerprint: str | None = None,
    ) -> BackendConfig:
        """Call settings for an endpoint, the generation and retry settings taken from here."""
        return BackendConfig(
            model_fingerprint=model_fingerprint,
            base_url=base_url,
            api_key=api_key,
            model=model,
            mode=mode,
            temperature=self.temperature,
            seed=self.seed,
            max_tokens=max_tokens,
            timeout_s=self.timeout_s,
            reasks=self.reasks,
            transport_retries=self.transport_retries,
            backoff_s=self.backoff_s,
        )


def _where_set(exc: ValidationError, flags: dict[str, Any], toml_file: Path) -> str:
    """Where the bad value came from, when the file gave it (a flag or FACTBASE_* wins over it)."""
    location = exc.errors()[0]["loc"]
    field = str(location[0]) if location else ""
    elsewhere = flags.get(field) is not None or f"FACTBASE_{field.upper()}" in os.environ
    in_file = toml_file.is_file() and field in tomllib.loads(toml_file.read_text(encoding="utf-8"))
    return f" ({toml_file} sets it)" if in_file and not elsewhere else ""


def load_settings(flags: dict[str, Any], config_file: Path | None = None) -> Settings:
    """Settings from the flags that were given (None = not given), the environment and the file."""
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"{config_file}: no such config file")

    toml_file = config_file or DEFAULT_CONFIG_FILE

    class FileSettings(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "toml_file": toml_file})

    try:
        return FileSettings(**{name: value for name, value in flags.items() if value is not None})
    except ValidationError as exc:
        flagged = any(e["loc"] and flags.get(str(e["loc"][0])) is not None for e in exc.errors())  # flags win
        error = FlagError if flagged else ConfigError
        raise error(f"invalid setting {first_error(exc)}{_where_set(exc, flags, toml_file)}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{toml_file}: not a TOML file: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
