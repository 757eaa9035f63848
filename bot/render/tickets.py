"""Ticket messages from the current state: the agent's card, the channel mirror, the reporter's
and the agent's notices, and the warning before a resource claim expires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import Session

from bot.blocks.common import format_time
from bot.blocks.tickets import (
    build_agent_notice,
    build_claim_expiring,
    build_reporter_notice,
    build_ticket_card,
    build_ticket_mirror,
    card_buttons,
)
from bot.blocks.tickets.conversation import build_ticket_home
from bot.render.common import reader
from bot.render.csat import with_rating
from jobs.context import CannotRender, JobSettings, Rendered
from storage import people, sla_alerts, tickets
from storage.models import STATE_RESOLVED, Claim, Delivery, Resource

TICKET_TEMPLATES = (
    tickets.T_CARD,
    tickets.T_MIRROR,
    tickets.T_REPORTER,
    tickets.T_NOTICE,
    tickets.T_HOME,
)


def render_tickets(
    session: Session, rows: Sequence[Delivery], settings: JobSettings
) -> list[Rendered | CannotRender]:
    """Every ticket template, rows of one batch together: the tickets and readers they need
    are read in two statements."""
    snaps = tickets.snapshots(session, {_number(row) for row in rows})
    defaults = (settings.language, settings.timezone)
    readers = people.readers(session, {row.recipient for row in rows}, *defaults)
    results: list[Rendered | CannotRender] = []
    # the deadlines the cards and ticket DMs of the batch show, read and counted once
    deadline_of = {_number(r) for r in rows if r.template in (tickets.T_CARD, tickets.T_HOME)}
    views = {}
    if deadline_of & snaps.keys():
        policy = sla_alerts.policy_of(session, settings)
        shown = [(snaps[n].ticket, snaps[n].events) for n in sorted(deadline_of & snaps.keys())]
        views = sla_alerts.views_of(session, policy, shown)
    for row in rows:
        snap = snaps.get(_number(row))
        if snap is None:
            results.append(CannotRender(f"ticket {_number(row)} is gone"))
            continue
        lang, tz = readers.get(row.recipient, defaults)
        if row.template in (tickets.T_CARD, tickets.T_HOME):  # they show the deadline
            snap = replace(snap, sla=views.get(_number(row)))
        if row.template == tickets.T_HOME:  # and the reporter's asks "How did we do?"
            snap = with_rating(session, snap)
        results.append(_ticket(session, row, snap, settings, lang, tz))
    return results


def _number(row: Delivery) -> int:
    return int(row.params.get("ticket", row.ticket_id or 0))


def _ticket(
    session: Session,
    row: Delivery,
    snap: tickets.Snapshot,
    settings: JobSettings,
    lang: str,
    tz: str,
) -> Rendered:
    version = snap.ticket.version
    if row.template == tickets.T_MIRROR:
        # the channel is read by many: the workspace's language and clock
        return Rendered(
            build_ticket_mirror(snap, lang=settings.language, tz=settings.timezone), version
        )
    if row.template == tickets.T_CARD:
        may_act = row.recipient == snap.ticket.agent_id or (
            snap.ticket.agent_id is None and tickets.may_act(session, snap.ticket, row.recipient)
        )
        buttons = card_buttons(snap.ticket, recipient_may_act=may_act)
        return Rendered(build_ticket_card(snap, lang=lang, tz=tz, buttons=buttons), version)
    if row.template == tickets.T_HOME:
        can_reopen = _can_reopen(snap)
        return Rendered(build_ticket_home(snap, lang=lang, tz=tz, can_reopen=can_reopen), version)
    what = str(row.params.get("what"))
    if row.template == tickets.T_NOTICE:
        return Rendered(build_agent_notice(snap, what, params=row.params, lang=lang), version)
    agent = row.params.get("agent")
    can_reopen = _can_reopen(snap)
    split = str(row.params.get("split") or "")
    message = build_reporter_notice(
        snap,
        what,
        agent=str(agent) if agent else None,
        lang=lang,
        tz=tz,
        can_reopen=can_reopen,
        split=split if split and tickets.still_joined(session, split) else None,
    )
    return Rendered(message, version)


def _can_reopen(snap: tickets.Snapshot) -> bool:
    """Resolved and not yet closed for good (REKAN_CLOSE_AFTER)."""
    return snap.ticket.state == STATE_RESOLVED and snap.ticket.closed_at is None


def render_claim_expiring(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    claim = session.get(Claim, int(row.params.get("claim", 0)))
    if claim is None:
        raise CannotRender("claim is gone")
    resource = session.get(Resource, claim.resource_id)
    lang, tz = reader(session, row.recipient, settings)
    return Rendered(
        build_claim_expiring(
            resource.name if resource else "-",
            claim.ticket_id,
            format_time(claim.expires_at, tz, lang),
            lang,
        )
    )
