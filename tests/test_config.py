"""Settings precedence: flag, then environment, then config file, then default."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_settings


def test_flag_beats_environment_beats_file_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "factbase.toml").write_text('model = "file-model"\nconcurrency = 7\nchunk_tokens = 300\n')
    monkeypatch.setenv("FACTBASE_CONCURRENCY", "3")
    settings = load_settings({"chunk_tokens": None})
    assert (settings.model, settings.concurrency, settings.chunk_tokens, settings.overlap_sentences) == (
        "file-model",
        3,
        300,
        1,
    )
    assert load_settings({"model": "flag-model", "concurrency": 9}).concurrency == 9


def test_openai_environment_names_are_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    monkeypatch.setenv("FACTBASE_MODEL", "qwen")
    backend = load_settings({}).remote_backend()
    assert backend is not None and (backend.base_url, backend.model, backend.resolved_mode()) == (
        "http://localhost:8000/v1",
        "qwen",
        "json_schema",
    )
    monkeypatch.setenv("FACTBASE_BASE_URL", "http://other/v1")
    assert load_settings({}).base_url == "http://other/v1"


def test_openai_itself_when_only_a_key_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    backend = load_settings({}).remote_backend()
    assert backend is not None and backend.base_url is None and backend.resolved_mode() == "tools"
    assert "sk-x" not in repr(backend) and "sk-x" not in backend.model_dump_json()


def test_no_endpoint_and_bad_settings(tmp_path: Path) -> None:
    assert load_settings({}).remote_backend() is None
    with pytest.raises(ConfigError, match="--model is required"):
        load_settings({"base_url": "http://x/v1"}).remote_backend()
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings({}, tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="NOPE"):
        load_settings({"api_key_env": "NOPE"}).remote_backend()
    with pytest.raises(ConfigError, match=r"^invalid setting concurrency: Input should be greater than or equal to 1$"):
        load_settings({"concurrency": 0})  # one line, naming the setting
    (tmp_path / "bad.toml").write_text('model = "unterminated\n')
    with pytest.raises(ConfigError, match=rf"^{tmp_path / 'bad.toml'}: not a TOML file: "):
        load_settings({}, tmp_path / "bad.toml")
    (tmp_path / "value.toml").write_text('concurrency = "many"\n')
    with pytest.raises(ConfigError, match=rf"^invalid setting concurrency: .* \({tmp_path / 'value.toml'} sets it\)$"):
        load_settings({}, tmp_path / "value.toml")
    flag_error = r"^invalid setting concurrency: .* or equal to 1$"  # the flag's value: no file named
    with pytest.raises(ConfigError, match=flag_error):
        load_settings({"concurrency": 0}, tmp_path / "value.toml")


@pytest.mark.parametrize("band", ["-1", "inf", "nan", "1e308"])
def test_an_adjudication_band_outside_its_range_is_refused(band: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTBASE_ADJUDICATION_BAND", band)
    with pytest.raises(ConfigError, match=r"^invalid setting adjudication_band: "):
        load_settings({})


def test_a_key_read_from_a_file_loses_its_line_break_and_an_unsendable_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A trailing line break was sent and failed as "Connection error." on every chunk; a
    non-ASCII letter as "answer does not match the schema"."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-abcdefgh12345678\n")
    backend = load_settings({}).remote_backend()
    assert backend is not None and backend.api_key.get_secret_value() == "sk-abcdefgh12345678"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-abcdéfgh12345678")
    with pytest.raises(
        ConfigError, match=r"^the API key in OPENAI_API_KEY has a character no HTTP header carries"
    ) as error:
        load_settings({}).remote_backend()
    assert "éfgh" not in str(error.value)
