"""Races between people acting on one ticket at the same moment (issue 15, items 2 and 6).

On PostgreSQL every state-changing operation must read its row under the lock, and locks
must be taken in one order: whatever interleaving happens, the ticket ends in a state the
state machine allows, nobody gets HTTP 500, and nothing is recorded after a resolution."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage.db import session_scope
from storage.models import Delivery, Ticket, TicketEvent
from tests.helpers import call_after, seed, wait_dms

TRIALS = 15
# Events that may follow a resolution only after the ticket is reopened.
AFTER_RESOLVE_ONLY_AFTER_REOPEN = {
    "escalated",
    "assigned",
    "waiting",
    "followup",
    "escalation_requested",
    "taken",
}


def _timeline(engine: Engine, number: int) -> tuple[Ticket, list[str]]:
    with session_scope(engine) as s:
        ticket = s.get(Ticket, number)
        assert ticket is not None
        kinds = [
            e.kind
            for e in s.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == number)
                .order_by(col(TicketEvent.id))
            ).all()
        ]
    return ticket, kinds


def _assert_possible(engine: Engine, number: int) -> None:
    """Nothing but a reopening happens to a ticket after its resolution, and a resolved
    ticket's last word is the resolution."""
    ticket, kinds = _timeline(engine, number)
    if "resolved" in kinds:
        after = kinds[kinds.index("resolved") + 1 :]
        assert not set(after) & AFTER_RESOLVE_ONLY_AFTER_REOPEN, (number, kinds)
    if ticket.state == "resolved":
        assert kinds[-1] == "resolved", (number, kinds)
        # every change is counted: a lost version increment shows as fewer versions than
        # changes that touched the ticket
        assert ticket.version >= 2, (number, ticket.version)
        with session_scope(engine) as s:
            told = [
                str(d.params.get("what"))
                for d in s.exec(
                    select(Delivery)
                    .where(Delivery.ticket_id == number, Delivery.template == "ticket.reporter")
                    .order_by(col(Delivery.id))
                ).all()
            ]
        # the reporter is never told "escalated" after "resolved"
        if "resolved" in told:
            assert "escalated" not in told[told.index("resolved") + 1 :], (number, told)


def _race(*actions: Callable[[], int]) -> list[int]:
    with ThreadPoolExecutor(len(actions)) as pool:
        return [f.result() for f in [pool.submit(a) for a in actions]]


def test_resolve_racing_escalate_never_escalates_a_resolved_ticket(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=("U0AGENTA",))
    for trial in range(1, TRIALS + 1):
        sender.command(f"U0REP{trial:03d}", f"printer lantai {trial} macet kertas")
        statuses = _race(
            lambda n=trial: sender.command("U0AGENTA", f"selesai #{n} sudah diperbaiki").status,
            lambda n=trial: sender.command("U0AGENTA", f"eskalasi #{n} perlu tier 2").status,
        )
        assert statuses == [200, 200]
        _assert_possible(engine, trial)


def test_resolve_racing_the_reporters_escalation_request(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=("U0AGENTA",))
    for trial in range(1, TRIALS + 1):
        reporter = f"U0REP{trial:03d}"
        sender.command(reporter, f"laptop mati total setelah update {trial}")
        statuses = _race(
            lambda n=trial: sender.command("U0AGENTA", f"selesai #{n} sudah diganti").status,
            lambda n=trial, r=reporter: sender.command(r, f"eskalasi #{n} sudah lama").status,
        )
        assert statuses == [200, 200]
        _assert_possible(engine, trial)


def test_resolve_racing_the_same_complaint_filed_again(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=("U0AGENTA",))
    for trial in range(TRIALS):
        reporter = f"U0REP{trial:03d}"
        complaint = f"VPN kantor putus terus sejak pagi kode {trial * 31}"
        first = sender.command(reporter, complaint)
        assert first.status == 200
        with session_scope(engine) as s:
            number = max(t.id or 0 for t in s.exec(select(Ticket)).all())
        statuses = _race(
            lambda n=number: sender.command("U0AGENTA", f"selesai #{n} router diganti").status,
            lambda r=reporter, c=complaint: sender.command(r, c).status,
        )
        assert statuses == [200, 200]
        _assert_possible(engine, number)
    wait_dms(standin, "U0AGENTA")


CLICKS = 20


def test_twenty_identical_clicks_give_one_result_and_no_error(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    """A check-in answer, consent and a delegate named from the Home tab, each clicked 20
    times at once: every click answers 200 and the data is written once."""
    from storage.models import CheckinAnswer, Delegate, FollowUp
    from tests.e2e.test_checkins import MONDAY_10_WIB, seed_org, send_round
    from tests.e2e.test_tasks import seed_team

    seed_org(engine)
    seed_team(engine)
    send_round(rekan)
    rekan.runtime.clock = lambda: MONDAY_10_WIB
    ask = wait_dms(standin, "U0STAFF1")[0]

    def many(click: Callable[[], int]) -> list[int]:
        with ThreadPoolExecutor(CLICKS) as pool:
            return list(pool.map(lambda _: click(), range(CLICKS)))

    assert (
        many(lambda: sender.click("U0STAFF1", ask, "checkin_physical_1").status) == [200] * CLICKS
    )
    standin.wait_for(lambda: "checkin_consent" in str(standin.dms_to("U0STAFF1")[-1].blocks), 5)
    offer = standin.dms_to("U0STAFF1")[-1]
    assert many(lambda: sender.click("U0STAFF1", offer, "checkin_consent").status) == [200] * CLICKS
    delegate = {
        "delegate": {"value": {"type": "users_select", "selected_user": "U0DELE"}},
        "until": {"value": {"type": "datepicker", "selected_date": "2026-11-30"}},
    }
    before = len(standin.calls("views.open"))
    sender.block_action("U0LEAD", "tasks_delegate", "open", view={"id": "VHOME"})
    modal = call_after(standin, "views.open", before).params["view"]
    statuses = many(lambda: sender.view_submission("U0LEAD", modal, delegate).status)
    assert statuses == [200] * CLICKS
    with session_scope(engine) as s:
        answers = s.exec(select(CheckinAnswer).where(CheckinAnswer.slack_id == "U0STAFF1")).all()
        assert [(a.question, a.score) for a in answers] == [("physical", 1)]
        assert len(s.exec(select(FollowUp)).all()) == 1
        assert [(d.lead_id, d.delegate_id) for d in s.exec(select(Delegate)).all()] == [
            ("U0LEAD", "U0DELE")
        ]
