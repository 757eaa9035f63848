"""storage.helpdesk_report on a seeded week with known answers (tests/storage/helpdesk_seed)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from storage import helpdesk_report
from storage.helpdesk_report import AgentFigures, percentile
from storage.sla import DEFAULT_SLA, Policy, parse_targets
from storage.worktime import DeskClock
from tests.storage.conftest import Tx
from tests.storage.helpdesk_seed import WIB, A, B, C, seed_history, wib

POLICY = Policy(DeskClock(tz=WIB), parse_targets(DEFAULT_SLA, 8 * 3600))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([300, 10, 30], 0.5) == 30
    assert percentile([300, 10, 30], 0.9) == 300
    assert percentile(list(range(1, 11)), 0.9) == 9


def test_the_weeks_figures(org: Engine, tx: Tx) -> None:
    with tx() as s:
        seed_history(s)
    with tx() as s:
        report = helpdesk_report.build(
            s, policy=POLICY, start=date(2026, 11, 23), end=date(2026, 11, 27), now=wib(25, 12)
        )
    rows = {r.number: r for r in report.tickets}
    assert [(n, r.first_response_minutes, r.resolution_minutes) for n, r in rows.items()] == [
        (1, 30, 240),
        (2, 300, 420),
        (3, 10, 120),
        (4, None, None),
        (5, None, None),
    ]
    assert [r.sla_met for r in rows.values()] == [True, False, True, None, None]
    assert [r.csat for r in rows.values()] == [5, 2, None, None, None]
    assert [r.priority for r in rows.values()] == ["high", "normal", "urgent", "low", "normal"]
    assert report.by_day == {date(2026, 11, 23): 2, date(2026, 11, 24): 1, date(2026, 11, 25): 2}
    assert report.by_category == {"vpn": 2, "-": 2, "hardware": 1}
    assert report.by_resource == {"-": 5}
    assert (report.first_response_p50, report.first_response_p90) == (30, 300)
    assert (report.resolution_p50, report.resolution_p90) == (240, 420)
    assert report.sla_met_share == 2 / 3 and report.breached == 1
    assert report.csat_avg == 3.5 and report.csat_response_rate == 2 / 3
    assert report.backlog == {"lt_1d": 1, "1_3d": 0, "3_7d": 0, "gt_7d": 0}
    assert report.agents == [
        AgentFigures(
            A, assigned=2, resolved=1, first_response_median=30, resolution_median=240, csat_avg=5
        ),
        AgentFigures(
            B, assigned=2, resolved=1, first_response_median=300, resolution_median=420, csat_avg=2
        ),
        AgentFigures(
            C,
            assigned=1,
            resolved=1,
            first_response_median=10,
            resolution_median=120,
            csat_avg=None,
        ),
    ]


def test_a_period_filters_by_the_desks_dates(org: Engine, tx: Tx) -> None:
    with tx() as s:
        seed_history(s)
    with tx() as s:
        tuesday = helpdesk_report.build(
            s, policy=POLICY, start=date(2026, 11, 24), end=date(2026, 11, 24), now=wib(25, 12)
        )
    assert [r.number for r in tuesday.tickets] == [3]
    # a week later #4, still open, has breached its first response and is older
    with tx() as s:
        later = helpdesk_report.build(
            s, policy=POLICY, start=date(2026, 11, 23), end=date(2026, 11, 27), now=wib(30, 12)
        )
    assert [r.sla_met for r in later.tickets] == [True, False, True, False, None]
    assert later.breached == 2 and later.backlog["3_7d"] == 1
