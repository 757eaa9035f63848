"""storage.checkins: rounds, answers only from those asked and only while open, notes,
consent to a follow-up (one copy per HR member), opting out, support options, the numbers
per team, closing and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from storage import campaigns, checkins, outbox
from storage.checkins import ALL_TEAMS, GroupNumbers
from storage.errors import DomainError
from storage.models import (
    CheckinAnswer,
    CheckinNote,
    CheckinRound,
    FollowUp,
    Person,
    WellbeingAggregate,
)
from storage.tickets import AlreadyDone
from tests.storage.conftest import Tx
from tests.storage.seed import HR, NOW, OUTSIDER, REPORTER, RINA, add_person, sent
from tests.storage.seed import outbox as outbox_rows

KEY = "checkin:2026-W48"
CLOSES = NOW + timedelta(days=3)
SOON = NOW + timedelta(hours=1)


def channel(slack_id: str) -> str:
    return "D" + slack_id[1:]


def send_round(s: Session, *, key: str = KEY, to: tuple[str, ...] = (REPORTER, RINA)) -> None:
    """The round opened and its question delivered to `to`, each in their own DM."""
    checkins.open_round(s, key=key, period=key.split(":")[1], now=NOW, closes_at=CLOSES)
    campaigns.fan_out(
        s,
        key,
        template="checkin.ask",
        recipients=[(sid, NOW) for sid in to],
        params={},
        now=NOW,
    )
    for sid in to:
        row = outbox.by_key(s, f"{key}:{sid}")
        assert row is not None and row.id is not None
        outbox.mark_sent(s, row.id, channel=channel(sid), ts="1.0", now=NOW)


@pytest.fixture
def asked(org: Engine, tx: Tx) -> None:
    with tx() as s:
        send_round(s)


def refusal(tx: Tx, operation: object, **kwargs: object) -> tuple[str, str, dict[str, object]]:
    with pytest.raises(DomainError) as info, tx() as s:
        operation(session=s, **kwargs)  # type: ignore[operator]
    return type(info.value).__name__, info.value.key, info.value.params


# ---------------------------------------------------------------- rounds and answers


def test_opening_a_round_twice_keeps_the_first(org: Engine, tx: Tx) -> None:
    with tx() as s:
        first = checkins.open_round(s, key=KEY, period="2026-W48", now=NOW, closes_at=CLOSES)
        again = checkins.open_round(
            s, key=KEY, period="other", now=SOON, closes_at=CLOSES + timedelta(days=9)
        )
        assert (again.period, again.opened_at, again.closes_at) == ("2026-W48", NOW, CLOSES)
        assert first.key == again.key
        assert s.exec(select(func.count()).select_from(CheckinRound)).one() == 1


def test_answers_are_recorded_and_changed_in_place(asked: None, tx: Tx) -> None:
    with tx() as s:
        assert checkins.record(
            session=s, round_key=KEY, slack_id=REPORTER, question="physical", score=4, now=SOON
        ) == {"physical": 4}
        assert checkins.record(
            session=s, round_key=KEY, slack_id=REPORTER, question="mental", score=2, now=SOON
        ) == {"physical": 4, "mental": 2}
    later = SOON + timedelta(hours=2)
    with tx() as s:
        assert checkins.record(
            session=s,
            round_key=KEY,
            slack_id=REPORTER,
            question="physical",
            score=5,
            now=later,
            channel=channel(REPORTER),
        ) == {"physical": 5, "mental": 2}
        rows = s.exec(select(CheckinAnswer).order_by(col(CheckinAnswer.question))).all()
        assert [(r.question, r.score, r.answered_at) for r in rows] == [
            ("mental", 2, SOON),
            ("physical", 5, later),
        ]
        assert checkins.answers(s, KEY, RINA) == {}


@pytest.mark.parametrize(("question", "score"), [("sleep", 3), ("physical", 0), ("mental", 6)])
def test_a_tampered_value_is_refused(asked: None, tx: Tx, question: str, score: int) -> None:
    assert refusal(
        tx,
        checkins.record,
        round_key=KEY,
        slack_id=REPORTER,
        question=question,
        score=score,
        now=SOON,
    ) == ("DomainError", "checkin.bad_value", {})


@pytest.mark.parametrize(
    ("who", "round_key", "where", "error", "key"),
    [
        (OUTSIDER, KEY, None, "DomainError", "checkin.not_yours"),  # never asked
        (REPORTER, KEY, channel(RINA), "DomainError", "checkin.not_yours"),  # clicked on Rina's
        (REPORTER, "checkin:1999-W01", None, "NotFound", "checkin.no_round"),
    ],
)
def test_only_the_person_asked_answers_in_their_own_conversation(
    asked: None, tx: Tx, who: str, round_key: str, where: str | None, error: str, key: str
) -> None:
    assert refusal(
        tx,
        checkins.record,
        round_key=round_key,
        slack_id=who,
        question="physical",
        score=3,
        now=SOON,
        channel=where,
    )[:2] == (error, key)
    with tx() as s:
        assert s.exec(select(CheckinAnswer)).all() == []


def test_a_closed_round_takes_no_answer_or_note(asked: None, tx: Tx) -> None:
    kwargs = {"round_key": KEY, "slack_id": REPORTER}
    assert refusal(tx, checkins.record, question="physical", score=3, now=CLOSES, **kwargs)[1] == (
        "checkin.closed"
    )
    assert refusal(tx, checkins.save_note, note="n", now=CLOSES, **kwargs)[1] == "checkin.closed"
    with tx() as s:
        assert checkins.close_due(s, now=SOON - timedelta(minutes=30), low=2) == []
        s.get(CheckinRound, KEY).closed_at = SOON  # type: ignore[union-attr]
    assert refusal(tx, checkins.record, question="physical", score=3, now=SOON, **kwargs)[1] == (
        "checkin.closed"
    )


def test_a_note_is_kept_trimmed_and_replaced(asked: None, tx: Tx) -> None:
    with tx() as s:
        checkins.save_note(session=s, round_key=KEY, slack_id=REPORTER, note="  capek  ", now=SOON)
        assert checkins.note_of(s, KEY, REPORTER) == "capek"
        assert checkins.note_of(s, KEY, RINA) is None
    with tx() as s:
        long = "x" * (checkins.NOTE_MAX + 50)
        checkins.save_note(session=s, round_key=KEY, slack_id=REPORTER, note=long, now=SOON)
    with tx() as s:
        assert checkins.note_of(s, KEY, REPORTER) == "x" * checkins.NOTE_MAX
        assert s.exec(select(func.count()).select_from(CheckinNote)).one() == 1
    assert refusal(tx, checkins.save_note, round_key=KEY, slack_id=OUTSIDER, note="n", now=SOON)[
        1
    ] == ("checkin.not_yours")


def test_was_sent_reads_the_delivery_and_its_conversation(asked: None, tx: Tx) -> None:
    with tx() as s:
        campaigns.fan_out(s, KEY, template="t", recipients=[(OUTSIDER, NOW)], params={}, now=NOW)
        assert checkins.was_sent(s, KEY, REPORTER)
        assert checkins.was_sent(s, KEY, REPORTER, channel(REPORTER))
        assert not checkins.was_sent(s, KEY, REPORTER, channel(RINA))
        assert checkins.was_sent(s, KEY, OUTSIDER, "D0ANYWHERE")  # not posted yet: no channel
        assert not checkins.was_sent(s, KEY, "U0NOBODY")


# ---------------------------------------------------------------- consent and follow-ups


def test_consent_writes_one_follow_up_and_a_copy_for_each_hr_member(asked: None, tx: Tx) -> None:
    with tx() as s:
        copies = checkins.consent(
            session=s, round_key=KEY, slack_id=REPORTER, now=SOON, channel=channel(REPORTER)
        )
        assert sent(s, copies) == [
            (checkins.T_FOLLOWUP, HR[0], f"followup:1:{HR[0]}"),
            (checkins.T_FOLLOWUP, HR[1], f"followup:1:{HR[1]}"),
        ]
        assert [(r.params, r.ticket_id) for r in outbox_rows(s, copies)] == [
            ({"followup": 1}, None)
        ] * 2
    with tx() as s:
        assert checkins.consent(session=s, round_key=KEY, slack_id=REPORTER, now=SOON) == []
        rows = s.exec(select(FollowUp)).all()
        assert [(f.round_key, f.slack_id, f.created_at, f.contacted_by) for f in rows] == [
            (KEY, REPORTER, SOON, None)
        ]


def test_consent_only_from_the_person_asked(asked: None, tx: Tx) -> None:
    assert refusal(tx, checkins.consent, round_key=KEY, slack_id=OUTSIDER, now=SOON)[1] == (
        "checkin.not_yours"
    )
    assert refusal(
        tx, checkins.consent, round_key=KEY, slack_id=REPORTER, now=SOON, channel=channel(RINA)
    )[1] == ("checkin.not_yours")
    with tx() as s:
        campaigns.fan_out(
            s, "checkin:2026-W49", template="t", recipients=[(REPORTER, NOW)], params={}, now=NOW
        )
    assert refusal(
        tx, checkins.consent, round_key="checkin:2026-W49", slack_id=REPORTER, now=SOON
    ) == ("NotFound", "checkin.no_round", {})
    with tx() as s:
        assert s.exec(select(FollowUp)).all() == []


def test_one_hr_member_marks_it_contacted_and_every_copy_is_redrawn(asked: None, tx: Tx) -> None:
    with tx() as s:
        copies = checkins.consent(session=s, round_key=KEY, slack_id=REPORTER, now=SOON)
        checkins.consent(session=s, round_key=KEY, slack_id=RINA, now=SOON)
    with tx() as s:
        redraw = checkins.mark_contacted(session=s, followup_id=1, hr_id=HR[1], now=SOON)
        assert sorted(redraw) == sorted(copies)
    with pytest.raises(AlreadyDone) as info, tx() as s:
        checkins.mark_contacted(session=s, followup_id=1, hr_id=HR[0], now=CLOSES)
    assert (info.value.key, info.value.params) == (
        "checkin.already_contacted",
        {"by": HR[1], "at": SOON},
    )
    with tx() as s:
        rows = s.exec(select(FollowUp).order_by(col(FollowUp.id))).all()
        assert [(f.slack_id, f.contacted_by) for f in rows] == [(REPORTER, HR[1]), (RINA, None)]
    assert refusal(tx, checkins.mark_contacted, followup_id=99, hr_id=HR[0], now=SOON) == (
        "NotFound",
        "checkin.no_followup",
        {},
    )


def test_opting_out_and_back_in(org: Engine, tx: Tx) -> None:
    with tx() as s:
        person = checkins.set_opt_out(session=s, slack_id=RINA, opt_out=True, now=SOON)
        assert (person.checkin_opt_out, person.updated_at) == (True, SOON)
    with tx() as s:
        assert s.get(Person, RINA).checkin_opt_out is True  # type: ignore[union-attr]
        checkins.set_opt_out(session=s, slack_id=RINA, opt_out=False, now=SOON)
    with tx() as s:
        assert s.get(Person, RINA).checkin_opt_out is False  # type: ignore[union-attr]
    assert refusal(tx, checkins.set_opt_out, slack_id="U0NOBODY", opt_out=True, now=SOON) == (
        "NotFound",
        "error.person_unknown",
        {"slack_id": "U0NOBODY"},
    )


# ---------------------------------------------------------------- support options


def test_support_options_are_added_updated_listed_and_removed(org: Engine, tx: Tx) -> None:
    with tx() as s:
        checkins.add_support(
            session=s, name=" Psikolog ", description="Konseling", link=None, contact="ext 12"
        )
        checkins.add_support(
            session=s, name="Dokter", description="Klinik", link="https://k.id", contact=None
        )
        checkins.add_support(
            session=s, name="Psikolog", description=" Konseling gratis ", link="l", contact=None
        )
    with tx() as s:
        assert [
            (o.name, o.description, o.link, o.contact) for o in checkins.support_options(s)
        ] == [
            ("Psikolog", "Konseling gratis", "l", None),
            ("Dokter", "Klinik", "https://k.id", None),
        ]
        checkins.remove_support(session=s, name="Psikolog")
    with tx() as s:
        assert [o.name for o in checkins.support_options(s)] == ["Dokter"]
    assert refusal(tx, checkins.remove_support, name="Psikolog") == (
        "NotFound",
        "support.unknown",
        {"name": "Psikolog"},
    )
    for name, description in (("  ", "d"), ("n", "  ")):
        assert refusal(
            tx, checkins.add_support, name=name, description=description, link=None, contact=None
        ) == ("DomainError", "support.incomplete", {})


# ---------------------------------------------------------------- numbers, closing, retention


@pytest.fixture
def answered(org: Engine, tx: Tx) -> None:
    """Four asked: two in IT answer, Finance's one does not, one with no team answers."""
    with tx() as s:
        add_person(s, "U0FINA", team="Finance")
        add_person(s, "U0NOTEAM", team=None)
        send_round(s, to=(REPORTER, RINA, "U0FINA", "U0NOTEAM"))
        campaigns.fan_out(s, KEY, template="t", recipients=[(OUTSIDER, CLOSES)], params={}, now=NOW)
        for sid, question, score in (
            (REPORTER, "physical", 4),
            (REPORTER, "mental", 2),
            (RINA, "physical", 2),
            ("U0NOTEAM", "mental", 5),
        ):
            checkins.record(
                session=s, round_key=KEY, slack_id=sid, question=question, score=score, now=SOON
            )


