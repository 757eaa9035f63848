"""People Experience check-ins: rounds, answers, consent to a follow-up, support options,
aggregates with an anonymity floor, and retention. Health data: no function here logs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage import audit, outbox, people
from storage.errors import DomainError, NotFound
from storage.models import (
    DELIVERY_SENT,
    QUESTIONS,
    ROLE_HR,
    CheckinAnswer,
    CheckinNote,
    CheckinRound,
    Delivery,
    FollowUp,
    Person,
    SupportOption,
    WellbeingAggregate,
)
from storage.tables import for_update
from storage.tickets import AlreadyDone

ALL_TEAMS = "*"
NO_TEAM = "-"
NOTE_MAX = 2000
T_FOLLOWUP = "checkin.followup"  # a follow-up request, one copy per HR member
_FOLLOWUP_KEY = "followup:"  # + follow-up id + ":" + HR member


def open_round(
    session: Session, *, key: str, period: str, now: datetime, closes_at: datetime
) -> CheckinRound:
    row = session.get(CheckinRound, key)
    if row is None:
        row = CheckinRound(key=key, period=period, opened_at=now, closes_at=closes_at)
        session.add(row)
        session.flush()
    return row


def current_round(session: Session) -> CheckinRound | None:
    """The newest round still open, if any."""
    return session.exec(
        select(CheckinRound)
        .where(col(CheckinRound.closed_at).is_(None))
        .order_by(col(CheckinRound.opened_at).desc())
    ).first()


def has_consented(session: Session, round_key: str, slack_id: str) -> bool:
    """Whether this person asked HR to contact them in this round."""
    found = session.exec(
        select(FollowUp.id).where(FollowUp.round_key == round_key, FollowUp.slack_id == slack_id)
    ).first()
    return found is not None


def was_sent(session: Session, round_key: str, slack_id: str, channel: str | None = None) -> bool:
    """Whether this person was asked in this round, in the conversation given (if any):
    a click on someone else's message comes from a conversation that is not theirs."""
    row = session.exec(select(Delivery).where(Delivery.key == f"{round_key}:{slack_id}")).first()
    if row is None:
        return False
    return channel is None or row.channel is None or row.channel == channel


def _round_for(
    session: Session, round_key: str, slack_id: str, now: datetime, channel: str | None = None
) -> CheckinRound:
    row = session.get(CheckinRound, round_key)
    if row is None:
        raise NotFound("checkin.no_round")
    if not was_sent(session, round_key, slack_id, channel):
        raise DomainError("checkin.not_yours")
    if row.closed_at is not None or row.closes_at <= now:
        raise DomainError("checkin.closed")
    return row


def record(
    *,
    session: Session,
    round_key: str,
    slack_id: str,
    question: str,
    score: int,
    now: datetime,
    channel: str | None = None,
) -> dict[str, int]:
    """Record (or change) one answer; returns the person's answers in this round."""
    if question not in QUESTIONS or not 1 <= score <= 5:
        raise DomainError("checkin.bad_value")
    _round_for(session, round_key, slack_id, now, channel)
    answer = session.exec(
        select(CheckinAnswer).where(
            CheckinAnswer.round_key == round_key,
            CheckinAnswer.slack_id == slack_id,
            CheckinAnswer.question == question,
        )
    ).first()
    if answer is None:
        answer = CheckinAnswer(
            round_key=round_key, slack_id=slack_id, question=question, score=score, answered_at=now
        )
    answer.score, answer.answered_at = score, now
    session.add(answer)
    session.flush()
    return answers(session, round_key, slack_id)


def answers(session: Session, round_key: str, slack_id: str) -> dict[str, int]:
    rows = session.exec(
        select(CheckinAnswer).where(
            CheckinAnswer.round_key == round_key, CheckinAnswer.slack_id == slack_id
        )
    ).all()
    return {r.question: r.score for r in rows}


@dataclass(frozen=True)
class Standing:
    """Where a person stands in a round: their answers, whether they asked HR to contact
    them, whether they left a note."""

    answers: dict[str, int]
    consented: bool
    noted: bool


