"""Privacy storage operations (issue 21): withdrawal, the audit trail, erasure's refusals and
its sweep over every text column the tables declare, export and summary, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Column, MetaData, String, Table
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401
from storage import (
    audit,
    checkins,
    erasure,
    erasure_requests,
    outbox,
    people,
    privacy,
    retention,
    tickets,
)
from storage.errors import DomainError, NotFound
from storage.models import Audit, Delivery, FollowUp, Person, Ticket
from tests.storage.conftest import Tx
from tests.storage.seed import ADMIN, HR, NOW, RINA, new_ticket
from tests.storage.test_checkins import KEY, SOON, channel, send_round

REPORTER = "U0REPORT"


@pytest.fixture
def asked(org: object, tx: Tx) -> None:
    with tx() as s:
        send_round(s)


def consent(tx: Tx, who: str = REPORTER) -> list[int]:
    with tx() as s:
        checkins.record(
            session=s, round_key=KEY, slack_id=who, question="mental", score=1, now=SOON
        )
        return checkins.consent(session=s, round_key=KEY, slack_id=who, now=SOON)


def test_withdraw_once_and_only_by_the_person_asked(asked: None, tx: Tx) -> None:
    copies = consent(tx)
    assert len(copies) == len(HR)
    with tx() as s, pytest.raises(DomainError) as info:
        checkins.withdraw(
            session=s, round_key=KEY, slack_id=REPORTER, now=SOON, channel=channel(RINA)
        )
    assert info.value.key == "checkin.not_yours"
    with tx() as s:
        assert sorted(
            checkins.withdraw(session=s, round_key=KEY, slack_id=REPORTER, now=SOON)
        ) == sorted(copies)
        assert checkins.withdrawn(s, KEY, REPORTER) and not checkins.withdrawn(s, KEY, RINA)
    with tx() as s:  # again: nothing open, nothing to redraw
        assert checkins.withdraw(session=s, round_key=KEY, slack_id=REPORTER, now=SOON) == []
    with tx() as s, pytest.raises(DomainError) as info:
        row = s.exec(select(FollowUp)).one()
        checkins.mark_contacted(session=s, followup_id=row.id or 0, hr_id=HR[0], now=SOON)
    assert info.value.key == "privacy.withdrawn_contacted"


def test_stopping_withdraws_only_what_hr_has_not_acted_on(asked: None, tx: Tx) -> None:
    consent(tx, REPORTER)
    consent(tx, RINA)
    with tx() as s:
        rina = s.exec(select(FollowUp).where(FollowUp.slack_id == RINA)).one()
        checkins.mark_contacted(session=s, followup_id=rina.id or 0, hr_id=HR[0], now=SOON)
    with tx() as s:
        assert len(checkins.stop_checkins(session=s, slack_id=REPORTER, now=SOON)) == len(HR)
        assert checkins.stop_checkins(session=s, slack_id=RINA, now=SOON) == []
    with tx() as s:
        rows = {f.slack_id: f for f in s.exec(select(FollowUp)).all()}
        assert rows[REPORTER].withdrawn_at is not None and rows[RINA].withdrawn_at is None


def test_audit_rows_hold_ids_and_the_action_word_only(asked: None, tx: Tx) -> None:
    consent(tx)
    with tx() as s:
        rows = s.exec(select(Audit)).all()
        assert sorted((a.actor, a.action, a.subject) for a in rows) == [
            (hr, "followup", REPORTER) for hr in sorted(HR)
        ]
        with pytest.raises(DomainError):
            audit.record(s, actor="cli", action="peek", now=NOW)
    with tx() as s:
        assert [a.actor for a in audit.listing(s, actor=HR[1])] == [HR[1]]
        assert audit.listing(s, since=SOON + timedelta(seconds=1)) == []


def test_erase_refuses_an_unknown_id_and_the_last_admin(org: object, tx: Tx) -> None:
    with tx() as s, pytest.raises(NotFound):
        erasure.erase(session=s, slack_id="U0NOBODY", now=NOW, actor="cli")
    with tx() as s, pytest.raises(DomainError) as info:
        erasure.erase(session=s, slack_id=ADMIN, now=NOW, actor="cli")
    assert info.value.key == "privacy.last_admin"
    with tx() as s:
        assert s.exec(select(Audit)).all() == [] and len(s.exec(select(Person)).all()) > 1


def test_erase_sweeps_a_table_it_has_never_heard_of(org: object, tx: Tx) -> None:
    """Tables are found in the metadata, so one added later is swept without a change here."""
    extra = MetaData()
    later = Table("later_feature", extra, Column("id", String(8), primary_key=True))
    later.append_column(Column("said", String(200)))
    with tx() as s:
        later.create(s.connection())
        s.execute(later.insert().values(id="1", said=f"<@{RINA}> wrote this"))
    later.to_metadata(SQLModel.metadata)
    try:
        with tx() as s:
            done = erasure.erase(session=s, slack_id=RINA, now=NOW, actor="cli")
            said = s.execute(SQLModel.metadata.tables["later_feature"].select()).one().said
        assert (
            said == f"<@{done.pseudonym}> wrote this" and done.pseudonymised["later_feature"] == 1
        )
    finally:
        SQLModel.metadata.remove(SQLModel.metadata.tables["later_feature"])
        with tx() as s:  # the PostgreSQL schema is kept between tests: leave it as found
            later.drop(s.connection())


def test_erase_keeps_ticket_counts_and_names_the_pseudonym(org: object, tx: Tx) -> None:
    with tx() as s:
        filed = new_ticket(s, reporter=RINA, summary="Laptop Rina mati")  # U0RINA is "Rina"
        before = len(s.exec(select(Ticket)).all())
    # an open report of theirs is refused first: it would go on talking to a pseudonym
    with tx() as s, pytest.raises(DomainError) as info:
        erasure.erase(session=s, slack_id=RINA, now=NOW, actor="cli")
    assert info.value.key == "privacy.files_open_tickets"
    assert info.value.params["numbers"] == f"#{filed.ticket.id}"
    with tx() as s:
        tickets.cancel(session=s, number=filed.ticket.id or 0, actor=RINA, now=NOW)
    with tx() as s:
        done = erasure.erase(session=s, slack_id=RINA, now=NOW, actor="cli")
    with tx() as s:
        kept = s.exec(select(Ticket)).all()
        assert len(kept) == before
        assert kept[0].reporter_id == done.pseudonym
        assert kept[0].summary == f"Laptop {erasure.ERASED_NAME} mati"
        pseudonym = s.get(Person, done.pseudonym)
        assert pseudonym is not None and not pseudonym.active and pseudonym.checkin_opt_out


def test_export_and_summary_are_the_persons_own(asked: None, tx: Tx) -> None:
    consent(tx)
    with tx() as s:
        document = privacy.export(s, slack_id=REPORTER, now=SOON)
        assert document["checkins"][0]["answers"] == {"mental": 1}
        assert privacy.summary(s, slack_id=REPORTER)["consents"] == 1
        assert privacy.summary(s, slack_id=RINA)["answers"] == 0
        with pytest.raises(NotFound):
            privacy.export(s, slack_id="U0NOBODY", now=SOON)


def test_delivery_parameters_are_cleared_only_when_old_and_sent(asked: None, tx: Tx) -> None:
    first, second = consent(tx)  # the HR copies, with the follow-up in their parameters
    with tx() as s:
        outbox.mark_sent(s, first, channel="D0HRANI", ts="2.0", now=SOON)
        other = outbox.enqueue(
            s, key="old", recipient=REPORTER, template="tasks.mine", params={"report": 7}, now=SOON
        )
        outbox.mark_sent(s, other, channel="D0REPORT", ts="3.0", now=SOON)
    with tx() as s:
        assert retention.clear_delivery_params_before(s, before=SOON) == 0  # not old yet
    with tx() as s:
        assert retention.clear_delivery_params_before(s, before=SOON + timedelta(days=1)) == 1
    with tx() as s:
        assert s.get(Delivery, other).params == {}  # type: ignore[union-attr]
        # HR's copies keep theirs while the follow-up lives: a withdrawal must redraw them
        assert s.get(Delivery, first).params != {}  # type: ignore[union-attr]
        assert s.get(Delivery, second).params != {}  # type: ignore[union-attr]  # still to send


def test_erase_refuses_an_agent_holding_open_tickets(org: object, tx: Tx) -> None:
    with tx() as s:
        outcome = new_ticket(s, reporter=RINA)
        agent = outcome.ticket.agent_id
        assert agent is not None
    with tx() as s, pytest.raises(DomainError) as info:
        erasure.erase(session=s, slack_id=agent, now=NOW, actor="cli")
    assert info.value.key == "privacy.holds_tickets"
    assert info.value.params["numbers"] == f"#{outcome.ticket.id}"


def test_an_erasure_request_asks_every_admin_once_a_day(org: object, tx: Tx) -> None:
    with tx() as s:
        first = erasure_requests.ask(session=s, slack_id=RINA, now=NOW)
        again = erasure_requests.ask(session=s, slack_id=RINA, now=NOW + timedelta(hours=1))
        assert first == again and len(first) == 2  # the admin, and the person told
        rows = [s.get(Delivery, i) for i in first]
        assert [(r.recipient, r.template) for r in rows if r] == [
            (ADMIN, erasure_requests.T_REQUEST),
            (RINA, erasure_requests.T_ASKED),
        ]
        people.remove_role(session=s, slack_id=ADMIN, role="admin")
    with tx() as s:  # nobody to ask: the person is told so, by DM
        told = erasure_requests.ask(session=s, slack_id=RINA, now=NOW + timedelta(days=1))
        row = s.get(Delivery, told[0])
        assert len(told) == 1 and row is not None and row.params == {"no_admins": True}
