"""Split the labelled repeat pairs into a tuning half and a held-out evaluation half.

Reads pairs.csv (next to this file) and writes tune.csv and eval.csv with the same header.
The split is made once, with random.Random(20261201), stratified by (kind, same): every
stratum is shuffled and its first half (rounded down) goes to tune.csv, the rest to eval.csv.
The 48 old pairs of tests/data/repeat_pairs.csv are appended to tune.csv only (kind "legacy").

Stdlib only and deterministic: running it again rewrites byte-identical files.
Usage: python tests/data/repeats/split.py
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "pairs.csv"
LEGACY = HERE.parent / "repeat_pairs.csv"
TUNE = HERE / "tune.csv"
EVAL = HERE / "eval.csv"

SEED = 20261201
FIELDS = ["id", "a", "b", "same", "kind", "category_a", "category_b", "resource_a", "resource_b"]
KINDS = {
    "subset",
    "identifier",
    "function",
    "slang",
    "resource",
    "synonym",
    "wordform",
    "topic",
    "negation",
    "exact",
    "unrelated",
    "followup",
}
CATEGORIES = {"", "vpn", "hardware", "account", "application", "network", "other"}
# repeat_pairs.csv names resources by numeric id. "1" is Server Kantor 123; "2" only occurs on
# rows whose text is about the second-floor printer ("printer lantai 2" / "printer lt 2").
LEGACY_RESOURCES = {"": "", "1": "Server Kantor 123", "2": "Printer Lantai 2"}


def read_pairs() -> list[dict[str, str]]:
    with PAIRS.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != FIELDS:
            sys.exit(f"{PAIRS}: header {reader.fieldnames} != {FIELDS}")
        rows = list(reader)
    ids = Counter(row["id"] for row in rows)
    problems = [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for row in rows:
        if row["same"] not in {"0", "1"}:
            problems.append(f"{row['id']}: same={row['same']!r}")
        if row["kind"] not in KINDS:
            problems.append(f"{row['id']}: kind={row['kind']!r}")
        if row["category_a"] not in CATEGORIES or row["category_b"] not in CATEGORIES:
            problems.append(f"{row['id']}: category {row['category_a']!r}/{row['category_b']!r}")
        if not row["a"].strip() or not row["b"].strip():
            problems.append(f"{row['id']}: empty text")
    if problems:
        sys.exit("\n".join(problems))
    return rows


def read_legacy() -> list[dict[str, str]]:
    with LEGACY.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for n, row in enumerate(rows, 1):
        try:
            resource_a = LEGACY_RESOURCES[row["resource_a"]]
            resource_b = LEGACY_RESOURCES[row["resource_b"]]
        except KeyError as exc:
            sys.exit(f"{LEGACY}: row {n}: unknown resource id {exc}")
        out.append(
            {
                "id": f"l{n:02d}",
                "a": row["a"],
                "b": row["b"],
                "same": row["match"],
                "kind": "legacy",
                "category_a": row["category_a"],
                "category_b": row["category_b"],
                "resource_a": resource_a,
                "resource_b": resource_b,
            }
        )
    return out


def split(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(SEED)
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        strata[(row["kind"], row["same"])].append(row["id"])
    tune_ids: set[str] = set()
    for key in sorted(strata):
        members = sorted(strata[key])
        rng.shuffle(members)
        tune_ids.update(members[: len(members) // 2])
    tune = [row for row in rows if row["id"] in tune_ids]
    held = [row for row in rows if row["id"] not in tune_ids]
    return tune, held


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def table(tune: list[dict[str, str]], held: list[dict[str, str]]) -> str:
    count: Counter[tuple[str, str, str]] = Counter()
    for half, rows in (("tune", tune), ("eval", held)):
        for row in rows:
            count[(half, row["kind"], row["same"])] += 1
    kinds = sorted({k for _, k, _ in count}, key=lambda k: (k == "legacy", k))
    lines = [
        "| kind | tune same=1 | tune same=0 | eval same=1 | eval same=0 |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in kinds:
        cells = [count[(h, kind, s)] for h in ("tune", "eval") for s in ("1", "0")]
        lines.append(f"| {kind} | " + " | ".join(map(str, cells)) + " |")
    totals = [sum(1 for r in rows if r["same"] == s) for rows in (tune, held) for s in ("1", "0")]
    lines.append("| **total** | " + " | ".join(map(str, totals)) + " |")
    lines.append("")
    lines.append(f"tune.csv: {len(tune)} rows; eval.csv: {len(held)} rows")
    return "\n".join(lines)


def main() -> None:
    pairs = read_pairs()
    tune, held = split(pairs)
    tune = tune + read_legacy()
    write(TUNE, tune)
    write(EVAL, held)
    print(table(tune, held))


if __name__ == "__main__":
    main()
