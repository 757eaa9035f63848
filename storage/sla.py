"""Service levels: per-priority targets for the first response and the resolution, counted on
the helpdesk's working-time clock (storage.worktime), paused while a ticket waits for its
reporter; deadlines, the 75 % warning and the breach, each claimed once in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.types import PRIORITIES

DEFAULT_SLA = "urgent=30m/4h,high=1h/1d,normal=4h/3d,low=1d/5d"
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


@dataclass(frozen=True)
class Target:
    """Working seconds to the first response and to the resolution of one priority."""

    first_response: int
    resolution: int


def parse_span(raw: str, day_seconds: int) -> int:
    """'30m', '4h', '1d' (a working day of the desk), '1d4h' → seconds; ValueError if not."""
    text = raw.strip().lower()
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(raw)
    days, hours, minutes = (int(g or 0) for g in match.groups())
    seconds = days * day_seconds + hours * 3600 + minutes * 60
    if seconds <= 0:
        raise ValueError(raw)
    return seconds


def parse_targets(raw: str, day_seconds: int) -> dict[str, Target]:
    """REKAN_SLA ('urgent=30m/4h,high=1h/1d,…') → targets by priority; a priority left out
    keeps its default. ValueError naming the faulty part when malformed: an unknown
    priority, a missing '/', a bad duration, a resolution sooner than the first response."""
    targets = _parse(DEFAULT_SLA, day_seconds)
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        priority, eq, spans = part.partition("=")
        priority = priority.strip().lower()
        first, slash, resolution = spans.partition("/")
        if not eq or not slash or priority not in PRIORITIES:
            raise ValueError(part)
        try:
            target = Target(parse_span(first, day_seconds), parse_span(resolution, day_seconds))
        except ValueError:
            raise ValueError(part) from None
        if target.resolution < target.first_response:
            raise ValueError(part)
        targets[priority] = target
    return targets


def _parse(raw: str, day_seconds: int) -> dict[str, Target]:
    found = {}
    for part in raw.split(","):
        priority, _, spans = part.partition("=")
        first, _, resolution = spans.partition("/")
        found[priority] = Target(
            parse_span(first, day_seconds), parse_span(resolution, day_seconds)
        )
    return found
