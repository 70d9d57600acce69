"""Prompt files: they load, carry a version, and their few-shot answers obey the schema and ground."""

from __future__ import annotations

import json

from pipeline.extract_schema import Extraction
from pipeline.prompts import PROMPTS_DIR, load_prompt


def test_every_prompt_file_loads_and_names_its_version() -> None:
    for path in PROMPTS_DIR.glob("*.toml"):
        prompt = load_prompt(path.stem)
        assert prompt.version == path.stem
        assert "{{ chunk_text }}" in prompt.user


def test_examples_validate_and_their_quotes_are_in_their_texts() -> None:
    for path in PROMPTS_DIR.glob("*.toml"):
        for example in load_prompt(path.stem).examples:
            parsed = Extraction.model_validate_json(example.output, context={"chunk_text": example.text})
            assert parsed.events
            assert json.loads(example.output)["events"]
