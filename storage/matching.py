"""Is a new report the same problem as one of the reporter's open tickets?

`judge(new, old)` answers with one of three verdicts:
- certain: the same text after normalisation, or a very high score with every identifier and
  resource agreeing and the same failing function → the bot may join silently;
- plausible: close enough to ask the reporter ("same problem as #N?") → file a new ticket;
- different: file a new ticket, ask nothing.

How: each text is normalised (case, punctuation, slang, typos, Indonesian word forms through
the vocabulary in storage/matching_words.py and, for words it does not know, the PySastrawi
stemmer) and split into clauses, so that "bisa X tapi ga bisa Y" says X works and Y is the
problem. Hard rules make a pair different: other identifiers (numbers, IPs, hosts, room, floor
and desk labels), other registered resources, rival subjects (jira vs confluence), failing
functions that share nothing (kirim vs terima, scan vs print, lambat vs mati), or one text saying
that what the other reports works. What is left is scored asymmetrically with rapidfuzz: what
one text says and the other does not lowers the score from either side."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from storage.matching_text import Analysis, analyse, normalise, resource_words, tokens
from storage.matching_words import COMPATIBLE, FUNCTIONS, RIVAL_KINDS, SUBJECTS

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Judgement",
    "Report",
    "Thresholds",
    "Verdict",
    "analyse",
    "find_resources",
    "is_repeat",
    "judge",
    "normalise",
    "tokens",
]


class Verdict(StrEnum):
    CERTAIN = "certain"
    PLAUSIBLE = "plausible"
    DIFFERENT = "different"


@dataclass(frozen=True)
class Thresholds:
    """Scores (0–100) from which a pair is `certain` (join silently) or `plausible` (ask)."""

    certain: float = 90.0
    plausible: float = 45.0


DEFAULT_THRESHOLDS = Thresholds()
# Naming the same registered resource with the same symptom lowers the bars by these.
SAME_RESOURCE_CERTAIN_MARGIN = 10.0
SAME_RESOURCE_PLAUSIBLE_MARGIN = 15.0


@dataclass(frozen=True)
class Report:
    """What the matcher compares: the text, its category and the resources it names."""

    text: str
    category: str | None = None
    resources: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Judgement:
    """A verdict with the score (0–100) it came from and why, for logs and debugging."""

    verdict: Verdict
    score: float
    reason: str


def contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` appears in `words` as consecutive words."""
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def find_resources(text: str, resources: Iterable[tuple[int, Collection[str]]]) -> set[int]:
    """Ids of registered resources whose name or an alias appears in `text`, on all its words
    (so "server kantor 1234" is not "Server Kantor 123", nor room B room A)."""
    words = resource_words(text)
    return {
        rid
        for rid, names in resources
        if any(contains(words, resource_words(name)) for name in names)
    }


# --- judging ---------------------------------------------------------------------------------


def _subjects_match(x: str, y: str) -> bool:
    if x == y:
        return True
    (kind_x, groups_x), (kind_y, groups_y) = SUBJECTS[x], SUBJECTS[y]
    if "*" + kind_y in groups_x or "*" + kind_x in groups_y:
        return True
    return bool(groups_x & groups_y)


def _functions_match(x: str, y: str) -> bool:
    return x == y or frozenset((x, y)) in COMPATIBLE


def _rivals(a: Analysis, b: Analysis) -> tuple[str, str] | None:
    """A subject only one text has against one only the other has, of the same kind."""
    for x in a.subjects - b.subjects:
        for y in b.subjects - a.subjects:
            kind = SUBJECTS[x][0]
            if kind == SUBJECTS[y][0] and kind in RIVAL_KINDS and not _subjects_match(x, y):
                return x, y
    return None


def _symptom_agrees(a: Analysis, b: Analysis) -> bool:
    if not a.functions and not b.functions:
        return True
    return any(_functions_match(x, y) for x in a.functions for y in b.functions)


