"""Check-in clicks: answers, the note, consent to an HR follow-up, stopping and resuming,
and HR's "Contacted". Health data: nothing here logs a person together with a score."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import checkins as blocks
from bot.i18n import t
from bot.listeners._common import (
    dict_of,
    first_action,
    metadata,
    parse_number,
    slack_id,
    state_values,
    string,
    text_problem,
    user_of,
)
from bot.render.checkins import checkin_view
from bot.runtime import Runtime
from jobs.updates import update_message
from storage import checkins, people
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.models import ROLE_HR

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    rt = runtime

    def refuse(respond: Respond, user: str, error: DomainError) -> None:
        rt.answer(respond, rt.explain(error, user))

    def redraw(user: str, round_key: str, channel: str | None, ts: str | None) -> None:
        """Show what was recorded in the message that was clicked."""
        if not channel or not ts:
            return
        with session_scope(rt.engine) as session:
            view = checkin_view(session, round_key, user, rt.settings, now=rt.now())
        message = blocks.build_checkin(view)
        rt.urgent(
            rt.updater.chat_update,
            channel=channel,
            ts=ts,
            text=message["text"],
            blocks=message["blocks"],
        )

    def where(body: dict[str, Any]) -> tuple[str | None, str | None]:
        container = dict_of(body.get("container"))
        channel = slack_id(container.get("channel_id")) or slack_id(
            dict_of(body.get("channel")).get("id")
        )
        return channel, slack_id(container.get("message_ts"))

    def answer(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        action = first_action(body)
        match = re.match(blocks.ANSWER_PATTERN, str(action.get("action_id")))
        round_key = string(action.get("value"))
        try:
            if match is None:
                raise DomainError("checkin.bad_value")
            question, score = match.group(1), int(match.group(2))
            transaction(
                rt.engine,
                lambda session: checkins.record(
                    session=session,
                    round_key=round_key,
                    slack_id=user,
                    question=question,
                    score=score,
                    now=rt.now(),
                    channel=where(body)[0],
                ),
            )
        except DomainError as error:
            refuse(respond, user, error)
            return
        redraw(user, round_key, *where(body))

    def note_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        lang = rt.language_of(user)
        round_key = string(first_action(body).get("value"))
        with session_scope(rt.engine) as session:
            allowed = checkins.was_sent(session, round_key, user, where(body)[0])
            current = checkins.note_of(session, round_key, user) if allowed else None
        if not allowed:
            refuse(respond, user, DomainError("checkin.not_yours"))
            return
        channel, ts = where(body)
        if not string(body.get("trigger_id")):
            refuse(respond, user, DomainError("checkin.bad_value"))
            return
        rt.urgent(
            client.views_open,
            trigger_id=body["trigger_id"],
            view=blocks.build_note_modal(round_key, channel or "", ts or "", current, lang),
        )

    def note_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user is None:
            ack()
            return
        try:
            meta = metadata(view)
            round_key = string(meta["round"])
        except (ValueError, KeyError, TypeError):
            ack(
                response_action="errors",
                errors={blocks.B_NOTE: t("checkin.no_round", rt.language_of(user))},
            )
            return
        note = string(
            state_values(view).get(blocks.B_NOTE, {}).get("value", {}).get("value")
        ).strip()
        problem = text_problem(note, checkins.NOTE_MAX)
        if problem is not None:
            lang = rt.language_of(user)
            ack(response_action="errors", errors={blocks.B_NOTE: t(problem[0], lang, **problem[1])})
            return
        if not note:
            ack(
                response_action="errors",
                errors={blocks.B_NOTE: t("checkin.note_empty", rt.language_of(user))},
            )
            return
        try:
            transaction(
                rt.engine,
                lambda session: checkins.save_note(
                    session=session, round_key=round_key, slack_id=user, note=note, now=rt.now()
                ),
            )
        except DomainError as error:
            ack(response_action="errors", errors={blocks.B_NOTE: rt.explain(error, user)})
            return
        ack()
        redraw(user, round_key, slack_id(meta.get("channel")), slack_id(meta.get("ts")))

    def consent(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        round_key = string(first_action(body).get("value"))
        try:
            copies = transaction(
                rt.engine,
                lambda session: checkins.consent(
                    session=session,
                    round_key=round_key,
                    slack_id=user,
                    now=rt.now(),
                    channel=where(body)[0],
                ),
            )
        except DomainError as error:
            refuse(respond, user, error)
            return
        rt.send(copies)
        redraw(user, round_key, *where(body))

    def stop(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        try:
            transaction(
                rt.engine,
                lambda session: checkins.set_opt_out(
                    session=session, slack_id=user, opt_out=True, now=rt.now()
                ),
            )
        except DomainError as error:
            refuse(respond, user, error)
            return
        message = blocks.build_stopped(rt.language_of(user))
        channel, ts = where(body)
        if channel and ts:
            rt.submit(rt.updater.chat_update, channel=channel, ts=ts, **message)

    def resume(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        try:
            transaction(
                rt.engine,
                lambda session: checkins.set_opt_out(
                    session=session, slack_id=user, opt_out=False, now=rt.now()
                ),
            )
        except DomainError:
            return
        from bot.listeners.home import publish

        rt.submit(publish, rt, user)

    def contacted(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        value = string(first_action(body).get("value"))
        try:

            def work(session: Any) -> list[int]:
                if not people.has_role(session, user, ROLE_HR):
                    raise DomainError("checkin.hr_only")
                followup = parse_number(value)
                if followup is None:
                    raise DomainError("checkin.no_followup")
                return checkins.mark_contacted(
                    session=session, followup_id=followup, hr_id=user, now=rt.now()
                )

            copies = transaction(rt.engine, work)
        except DomainError as error:
            refuse(respond, user, error)
            return
        for delivery_id in copies:
            rt.submit(update_message, rt.jobs, delivery_id)

    app.action(re.compile(blocks.ANSWER_LISTEN))(answer)
    app.action(blocks.A_NOTE)(note_button)
    app.view(blocks.V_NOTE)(note_submitted)
    app.action(blocks.A_CONSENT)(consent)
    app.action(blocks.A_STOP)(stop)
    app.action(blocks.A_RESUME)(resume)
    app.action(blocks.A_CONTACTED)(contacted)
