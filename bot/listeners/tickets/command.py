"""`/lapor` and its subcommands: file a ticket from the text, open the form, show status,
queue, claims or a ticket, and the state-changing words (take, escalate, resolve, reopen,
cancel, away, back). One short transaction, and the ack carries what the person sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from sqlmodel import Session

from bot import commands
from bot.blocks import tickets as blocks
from bot.blocks.common import build_text_message, mention
from bot.blocks.outages import build_linked
from bot.i18n import t
from bot.listeners import outages
from bot.listeners._common import string, text_problem, user_of
from bot.listeners.tickets._shared import conflict_message, counted, escalate_or_resolve, file
from bot.runtime import Runtime
from storage import categories, claims, people, tickets
from storage.calendar import working_seconds
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.models import Ticket
from storage.outages import views as outage_views


@dataclass
class Reply:
    """What a /lapor command acknowledges with, and what to send after."""

    message: dict[str, Any]
    deliveries: list[int] = field(default_factory=list)
    refresh: int | None = None
    redraw_prefixes: list[str] = field(default_factory=list)
    redraw_tickets: list[int] = field(default_factory=list)


def hours_text(seconds: int, lang: str) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return (
        t("time.hours_minutes", lang, hours=hours, minutes=minutes)
        if minutes
        else t("time.hours", lang, hours=hours)
    )


def filed_message(
    outcome: tickets.Outcome, lang: str, source_key: str | None = None, tz: str = "Asia/Jakarta"
) -> dict[str, Any]:
    """The reporter's ack: a report linked to a known outage says so (with "My problem is
    different"); a silent join offers to split it out again (by its source key); a possible
    repeat offers to merge it."""
    if outcome.outage_view is not None:
        return build_linked(outcome.outage_view, outcome.ticket.id or 0, lang=lang, tz=tz)
    return blocks.build_filed(
        outcome.ticket,
        lang,
        repeat=not outcome.created and not outcome.repeat,
        joined=outcome.repeat,
        split_key=source_key if outcome.repeat else None,
        suggested=outcome.suggested,
    )


def confirmation(kind: str, ticket: Ticket, lang: str) -> str:
    n = f"#{ticket.id}"
    if kind == "escalate" and not ticket.agent_id:
        return t("cmd.escalated_waiting", lang, number=n)
    return t(f"cmd.{kind}", lang, number=n, agent=mention(ticket.agent_id))


def lapor(ack: Ack, body: dict[str, Any], client: WebClient, *, runtime: Runtime) -> None:
    """`/lapor [text]`: a new ticket from the text, the form when there is none, else a
    subcommand."""
    user = user_of(body) or ""
    command = commands.parse(string(body.get("text")))
    # the command's text is what the form caps at SUMMARY_MAX (a new ticket) or a note
    limit = tickets.SUMMARY_MAX if command.kind == "file" else tickets.DETAILS_MAX
    problem = text_problem(command.rest, limit)
    if problem is not None:
        ack(**build_text_message(t(problem[0], runtime.language_of(user), **problem[1])))
        return
    if command.kind == "file":
        # The busiest request: one transaction, the reporter's language read inside it.
        source_key = f"cmd:{body.get('trigger_id')}"
        try:
            outcome, lang = file(
                user, body.get("user_name", ""), source_key, runtime=runtime, summary=command.rest
            )
        except DomainError as error:
            ack(**build_text_message(runtime.explain(error, user)))
            return
        tz = runtime.reader(user)[1] if outcome.outage_view else runtime.settings.timezone
        ack(**filed_message(outcome, lang, source_key, tz))
        runtime.send(outcome.deliveries)
        return
    lang = runtime.language_of(user)
    if command.kind == "form":
        if not string(body.get("trigger_id")):
            ack(**build_text_message(t("error.generic", lang)))
            return
        with session_scope(runtime.engine) as session:
            choices = [
                (c.key, c.text_en if lang == "en" else c.text_id)
                for c in categories.listing(session)
            ]
        ack()
        runtime.urgent(
            client.views_open,
            trigger_id=body["trigger_id"],
            view=blocks.build_lapor_modal(lang, choices),
        )
        return
    try:
        reply = dispatch(command, user, lang, body, runtime=runtime)
    except DomainError as error:
        ack(**build_text_message(runtime.explain(error, user)))
        return
    ack(**reply.message)
    runtime.send(reply.deliveries, refresh_ticket=reply.refresh)
    runtime.redraw(prefixes=reply.redraw_prefixes, tickets=reply.redraw_tickets)


def dispatch(
    command: commands.Command, user: str, lang: str, body: dict[str, Any], *, runtime: Runtime
) -> Reply:
    """Carry out one parsed /lapor command in one transaction."""
    kind, number = command.kind, command.number
    now = runtime.now()
    if kind == "help":
        return Reply(build_text_message(t("lapor.help", lang)))
    if kind == "claims":
        with session_scope(runtime.engine) as session:
            if people.agent_tier(session, user) is None and not tickets.is_admin(session, user):
                raise DomainError("lapor.claims_agents_only")
            held = claims.listing(session, now=now)
        return Reply(blocks.build_claims(held, lang=lang, tz=runtime.reader(user)[1]))
    if kind == "outage":
        assert number is not None
        declared = outages.declare_ticket(runtime, user, number, command.rest)
        with session_scope(runtime.engine) as session:
            title = outage_views.get(session, declared.outage_id or 0).title
        text = t(
            "outage.declared_ack",
            lang,
            number=f"{declared.outage_id}",
            title=title,
            count=len(declared.tickets),
        )
        return Reply(
            build_text_message(text),
            declared.deliveries,
            redraw_prefixes=declared.prefixes,
            redraw_tickets=declared.tickets,
        )
    if kind in ("status", "queue", "show"):
        with session_scope(runtime.engine) as session:
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
        return Reply(blocks.build_ticket_detail(snap, lang=lang, tz=runtime.reader(user)[1]))
    reply, moved = transaction(
        runtime.engine,
        lambda session: change(command, user, lang, body, session, runtime=runtime),
    )
    if moved:
        counted(kind)
    return reply


def change(
    command: commands.Command,
    user: str,
    lang: str,
    body: dict[str, Any],
    session: Session,
    *,
    runtime: Runtime,
) -> tuple[Reply, bool]:
    """The state-changing /lapor commands, in the caller's transaction; also whether the
    escalation or resolution is counted."""
    kind, number, rest = command.kind, command.number, command.rest
    now = runtime.now()
    if kind in ("away", "back"):
        people.ensure(session, user, now=now, name=body.get("user_name", ""))
        if kind == "away":
            people.set_away(session=session, slack_id=user, now=now)
            return Reply(build_text_message(t("cmd.away", lang))), False
        handed = tickets.agent_back(session=session, slack_id=user, now=now)
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
                claim_hours=runtime.settings.claim_hours,
            )
        except claims.ClaimConflict as conflict:
            return Reply(conflict_message(conflict, user, runtime=runtime)), False
    elif kind == "reopen":
        outcome = tickets.reopen(session=session, number=number, actor=user, now=now, note=rest)
    elif kind == "cancel":
        outcome = tickets.cancel(session=session, number=number, actor=user, now=now)
    elif kind in ("escalate", "resolve"):
        if kind == "escalate":
            ticket = tickets.get(session, number)
            if ticket.reporter_id == user and not tickets.may_act(session, ticket, user):
                return escalation_request(session, ticket, user, rest, lang, runtime=runtime), False
        outcome = escalate_or_resolve(
            session, kind=kind, number=number, actor=user, note=rest, now=now
        )
    else:
        raise DomainError("lapor.unknown_command")
    reply = Reply(
        build_text_message(confirmation(kind, outcome.ticket, lang)), outcome.deliveries, number
    )
    return reply, kind in ("escalate", "resolve")


def escalation_request(
    session: Session, ticket: Ticket, user: str, reason: str, lang: str, *, runtime: Runtime
) -> Reply:
    """The reporter asks to escalate their own ticket: done at once when it has waited
    longer than the company allows (working hours), else the agent is asked."""
    now = runtime.now()
    settings = runtime.settings
    waited = working_seconds(
        ticket.created_at,
        now,
        tz=settings.tz,
        work_start=settings.work_start,
        work_end=settings.work_end,
    )
    request = tickets.request_escalation(
        session=session,
        number=ticket.id or 0,  # a stored ticket has its id
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
    return Reply(build_text_message(t(key, lang, **params)), request.outcome.deliveries, moved.id)
