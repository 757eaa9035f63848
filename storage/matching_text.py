"""Text → what the repeat matcher compares: canonical words (slang, typos, Indonesian and
English word forms made one), clauses (what is broken, what works, what is context), the
identifiers a text names and the subjects and functions it is about. The vocabulary is in
storage/matching_words.py; the decision is in storage/matching.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from storage.matching_words import (
    ABBREVIATIONS,
    BEFORE_AMOUNTS,
    BREAKS,
    CAN,
    FIXES,
    FUNCTIONS,
    GENERIC,
    NAMED_ROOMS,
    NEG,
    PHRASES,
    PLACES,
    POSITIVE,
    SUBJECTS,
    SYMPTOMS,
    TRIED,
    TRY,
    UNITS,
    WORDS,
)

_TOKEN = re.compile(
    r"(?P<ip>\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?)"
    r"|(?P<ver>\d+(?:\.\d+)+)"
    r"|(?P<pct>\d+(?:[.,]\d+)?)\s?%"
    r"|(?P<word>[^\W_](?:[\w@'-]*[^\W_@'-])?@?)"
    r"|(?P<brk>[,;:!?()\[\]{}\n|]|\.{2,}|\.(?=\s|$)|\s[-–—]\s)"
)
_FILLER = frozenset(w for w, c in WORDS.items() if c == "")
_KNOWN = (
    frozenset(WORDS)
    | frozenset(t for c in WORDS.values() for t in c.split())
    | FUNCTIONS
    | GENERIC
    | frozenset(SUBJECTS)
    | PLACES
    | frozenset(t for k, v in PHRASES.items() for t in (*k, *v))
)
_CORRECTABLE = sorted(
    w for w in (set(WORDS) - _FILLER) | set(SUBJECTS) | FUNCTIONS if w.isalpha() and len(w) >= 4
)
_PREFIXES = (
    *("", "di", "ke", "ter", "nge", "ng", "n", "ny"),
    *("me", "mem", "men", "meng", "meny", "ber", "se", "pe", "per"),
)
_SUFFIXES = ("", "nya", "kan", "in", "an", "i", "ing", "ed", "es", "s", "d")
_NASAL = {"ng": "k", "meng": "k", "n": "t", "men": "t", "ny": "s", "meny": "s", "mem": "p"}
_AMOUNT = re.compile(r"\d+(?:x|mb|gb|kb|tb|ms|s|h|m|rd|th|st|nd|an|jt|rb|k|min|mnt|dtk)")
_REDUPLICATED = re.compile(r"([a-z]{2,})2([a-z]*)")
_HYPHEN_PREFIXES = ("di", "ke", "ter", "nge", "ng", "me", "ber", "se")

USE_STEMMER = True  # the evaluation test turns it off once to show what PySastrawi buys


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """PySastrawi's stemmer, built once on first use (building it reads its dictionary)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


def _indonesian(word: str) -> bool:
    return USE_STEMMER and bool(_stemmer().delegatedStemmer.dictionary.contains(word))


def _affixed(word: str) -> str | None:
    """The known word behind an informal or English word form (kebuka, ngeprint, dinyalain,
    kedetect, restarting), or None."""
    for suffix in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        base = word[: len(word) - len(suffix)] if suffix else word
        for prefix in _PREFIXES:
            if not (prefix or suffix) or not base.startswith(prefix):
                continue
            root = base[len(prefix) :]
            roots = [root]
            if prefix in _NASAL and root[:1] in tuple("aeiou"):
                roots.append(_NASAL[prefix] + root)
            if suffix in ("ing", "ed"):
                roots.append(root + "e")
            for candidate in roots:
                if len(candidate) >= 3 and candidate in _KNOWN:
                    return candidate
    return None


def _typo(word: str) -> str | None:
    """A known word one typing slip away (outlok, pritner, jria), for words of 4+ letters
    that are neither known nor Indonesian."""
    if not word.isalpha() or len(word) < 4 or _indonesian(word):
        return None
    found = process.extractOne(
        word,
        _CORRECTABLE,
        scorer=OSA.distance,
        score_cutoff=1 if len(word) < 9 else 2,
    )
    if found is None or found[0][0] != word[0]:
        return None
    return str(found[0])