EXPECTED = [
    # period, team, recipients, respondents, physical, mental, low share (≤ 2)
    GroupNumbers("2026-W48", ALL_TEAMS, 4, 3, 3.0, 3.5, 0.5),
    GroupNumbers("2026-W48", checkins.NO_TEAM, 1, 1, None, 5.0, 0.0),
    GroupNumbers("2026-W48", "Finance", 1, 0, None, None, None),
    GroupNumbers("2026-W48", "IT", 2, 2, 3.0, 2.0, 2 / 3),
]


def test_round_numbers_per_team_count_only_those_it_was_sent_to(answered: None, tx: Tx) -> None:
    with tx() as s:
        found = checkins.round_numbers(s, KEY, low=2)
    assert found == EXPECTED  # OUTSIDER's row is not sent yet: not a recipient
    assert [g.participation for g in found] == [0.75, 1.0, 0.0, 1.0]
    assert GroupNumbers("p", "t", 0, 0, None, None, None).participation is None


def test_closing_keeps_the_numbers_once_and_retention_keeps_only_them(
    answered: None, tx: Tx
) -> None:
    with tx() as s:
        checkins.save_note(session=s, round_key=KEY, slack_id=REPORTER, note="n", now=SOON)
        checkins.consent(session=s, round_key=KEY, slack_id=REPORTER, now=SOON)
        assert checkins.close_due(s, now=CLOSES - timedelta(seconds=1), low=2) == []
    with tx() as s:
        assert checkins.close_due(s, now=CLOSES, low=2) == [KEY]
    with tx() as s:
        assert checkins.close_due(s, now=CLOSES + timedelta(days=1), low=2) == []
        assert s.get(CheckinRound, KEY).closed_at == CLOSES  # type: ignore[union-attr]
        assert s.exec(select(func.count()).select_from(WellbeingAggregate)).one() == 4
        assert checkins.report(s, weeks=4, low=2) == EXPECTED
    with tx() as s:
        assert checkins.delete_older_than(s, before=SOON) == 0  # nothing older yet
        assert checkins.delete_older_than(s, before=SOON + timedelta(seconds=1)) == 4
    with tx() as s:
        assert s.exec(select(CheckinAnswer)).all() == []
        assert s.exec(select(CheckinNote)).all() == []
        assert s.exec(select(FollowUp)).all() == []
        assert checkins.report(s, weeks=4, low=2) == EXPECTED  # the kept numbers


