"""Build perturbed_mentions.jsonl: the golden mentions damaged the way real models damage them.

    python tests/golden/perturb.py

Deterministic: each choice comes from a hash of the mention id, never from a random generator,
so the file is the same on every machine. What changes, per mention:
- names: every participant loses its canonical name, or (every other mention) gets the name as
  written as its canonical name ("Mostaqu", 彭博社, « l'entreprise »);
- dates: a day becomes its month, a month its year, a quarter its year (every dated mention);
- amounts: the value is dropped and the currency too when the text names it, so that only the
  words remain ("近1亿美元", « 100 millions de dollars »): the normalizer must read them;
- summaries: reworded with PARAPHRASES (verbs and nouns swapped for others, dates and figures
  taken out).
Mention ids, evidence and fact labels are unchanged, so the golden facts still judge the result.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent

PARAPHRASES = {
    "resigned": "stepped down",
    "announced": "said",
    "raised": "secured",
    "launched": "rolled out",
    "released": "made available",
    "reported": "wrote",
    "said": "stated",
    "company": "firm",
    "suing": "taking to court",
    "banned": "barred",
    "threatened": "warned it would",
    "invested": "put money",
    "predicted": "forecast",
    "considering": "weighing",
    "explained": "argued",
    "joined": "came to",
    "left": "quit",
    "owed": "had not paid",
    "employees": "staff",
}
_NUMBERS = re.compile(r"\$?\d[\d,.]*\s*(?:million|billion|%)?|\b(?:19|20)\d{2}\b")
_MONTHS = re.compile(
    r"\b(?:in |on |at the end of |in early |in late )?(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)(?: \d{1,2})?,?"
)


def _choice(mention_id: str, salt: str) -> int:
    return hashlib.sha256(f"{salt}:{mention_id}".encode()).digest()[0]


def paraphrase(summary: str) -> str:
    text = _MONTHS.sub("", summary)
    text = _NUMBERS.sub("", text)
    for word, other in PARAPHRASES.items():
        text = re.sub(rf"\b{word}\b", other, text)
    text = re.sub(r"\s+([,.])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,.")
    return text + "."


def coarser(date: str | None) -> str | None:
    if date is None:
        return None
    if "/" in date:
        return date.split("/")[0][:4]
    return date[:7] if len(date) == 10 else date[:4]


def perturb(mention: dict[str, Any]) -> dict[str, Any]:
    event = dict(mention["event"])
    as_written = _choice(mention["id"], "names") % 2 == 0
    event["participants"] = [{**p, "canonical_name": p["name"] if as_written else None} for p in event["participants"]]
    if event["time"] and event["time"]["date"]:
        date = coarser(event["time"]["date"])
        precision = {4: "year", 7: "month"}.get(len(date or ""))
        event["time"] = {**event["time"], "date": date, "precision": precision}
    event["amounts"] = [
        {**a, "value": None if a["text"] else a["value"], "currency": None if a["text"] else a["currency"]}
        for a in event["amounts"]
    ]
    event["summary"] = paraphrase(event["summary"])
    return {**mention, "event": event}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").split("\n")
    out = [json.dumps(perturb(json.loads(line)), ensure_ascii=False, separators=(",", ":")) for line in lines if line]
    (GOLDEN / "perturbed_mentions.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"perturbed: {len(out)} mentions")


if __name__ == "__main__":
    main()
