"""Prompts: versioned templates read from `prompts/`, never strings buried in code."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
DEFAULT_PROMPT = "extract-v1"
SMALL_MODEL_PROMPT = "extract-small-v1"  # shorter, for the bundled 270M local model


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    lang: str
    reference_date: str
    output: str


class PromptTemplate(BaseModel):
    """A system and a user template with `{{ variable }}` placeholders, and few-shot examples."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    system: str
    user: str
    examples: tuple[Example, ...] = ()

    def messages(self) -> list[dict[str, str]]:
        """The chat messages, placeholders unfilled: instructor fills them from the context."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def rendered_examples(self) -> str:
        if not self.examples:
            return ""
        blocks = [
            f"Example {i}\nLanguage of the article: {ex.lang}\nReference date for relative "
            f"expressions: {ex.reference_date}\n\nTEXT:\n{ex.text}\n\nJSON:\n"
            + json.dumps(json.loads(ex.output), ensure_ascii=False, separators=(",", ":"))
            for i, ex in enumerate(self.examples, 1)
        ]
        return "\n\n" + "\n\n".join(blocks)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def load_prompt(name: str = DEFAULT_PROMPT, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load `prompts/<name>.toml`; `name` may also be a path to a TOML file."""
    path = Path(name) if name.endswith(".toml") else directory / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: no such prompt file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from exc
    return PromptTemplate.model_validate(data)
