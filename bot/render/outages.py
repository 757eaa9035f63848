"""An outage's messages from the store. One renderer for all of them, so a broadcast of
hundreds reads its outage once, not once per person."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.blocks import outages as blocks
from bot.render.common import reader
from jobs.context import CannotRender, JobSettings, Rendered
from storage.errors import NotFound
from storage.models import Delivery
from storage.outages import messages, views
from storage.types import OutageView


def render_outages(
    session: Session, rows: Sequence[Delivery], settings: JobSettings
) -> list[Rendered | CannotRender]:
    seen: dict[int, OutageView] = {}
    results: list[Rendered | CannotRender] = []
    for row in rows:
        try:
            results.append(_render(session, row, settings, seen))
        except (CannotRender, NotFound, ValueError) as exc:
            results.append(exc if isinstance(exc, CannotRender) else CannotRender(str(exc)))
    return results


def _outage(session: Session, row: Delivery, seen: dict[int, OutageView]) -> OutageView:
    number = int(row.params.get("outage") or 0)
    if number not in seen:
        seen[number] = views.view(session, number)
    return seen[number]


def _render(
    session: Session, row: Delivery, settings: JobSettings, seen: dict[int, OutageView]
) -> Rendered:
    lang, tz = reader(session, row.recipient, settings)
    if row.template == messages.T_PROPOSAL:
        proposal = views.proposal(session, int(row.params.get("proposal") or 0))
        return Rendered(blocks.build_proposal(proposal, lang=lang, tz=tz))
    outage = _outage(session, row, seen)
    ticket = row.params.get("ticket")
    if row.template in (messages.T_CARD, messages.T_STATUS):
        buttons = row.template == messages.T_CARD
        return Rendered(blocks.build_outage_card(outage, lang=lang, tz=tz, buttons=buttons))
    if row.template == messages.T_NOTICE:
        return Rendered(blocks.build_linked(outage, int(ticket or 0), lang=lang, tz=tz))
    if row.template == messages.T_UPDATE:
        wanted = int(row.params.get("update") or 0)
        update = next((u for u in outage.updates if u.id == wanted), None)
        if update is None:
            raise CannotRender("update is gone")
        return Rendered(blocks.build_update(outage, update, lang=lang, tz=tz))
    if row.template == messages.T_RESOLVED:
        number = int(ticket) if ticket is not None else None
        return Rendered(blocks.build_resolved(outage, number, lang=lang, tz=tz))
    if row.template == messages.T_SUMMARY:
        return Rendered(blocks.build_summary(outage, lang=lang, tz=tz))
    raise CannotRender(f"no outage template {row.template}")
