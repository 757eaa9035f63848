"""Turn an outbox row into the message to post, from the current state in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from bot.blocks.common import Message, format_time
from bot.blocks.tickets import (
    build_agent_notice,
    build_claim_expiring,
    build_reporter_notice,
    build_ticket_card,
    build_ticket_mirror,
    card_buttons,
)
from jobs.context import JobSettings
from storage import people, tickets
from storage.models import STATE_RESOLVED, Claim, Delivery, Resource


class CannotRender(Exception):
    """The row names something that no longer exists; it will never be sendable."""


@dataclass(frozen=True)
class Rendered:
    message: Message
    version: int | None = None  # the ticket version it shows, to refresh if it moved on


def reader(session: Session, slack_id: str, settings: JobSettings) -> tuple[str, str]:
    """(language, time zone) of the person who will read the message."""
    return people.reader(session, slack_id, settings.language, settings.timezone)


Renderer = Callable[[Session, Delivery, JobSettings], Rendered]
# Campaign templates register here (check-ins, daily tasks); ticket templates are built in.
RENDERERS: dict[str, Renderer] = {}


TICKET_TEMPLATES = (tickets.T_CARD, tickets.T_MIRROR, tickets.T_REPORTER, tickets.T_NOTICE)


def render(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    result = render_many(session, [row], settings)[0]
    if isinstance(result, CannotRender):
        raise result
    return result


def render_many(
    session: Session, rows: list[Delivery], settings: JobSettings
) -> list[Rendered | CannotRender]:
    """render() for several rows, in order; the tickets and readers they need are read
    together (a batch of DMs costs a few statements, not a few per message)."""
    numbers = {_number(row) for row in rows if row.template in TICKET_TEMPLATES}
    snaps = tickets.snapshots(session, numbers) if numbers else {}
    # Campaign renderers (RENDERERS) read what they need themselves.
    built_in = {row.recipient for row in rows if row.template not in RENDERERS}
    defaults = (settings.language, settings.timezone)
    readers = people.readers(session, built_in, *defaults) if built_in else {}
    results: list[Rendered | CannotRender] = []
    for row in rows:
        try:
            reads = readers.get(row.recipient, defaults)
            results.append(_render(session, row, settings, snaps, reads))
        except CannotRender as exc:
            results.append(exc)
    return results


def _number(row: Delivery) -> int:
    return int(row.params.get("ticket", row.ticket_id or 0))


def _render(
    session: Session,
    row: Delivery,
    settings: JobSettings,
    snaps: dict[int, tickets.Snapshot],
    reads: tuple[str, str],
) -> Rendered:
    custom = RENDERERS.get(row.template)
    if custom is not None:
        return custom(session, row, settings)
    lang, tz = reads
    if row.template == "claim.expiring":
        claim = session.get(Claim, int(row.params.get("claim", 0)))
        if claim is None:
            raise CannotRender("claim is gone")
        resource = session.get(Resource, claim.resource_id)
        return Rendered(
            build_claim_expiring(
                resource.name if resource else "-",
                claim.ticket_id,
                format_time(claim.expires_at, tz, lang),
                lang,
            )
        )
    if row.template not in TICKET_TEMPLATES:
        raise CannotRender(f"unknown template {row.template}")
    snap = snaps.get(_number(row))
    if snap is None:
        raise CannotRender(f"ticket {_number(row)} is gone")
    version = snap.ticket.version
    if row.template == tickets.T_MIRROR:
        return Rendered(
            build_ticket_mirror(snap, lang=settings.language, tz=settings.timezone), version
        )
    if row.template == tickets.T_CARD:
        may_act = row.recipient == snap.ticket.agent_id or (
            snap.ticket.agent_id is None and tickets.may_act(session, snap.ticket, row.recipient)
        )
        buttons = card_buttons(snap.ticket, recipient_may_act=may_act)
        return Rendered(build_ticket_card(snap, lang=lang, tz=tz, buttons=buttons), version)
    what = str(row.params.get("what"))
    if row.template == tickets.T_NOTICE:
        return Rendered(build_agent_notice(snap, what, params=row.params, lang=lang), version)
    agent = row.params.get("agent")
    can_reopen = snap.ticket.state == STATE_RESOLVED
    message = build_reporter_notice(
        snap, what, agent=str(agent) if agent else None, lang=lang, tz=tz, can_reopen=can_reopen
    )
    return Rendered(message, version)