def test_retention_keeps_what_is_newer(answered: None, tx: Tx) -> None:
    with tx() as s:
        last = CLOSES - timedelta(minutes=1)
        checkins.record(
            session=s, round_key=KEY, slack_id=RINA, question="mental", score=3, now=last
        )
        assert checkins.delete_older_than(s, before=last) == 4
        assert [(a.slack_id, a.question) for a in s.exec(select(CheckinAnswer)).all()] == [
            (RINA, "mental")
        ]


def test_the_report_shows_an_open_round_live_after_the_closed_ones(answered: None, tx: Tx) -> None:
    with tx() as s:
        checkins.close_due(s, now=CLOSES, low=2)
    next_week = "checkin:2026-W49"
    with tx() as s:
        checkins.open_round(
            s,
            key=next_week,
            period="2026-W49",
            now=NOW + timedelta(days=7),
            closes_at=NOW + timedelta(days=10),
        )
        campaigns.fan_out(s, next_week, template="t", recipients=[(RINA, NOW)], params={}, now=NOW)
        row = outbox.by_key(s, f"{next_week}:{RINA}")
        outbox.mark_sent(s, row.id or 0, channel="D", ts="2", now=NOW)  # type: ignore[union-attr]
    with tx() as s:
        report = checkins.report(s, weeks=2, low=2)
        assert report[:4] == EXPECTED
        assert report[4:] == [
            GroupNumbers("2026-W49", ALL_TEAMS, 1, 0, None, None, None),
            GroupNumbers("2026-W49", "IT", 1, 0, None, None, None),
        ]
        short = checkins.report(s, weeks=1, low=2)
        # the week before the window comes along as history: weighed by the floor, not shown
        assert [g.period for g in short if not g.history] == ["2026-W49"] * 2
        assert {g.period for g in short if g.history} == {"2026-W48"}