@lru_cache(maxsize=16384)
def canonical(word: str) -> tuple[str, ...]:
    """A lower-case word's canonical form: one or more words, "#…" for an identifier, or the
    word itself (filler words too: phrases may need them; they are dropped afterwards)."""
    if word in WORDS:
        return (word,) if WORDS[word] == "" else tuple(WORDS[word].split())
    if word in _KNOWN:
        return (word,)
    if any(ch.isdigit() for ch in word):
        twice = _REDUPLICATED.fullmatch(word)
        if twice:
            return canonical(twice[1] + twice[2])
        if _AMOUNT.fullmatch(word):
            return ()
        return ("#" + (str(int(word)) if word.isdigit() else word),)
    if "@" in word:
        return ("#" + word,)
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1:
            if parts[0] in _HYPHEN_PREFIXES or "".join(parts) in _KNOWN:
                return canonical("".join(parts))
            if len(set(parts)) == 1:
                return canonical(parts[0])
            if any(len(p) <= 3 and p not in _KNOWN for p in parts):
                return ("#" + word,)  # finance-ap, build-x: a name
            return tuple(t for p in parts for t in canonical(p))
        word = "".join(parts)
    if len(word) > 5 and word.endswith("nya"):
        return canonical(word[:-3])
    found = _affixed(word)
    if found is not None:
        return canonical(found)
    if USE_STEMMER:
        stem = str(_stemmer().stem(word))
        if stem and stem != word:
            return canonical(stem) if stem in _KNOWN else (stem,)
    fixed = _typo(word)
    if fixed is not None:
        return canonical(fixed)
    return (word,)


def _phrases(words: list[str]) -> list[str]:
    out, i, steps = list(words), 0, 0
    longest = max(len(k) for k in PHRASES)
    while i < len(out) and steps < 500:
        steps += 1
        for n in range(min(longest, len(out) - i), 0, -1):
            replacement = PHRASES.get(tuple(out[i : i + n]))
            if replacement is not None:
                out[i : i + n] = replacement
                i = max(i - 1, 0)
                break
        else:
            i += 1
    return out


def _raw_clauses(text: str) -> list[list[str]]:
    """The text as clauses of raw tokens: words, "#…" identifiers, "%N" percentages."""
    text = text.lower().replace("’", "'").replace("`", "'")
    clauses: list[list[str]] = [[]]
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group(match.lastgroup or 0)
        current = clauses[-1]
        if kind == "brk":
            if token.startswith(".") and current and current[-1] in ABBREVIATIONS:
                continue  # "R. Meeting A", "lt. 2"
            clauses.append([])
        elif kind in ("ip", "ver"):
            current.append("#" + token)
        elif kind == "pct":
            current.append("%" + token)
        else:
            token = token.replace("'", "")
            if token in BREAKS:
                clauses.append([])
            else:
                current.append(token)
    return [c for c in clauses if c]


