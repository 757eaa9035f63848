"""`/lapor` and the ticket buttons and modals. Each listener does at most one short
transaction, acknowledges with what the person should see, and leaves Slack calls to the
runtime's worker pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import commands
from bot.blocks import tickets as blocks
from bot.blocks.common import build_message_view, build_text_message, format_time, mention
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
from bot.runtime import Runtime
from jobs import metrics
from storage import claims, pending_forms, people, resources, tickets
from storage.calendar import working_seconds
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.matching import Report
from storage.models import Ticket

log = logging.getLogger(__name__)


_number = parse_number  # one parser for every clicked or typed number


def _value(values: dict[str, Any], block: str) -> str | None:
    entry = dict_of(dict_of(values.get(block)).get(blocks.FIELD))
    if entry.get("type") == "static_select" or "selected_option" in entry:
        value = dict_of(entry.get("selected_option")).get("value")
    else:
        value = entry.get("value")
    return value if isinstance(value, str) else None


def validate_form(
    values: dict[str, Any], lang: str
) -> tuple[dict[str, str], dict[str, str | None]]:
    """Field errors (block id → message) and the cleaned values of the /lapor form."""
    summary = (_value(values, blocks.B_SUMMARY) or "").strip()
    details = (_value(values, blocks.B_DETAILS) or "").strip() or None
    location = (_value(values, blocks.B_LOCATION) or "").strip() or None
    category = _value(values, blocks.B_CATEGORY)
    urgency = _value(values, blocks.B_URGENCY)
    errors: dict[str, str] = {}
    for block, typed in ((blocks.B_DETAILS, details), (blocks.B_LOCATION, location)):
        if typed and "\x00" in typed:
            errors[block] = t("input.bad_character", lang)
    if "\x00" in summary:
        errors[blocks.B_SUMMARY] = t("input.bad_character", lang)
    elif not summary:
        errors[blocks.B_SUMMARY] = t("form.summary_required", lang)
    elif len(summary) > tickets.SUMMARY_MAX:
        errors[blocks.B_SUMMARY] = t(
            "form.too_long", lang, limit=tickets.SUMMARY_MAX, length=len(summary)
        )
    if details and len(details) > tickets.DETAILS_MAX:
        errors[blocks.B_DETAILS] = t(
            "form.too_long", lang, limit=tickets.DETAILS_MAX, length=len(details)
        )
    if location and len(location) > tickets.LOCATION_MAX:
        errors[blocks.B_LOCATION] = t(
            "form.too_long", lang, limit=tickets.LOCATION_MAX, length=len(location)
        )
    if category is not None and category not in tickets.CATEGORIES:
        errors[blocks.B_CATEGORY] = t("form.bad_choice", lang)
    if urgency is not None and urgency not in tickets.URGENCIES:
        errors[blocks.B_URGENCY] = t("form.bad_choice", lang)
    cleaned = {
        "summary": summary,
        "details": details,
        "location": location,
        "category": category,
        "urgency": urgency,
    }
    return errors, cleaned


@dataclass
class Reply:
    """What a /lapor command acknowledges with, and what to send after."""

    message: dict[str, Any]
    deliveries: list[int] = field(default_factory=list)
    refresh: int | None = None


def hours_text(seconds: int, lang: str) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return (
        t("time.hours_minutes", lang, hours=hours, minutes=minutes)
        if minutes
        else t("time.hours", lang, hours=hours)
    )


def filed_message(outcome: tickets.Outcome, lang: str) -> dict[str, Any]:
    return blocks.build_filed(
        outcome.ticket,
        lang,
        repeat=not outcome.created and not outcome.repeat,
        joined=outcome.repeat,
    )


def confirmation(kind: str, ticket: Ticket, lang: str) -> str:
    n = f"#{ticket.id}"
    if kind == "escalate" and not ticket.agent_id:
        return t("cmd.escalated_waiting", lang, number=n)
    return t(f"cmd.{kind}", lang, number=n, agent=mention(ticket.agent_id))


def register(app: App, runtime: Runtime) -> None:
    rt = runtime

    def conflict_message(conflict: claims.ClaimConflict, user: str) -> dict[str, Any]:
        lang, tz = rt.reader(user)
        p = conflict.params
        return blocks.build_claim_conflict(
            int(p["ticket"]),
            resource=str(p["resource"]),
            agent=str(p["agent"]),
            held_on=int(p["number"]),
            since=format_time(p["since"], tz, lang),
            lang=lang,
        )

    def refuse(respond: Respond, text: str) -> None:
        """An ephemeral answer in the conversation where the click happened."""
        rt.answer(respond, text)

    def file(
        user: str, name: str, source_key: str, *, pending: int | None = None, **fields: Any
    ) -> tuple[tickets.Outcome, str]:
        """File in one transaction; also returns the reporter's language, read in it. When
        the same filing reached another thread or instance at the same moment, its
        transaction won, and the retry finds the ticket it made. `pending`: the kept form
        whose fields are filed."""

        def work(session: Any) -> tuple[tickets.Outcome, str]:
            form = fields
            if pending is not None:
                kept = pending_forms.fields_of(session, pending, user)
                if kept is None:
                    raise DomainError("form.expired")
                form = {**fields, **kept}
            outcome = tickets.file_ticket(
                session=session,
                reporter_id=user,
                reporter_name=name,
                source_key=source_key,
                now=rt.now(),
                triage_channel=rt.settings.triage_channel,
                repeat_window=timedelta(seconds=rt.settings.repeat_window_seconds),
                repeat_threshold=rt.settings.repeat_threshold,
                **form,
            )
            return outcome, people.reader(
                session, user, rt.settings.language, rt.settings.timezone
            )[0]

        outcome, lang = transaction(rt.engine, work)
        if outcome.created or outcome.repeat:
            metrics.TICKETS.labels("repeat" if outcome.repeat else "filed").inc()
        return outcome, lang

    def lapor(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user = user_of(body) or ""
        command = commands.parse(string(body.get("text")))
        # the command's text is what the form caps at SUMMARY_MAX (a new ticket) or a note
        limit = tickets.SUMMARY_MAX if command.kind == "file" else tickets.DETAILS_MAX
        problem = text_problem(command.rest, limit)
        if problem is not None:
            ack(**build_text_message(t(problem[0], rt.language_of(user), **problem[1])))
            return
        if command.kind == "file":
            # The busiest request: one transaction, the reporter's language read inside it.
            try:
                outcome, lang = file(
                    user,
                    body.get("user_name", ""),
                    f"cmd:{body.get('trigger_id')}",
                    summary=command.rest,
                )
            except DomainError as error:
                ack(**build_text_message(rt.explain(error, user)))
                return
            ack(**filed_message(outcome, lang))
            rt.send(outcome.deliveries)
            return
        lang = rt.language_of(user)
        if command.kind == "form":
            if not string(body.get("trigger_id")):
                ack(**build_text_message(t("error.generic", lang)))
                return
            ack()
            rt.urgent(
                client.views_open,
                trigger_id=body["trigger_id"],
                view=blocks.build_lapor_modal(lang),
            )
            return
        try:
            reply = dispatch(command, user, lang, body)
        except DomainError as error:
            ack(**build_text_message(rt.explain(error, user)))
            return
        ack(**reply.message)
        rt.send(reply.deliveries, refresh_ticket=reply.refresh)

    def dispatch(command: commands.Command, user: str, lang: str, body: dict[str, Any]) -> Reply:
        """Carry out one parsed /lapor command in one transaction."""
        kind, number = command.kind, command.number
        now = rt.now()
        if kind == "help":
            return Reply(build_text_message(t("lapor.help", lang)))
        if kind == "claims":
            with session_scope(rt.engine) as session:
                if people.agent_tier(session, user) is None and not tickets.is_admin(session, user):
                    raise DomainError("lapor.claims_agents_only")
                held = claims.listing(session, now=now)
            return Reply(blocks.build_claims(held, lang=lang, tz=rt.reader(user)[1]))
        if kind in ("status", "queue", "show"):
            with session_scope(rt.engine) as session:
                if kind == "status":
                    return Reply(
                        blocks.build_status(
                            tickets.list_tickets(session, open_only=True, reporter=user), lang
                        )
                    )
                if kind == "queue":
                    if people.agent_tier(session, user) is None:
                        raise DomainError("lapor.not_agent")
                    return Reply(blocks.build_queue(tickets.queue(session, user), lang))
                assert number is not None
                snap = tickets.view(session, number, user)
            return Reply(blocks.build_ticket_detail(snap, lang=lang, tz=rt.reader(user)[1]))
        reply, counted = transaction(
            rt.engine, lambda session: change(command, user, lang, body, session)
        )
        if counted:
            metrics.TICKETS.labels("escalated" if kind == "escalate" else "resolved").inc()
        return reply

    def change(
        command: commands.Command, user: str, lang: str, body: dict[str, Any], session: Any
    ) -> tuple[Reply, bool]:
        """The state-changing /lapor commands, in the caller's transaction; also whether the
        escalation or resolution is counted."""
        kind, number, rest = command.kind, command.number, command.rest
        now = rt.now()
        if kind in ("away", "back"):
            people.ensure(session, user, now=now, name=body.get("user_name", ""))
            if kind == "away":
                people.set_away(session=session, slack_id=user, now=now)
                return Reply(build_text_message(t("cmd.away", lang))), False
            people.set_back(session=session, slack_id=user, now=now)
            handed = tickets.assign_waiting(session=session, now=now)
            return Reply(
                build_text_message(t("cmd.back", lang)),
                [d for o in handed for d in o.deliveries],
            ), False
        assert number is not None
        if kind == "take":
            try:
                outcome = tickets.take(
                    session=session,
                    number=number,
                    actor=user,
                    now=now,
                    claim_hours=rt.settings.claim_hours,
                )
            except claims.ClaimConflict as conflict:
                return Reply(conflict_message(conflict, user)), False
        elif kind == "resolve":
            outcome = tickets.resolve(
                session=session, number=number, actor=user, resolution=rest, now=now
            )
        elif kind == "reopen":
            outcome = tickets.reopen(session=session, number=number, actor=user, now=now, note=rest)
        elif kind == "cancel":
            outcome = tickets.cancel(session=session, number=number, actor=user, now=now)
        elif kind == "escalate":
            ticket = tickets.get(session, number)
            if ticket.reporter_id == user and not tickets.may_act(session, ticket, user):
                return escalation_request(session, ticket, user, rest, lang), False
            outcome = tickets.escalate(
                session=session, number=number, actor=user, note=rest, now=now
            )
        else:
            raise DomainError("lapor.unknown_command")
        reply = Reply(
            build_text_message(confirmation(kind, outcome.ticket, lang)), outcome.deliveries, number
        )
        return reply, kind in ("escalate", "resolve")

    def escalation_request(session: Any, ticket: Any, user: str, reason: str, lang: str) -> Reply:
        now = rt.now()
        settings = rt.settings
        waited = working_seconds(
            ticket.created_at,
            now,
            tz=settings.tz,
            work_start=settings.work_start,
            work_end=settings.work_end,
        )
        request = tickets.request_escalation(
            session=session,
            number=ticket.id,
            actor=user,
            reason=reason,
            now=now,
            waited_enough=waited >= settings.escalate_after_seconds,
        )
        moved = request.outcome.ticket
        params = {
            "number": f"#{moved.id}",
            "agent": mention(moved.agent_id),
            "limit": hours_text(settings.escalate_after_seconds, lang),
            "waited": hours_text(int(waited), lang),
        }
        if request.escalated:
            key = "cmd.escalation_done" if moved.agent_id else "cmd.escalation_done_waiting"
        else:
            key = "cmd.escalation_requested"
        return Reply(
            build_text_message(t(key, lang, **params)), request.outcome.deliveries, moved.id
        )

    def form_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user is None:
            ack()
            return
        lang = rt.language_of(user)
        errors, fields = validate_form(state_values(view), lang)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        with session_scope(rt.engine, write=True) as session:
            resource = resources.named_in(
                session, fields["location"], fields["summary"], fields["details"]
            )
            text = " ".join(str(fields[k]) for k in ("summary", "details") if fields[k])
            looks_like = tickets.find_repeat(
                session,
                reporter_id=user,
                now=rt.now(),
                report=Report(
                    text, fields["category"], frozenset({resource}) if resource else frozenset()
                ),
                window=timedelta(seconds=rt.settings.repeat_window_seconds),
                threshold=rt.settings.repeat_threshold,
            )
            pending = (
                pending_forms.keep(session=session, reporter_id=user, fields=fields, now=rt.now())
                if looks_like is not None
                else None
            )
        if looks_like is not None and pending is not None:
            ack(
                response_action="update",
                view=blocks.build_repeat_choice(looks_like, pending, lang),
            )
            return
        try:
            form: dict[str, Any] = dict(fields)
            outcome, _ = file(user, body["user"].get("name", ""), f"view:{view.get('id')}", **form)
        except DomainError as error:
            ack(response_action="errors", errors={blocks.B_SUMMARY: rt.explain(error, user)})
            return
        ack(
            response_action="update",
            view=blocks.build_filed_view(outcome.ticket, lang, joined=outcome.repeat),
        )
        rt.send(outcome.deliveries)

    def button(action: Callable[..., tickets.Outcome]) -> Callable[..., None]:
        """A click that moves the ticket at once (Take, Reopen)."""

        def listener(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            user = user_of(body)
            if user is None:
                return
            lang = rt.language_of(user)
            clicked = first_action(body)
            number = _number(clicked.get("value"))
            if number is None:
                refuse(respond, t("ticket.bad_button", lang))
                return
            try:
                outcome = transaction(
                    rt.engine,
                    lambda session: action(
                        session=session, number=number, actor=user, now=rt.now()
                    ),
                )
            except claims.ClaimConflict as conflict:
                message = conflict_message(conflict, user)
                rt.urgent(respond, response_type="ephemeral", replace_original=False, **message)
                return
            except DomainError as error:
                refuse(respond, rt.explain(error, user))
                return
            rt.send(outcome.deliveries, refresh_ticket=number)

        return listener

    def note_button(kind: str, check: Callable[..., None]) -> Callable[..., None]:
        """Escalate and Resolve: check first, then ask for the note in a modal."""

        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            user = user_of(body)
            if user is None:
                return
            lang = rt.language_of(user)
            number = _number(first_action(body).get("value"))
            if number is None or not string(body.get("trigger_id")):
                refuse(respond, t("ticket.bad_button", lang))
                return
            try:
                with session_scope(rt.engine) as session:
                    ticket = tickets.get(session, number)
                    check(session, ticket, user)
            except DomainError as error:
                refuse(respond, rt.explain(error, user))
                return
            rt.urgent(
                client.views_open,
                trigger_id=body["trigger_id"],
                view=blocks.build_note_modal(kind, ticket, lang),
            )

        return listener

    def note_submitted(kind: str) -> Callable[..., None]:
        def listener_view(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            user = user_of(body)
            if user is None:
                ack()
                return
            lang = rt.language_of(user)
            note = (_value(state_values(view), blocks.B_NOTE) or "").strip()
            try:
                number = _number(metadata(view).get("ticket"))
            except (ValueError, AttributeError):
                number = None
            if number is None:
                ack(response_action="errors", errors={blocks.B_NOTE: t("ticket.bad_button", lang)})
                return
            problem = text_problem(note, tickets.DETAILS_MAX)
            if problem is not None:
                ack(
                    response_action="errors",
                    errors={blocks.B_NOTE: t(problem[0], lang, **problem[1])},
                )
                return
            if not note:
                key = "ticket.note_required" if kind == "escalate" else "ticket.resolution_required"
                ack(response_action="errors", errors={blocks.B_NOTE: t(key, lang)})
                return

            def move(session: Any) -> tickets.Outcome:
                if kind == "escalate":
                    return tickets.escalate(
                        session=session, number=number, actor=user, note=note, now=rt.now()
                    )
                return tickets.resolve(
                    session=session, number=number, actor=user, resolution=note, now=rt.now()
                )

            try:
                outcome = transaction(rt.engine, move)
            except DomainError as error:
                ack(response_action="errors", errors={blocks.B_NOTE: rt.explain(error, user)})
                return
            ack()
            metrics.TICKETS.labels("escalated" if kind == "escalate" else "resolved").inc()
            rt.send(outcome.deliveries, refresh_ticket=number)

        return listener_view

    def take_anyway(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        lang = rt.language_of(user)
        number = _number(first_action(body).get("value"))
        if number is None:
            refuse(respond, t("ticket.bad_button", lang))
            return
        try:
            outcome = transaction(
                rt.engine,
                lambda session: tickets.take(
                    session=session,
                    number=number,
                    actor=user,
                    now=rt.now(),
                    confirm=True,
                    claim_hours=rt.settings.claim_hours,
                ),
            )
        except DomainError as error:
            rt.answer(respond, rt.explain(error, user), replace=True)
            return
        rt.answer(
            respond, t("cmd.take", lang, number=f"#{number}", agent=mention(user)), replace=True
        )
        rt.send(outcome.deliveries, refresh_ticket=number)

    def leave_it(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        rt.answer(respond, t("claim.left", rt.language_of(body["user"]["id"])), replace=True)

    def more(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """The card's overflow menu: mark as a duplicate of another ticket."""
        ack()
        user = user_of(body)
        if user is None:
            return
        lang = rt.language_of(user)
        selected = dict_of(first_action(body).get("selected_option")).get("value", "")
        kind, _, raw = str(selected).partition(":")
        number = _number(raw)
        if kind != "merge" or number is None or not string(body.get("trigger_id")):
            refuse(respond, t("ticket.bad_button", lang))
            return
        try:
            with session_scope(rt.engine) as session:
                ticket = tickets.get(session, number)
                tickets.check_resolve(session, ticket, user)
        except DomainError as error:
            refuse(respond, rt.explain(error, user))
            return
        rt.urgent(
            client.views_open,
            trigger_id=body["trigger_id"],
            view=blocks.build_merge_modal(ticket, lang),
        )

    def merge_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user is None:
            ack()
            return
        lang = rt.language_of(user)
        raw = _value(state_values(view), blocks.B_TARGET) or ""
        into = _number(raw.strip())
        try:
            number = _number(metadata(view).get("ticket"))
        except (ValueError, AttributeError):
            number = None
        if number is None or into is None:
            ack(response_action="errors", errors={blocks.B_TARGET: t("merge.bad_number", lang)})
            return
        try:
            outcome = transaction(
                rt.engine,
                lambda session: tickets.merge(
                    session=session, number=number, into=into, actor=user, now=rt.now()
                ),
            )
        except DomainError as error:
            ack(response_action="errors", errors={blocks.B_TARGET: rt.explain(error, user)})
            return
        ack()
        rt.send(outcome.deliveries, refresh_ticket=number)
        rt.send([], refresh_ticket=into)

    def repeat_choice(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The form's "add to #N" or "file a new ticket anyway"."""
        ack()
        user = user_of(body)
        if user is None:
            return
        lang = rt.language_of(user)
        view = dict_of(body.get("view"))
        view_id = slack_id(view.get("id"))
        if view_id is None:
            return
        pending = _number(metadata(view).get("pending"))
        action = first_action(body)
        add = action.get("action_id") == blocks.A_REPEAT_ADD
        try:
            if pending is None:
                raise DomainError("form.expired")
            outcome, _ = file(
                user,
                string(dict_of(body.get("user")).get("name")),
                f"view:{view_id}",
                pending=pending,
                into=_number(action.get("value")) if add else None,
                force_new=not add,
            )
        except DomainError as error:
            rt.urgent(
                client.views_update,
                view_id=view_id,
                view=build_message_view(t("form.title", lang), rt.explain(error, user), lang),
            )
            return
        rt.urgent(
            client.views_update,
            view_id=view_id,
            view=blocks.build_filed_view(outcome.ticket, lang, joined=outcome.repeat),
        )
        rt.send(outcome.deliveries, refresh_ticket=outcome.ticket.id if outcome.repeat else None)

    app.command("/lapor")(lapor)
    app.action(blocks.A_TAKE_CONFIRM)(take_anyway)
    app.action(blocks.A_TAKE_LEAVE)(leave_it)
    app.action(blocks.A_MORE)(more)
    app.view(blocks.V_MERGE)(merge_submitted)
    app.action(blocks.A_REPEAT_ADD)(repeat_choice)
    app.action(blocks.A_REPEAT_NEW)(repeat_choice)
    app.view(blocks.V_FORM)(form_submitted)
    app.action(blocks.A_TAKE)(button(tickets.take))
    app.action(blocks.A_REOPEN)(button(tickets.reopen))
    app.action(blocks.A_ESCALATE)(note_button("escalate", tickets.check_escalate))
    app.action(blocks.A_RESOLVE)(note_button("resolve", tickets.check_resolve))
    app.view(blocks.V_ESCALATE)(note_submitted("escalate"))
    app.view(blocks.V_RESOLVE)(note_submitted("resolve"))