def standings(session: Session, round_key: str, slack_ids: Collection[str]) -> dict[str, Standing]:
    """answers(), has_consented() and note_of() of many people at once (a batch of check-in
    messages to draw), in three statements; everyone asked is in the answer."""
    ids = sorted(set(slack_ids))
    scores: dict[str, dict[str, int]] = defaultdict(dict)
    for who, question, score in session.exec(
        select(CheckinAnswer.slack_id, CheckinAnswer.question, CheckinAnswer.score).where(
            CheckinAnswer.round_key == round_key, col(CheckinAnswer.slack_id).in_(ids)
        )
    ):
        scores[who][question] = score
    consented = set(
        session.exec(
            select(FollowUp.slack_id).where(
                FollowUp.round_key == round_key, col(FollowUp.slack_id).in_(ids)
            )
        )
    )
    noted = set(
        session.exec(
            select(CheckinNote.slack_id).where(
                CheckinNote.round_key == round_key, col(CheckinNote.slack_id).in_(ids)
            )
        )
    )
    return {
        who: Standing(dict(scores.get(who, {})), who in consented, who in noted)
        for who in slack_ids
    }


def save_note(*, session: Session, round_key: str, slack_id: str, note: str, now: datetime) -> None:
    _round_for(session, round_key, slack_id, now)
    row = session.exec(
        select(CheckinNote).where(
            CheckinNote.round_key == round_key, CheckinNote.slack_id == slack_id
        )
    ).first() or CheckinNote(round_key=round_key, slack_id=slack_id, note="")
    row.note, row.written_at = note.strip()[:NOTE_MAX], now
    session.add(row)


def note_of(session: Session, round_key: str, slack_id: str) -> str | None:
    row = session.exec(
        select(CheckinNote).where(
            CheckinNote.round_key == round_key, CheckinNote.slack_id == slack_id
        )
    ).first()
    return row.note if row else None


def consent(
    *, session: Session, round_key: str, slack_id: str, now: datetime, channel: str | None = None
) -> list[int]:
    """The person asks HR to contact them: one follow-up, a copy for every HR member to send.
    Returns the copies' delivery ids; none when they had asked already this round. `channel`:
    where the click came from (see was_sent)."""
    if not was_sent(session, round_key, slack_id, channel):
        raise DomainError("checkin.not_yours")
    if session.get(CheckinRound, round_key) is None:
        raise NotFound("checkin.no_round")
    existing = session.exec(
        select(FollowUp).where(FollowUp.round_key == round_key, FollowUp.slack_id == slack_id)
    ).first()
    if existing is not None:
        return []
    row = FollowUp(round_key=round_key, slack_id=slack_id, created_at=now)
    session.add(row)
    session.flush()
    copies = []
    for _, member in people.list_role(session, ROLE_HR):
        copies.append(
            outbox.enqueue(
                session,
                key=f"{_FOLLOWUP_KEY}{row.id}:{member.slack_id}",
                recipient=member.slack_id,
                template=T_FOLLOWUP,
                params={"followup": row.id},
                now=now,
            )
        )
        # the copy shows scores and note to this HR member: traced when it is queued, so a
        # copy is in the trail even if its delivery is still to come
        audit.record(
            session,
            actor=member.slack_id,
            action=audit.FOLLOWUP,
            now=now,
            subject=slack_id,
            ref=f"followup:{row.id}",
        )
    return copies


def mark_contacted(*, session: Session, followup_id: int, hr_id: str, now: datetime) -> list[int]:
    """An HR member has contacted the person; returns the delivery ids of every HR copy of the
    follow-up, to be redrawn showing who did."""
    row = session.exec(for_update(select(FollowUp).where(FollowUp.id == followup_id))).first()
    if row is None:
        raise NotFound("checkin.no_followup")
    if row.withdrawn_at is not None:
        raise DomainError("privacy.withdrawn_contacted")
    if row.contacted_by is not None:
        raise AlreadyDone("checkin.already_contacted", by=row.contacted_by, at=row.contacted_at)
    row.contacted_by, row.contacted_at = hr_id, now
    session.add(row)
    audit.record(
        session,
        actor=hr_id,
        action=audit.CONTACTED,
        now=now,
        subject=row.slack_id,
        ref=f"followup:{followup_id}",
    )
    return followup_copies(session, followup_id)


