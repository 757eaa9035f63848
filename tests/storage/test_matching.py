"""The repeat matcher on a labelled set of Indonesian and English pairs."""

from __future__ import annotations

import csv
from pathlib import Path

from storage.matching import DEFAULT_THRESHOLD, Report, find_resources, is_repeat, normalise

PAIRS = Path(__file__).resolve().parents[1] / "data" / "repeat_pairs.csv"


def report(text: str, category: str, resource: str) -> Report:
    return Report(text, category or None, frozenset({int(resource)}) if resource else frozenset())


def test_precision_and_recall_on_the_labelled_pairs() -> None:
    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8")))
    assert len(rows) >= 40
    tp = fp = fn = 0
    for row in rows:
        got = is_repeat(
            report(row["a"], row["category_a"], row["resource_a"]),
            report(row["b"], row["category_b"], row["resource_b"]),
        )
        want = row["match"] == "1"
        tp += got and want
        fp += got and not want
        fn += want and not got
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"\nrepeat matcher at threshold {DEFAULT_THRESHOLD}: precision {precision:.3f}, "
        f"recall {recall:.3f} on {len(rows)} pairs"
    )
    assert precision >= 0.95
    assert recall >= 0.8


def test_normalisation_handles_slang() -> None:
    assert normalise("VPN gak bisa konek dari rumah!") == "vpn tidak bisa connect"
    assert normalise("vpn tidak bisa connect") == "vpn tidak bisa connect"


def test_resources_are_found_by_name_or_alias_not_by_free_text() -> None:
    known = [
        (1, ["Server Kantor 123", "server lokal kantor 123"]),
        (2, ["Printer Lantai 2", "printer lt 2"]),
    ]
    assert find_resources("tolong, SERVER kantor 123 mati", known) == {1}
    assert find_resources("server lokal kantor 123 tidak bisa diremote", known) == {1}
    assert find_resources("printer lt. 2 macet", known) == {2}
    assert find_resources("vpn di rumah tidak bisa", known) == set()
    assert find_resources("server kantor 1234 mati", known) == set()
