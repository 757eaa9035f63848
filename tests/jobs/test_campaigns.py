"""The campaign engine against the stand-in: exactly once per person, at their local time,
on one instance or several, through 429s, dropped connections and a killed process."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as daytime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.blocks.common import build_text_message
from bot.config import Settings
from bot.render.common import each
from bot.sandbox import SlackStandIn
from bot.slack import make_job_context
from jobs import campaigns as engine_mod
from jobs.campaigns import CampaignJob, iso_week, run_campaign
from jobs.context import JobContext, JobSettings, Rendered
from storage import campaigns, people
from storage.db import make_engine, session_scope
from storage.models import Campaign, Delivery
from tests.helpers import NOW

JOB = "test-hello"


def hello(_session: Session, row: Delivery, _settings: JobSettings) -> Rendered:
    return Rendered(build_text_message(f"halo {row.recipient} ({row.params.get('period')})"))


HELLO = CampaignJob(
    name=JOB,
    at=daytime(9, 0),
    template="test.hello",
    period=lambda d: d.isoformat(),
    recipients=engine_mod.active_people,
)


@pytest.fixture
def hello_job() -> Iterator[CampaignJob]:
    yield HELLO


def seed_people(
    engine: Engine, count: int, zones: tuple[str, ...] = ("Asia/Jakarta",)
) -> list[str]:
    ids = [f"U{i:06d}" for i in range(count)]
    rows = [
        (
            i + 2,
            {
                "slack_id": sid,
                "name": f"Orang {i}",
                "email": "",
                "team": "T",
                "lead_slack_id": "",
                "timezone": zones[i % len(zones)],
            },
        )
        for i, sid in enumerate(ids)
    ]
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
    return ids


def with_hello(ctx: JobContext) -> JobContext:
    """The production context with one more renderer, for the test's own template."""
    return replace(ctx, renderers={**ctx.renderers, "test.hello": each(hello)})


def context(settings: Settings, engine: Engine, **changes: object):  # type: ignore[no-untyped-def]
    return with_hello(make_job_context(replace(settings, **changes), engine))


def per_person(standin: SlackStandIn) -> Counter[str]:
    return Counter(m.channel for m in standin.messages())


