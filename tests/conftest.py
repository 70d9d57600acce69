"""Shared test set-up: a clean environment, and the CLI run in-process against a real server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No endpoint, key or setting leaks in from the machine; no factbase.toml is picked up."""
    for name in list(os.environ):
        if name.startswith(("FACTBASE_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("FACTBASE_BACKOFF_S", "0.01")
    monkeypatch.chdir(tmp_path)


@dataclass
class CliResult:
    exit_code: int
    output: str


def run_cli(*args: str | Path) -> CliResult:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return CliResult(result.exit_code, result.output)


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
