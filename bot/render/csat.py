"""The rating in the reporter's ticket DM, and the low-rating notice, from the store."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from bot.blocks.csat import build_low_rating
from bot.render.common import reader
from jobs.context import CannotRender, JobSettings, Rendered
from storage import csat, tickets
from storage.errors import NotFound
from storage.models import Delivery, Rating


def with_rating(session: Session, snap: tickets.Snapshot) -> tickets.Snapshot:
    if not csat.asks(snap.ticket):
        return snap
    given = csat.current(session, snap.ticket.id or 0)
    return replace(snap, rating_open=True, rating=given.score if given else None)


def render_low_rating(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    number = int(row.params.get("ticket", row.ticket_id or 0))
    try:
        snap = tickets.snapshot(session, number)
    except NotFound:
        raise CannotRender("ticket is gone") from None
    given = session.exec(
        select(Rating).where(Rating.ticket_id == number, Rating.round == int(row.params["round"]))
    ).first()
    if given is None:
        raise CannotRender("rating is gone")
    lang, _ = reader(session, row.recipient, settings)
    message = build_low_rating(
        snap, score=given.score, comment=given.comment, lang=lang, lead=bool(row.params.get("lead"))
    )
    return Rendered(message)
