"""The repeat matcher's answer is the test's to give: these tests check what storage does
with it (join the open ticket or file anew), not how the matcher compares texts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from storage.matching import Report
from storage.tickets import filing


@dataclass
class Matcher:
    answer: bool = False  # what every comparison answers
    asked: list[tuple[Report, Report]] = field(default_factory=list)  # (new, old) per question

    def texts(self) -> list[tuple[str, str]]:
        return [(new.text, old.text) for new, old in self.asked]


@pytest.fixture(autouse=True)
def matcher(monkeypatch: pytest.MonkeyPatch) -> Matcher:
    """Stands in for storage.matching.is_repeat where filing asks it; says "no" by default."""
    fake = Matcher()

    def is_repeat(new: Report, old: Report, *, threshold: float = 0.0) -> bool:
        fake.asked.append((new, old))
        return fake.answer

    monkeypatch.setattr(filing, "is_repeat", is_repeat)
    return fake