MONDAY_10_WIB = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_round_to_200_with_ratelimits_delivers_exactly_200(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    ids = seed_people(engine, 200)
    standin.ratelimit_every = 25  # a 429 with Retry-After: 1 on every 25th post
    run = run_campaign(
        context(settings, engine, delivery_concurrency=8), hello_job, now=MONDAY_10_WIB
    )
    assert run.outcome == "done" and run.written == 200
    counts = per_person(standin)
    assert len(counts) == 200 and set(counts.values()) == {1}
    assert {standin.dm_channel(i) for i in ids} == set(counts)
    assert any(c.outcome == "ratelimited" for c in standin.calls("chat.postMessage"))
    first = standin.messages()[0]
    assert first.metadata is not None
    payload = first.metadata["event_payload"]
    assert (
        payload["campaign"] == f"{JOB}:2026-11-23"
        and payload["recipient"] == "U" + first.channel[1:]
    )
    # running the same period again sends nothing more
    again = run_campaign(context(settings, engine), hello_job, now=MONDAY_10_WIB)
    assert again.outcome == "already_done" and len(standin.messages()) == 200


def test_dropped_connections_still_deliver_once(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    seed_people(engine, 40)
    standin.inject("chat.postMessage", "drop_after_post", times=5)
    standin.inject("chat.postMessage", "server_error", times=3, status=503)
    run = run_campaign(
        context(settings, engine), hello_job, now=MONDAY_10_WIB, force=True, wait_for_retries=True
    )
    assert run.outcome == "done", run.summary()
    counts = per_person(standin)
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert run.results and run.results.get("reconciled", 0) == 5


def test_local_schedules_reach_people_at_their_own_nine(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    zones = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    seed_people(engine, 3, zones)
    ctx = context(settings, engine)
    steps = [
        (datetime(2026, 11, 23, 0, 30, tzinfo=UTC), {"D000002"}),  # 09:30 WIT
        (datetime(2026, 11, 23, 1, 30, tzinfo=UTC), {"D000002", "D000001"}),  # 09:30 WITA
        (datetime(2026, 11, 23, 2, 30, tzinfo=UTC), {"D000002", "D000001", "D000000"}),
    ]  # 09:30 WIB
    for now, expected in steps:
        run_campaign(ctx, hello_job, now=now)
        assert set(per_person(standin)) == expected
    with session_scope(engine) as s:
        assert s.exec(select(Campaign)).one().state == "done"
    assert set(per_person(standin).values()) == {1}


@pytest.mark.parametrize(
    "day",
    [date(2026, 12, 24), date(2026, 12, 25), date(2026, 11, 28), date(2026, 11, 26)],
    ids=["cuti-bersama", "christmas", "saturday", "company-day-off"],
)
def test_days_off_send_nothing(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob, day: date
) -> None:
    seed_people(engine, 3)
    with session_scope(engine, write=True) as s:
        campaigns.add_day_off(s, day=date(2026, 11, 26), name="Ulang tahun perusahaan")
    run = run_campaign(
        context(settings, engine),
        hello_job,
        now=datetime.combine(day, daytime(5, 0), UTC),
        force=True,
    )
    assert run.outcome == "not_today"
    assert standin.messages() == []


def test_two_schedulers_on_one_database_send_once(
    settings: Settings,
    engine: Engine,
    standin: SlackStandIn,
    hello_job: CampaignJob,
    database_url: str,
) -> None:
    seed_people(engine, 60)
    standin.latency = 0.01
    results: list[str] = []

    def instance(name: str) -> None:
        own_engine = make_engine(database_url, pool_size=4)
        ctx = context(settings, own_engine)
        results.append(run_campaign(ctx, hello_job, now=MONDAY_10_WIB, owner=name).outcome)
        own_engine.dispose()

    threads = [threading.Thread(target=instance, args=(f"instance-{i}",)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) in (["claimed_elsewhere", "done"], ["already_done", "done"])
    counts = per_person(standin)
    assert len(counts) == 60 and set(counts.values()) == {1}


def _child(settings: Settings, database_url: str) -> None:
    child_engine = make_engine(database_url, pool_size=4)
    run_campaign(
        with_hello(make_job_context(settings, child_engine)),
        HELLO,
        now=MONDAY_10_WIB,
        force=True,
    )


def test_killed_halfway_then_run_again_delivers_the_rest_once(
    settings: Settings,
    engine: Engine,
    standin: SlackStandIn,
    hello_job: CampaignJob,
    database_url: str,
) -> None:
    seed_people(engine, 80)
    standin.latency = 0.03
    short = replace(settings, campaign_lease_seconds=1, delivery_concurrency=4)
    proc = multiprocessing.get_context("fork").Process(target=_child, args=(short, database_url))
    proc.start()
    assert standin.wait_for(lambda: len(standin.messages()) >= 20, 20)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    sent_before = len(standin.messages())
    assert 0 < sent_before < 80
    time.sleep(1.1)  # the dead holder's lease runs out
    run = run_campaign(
        with_hello(make_job_context(short, engine)),
        hello_job,
        now=MONDAY_10_WIB,
        force=True,
        wait_for_retries=True,
    )
    assert run.outcome == "done", run.summary()
    counts = per_person(standin)
    assert len(counts) == 80 and set(counts.values()) == {1}


def test_missed_campaign_is_caught_up_at_start(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    from jobs.scheduler import build_scheduler

    seed_people(engine, 5)
    ctx = context(settings, engine)
    before = datetime.now(UTC)
    first = build_scheduler(ctx).get_job("campaigns").next_run_time
    assert first is not None and first <= datetime.now(UTC) and first >= before  # at start
    # That first tick, an hour after the 09:00 campaign was due, sends it.
    assert "done" in engine_mod.tick(ctx, MONDAY_10_WIB, [hello_job])
    assert len(standin.messages()) == 5 and set(per_person(standin).values()) == {1}


def test_away_people_are_skipped_at_send_time(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    ids = seed_people(engine, 3)
    ctx = context(settings, engine)
    run_campaign(
        ctx, hello_job, now=datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    )  # written, not yet due
    with session_scope(engine, write=True) as s:
        people.set_away(session=s, slack_id=ids[0], now=NOW)
    run_campaign(ctx, hello_job, now=MONDAY_10_WIB)
    assert set(per_person(standin)) == {standin.dm_channel(ids[1]), standin.dm_channel(ids[2])}
    with session_scope(engine) as s:
        reasons = Counter(d.error for d in s.exec(select(Delivery)).all())
    assert reasons["skipped:away_or_inactive"] == 1


def test_cli_jobs_holidays_and_deliveries(cli, engine: Engine, standin: SlackStandIn) -> None:  # type: ignore[no-untyped-def]
    seed_people(engine, 12)
    code, out, _ = cli("jobs", "list")
    assert code == 0 and "campaigns" in out and "checkin" in out and "10:00" in out
    week = iso_week(datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date())
    # The weekly check-in sends on any day when run by hand.
    code, out, err = cli("jobs", "run", "checkin")
    assert code == 0
    assert "done" in out and "sent 12 of 12" in err
    assert len(standin.messages()) == 12
    assert standin.calls("conversations.open") == []  # posted to user ids, DMs kept
    code, out, _ = cli("jobs", "run", "checkin")  # the same period again: nothing missing
    assert code == 0 and len(standin.messages()) == 12
    code, out, _ = cli("deliveries", "status", f"checkin:{week}")
    assert code == 0 and "sent" in out and "12" in out
    code, out, _ = cli("holidays", "add", "2026-11-26", "Ulang tahun perusahaan")
    assert code == 0
    code, out, _ = cli("holidays", "list", "2026")
    assert "2026-11-26" in out and "Ulang tahun perusahaan" in out and "company day off" in out
    assert "2026-12-24" in out  # cuti bersama
    code, _, err = cli("holidays", "add", "26-11-2026", "x")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = cli("jobs", "run", "nope")
    assert code == 1 and "tasks-prompt" in err


def test_a_first_round_posts_to_user_ids_and_keeps_the_dm_channels(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    """No `conversations.open` per person: the post names the user, Slack answers with the
    DM, and the next round goes straight to that DM."""
    ids = seed_people(engine, 60)
    ctx = context(settings, engine, delivery_concurrency=8)
    run = run_campaign(ctx, hello_job, now=MONDAY_10_WIB)
    assert run.outcome == "done" and run.results == {"sent": 60}
    posts = standin.calls("chat.postMessage")
    assert sorted(c.params["channel"] for c in posts) == ids
    assert standin.calls("conversations.open") == []
    assert per_person(standin) == {standin.dm_channel(i): 1 for i in ids}
    with session_scope(engine) as s:
        kept = {p.slack_id: p.dm_channel for p in people.list_people(s)}
    assert kept == {i: standin.dm_channel(i) for i in ids}
    standin.clear()
    tuesday = run_campaign(ctx, hello_job, now=MONDAY_10_WIB.replace(day=24))
    assert tuesday.outcome == "done"
    assert sorted(c.params["channel"] for c in standin.calls("chat.postMessage")) == sorted(
        standin.dm_channel(i) for i in ids
    )
    assert standin.calls("conversations.open") == []


def test_uncertain_first_posts_are_found_in_the_dm_opened_for_them(
    settings: Settings, engine: Engine, standin: SlackStandIn, hello_job: CampaignJob
) -> None:
    """A post to a user id whose answer was lost leaves the DM unknown: only then is it
    opened, to look for the message in its history before any resend."""
    seed_people(engine, 30)
    standin.inject("chat.postMessage", "drop_after_post", times=4)  # posted, answer lost
    standin.inject("chat.postMessage", "server_error", times=2, status=503)  # not posted
    run = run_campaign(
        context(settings, engine, delivery_concurrency=4),
        hello_job,
        now=MONDAY_10_WIB,
        force=True,
        wait_for_retries=True,
    )
    assert run.outcome == "done", run.summary()
    counts = per_person(standin)
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert run.results is not None and run.results["reconciled"] == 4
    assert len(standin.calls("conversations.open")) == 6  # one per uncertain post, no more
    assert len(standin.calls("conversations.history")) == 6
