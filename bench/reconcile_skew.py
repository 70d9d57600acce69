"""Benchmark: `factbase reconcile` on skewed inputs, where blocking alone does not keep the work
near-linear. Figures, not assertions: nothing here fails.

    .venv/bin/python bench/reconcile_skew.py 5000 20000

Three shapes, each at every size, measured like bench/reconcile_scale.py (the real command in a
child process; wall time, peak RSS, B-cubed F1 against the generator's truth, growth):

- one-event: a single acquisition reported by every mention, each in its own article, the
  buyer's chief misspelled in one report in fifty (one connected component of every mention);
- quarterly: one company's revenue for 40 quarters, the same sentence each time with another
  figure and quarter (40 components of size/40 mentions);
- wide: the scale benchmark's mentions, one in a thousand listing 60 investors and 50 amounts
  (a results table, a list of plaintiffs).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reconcile_scale import LANGS, Generator, _mention, _name, generate, measure

SEED = 11


def _written(path: Path, mentions: Iterator[tuple[dict[str, Any], int]]) -> dict[str, int]:
    truth: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        for mention, event in mentions:
            out.write(json.dumps(mention, ensure_ascii=False) + "\n")
            truth[mention["id"]] = event
    return truth


def one_event(size: int, path: Path) -> dict[str, int]:
    rng = random.Random(SEED)

    def mentions() -> Iterator[tuple[dict[str, Any], int]]:
        for k in range(size):
            person = "Satya Nadella" if k % 50 else "Satya Nadela"
            doc = f"doc{k:07d}_{rng.choice(LANGS)}"
            yield _mention(rng, k, doc, doc[-2:], 1, "acquisition", person, "Activision Blizzard", (2023, 10, 13), 0), 0

    return _written(path, mentions())


def quarterly(size: int, path: Path) -> dict[str, int]:
    def mentions() -> Iterator[tuple[dict[str, Any], int]]:
        for k in range(size):
            quarter = k % 40
            year, value = 2015 + quarter // 4, (100 + 3 * quarter) * 10**6
            event = {
                "type": "financial_metric", "metric": "revenue", "modality": "asserted", "attribution": None,
                "summary": f"Acme Corp reported quarterly revenue of ${value // 10**6} million.",
                "participants": [{"name": "Acme Corp", "canonical_name": "Acme", "kind": "organization",
                                  "role": "subject"}],
                "time": {"text": None, "date": f"{year}-Q{quarter % 4 + 1}", "precision": "quarter"},
                "amounts": [{"text": None, "value": float(value), "currency": "USD", "approximate": False,
                             "measure": "quarterly revenue"}],
            }  # fmt: skip
            yield {
                "schema_version": "2", "id": f"m_{k:09d}", "doc_id": f"doc{k:07d}", "lang": "en", "event": event,
                "evidence": [{"quote": "x", "char_start": 0, "char_end": 1, "match": "exact"}], "chunk_ids": [],
                "prompt_version": "bench", "model": "synthetic",
            }, quarter  # fmt: skip

    return _written(path, mentions())


def wide(size: int, path: Path) -> dict[str, int]:
    truth = generate(size, path)
    rng = random.Random(SEED)
    lines = path.read_text(encoding="utf-8").splitlines()
    for k in range(0, len(lines), 1000):
        mention = json.loads(lines[k])
        event = mention["event"]
        event["participants"] += [
            {"name": _name(rng, 1) + " Capital", "canonical_name": None, "kind": "organization", "role": "investor"}
            for _ in range(60)
        ]
        event["amounts"] += [
            {"text": None, "value": float(rng.randint(1, 999) * 10**6), "currency": "USD", "approximate": False,
             "measure": "revenue"} for _ in range(50)
        ]  # fmt: skip
        lines[k] = json.dumps(mention, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


SHAPES: dict[str, Generator] = {"one-event": one_event, "quarterly": quarterly, "wide": wide}


def main() -> None:
    sizes = [int(size) for size in sys.argv[1:] or ["5000", "20000"]]
    print(f"{'shape':>10} {'mentions':>9} {'facts':>7} {'reconcile s':>11} {'peak MB':>8} {'B3 F1':>6}  growth")
    with tempfile.TemporaryDirectory(prefix="factbase-skew-") as work:
        for shape, make in SHAPES.items():
            previous: dict[str, Any] | None = None
            for size in sizes:
                row = measure(size, Path(work), make)
                if "error" in row:
                    print(f"{shape:>10} {size:>9} failed: {row['error']}", flush=True)
                    continue
                growth = ""
                if previous:
                    times, memory = (
                        row["reconcile_s"] / previous["reconcile_s"],
                        row["peak_rss_mb"] / previous["peak_rss_mb"],
                    )
                    growth = f"x{size / previous['mentions']:.0f} mentions: time x{times:.1f}, memory x{memory:.1f}"
                print(
                    f"{shape:>10} {size:>9} {row['facts']:>7} {row['reconcile_s']:>11} {row['peak_rss_mb']:>8} "
                    f"{row['b_cubed_f1']:>6}  {growth}",
                    flush=True,
                )
                previous = row


if __name__ == "__main__":
    main()
