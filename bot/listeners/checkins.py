"""Check-in clicks: answers, the note, consent to an HR follow-up, stopping and resuming,
and HR's "Contacted". Health data: nothing here logs a person together with a score."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import checkins as blocks
from bot.listeners._common import (
    bind,
    clicked,
    dict_of,
    input_text,
    slack_id,
    string,
    submitted,
    text_problem,
)
from bot.listeners.home import publish
from bot.render.checkins import checkin_view
from bot.runtime import Runtime
from jobs.updates import update_message, update_when_sent
from storage import checkins, people
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.models import ROLE_HR

log = logging.getLogger(__name__)


def where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The channel and ts of the message clicked."""
    container = dict_of(body.get("container"))
    channel = slack_id(container.get("channel_id")) or slack_id(
        dict_of(body.get("channel")).get("id")
    )
    return channel, slack_id(container.get("message_ts"))


def redraw(
    user: str, round_key: str, channel: str | None, ts: str | None, *, runtime: Runtime
) -> None:
    """Show what was recorded in the message that was clicked."""
    if not channel or not ts:
        return
    with session_scope(runtime.engine) as session:
        view = checkin_view(session, round_key, user, runtime.settings, now=runtime.now())
    message = blocks.build_checkin(view)
    runtime.urgent(
        runtime.updater.chat_update,
        channel=channel,
        ts=ts,
        text=message["text"],
        blocks=message["blocks"],
    )


def answer(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """A score clicked (checkin_<question>_<score>); the message shows it."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    match = re.match(blocks.ANSWER_PATTERN, str(click.action.get("action_id")))
    round_key = click.value
    with click.refusing():
        if match is None:
            raise DomainError("checkin.bad_value")
        question, score = match.group(1), int(match.group(2))
        transaction(
            runtime.engine,
            lambda session: checkins.record(
                session=session,
                round_key=round_key,
                slack_id=click.user,
                question=question,
                score=score,
                now=runtime.now(),
                channel=where(body)[0],
            ),
        )
        redraw(click.user, round_key, *where(body), runtime=runtime)


def note_button(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """The "Add a note" button: the note modal, with the note already written."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    round_key = click.value
    with session_scope(runtime.engine) as session:
        allowed = checkins.was_sent(session, round_key, click.user, where(body)[0])
        current = checkins.note_of(session, round_key, click.user) if allowed else None
    with click.refusing():
        if not allowed:
            raise DomainError("checkin.not_yours")
        if not click.trigger_id:
            raise DomainError("checkin.bad_value")
        channel, ts = where(body)
        runtime.urgent(
            client.views_open,
            trigger_id=click.trigger_id,
            view=blocks.build_note_modal(round_key, channel or "", ts or "", current, click.lang),
        )


def note_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """The note saved; the check-in message shows it."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    meta = form.metadata
    if "round" not in meta:
        form.refuse(blocks.B_NOTE, "checkin.no_round")
        return
    round_key = string(meta["round"])
    note = input_text(form.view, blocks.B_NOTE).strip()
    problem = text_problem(note, checkins.NOTE_MAX)
    if problem is not None:
        form.refuse(blocks.B_NOTE, problem[0], **problem[1])
        return
    if not note:
        form.refuse(blocks.B_NOTE, "checkin.note_empty")
        return
    try:
        transaction(
            runtime.engine,
            lambda session: checkins.save_note(
                session=session,
                round_key=round_key,
                slack_id=form.user,
                note=note,
                now=runtime.now(),
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_NOTE, error)
        return
    ack()
    channel, ts = slack_id(meta.get("channel")), slack_id(meta.get("ts"))
    redraw(form.user, round_key, channel, ts, runtime=runtime)


def consent(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Consent to an HR follow-up: HR gets a copy."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    round_key = click.value
    with click.refusing():
        copies = transaction(
            runtime.engine,
            lambda session: checkins.consent(
                session=session,
                round_key=round_key,
                slack_id=click.user,
                now=runtime.now(),
                channel=where(body)[0],
            ),
        )
        runtime.send(copies)
        redraw(click.user, round_key, *where(body), runtime=runtime)


def withdraw(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """ "Withdraw my request": every HR copy is redrawn without scores or note."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    round_key = click.value
    with click.refusing():
        copies = transaction(
            runtime.engine,
            lambda session: checkins.withdraw(
                session=session,
                round_key=round_key,
                slack_id=click.user,
                now=runtime.now(),
                channel=where(body)[0],
            ),
        )
        runtime.submit(update_when_sent, runtime.jobs, copies)
        redraw(click.user, round_key, *where(body), runtime=runtime)


def stop(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Stop check-ins: the message says so, and open requests to HR are withdrawn."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        copies = transaction(
            runtime.engine,
            lambda session: checkins.stop_checkins(
                session=session, slack_id=click.user, now=runtime.now()
            ),
        )
        runtime.submit(update_when_sent, runtime.jobs, copies)
        message = blocks.build_stopped(click.lang)
        channel, ts = where(body)
        if channel and ts:
            runtime.submit(runtime.updater.chat_update, channel=channel, ts=ts, **message)


def resume(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Resume check-ins (from the Home tab, which is published again)."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    try:
        set_opt_out(click.user, False, runtime=runtime)
    except DomainError:
        return
    runtime.submit(publish, runtime, click.user)


def set_opt_out(user: str, opt_out: bool, *, runtime: Runtime) -> None:
    transaction(
        runtime.engine,
        lambda session: checkins.set_opt_out(
            session=session, slack_id=user, opt_out=opt_out, now=runtime.now()
        ),
    )


def contacted(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """HR's "Contacted" on a follow-up: every copy of it shows who and when."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    user, followup = click.user, click.number

    def work(session: Session) -> list[int]:
        if not people.has_role(session, user, ROLE_HR):
            raise DomainError("checkin.hr_only")
        if followup is None:
            raise DomainError("checkin.no_followup")
        return checkins.mark_contacted(
            session=session, followup_id=followup, hr_id=user, now=runtime.now()
        )

    with click.refusing():
        for delivery_id in transaction(runtime.engine, work):
            runtime.submit(update_message, runtime.jobs, delivery_id)


def register(app: App, runtime: Runtime) -> None:
    app.action(re.compile(blocks.ANSWER_LISTEN))(bind(answer, runtime=runtime))
    app.action(blocks.A_NOTE)(bind(note_button, runtime=runtime))
    app.view(blocks.V_NOTE)(bind(note_submitted, runtime=runtime))
    app.action(blocks.A_CONSENT)(bind(consent, runtime=runtime))
    app.action(blocks.A_STOP)(bind(stop, runtime=runtime))
    app.action(blocks.A_RESUME)(bind(resume, runtime=runtime))
    app.action(blocks.A_CONTACTED)(bind(contacted, runtime=runtime))
    app.action(blocks.A_WITHDRAW)(bind(withdraw, runtime=runtime))