def _canonical_clause(raw: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    room = False  # after "ruang"/"room" (and "meeting"): a name or letter is a label
    while i < len(raw):
        token = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        i += 1
        if token.startswith("#"):
            out.append(token)
            continue
        if token.startswith("%"):
            if float(token[1:].replace(",", ".")) >= 90:
                out.append("penuh")
            continue
        if token in TRY and nxt and any(c in TRIED for c in canonical(nxt)):
            i += 1  # "udah restart": what was tried is context, not the problem
            continue
        if token in ("no", "nomor", "nomer", "nr") and nxt[:1].isdigit():
            continue  # "meja no. 12"
        previous = out[-1] if out else ""
        if len(token) == 1 and token.isalpha() and previous in PLACES:
            out.append("#" + token)
            room = False
            continue
        words = canonical(token)
        if room and words and words[0] not in ("meeting", "rapat", "ruang"):
            if token.isalpha() and token not in _KNOWN and words == (token,):
                words = ("#" + token,)
            room = False
        if words and words[-1] in NAMED_ROOMS:
            room = True
        out.extend(words)
    out = _phrases(out)
    kept: list[str] = []
    unit = False
    for n, word in enumerate(out):
        if unit:
            unit = False
            if word in UNITS:
                continue
        if word.startswith("#") and word[1:].isdigit():
            after = out[n + 1] if n + 1 < len(out) else ""
            before = out[n - 1] if n else ""
            if after in UNITS or before in BEFORE_AMOUNTS:
                unit = True
                continue  # "tiap 5 menit", "jam 2": an amount or a time
            if int(word[1:]) < 10 and after in SUBJECTS and before not in PLACES:
                continue  # "dari 2 laptop": a count
        if word and word not in _FILLER:
            kept.append(word)
    return kept


@dataclass(frozen=True)
class Analysis:
    """One text, understood: what is broken, what works, what it is about."""

    norm: str
    ids: frozenset[str]
    subjects: frozenset[str]  # in what is broken
    mentioned: frozenset[str]  # in what is broken and in the context
    functions: frozenset[str]
    ok: frozenset[str]
    weights: tuple[tuple[str, float], ...]
    bag: frozenset[str]


def _weight(word: str) -> float:
    if word.startswith("#"):
        return 1.5  # conflicting identifiers were ruled out; an extra one is a detail
    if word in SUBJECTS or word in FUNCTIONS:
        return 3.0
    if word in GENERIC:
        return 1.5
    return 1.0


@lru_cache(maxsize=4096)
def analyse(text: str) -> Analysis:
    clauses = [c for c in (_canonical_clause(r) for r in _raw_clauses(text)) if c]
    kinds: list[str] = []
    for words in clauses:
        negative = NEG in words or any(w in SYMPTOMS for w in words)
        content = [w for w in words if w not in (NEG, CAN)]
        if negative and kinds and not any(w not in GENERIC for w in content):
            kinds[-1] = "problem"  # "sempet bisa kirim, sekarang ga bisa lagi"
        if negative:
            kinds.append("problem")
        elif any(w in POSITIVE or (w in FUNCTIONS and w not in TRIED) for w in words):
            kinds.append("ok")  # "bisa dibuka" (a clause of only "restart laptop" is context)
        else:
            kinds.append("context")
    if "problem" not in kinds:
        kinds = ["problem"] * len(clauses)
    weights: dict[str, float] = {}
    mentioned: set[str] = set()
    subjects: set[str] = set()
    functions: set[str] = set()
    ok: set[str] = set()
    ids: set[str] = set()
    for words, kind in zip(clauses, kinds, strict=True):
        ids.update(w[1:] for w in words if w.startswith("#"))
        if kind == "ok":
            ok.update(w for w in words if w in FUNCTIONS or w in FIXES)
            ok.update(FIXES[w] for w in words if w in FIXES)
            continue
        mentioned.update(w for w in words if w in SUBJECTS)
        if kind == "problem":
            subjects.update(w for w in words if w in SUBJECTS)
            functions.update(w for w in words if w in FUNCTIONS)
        share = 1.0 if kind == "problem" else 0.5
        for w in words:
            if w != CAN:  # each word counts once, however often it is repeated
                weights[w] = max(weights.get(w, 0.0), _weight(w) * share)
    every = [w for words in clauses for w in words if w != CAN]
    return Analysis(
        norm=" ".join(every),
        ids=frozenset(ids),
        subjects=frozenset(subjects),
        mentioned=frozenset(mentioned),
        functions=frozenset(functions),
        ok=frozenset(ok),
        weights=tuple(weights.items()),
        bag=frozenset(weights),
    )


def tokens(text: str) -> list[str]:
    """Canonical words of a text, identifiers as "#…" (for resource names and debugging)."""
    return [w for c in _raw_clauses(text) for w in _canonical_clause(c)]


def normalise(text: str) -> str:
    return " ".join(tokens(text))


@lru_cache(maxsize=4096)
def resource_words(text: str) -> tuple[str, ...]:
    """The words of a resource name or a text, canonical, for matching names on all their
    words: only filler words of two letters or more are skipped ("printer di lantai 2" names
    "Printer Lantai 2"); letters and numbers never are ("proyektor ruang meeting A")."""
    out: list[str] = []
    for clause in _raw_clauses(text):
        for token in clause:
            if token.startswith(("#", "%")):
                out.append(token.lstrip("#%"))
            elif token not in ("no", "nomor", "nomer", "nr"):
                words = canonical(token) or (token,)
                out.extend(w.lstrip("#") for w in words if len(w) == 1 or w not in _FILLER)
    return tuple(out)
