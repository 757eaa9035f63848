"""Messages already posted, kept true: re-render and update in place (a ticket's card after
each change, a check-in after an answer), and retry the updates that failed."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from slack_sdk.errors import SlackApiError

from jobs.context import JobContext
from jobs.render import CannotRender, render
from jobs.slack_errors import PERMANENT, UNCERTAIN_ERRORS
from storage import outbox
from storage.db import session_scope
from storage.models import DELIVERY_SENDING, DELIVERY_SENT, Delivery
from storage.types import utcnow

log = logging.getLogger(__name__)


def update_message(ctx: JobContext, delivery_id: int) -> bool:
    """Re-render a sent message from the current state and update it in place."""
    with session_scope(ctx.engine) as session:
        row = session.get(Delivery, delivery_id)
        if row is None or row.state != DELIVERY_SENT or not row.channel or not row.ts:
            return False
        try:
            rendered = render(session, row, ctx)
        except CannotRender:
            return False
    try:
        ctx.updater.chat_update(
            channel=row.channel,
            ts=row.ts,
            text=rendered.message["text"],
            blocks=rendered.message.get("blocks"),
        )
    except (SlackApiError, *UNCERTAIN_ERRORS) as exc:
        log.warning("could not update message of delivery %s: %s", delivery_id, exc)
        error, permanent = _update_error(exc)
        with session_scope(ctx.engine, write=True) as session:
            outbox.mark_update_failed(
                session, delivery_id, error=error, permanent=permanent, now=utcnow()
            )
        return False
    with session_scope(ctx.engine, write=True) as session:
        outbox.mark_updated(session, delivery_id, rendered_version=rendered.version)
    return True


# Update errors that no retry will fix, besides those of posting.
UPDATE_PERMANENT = PERMANENT | {"message_not_found", "cant_update_message", "edit_window_closed"}


def _update_error(exc: Exception) -> tuple[str, bool]:
    """(error, whether no retry can fix it) of a failed chat.update."""
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or f"http_{exc.response.status_code}")
        return error, error in UPDATE_PERMANENT
    return type(exc).__name__, False


# Messages whose content follows the ticket's state; notices say one thing once.
STATEFUL = frozenset({"ticket.card", "ticket.mirror", "ticket.reporter", "ticket.home"})


def refresh_ticket(ctx: JobContext, ticket_id: int, *, skip: set[int] | None = None) -> int:
    """Update every message already posted about a ticket; returns how many were updated."""
    skip = skip or set()
    with session_scope(ctx.engine) as session:
        ids = [
            r.id
            for r in outbox.sent_for_ticket(session, ticket_id)
            if r.id is not None and r.id not in skip and r.template in STATEFUL
        ]
    return sum(1 for i in ids if update_message(ctx, i))


def refresh_stale(ctx: JobContext, *, now: datetime) -> int:
    """Retry the updates that failed: messages still showing an older ticket version."""
    with session_scope(ctx.engine) as session:
        ids = outbox.stale_ids(session, now=now, templates=sorted(STATEFUL))
    return sum(1 for i in ids if update_message(ctx, i))


def refresh_prefix(ctx: JobContext, prefix: str) -> int:
    """Update every sent message whose key starts with `prefix` (one subject's messages)."""
    with session_scope(ctx.engine) as session:
        ids = [r.id for r in outbox.sent_with_prefix(session, prefix) if r.id is not None]
    return sum(1 for i in ids if update_message(ctx, i))


def update_when_sent(ctx: JobContext, delivery_ids: list[int], *, wait_seconds: float = 130) -> int:
    """Update messages in place once they are posted: a row still pending will be drawn from
    the current state when it is sent, but one being sent now may have been drawn before the
    change (a withdrawn request's copy, issue 21), so it is updated as soon as it is marked
    sent. Waits at most `wait_seconds` (a sending lease lasts two minutes). Returns how many
    were updated."""
    left = set(delivery_ids)
    updated = 0
    deadline = time.monotonic() + wait_seconds
    while left:
        with session_scope(ctx.engine) as session:
            states = {i: row.state for i in left if (row := session.get(Delivery, i)) is not None}
        for delivery_id in sorted(left):
            state = states.get(delivery_id)
            if state == DELIVERY_SENT:
                updated += int(update_message(ctx, delivery_id))
            if state != DELIVERY_SENDING:  # sent (updated), pending (drawn later), gone, failed
                left.discard(delivery_id)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return updated