def followup_copies(session: Session, followup_id: int) -> list[int]:
    """The delivery ids of every HR copy of a follow-up."""
    return [
        int(i)
        for i in session.exec(
            select(Delivery.id).where(
                col(Delivery.key).startswith(f"{_FOLLOWUP_KEY}{followup_id}:", autoescape=True)
            )
        )
        if i is not None
    ]


def withdraw(
    *, session: Session, round_key: str, slack_id: str, now: datetime, channel: str | None = None
) -> list[int]:
    """The person withdraws their request to be contacted (UU PDP: consent can be withdrawn):
    HR's copies are to be redrawn without scores or note. Returns their delivery ids; none
    when there was nothing open to withdraw."""
    if not was_sent(session, round_key, slack_id, channel):
        raise DomainError("checkin.not_yours")
    row = session.exec(
        for_update(
            select(FollowUp).where(FollowUp.round_key == round_key, FollowUp.slack_id == slack_id)
        )
    ).first()
    if row is None or row.id is None or row.withdrawn_at is not None:
        return []
    row.withdrawn_at = now
    session.add(row)
    return followup_copies(session, row.id)


def withdraw_open(*, session: Session, slack_id: str, now: datetime) -> list[int]:
    """Withdraw every request of this person HR has not acted on yet (stopping check-ins
    withdraws them); returns the delivery ids of their HR copies."""
    rows = session.exec(
        select(FollowUp).where(
            FollowUp.slack_id == slack_id,
            col(FollowUp.withdrawn_at).is_(None),
            col(FollowUp.contacted_at).is_(None),
        )
    ).all()
    copies: list[int] = []
    for row in rows:
        row.withdrawn_at = now
        session.add(row)
        copies += followup_copies(session, row.id or 0)
    return copies


def withdrawn(session: Session, round_key: str, slack_id: str) -> bool:
    row = session.exec(
        select(FollowUp.withdrawn_at).where(
            FollowUp.round_key == round_key, FollowUp.slack_id == slack_id
        )
    ).first()
    return row is not None


def set_opt_out(*, session: Session, slack_id: str, opt_out: bool, now: datetime) -> Person:
    """Stop (or resume) a person's check-ins; stopping withdraws their open requests to HR
    (see stop_checkins for the copies to redraw)."""
    person = session.get(Person, slack_id)
    if person is None:
        raise NotFound("error.person_unknown", slack_id=slack_id)
    person.checkin_opt_out, person.updated_at = opt_out, now
    session.add(person)
    if opt_out:
        withdraw_open(session=session, slack_id=slack_id, now=now)
    return person


def stop_checkins(*, session: Session, slack_id: str, now: datetime) -> list[int]:
    """Stop a person's check-ins; returns the HR copies of the requests this withdrew."""
    copies = withdraw_open(session=session, slack_id=slack_id, now=now)
    set_opt_out(session=session, slack_id=slack_id, opt_out=True, now=now)
    return copies


# ---------------------------------------------------------------- support options


def add_support(
    *, session: Session, name: str, description: str, link: str | None, contact: str | None
) -> SupportOption:
    name = name.strip()
    if not name or not description.strip():
        raise DomainError("support.incomplete")
    row = session.exec(
        select(SupportOption).where(SupportOption.name == name)
    ).first() or SupportOption(name=name, description="")
    row.description, row.link, row.contact = description.strip(), link, contact
    session.add(row)
    return row


def support_options(session: Session) -> Sequence[SupportOption]:
    return session.exec(select(SupportOption).order_by(col(SupportOption.id))).all()


def remove_support(*, session: Session, name: str) -> None:
    row = session.exec(select(SupportOption).where(SupportOption.name == name)).first()
    if row is None:
        raise NotFound("support.unknown", name=name)
    session.delete(row)


# ---------------------------------------------------------------- numbers


@dataclass(frozen=True)
class GroupNumbers:
    period: str
    team: str
    recipients: int
    respondents: int
    physical_avg: float | None
    mental_avg: float | None
    low_share: float | None
    # the round is closed and its numbers kept: an open round's numbers still move as people
    # answer, so two reports of it a day apart could be subtracted (issue 21)
    final: bool = field(default=True, compare=False)
    # a round before the report's window: not shown, but the floor across periods weighs it,
    # so a week shown now was also checked against every week shown before it (issue 21)
    history: bool = field(default=False, compare=False)

    @property
    def participation(self) -> float | None:
        return self.respondents / self.recipients if self.recipients else None


