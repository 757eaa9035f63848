"""storage.campaigns: one run per job and period held by a lease, its rows written once per
recipient, late rows revived, and company days off. (The engine that runs campaigns against
Slack is tested in tests/jobs/test_campaigns.py.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from storage import campaigns, outbox
from storage.models import Campaign, Delivery
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, REPORTER, RINA
from tests.storage.seed import outbox as rows

LEASE = timedelta(minutes=5)
KEY = "checkin:2026-W48"


def claim(tx: Tx, owner: str, at: datetime = NOW) -> Campaign | None:
    with tx() as s:
        return campaigns.claim(
            s, job="checkin", period="2026-W48", owner=owner, now=at, lease=LEASE
        )


def test_one_instance_holds_the_lease_until_it_runs_out(engine: Engine, tx: Tx) -> None:
    first = claim(tx, "one")
    assert first is not None
    assert (first.key, first.job, first.period, first.state) == (KEY, "checkin", "2026-W48", "open")
    assert (first.lease_owner, first.lease_until, first.created_at) == ("one", NOW + LEASE, NOW)
    assert claim(tx, "two", NOW + timedelta(minutes=4)) is None
    renewed = claim(tx, "one", NOW + timedelta(minutes=4))  # its holder may claim again
    assert renewed is not None and renewed.lease_until == NOW + timedelta(minutes=9)
    taken = claim(tx, "two", NOW + timedelta(minutes=9))
    assert taken is not None and (taken.lease_owner, taken.created_at) == ("two", NOW)


def test_renew_and_release_only_by_the_holder(engine: Engine, tx: Tx) -> None:
    claim(tx, "one")
    later = NOW + timedelta(minutes=3)
    with tx() as s:
        assert campaigns.renew(s, KEY, owner="two", now=later, lease=LEASE) is False
        assert campaigns.renew(s, KEY, owner="one", now=later, lease=LEASE) is True
        assert campaigns.get(s, KEY).lease_until == later + LEASE  # type: ignore[union-attr]
        campaigns.release(s, KEY, owner="two")
        assert campaigns.get(s, KEY).lease_owner == "one"  # type: ignore[union-attr]
        campaigns.release(s, KEY, owner="one")
        released = campaigns.get(s, KEY)
        assert released is not None and (released.lease_owner, released.lease_until) == (None, None)
    assert claim(tx, "two", later) is not None


def test_a_finished_campaign_is_not_claimed_again(engine: Engine, tx: Tx) -> None:
    claim(tx, "one")
    done_at = NOW + timedelta(minutes=1)
    with tx() as s:
        campaigns.finish(s, KEY, now=done_at)
        campaigns.finish(s, KEY, now=done_at + timedelta(hours=1))  # once
        campaigns.finish(s, "nothing:here", now=done_at)
        row = campaigns.get(s, KEY)
        assert row is not None
        assert (row.state, row.finished_at, row.lease_owner, row.lease_until) == (
            "done",
            done_at,
            None,
            None,
        )
        assert campaigns.is_fanned(row)
    assert claim(tx, "one", NOW + timedelta(days=1)) is None


def test_fan_out_writes_one_row_per_recipient_once(engine: Engine, tx: Tx) -> None:
    claim(tx, "one")
    at_nine = NOW + timedelta(hours=1)
    deadline = NOW + timedelta(hours=4)
    with tx() as s:
        written = campaigns.fan_out(
            s,
            KEY,
            template="checkin.ask",
            recipients=[(REPORTER, NOW), (RINA, at_nine)],
            params={"period": "2026-W48"},
            now=NOW,
            deadlines={RINA: deadline},
        )
        assert written == 2
        assert (
            campaigns.fan_out(
                s,
                KEY,
                template="checkin.ask",
                recipients=[(RINA, NOW), ("U0NEW", NOW)],
                params={},
                now=NOW,
            )
            == 1
        )
        found = [(r.key, r.recipient, r.campaign, r.next_attempt_at, r.params) for r in rows(s)]
        assert found == [
            (f"{KEY}:{REPORTER}", REPORTER, KEY, NOW, {"period": "2026-W48"}),
            (
                f"{KEY}:{RINA}",
                RINA,
                KEY,
                at_nine,
                {"period": "2026-W48", "not_after": deadline.isoformat()},
            ),
            (f"{KEY}:U0NEW", "U0NEW", KEY, NOW, {}),
        ]
        assert campaigns.deadline_of(rows(s)[1].params) == deadline
        assert campaigns.deadline_of(rows(s)[0].params) is None
        row = campaigns.get(s, KEY)
        assert row is not None and (row.state, row.recipients) == ("sending", 3)
        assert campaigns.is_fanned(row)
        assert campaigns.unfinished(s, KEY) == 3
        assert campaigns.next_due(s, KEY) == NOW


def test_late_rows_are_revived_and_the_campaign_reopened(engine: Engine, tx: Tx) -> None:
    claim(tx, "one")
    with tx() as s:
        campaigns.fan_out(
            s, KEY, template="t", recipients=[(REPORTER, NOW), (RINA, NOW)], params={}, now=NOW
        )
        late, failed = (r.id or 0 for r in rows(s))
        outbox.mark_failed(s, late, error=campaigns.SKIPPED_LATE)
        outbox.mark_failed(s, failed, error="user_not_found")
        campaigns.finish(s, KEY, now=NOW)
        assert campaigns.unfinished(s, KEY) == 0
    revived_at = NOW + timedelta(hours=3)
    with tx() as s:
        assert campaigns.revive_late(s, KEY, now=revived_at) == 1
        assert campaigns.revive_late(s, KEY, now=revived_at) == 0
        row = s.get(Delivery, late)
        assert row is not None and (row.state, row.error, row.next_attempt_at) == (
            "pending",
            None,
            revived_at,
        )
        assert s.get(Delivery, failed).state == "failed"  # type: ignore[union-attr]
        campaign = campaigns.get(s, KEY)
        assert campaign is not None and (campaign.state, campaign.finished_at) == ("sending", None)


def test_bring_forward_and_release_sending(engine: Engine, tx: Tx) -> None:
    tomorrow = NOW + timedelta(days=1)
    with tx() as s:
        campaigns.fan_out(
            s,
            KEY,
            template="t",
            recipients=[(REPORTER, tomorrow), (RINA, tomorrow), ("U0C", tomorrow)],
            params={},
            now=NOW,
        )
        first, second, third = (r.id or 0 for r in rows(s))
        outbox.claim(s, first, now=tomorrow)
        s.get(Delivery, second).attempts = 1  # type: ignore[union-attr]  # tried once: not moved
    with tx() as s:
        assert campaigns.bring_forward(s, KEY, now=NOW) == 1
        assert s.get(Delivery, third).next_attempt_at == NOW  # type: ignore[union-attr]
        assert campaigns.next_due(s, KEY) == NOW
        assert campaigns.release_sending(s, KEY, now=NOW) == 1
        row = s.get(Delivery, first)
        assert row is not None and (row.state, row.uncertain, row.next_attempt_at) == (
            "pending",
            True,
            NOW,
        )
        assert campaigns.next_due(s, "other") is None


def test_company_days_off(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        campaigns.add_day_off(s, day=date(2026, 12, 31), name="Tutup buku")
        campaigns.add_day_off(s, day=date(2027, 1, 2), name="Libur kantor")
        campaigns.add_day_off(s, day=date(2026, 12, 31), name="  ")  # a blank name keeps the old
    with tx() as s:
        assert campaigns.days_off(s) == {
            date(2026, 12, 31): "Tutup buku",
            date(2027, 1, 2): "Libur kantor",
        }
        campaigns.add_day_off(s, day=date(2026, 12, 31), name="Akhir tahun")
        assert campaigns.days_off(s, 2026) == {date(2026, 12, 31): "Akhir tahun"}
        assert campaigns.key_of("tasks", "2026-11-23") == "tasks:2026-11-23"
