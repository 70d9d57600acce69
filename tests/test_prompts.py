"""Prompt files: they load, carry a version, and their few-shot answers obey the schema and ground."""

from __future__ import annotations

import json
import re

from pipeline.extract_schema import Extraction
from pipeline.prompts import PROMPTS_DIR, load_prompt

# The variables each kind of call fills in (pipeline.extract, pipeline.adjudicate), and the ones
# its prompt must show the model.
VARIABLES = {"extract": {"chunk_text", "lang", "reference_date", "examples"}, "adjudicate": {"first", "second"}}
REQUIRED = {"extract": {"chunk_text"}, "adjudicate": {"first", "second"}}


def test_every_prompt_file_loads_names_its_version_and_uses_the_variables_its_call_fills() -> None:
    for path in PROMPTS_DIR.glob("*.toml"):
        prompt = load_prompt(path.stem)
        kind = path.stem.split("-")[0]
        used = set(re.findall(r"{{\s*(\w+)\s*}}", prompt.system + prompt.user))
        assert prompt.version == path.stem
        assert REQUIRED[kind] <= used <= VARIABLES[kind], path.name


def test_examples_validate_and_their_quotes_are_in_their_texts() -> None:
    for path in PROMPTS_DIR.glob("*.toml"):
        for example in load_prompt(path.stem).examples:
            parsed = Extraction.model_validate_json(example.output, context={"chunk_text": example.text})
            assert parsed.events
            assert json.loads(example.output)["events"]