def test_follow_up_copies_are_written_through_the_outbox(
    asked: None, tx: Tx, enqueued: list[int]
) -> None:
    with tx() as s:
        before = {r.id for r in outbox_rows(s)}  # the round's questions, from its fan-out
        copies = checkins.consent(session=s, round_key=KEY, slack_id=REPORTER, now=SOON)
        checkins.consent(session=s, round_key=KEY, slack_id=REPORTER, now=SOON)
        checkins.mark_contacted(session=s, followup_id=1, hr_id=HR[0], now=SOON)
        assert enqueued == copies == [r.id for r in outbox_rows(s) if r.id not in before]


def test_standings_of_a_batch_are_each_persons_own(asked: None, tx: Tx) -> None:
    """standings() reads answers, consents and notes of many people at once, and agrees
    with the one-person reads the listeners use."""
    with tx() as s:
        checkins.record(
            session=s, round_key=KEY, slack_id=REPORTER, question="mental", score=1, now=SOON
        )
        checkins.save_note(session=s, round_key=KEY, slack_id=REPORTER, note="capek", now=SOON)
        checkins.consent(session=s, round_key=KEY, slack_id=REPORTER, now=SOON)
        checkins.record(
            session=s, round_key=KEY, slack_id=RINA, question="physical", score=4, now=SOON
        )
    with tx() as s:
        found = checkins.standings(s, KEY, [REPORTER, RINA, OUTSIDER])
        assert found == {
            REPORTER: checkins.Standing({"mental": 1}, consented=True, noted=True),
            RINA: checkins.Standing({"physical": 4}, consented=False, noted=False),
            OUTSIDER: checkins.Standing({}, consented=False, noted=False),
        }
        for who, stands in found.items():
            assert stands.answers == checkins.answers(s, KEY, who)
            assert stands.consented == checkins.has_consented(s, KEY, who)
            assert stands.noted == (checkins.note_of(s, KEY, who) is not None)
        assert checkins.standings(s, "checkin:2026-W01", [REPORTER]) == {
            REPORTER: checkins.Standing({}, consented=False, noted=False)
        }
