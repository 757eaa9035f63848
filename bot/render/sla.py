"""A service-level warning or breach notice, drawn from the ticket's current state."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from bot.blocks.sla import build_sla_notice
from bot.render.common import reader
from jobs.context import CannotRender, JobSettings, Rendered
from storage import sla_alerts, tickets
from storage.errors import NotFound
from storage.models import Delivery


def with_sla(session: Session, snap: tickets.Snapshot, settings: JobSettings) -> tickets.Snapshot:
    """The snapshot with its service level as the desk's clock counts it."""
    policy = sla_alerts.policy_of(session, settings)
    return replace(snap, sla=sla_alerts.view_of(session, policy, snap.ticket, snap.events))


def render_sla(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    try:
        snap = tickets.snapshot(session, int(row.params.get("ticket", row.ticket_id or 0)))
    except NotFound:
        raise CannotRender("ticket is gone") from None
    lang, tz = reader(session, row.recipient, settings)
    snap = with_sla(session, snap, settings)
    message = build_sla_notice(
        snap, str(row.params.get("what")), lang=lang, tz=tz, lead=bool(row.params.get("lead"))
    )
    return Rendered(message)
