"""Benchmark: `factbase reconcile` wall time and peak memory on synthetic mentions, by size.

    .venv/bin/python bench/reconcile_scale.py 10000 100000 1000000

For each size the generator writes a mentions.jsonl of events with people, organizations,
dates and amounts, each reported in one to three documents in zh/en/fr the way extraction does:
canonical names sometimes missing or misspelled, dates at coarser precision, amounts as words,
twenty events to a document, five to a chunk (the events of one document are different events,
so a merge inside one is a false merge the B-cubed figure counts).
Then the real command, `python -m pipeline reconcile FILE -o DIR`, runs in a child process: its
wall time (reading the file, normalizing, entities, blocking, scoring, clustering, reading the
groups again and writing facts.jsonl), its own peak RSS ("peak MB"), and the peak, sampled every
second, of the proportional set size summed over it and its forked workers ("tree MB": what the
whole command holds, shared pages counted once). Also printed:
facts, B-cubed F1 of the facts against the generator's truth, and the growth of
time and memory against the previous size. Figures, not assertions: nothing here fails.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "de", "an", "el", "or", "us", "ik", "am"]
TYPES = {
    "resignation": ("left", "resigned from", "stepped down at"),
    "funding": ("raised money for", "secured funding for", "received an investment in"),
    "acquisition": ("bought", "acquired", "agreed to buy"),
    "lawsuit": ("sued", "took to court", "filed a lawsuit against"),
}
LANGS = ("zh", "en", "fr")
PSS_EVERY = 1.0  # seconds; reading a large process's page tables is not free: 0.2 s cost the run 10 %
MENTIONS_PER_DOC = 20
MENTIONS_PER_CHUNK = 5  # each mention names its chunk, as extraction's do: one document's may merge


def _name(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(words))


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :] if name[i] != " " else name


def generate(size: int, path: Path, seed: int = 7) -> dict[str, int]:
    """Write `size` mentions to `path`; return each mention's true event number."""
    rng = random.Random(seed)
    people = [_name(rng, 2) for _ in range(max(size // 8, 10))]
    companies = [_name(rng, 1) + " Labs" for _ in range(max(size // 20, 10))]
    truth: dict[str, int] = {}
    event_number, doc_number, doc_fill = 0, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while len(truth) < size:
            kind = rng.choice(list(TYPES))
            person, company = rng.choice(people), rng.choice(companies)
            year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
            value = rng.choice([5, 10, 20, 50, 100, 250]) * 1_000_000
            for lang in rng.sample(LANGS, rng.choice([1, 2, 2, 3])):
                if len(truth) == size:
                    break
                doc_fill += 1
                if doc_fill > MENTIONS_PER_DOC:
                    doc_number, doc_fill = doc_number + 1, 1
                mention = _mention(rng, len(truth), f"doc{doc_number:07d}_{lang}", lang, doc_fill, kind,
                                   person, company, (year, month, day), value)  # fmt: skip
                out.write(json.dumps(mention, ensure_ascii=False) + "\n")
                truth[mention["id"]] = event_number
            event_number += 1
    return truth


def _mention(
    rng: random.Random, number: int, doc: str, lang: str, position: int, kind: str, person: str, company: str,
    day: tuple[int, int, int], value: int,
) -> dict[str, Any]:  # fmt: skip
    written = _typo(rng, person) if rng.random() < 0.1 else person
    year, month, date = day[0], day[1], f"{day[0]}-{day[1]:02d}-{day[2]:02d}"
    date = date if rng.random() < 0.6 else f"{year}-{month:02d}"
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
    start = position * 100
    return {
        "schema_version": "2",
        "id": f"m_{number:09d}",
        "doc_id": doc,
        "lang": lang,
        "event": event,
        "evidence": [{"quote": "x", "char_start": start, "char_end": start + 1, "match": "exact"}],
        "chunk_ids": [f"{doc}#{position // MENTIONS_PER_CHUNK}"],
        "prompt_version": "bench",
        "model": "synthetic",
    }


def b_cubed_f1(groups: list[list[str]], truth: dict[str, int]) -> float:
    """B-cubed F1 in linear time: a mention's share of its group that is its event, and of its
    event that is in its group, from counts of (group, event) pairs."""
    group_of = {m: k for k, g in enumerate(groups) for m in g}
    shared = Counter((group_of[m], event) for m, event in truth.items())
    event_size = Counter(truth.values())
    precision = sum(shared[group_of[m], e] / len(groups[group_of[m]]) for m, e in truth.items()) / len(truth)
    recall = sum(shared[group_of[m], e] / event_size[e] for m, e in truth.items()) / len(truth)
    return 2 * precision * recall / (precision + recall)


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of a process and its worker processes, in kB (Linux /proc; 0
    elsewhere): pages the forked workers share with it are counted once across them."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    total = 0
    try:
        for process in [pid, *map(int, children.read_text().split())]:
            for line in Path(f"/proc/{process}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    except (OSError, ValueError):
        pass  # a worker ended while being read, or no /proc: the next sample counts
    return total


Generator = Callable[[int, Path], dict[str, int]]


def measure(size: int, work: Path, make: Generator = generate) -> dict[str, Any]:
    """Generate `size` mentions with `make`, reconcile them in a child process, and measure."""
    mentions = work / f"mentions_{size}.jsonl"
    started = time.perf_counter()
    truth = make(size, mentions)
    generated = time.perf_counter() - started
    out = work / f"out_{size}"
    command = [sys.executable, "-m", "pipeline", "reconcile", str(mentions), "-o", str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree_kb = 0
    while True:
        done, status, usage = os.wait4(child.pid, os.WNOHANG)
        if done:
            break
        peak_tree_kb = max(peak_tree_kb, tree_pss_kb(child.pid))
        time.sleep(PSS_EVERY)
    reconciled = time.perf_counter() - started
    if status != 0:
        error = child.stderr.read().decode().strip().splitlines() if child.stderr else []
        return {"mentions": size, "error": error[-1] if error else f"exit status {status}"}
    with (out / "facts.jsonl").open(encoding="utf-8") as facts:
        groups = [json.loads(line)["mention_ids"] for line in facts]
    return {
        "mentions": size,
        "facts": len(groups),
        "generate_s": round(generated, 2),
        "reconcile_s": round(reconciled, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "peak_tree_mb": round(peak_tree_kb / 1024),
        "b_cubed_f1": round(b_cubed_f1(groups, truth), 4),
    }


def main() -> None:
    previous: dict[str, Any] | None = None
    print(
        f"{'mentions':>9} {'facts':>8} {'generate s':>10} {'reconcile s':>11} {'peak MB':>8} {'tree MB':>8} "
        f"{'B3 F1':>6}  growth"
    )
    with tempfile.TemporaryDirectory(prefix="factbase-bench-") as work:
        for size in map(int, sys.argv[1:] or ["10000", "100000"]):
            row = measure(size, Path(work))
            if "error" in row:
                print(f"{size:>9} failed: {row['error']}", flush=True)
                continue
            growth = ""
            if previous:
                growth = (
                    f"x{row['mentions'] / previous['mentions']:.0f} mentions: "
                    f"time x{row['reconcile_s'] / previous['reconcile_s']:.1f}, "
                    f"memory x{row['peak_rss_mb'] / previous['peak_rss_mb']:.1f}"
                )
            print(
                f"{row['mentions']:>9} {row['facts']:>8} {row['generate_s']:>10} {row['reconcile_s']:>11} "
                f"{row['peak_rss_mb']:>8} {row['peak_tree_mb']:>8} {row['b_cubed_f1']:>6}  {growth}",
                flush=True,
            )
            previous = row


if __name__ == "__main__":
    main()
