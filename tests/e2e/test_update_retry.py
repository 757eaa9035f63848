"""A card update that Slack refuses with 5xx is retried through the outbox (the
`deliveries-retry` job) until the card shows the ticket's latest version."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from jobs.registry import JobSpec, find
from storage.db import session_scope
from storage.models import Delivery, Ticket
from storage.types import utcnow
from tests.helpers import buttons, message_text, seed, wait_dms

# The updater's own ServerErrorRetryHandler tries 3 times; these outlast every try.
FAULTS = 30


def card_row(engine: Engine) -> tuple[Delivery, int]:
    with session_scope(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.template == "ticket.card")).one()
        ticket = s.get(Ticket, row.ticket_id)
        assert ticket is not None
        return row, ticket.version


def test_failed_card_update_is_retried_until_the_card_is_current(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    sender.command("U0REPORT", "Server kantor tidak bisa diakses")
    card = wait_dms(standin, "U0AGENTA")[0]
    standin.inject("chat.update", "server_error", times=FAULTS)
    assert sender.click("U0AGENTA", card, "ticket_take").status == 200

    # The refresh after the click fails for good (every try answered 500) ...
    assert standin.wait_for(lambda: card_row(engine)[0].error is not None, 10)
    row, version = card_row(engine)
    assert row.rendered_version is not None and row.rendered_version < version
    assert "ticket_take" in buttons(standin.dms_to("U0AGENTA")[0])  # one version behind
    failed_calls = len(standin.calls("chat.update"))

    retry = find(rekan.runtime.settings, "deliveries-retry")
    assert isinstance(retry, JobSpec)
    # ... and each run of deliveries-retry after the row's back-off tries again, until an
    # update goes through.
    moment, runs = utcnow(), 0
    while card_row(engine)[0].error is not None and runs < FAULTS:
        moment += timedelta(minutes=31)  # past the longest back-off
        retry.func(rekan.runtime.jobs, moment)
        runs += 1
    assert runs > 1 and len(standin.calls("chat.update")) > failed_calls

    card = standin.dms_to("U0AGENTA")[0]
    assert buttons(card) == [
        "ticket_escalate",
        "ticket_resolve",
        "ticket_wait",
        "ticket_add_note",
        "ticket_saved_reply",
    ]
    assert "sedang dikerjakan" in message_text(card)
    row, version = card_row(engine)
    assert row.rendered_version == version and row.error is None