def round_numbers(session: Session, round_key: str, *, low: int) -> list[GroupNumbers]:
    """Per team and for everyone ("*"): recipients, respondents, averages, share of low answers."""
    period = (
        session.get(CheckinRound, round_key) or CheckinRound(key=round_key, period=round_key)
    ).period
    sent = session.exec(
        select(Delivery.recipient).where(
            Delivery.campaign == round_key, Delivery.state == DELIVERY_SENT
        )
    ).all()
    teams = {
        p.slack_id: (p.team or NO_TEAM)
        for p in session.exec(select(Person).where(col(Person.slack_id).in_(sent))).all()
    }
    scores: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for answer in session.exec(
        select(CheckinAnswer).where(CheckinAnswer.round_key == round_key)
    ).all():
        scores[answer.slack_id][answer.question].append(answer.score)
    groups: dict[str, list[str]] = defaultdict(list)
    for person in sent:
        groups[teams.get(person, NO_TEAM)].append(person)
        groups[ALL_TEAMS].append(person)
    result = []
    for team, members in sorted(groups.items()):
        answered = [m for m in members if m in scores]
        physical = [s for m in answered for s in scores[m].get("physical", [])]
        mental = [s for m in answered for s in scores[m].get("mental", [])]
        every = physical + mental
        result.append(
            GroupNumbers(
                period,
                team,
                len(members),
                len(answered),
                sum(physical) / len(physical) if physical else None,
                sum(mental) / len(mental) if mental else None,
                sum(1 for s in every if s <= low) / len(every) if every else None,
            )
        )
    return result


def close_due(session: Session, *, now: datetime, low: int) -> list[str]:
    """Close rounds whose time is up and keep their numbers; returns the closed keys."""
    due = session.exec(
        select(CheckinRound).where(
            col(CheckinRound.closed_at).is_(None), col(CheckinRound.closes_at) <= now
        )
    ).all()
    for row in due:
        row.closed_at = now
        session.add(row)
        for numbers in round_numbers(session, row.key, low=low):
            session.add(
                WellbeingAggregate(
                    round_key=row.key,
                    period=numbers.period,
                    team=numbers.team,
                    recipients=numbers.recipients,
                    respondents=numbers.respondents,
                    physical_avg=numbers.physical_avg,
                    mental_avg=numbers.mental_avg,
                    low_share=numbers.low_share,
                )
            )
    return [r.key for r in due]


def report(session: Session, *, weeks: int, low: int) -> list[GroupNumbers]:
    """The last `weeks` rounds: kept numbers for closed rounds, live ones for an open round;
    before them every earlier closed round, marked `history`, for the floor across periods
    (a report of two weeks run every week must not show what a longer one would hide)."""
    rounds = session.exec(select(CheckinRound).order_by(col(CheckinRound.opened_at))).all()
    window = {r.key for r in rounds[-weeks:]} if weeks > 0 else set()
    result: list[GroupNumbers] = []
    for row in rounds:
        if row.key not in window:
            if row.closed_at is not None:
                result += [replace(g, history=True) for g in _kept(session, row.key)]
            continue
        if row.closed_at is None:
            result += [replace(g, final=False) for g in round_numbers(session, row.key, low=low)]
            continue
        result += _kept(session, row.key)
    return result


def _kept(session: Session, round_key: str) -> list[GroupNumbers]:
    """A closed round's numbers, as kept when it closed."""
    kept = session.exec(
        select(WellbeingAggregate).where(WellbeingAggregate.round_key == round_key)
    ).all()
    return [
        GroupNumbers(
            a.period,
            a.team,
            a.recipients,
            a.respondents,
            a.physical_avg,
            a.mental_avg,
            a.low_share,
        )
        for a in sorted(kept, key=lambda a: a.team)
    ]


def delete_older_than(session: Session, *, before: datetime) -> int:
    """Retention: answers, notes and follow-ups older than `before` go; aggregates stay."""
    gone = session.execute(delete(CheckinAnswer).where(col(CheckinAnswer.answered_at) < before))
    session.execute(delete(CheckinNote).where(col(CheckinNote.written_at) < before))
    session.execute(delete(FollowUp).where(col(FollowUp.created_at) < before))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]
