"""Benchmark: reconcile wall time and peak memory on synthetic mentions, by size.

    .venv/bin/python bench/reconcile_scale.py 10000 100000 1000000

Each size runs in a fresh child process (so peak memory is its own). The generator makes events
with people, organizations, dates and amounts, and reports each in one to three documents in
zh/en/fr the way extraction does: canonical names sometimes missing or misspelled, dates at
coarser precision, amounts as words, summaries reworded. Prints, per size: mentions, facts,
time to generate, time of the reconcile stage (normalize, entities, blocking, scoring,
clustering, fact records), peak RSS, B-cubed F1 against the generator's truth, and the growth
ratio of time and memory against the previous size. Figures, not assertions: nothing here fails.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.entities import load_registry  # noqa: E402
from pipeline.reconcile import build_facts  # noqa: E402
from pipeline.records import Mention  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "de", "an", "el", "or", "us", "ik", "am"]
TYPES = {
    "resignation": ("left", "resigned from", "stepped down at"),
    "funding": ("raised money for", "secured funding for", "received an investment in"),
    "acquisition": ("bought", "acquired", "agreed to buy"),
    "lawsuit": ("sued", "took to court", "filed a lawsuit against"),
}
LANGS = ("zh", "en", "fr")
MENTIONS_PER_DOC = 20


def _name(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(words))


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :] if name[i] != " " else name


def generate(size: int, seed: int = 7) -> tuple[list[Mention], dict[str, int]]:
    """`size` mentions and each mention's true event number."""
    rng = random.Random(seed)
    people = [_name(rng, 2) for _ in range(max(size // 8, 10))]
    companies = [_name(rng, 1) + " Labs" for _ in range(max(size // 20, 10))]
    mentions: list[Mention] = []
    truth: dict[str, int] = {}
    event_number, doc_number, doc_fill = 0, 0, 0
    while len(mentions) < size:
        kind = rng.choice(list(TYPES))
        person, company = rng.choice(people), rng.choice(companies)
        year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
        value = rng.choice([5, 10, 20, 50, 100, 250]) * 1_000_000
        for lang in rng.sample(LANGS, rng.choice([1, 2, 2, 3])):
            if len(mentions) == size:
                break
            doc_fill += 1
            if doc_fill > MENTIONS_PER_DOC:
                doc_number, doc_fill = doc_number + 1, 1
            written = _typo(rng, person) if rng.random() < 0.1 else person
            date = f"{year}-{month:02d}-{day:02d}" if rng.random() < 0.6 else f"{year}-{month:02d}"
            words = {"zh": f"{value // 10**6}00万美元", "en": f"${value // 10**6} million"}
            amount_text = words.get(lang, f"{value // 10**6} millions de dollars")
            event = {
                "type": kind,
                "summary": f"{person} {rng.choice(TYPES[kind])} {company}.",
                "participants": [
                    {"name": written, "canonical_name": person if rng.random() < 0.5 else None, "kind": "person",
                     "role": "subject"},
                    {"name": company, "canonical_name": None, "kind": "organization", "role": "organization"},
                ],
                "time": {"text": None, "date": date, "precision": "day" if len(date) == 10 else "month"},
                "amounts": [{"text": amount_text, "value": None, "currency": None, "approximate": False,
                             "measure": None}] if kind == "funding" else [],
                "modality": "asserted",
                "attribution": None,
                **{"resignation": {"position": None}, "funding": {"stage": None},
                   "acquisition": {"status": "completed"}, "lawsuit": {"claim": None}}[kind],
            }  # fmt: skip
            start = doc_fill * 100
            mention = Mention.model_validate(
                {
                    "id": f"m_{len(mentions):09d}",
                    "doc_id": f"doc{doc_number:07d}_{lang}",
                    "lang": lang,
                    "event": event,
                    "evidence": [{"quote": "x", "char_start": start, "char_end": start + 1, "match": "exact"}],
                    "chunk_ids": [],
                    "prompt_version": "bench",
                    "model": "synthetic",
                }
            )
            mentions.append(mention)
            truth[mention.id] = event_number
        event_number += 1
    return mentions, truth


def b_cubed_f1(groups: list[list[str]], truth: dict[str, int]) -> float:
    cluster_of = {m: frozenset(g) for g in groups for m in g}
    by_event: dict[int, set[str]] = {}
    for mention, event in truth.items():
        by_event.setdefault(event, set()).add(mention)
    precision = sum(len(cluster_of[m] & by_event[truth[m]]) / len(cluster_of[m]) for m in truth) / len(truth)
    recall = sum(len(cluster_of[m] & by_event[truth[m]]) / len(by_event[truth[m]]) for m in truth) / len(truth)
    return 2 * precision * recall / (precision + recall)


def measure(size: int) -> dict[str, float]:
    started = time.perf_counter()
    mentions, truth = generate(size)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    facts = build_facts(mentions, load_registry())
    reconciled = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mentions": size,
        "facts": len(facts),
        "generate_s": round(generated, 2),
        "reconcile_s": round(reconciled, 2),
        "peak_rss_mb": round(peak_mb),
        "b_cubed_f1": round(b_cubed_f1([f.mention_ids for f in facts], truth), 4),
    }


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    previous: dict[str, float] | None = None
    print(f"{'mentions':>9} {'facts':>8} {'generate s':>10} {'reconcile s':>11} {'peak MB':>8} {'B3 F1':>6}  growth")
    for size in map(int, sys.argv[1:] or ["10000", "100000"]):
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=False
        )
        if child.returncode != 0:
            print(f"{size:>9} failed: {child.stderr.strip().splitlines()[-1] if child.stderr else child.returncode}")
            continue
        row = json.loads(child.stdout)
        growth = ""
        if previous:
            growth = (
                f"x{row['mentions'] / previous['mentions']:.0f} mentions: "
                f"time x{row['reconcile_s'] / previous['reconcile_s']:.1f}, "
                f"memory x{row['peak_rss_mb'] / previous['peak_rss_mb']:.1f}"
            )
        print(
            f"{row['mentions']:>9} {row['facts']:>8} {row['generate_s']:>10} {row['reconcile_s']:>11} "
            f"{row['peak_rss_mb']:>8} {row['b_cubed_f1']:>6}  {growth}",
            flush=True,
        )
        previous = row


if __name__ == "__main__":
    main()