def _credit(word: str, other: Analysis) -> float:
    if word in other.bag:
        return 1.0
    if word.startswith("#"):
        return 0.0
    if word in SUBJECTS:
        return 0.8 if any(_subjects_match(word, s) for s in other.mentioned) else 0.0
    if word in FUNCTIONS:
        return 0.7 if any(_functions_match(word, f) for f in other.functions) else 0.0
    best = 0.0
    for candidate in other.bag:
        if candidate[:1] != "#" and candidate not in SUBJECTS and candidate not in FUNCTIONS:
            best = max(best, fuzz.ratio(word, candidate, score_cutoff=80) / 100)
    return 0.9 * best


def _unsaid(a: Analysis, b: Analysis) -> list[str]:
    """Words of what `a` reports broken that `b` does not say in any form."""
    return [word for word, w in a.weights if w >= 1.0 and _credit(word, b) < 0.5]


def _coverage(a: Analysis, b: Analysis) -> float:
    total = sum(w for _, w in a.weights)
    if not total:
        return 1.0 if not b.weights else 0.0
    return sum(w * _credit(word, b) for word, w in a.weights) / total


def score(a: Analysis, b: Analysis) -> float:
    """0–100: how much of each text the other one says (the lower side counts most)."""
    there, back = _coverage(a, b), _coverage(b, a)
    return 100.0 * (0.5 * min(there, back) + 0.5 * math.sqrt(there * back))


def judge(new: Report, old: Report, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Judgement:
    """Whether `new` reports the same problem as `old` (see the module's docstring)."""
    a, b = analyse(old.text), analyse(new.text)

    def different(reason: str) -> Judgement:
        return Judgement(Verdict.DIFFERENT, 0.0, reason)

    if new.resources and old.resources and not new.resources & old.resources:
        return different("other resource")
    if a.ids - b.ids and b.ids - a.ids:
        return different(f"identifiers {sorted(a.ids - b.ids)} vs {sorted(b.ids - a.ids)}")
    rivals = _rivals(a, b)
    if rivals:
        return different(f"subjects {rivals[0]} vs {rivals[1]}")
    for x, y in ((a, b), (b, a)):
        works = x.functions & (y.ok - y.functions)
        if works:
            return different(f"the other says {sorted(works)} works")
    if a.functions and b.functions and not _symptom_agrees(a, b):
        return different(f"functions {sorted(a.functions)} vs {sorted(b.functions)}")
    # What can only be asked, never joined silently: a resource or identifier on one side only,
    # or subjects that share nothing ("vpn ga bisa connect" / "printer ga bisa connect").
    one_sided = bool(new.resources) != bool(old.resources) or a.ids != b.ids
    apart = bool(a.subjects and b.subjects) and not any(
        _subjects_match(x, y) for x in a.subjects for y in b.subjects
    )
    if a.norm == b.norm:
        verdict = Verdict.PLAUSIBLE if one_sided or apart else Verdict.CERTAIN
        return Judgement(verdict, 100.0, "same text")
    value = score(a, b)
    certain, plausible = thresholds.certain, thresholds.plausible
    agrees = _symptom_agrees(a, b)
    if new.resources & old.resources and agrees:
        certain -= SAME_RESOURCE_CERTAIN_MARGIN
        plausible -= SAME_RESOURCE_PLAUSIBLE_MARGIN
    # each text says something the other does not ("folder finance" / "folder hr"): ask
    mutual = bool(_unsaid(a, b) and _unsaid(b, a))
    if value >= certain and agrees and not (one_sided or apart or mutual):
        return Judgement(Verdict.CERTAIN, value, "close")
    if value >= plausible:
        return Judgement(Verdict.PLAUSIBLE, value, "similar")
    return Judgement(Verdict.DIFFERENT, value, "not similar enough")


def is_repeat(new: Report, old: Report, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Deprecated: use `judge`. True only when `judge` is certain (a silent join)."""
    return judge(new, old, thresholds).verdict is Verdict.CERTAIN
