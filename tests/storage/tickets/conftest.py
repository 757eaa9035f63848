"""The repeat matcher's answer is the test's to give: these tests check what storage does
with it (join the open ticket, file anew and suggest, or file anew), not how the matcher
compares texts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from storage.matching import DEFAULT_THRESHOLDS, Judgement, Report, Thresholds, Verdict
from storage.tickets import repeats


@dataclass
class Matcher:
    # what every comparison answers: a verdict, or True/False for certain/different
    answer: Verdict | bool = Verdict.DIFFERENT
    asked: list[tuple[Report, Report]] = field(default_factory=list)  # (new, old) per question

    def texts(self) -> list[tuple[str, str]]:
        return [(new.text, old.text) for new, old in self.asked]

    def verdict(self) -> Verdict:
        if isinstance(self.answer, Verdict):
            return self.answer
        return Verdict.CERTAIN if self.answer else Verdict.DIFFERENT


@pytest.fixture(autouse=True)
def matcher(monkeypatch: pytest.MonkeyPatch) -> Matcher:
    """Stands in for storage.matching.judge where filing asks it; says "different" by
    default."""
    fake = Matcher()

    def judge(new: Report, old: Report, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Judgement:
        fake.asked.append((new, old))
        return Judgement(fake.verdict(), 0.0, "the test's answer")

    monkeypatch.setattr(repeats, "judge", judge)
    return fake
