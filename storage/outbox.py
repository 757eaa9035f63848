"""The outbox: messages to post, written with the change they report, sent exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENDING,
    DELIVERY_SENT,
    Campaign,
    Delivery,
)
from storage.tables import DELIVERY, PERSON, TICKET, connection, inserted_id, read_only

SENDING_LEASE = timedelta(minutes=2)
BACKOFF = (2, 10, 30, 120, 300, 600, 1800)  # seconds, then every 30 minutes


_BY_KEY = sa_select(DELIVERY.c.id).where(DELIVERY.c.key == bindparam("key"))
_ADD = insert(DELIVERY)


@dataclass(frozen=True)
class NewMessage:
    """A message to add to the outbox; `due` defaults to now."""

    key: str
    recipient: str
    template: str
    params: dict[str, Any]
    ticket_id: int | None = None
    campaign: str | None = None
    due: datetime | None = None


def enqueue(
    session: Session,
    *,
    key: str,
    recipient: str,
    template: str,
    params: dict[str, Any],
    now: datetime,
    ticket_id: int | None = None,
    campaign: str | None = None,
    due: datetime | None = None,
    fresh: bool = False,
) -> int:
    """Add a message to send, once per key: enqueueing the same key again returns the row
    already there. `fresh`: the key names a row made in this transaction, so it cannot exist
    yet — one INSERT, no lookup first. Returns the row's id."""
    conn = connection(session)
    if not fresh:
        existing = conn.execute(_BY_KEY, {"key": key}).scalar()
        if existing is not None:
            return int(existing)
    message = NewMessage(key, recipient, template, params, ticket_id, campaign, due)
    return inserted_id(conn.execute(_ADD, _values(message, now)))


def enqueue_many(session: Session, messages: Sequence[NewMessage], *, now: datetime) -> None:
    """Add many messages whose keys the caller knows are new (a campaign's fan-out), in one
    batched INSERT — the same statement as enqueue()."""
    if messages:
        connection(session).execute(_ADD, [_values(m, now) for m in messages])


def _values(message: NewMessage, now: datetime) -> dict[str, Any]:
    return {
        "key": message.key,
        "recipient": message.recipient,
        "template": message.template,
        "params": message.params,
        "ticket_id": message.ticket_id,
        "campaign": message.campaign,
        "next_attempt_at": message.due or now,
        "created_at": now,
    }


# One statement claims a whole batch; RETURNING names the rows this transaction won, so two
# workers claiming the same ids never both get one.
_CLAIM = (
    update(DELIVERY)
    .where(
        DELIVERY.c.id.in_(bindparam("rows", expanding=True)),
        DELIVERY.c.state == DELIVERY_PENDING,
        DELIVERY.c.next_attempt_at <= bindparam("due"),
    )
    .values(state=DELIVERY_SENDING, claimed_at=bindparam("due"), attempts=DELIVERY.c.attempts + 1)
    .returning(DELIVERY.c.id)
)
_CLAIMED = (
    sa_select(
        DELIVERY, PERSON.c.dm_channel, PERSON.c.active, PERSON.c.away_since, PERSON.c.timezone
    )
    .outerjoin(PERSON, PERSON.c.slack_id == DELIVERY.c.recipient)
    .where(DELIVERY.c.id.in_(bindparam("rows", expanding=True)))
)


@dataclass(frozen=True)
class Claimed:
    """A row moved to `sending`, with what is known of its recipient (when a person)."""

    row: Delivery
    dm_channel: str | None
    known: bool  # the recipient is a person Rekan knows
    reachable: bool  # that person is active and not away
    timezone: str | None = None  # that person's own clock
    thread: tuple[str, str] | None = None  # (channel, ts) of the thread it goes into
    waiting: bool = False  # its thread's parent is not posted yet: it must wait


THREAD = "thread"  # a row's params: the key of the row whose message starts its thread
_PARENTS = sa_select(DELIVERY.c.key, DELIVERY.c.state, DELIVERY.c.channel, DELIVERY.c.ts).where(
    DELIVERY.c.key.in_(bindparam("keys", expanding=True))
)


def _threaded(conn: Any, claimed: dict[int, Claimed]) -> dict[int, Claimed]:
    """Where each threaded row goes: under its parent once that is posted; waiting while the
    parent is still to be sent; at the top of the DM when the parent failed or is unknown (a
    message is never lost for want of its thread)."""
    keys = {str(c.row.params.get(THREAD)) for c in claimed.values() if c.row.params.get(THREAD)}
    if not keys:
        return claimed
    parents = {k: (s, ch, ts) for k, s, ch, ts in conn.execute(_PARENTS, {"keys": sorted(keys)})}
    for row_id, c in claimed.items():
        parent = parents.get(str(c.row.params.get(THREAD) or ""))
        if parent is None or parent[0] == DELIVERY_FAILED:
            continue
        state, channel, ts = parent
        if state == DELIVERY_SENT and channel and ts:
            claimed[row_id] = replace(c, thread=(channel, ts))
        else:
            claimed[row_id] = replace(c, waiting=True)
    return claimed


def claim(session: Session, delivery_id: int, *, now: datetime) -> Claimed | None:
    """Move a due pending row to `sending`; None when another worker has it or it is done."""
    return claim_many(session, [delivery_id], now=now).get(delivery_id)


def claim_many(session: Session, ids: Sequence[int], *, now: datetime) -> dict[int, Claimed]:
    """claim() for several rows, in one statement: those this transaction moved to `sending`,
    by id. (Core statements: every message sent passes here.)"""
    conn = connection(session)
    won = (
        [int(i) for i in conn.execute(_CLAIM, {"rows": list(ids), "due": now}).scalars()]
        if ids
        else []
    )
    if not won:
        return {}
    claimed: dict[int, Claimed] = {}
    for found in conn.execute(_CLAIMED, {"rows": won}):
        values = found._mapping
        row = read_only(Delivery, {c.name: values[c] for c in DELIVERY.columns})
        claimed[int(values[DELIVERY.c.id])] = Claimed(
            row=row,
            dm_channel=values["dm_channel"],
            known=values["active"] is not None,
            reachable=bool(values["active"]) and values["away_since"] is None,
            timezone=values["timezone"],
        )
    return _threaded(conn, claimed)


_SENT = (
    update(DELIVERY)
    .where(DELIVERY.c.id == bindparam("row"))
    .values(
        state=DELIVERY_SENT,
        channel=bindparam("to"),
        ts=bindparam("at_ts"),
        sent_at=bindparam("when"),
        uncertain=False,
        error=None,
        rendered_version=bindparam("version"),
    )
)


def mark_sent(
    session: Session,
    delivery_id: int,
    *,
    channel: str,
    ts: str,
    now: datetime,
    rendered_version: int | None = None,
) -> None:
    mark_sent_many(session, [(delivery_id, channel, ts, rendered_version)], now=now)


def mark_sent_many(
    session: Session, posted: list[tuple[int, str, str, int | None]], *, now: datetime
) -> None:
    """mark_sent() for many rows at once: (id, channel, ts, rendered version) each."""
    if posted:
        connection(session).execute(
            _SENT,
            [
                {"row": row, "to": channel, "at_ts": ts, "when": now, "version": version}
                for row, channel, ts, version in posted
            ],
        )


def release(session: Session, ids: Sequence[int]) -> None:
    """Rows claimed but never posted (the process is stopping): pending again, and certain."""
    if ids:
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.state) == DELIVERY_SENDING)
            .values(state=DELIVERY_PENDING)
        )


def wait(session: Session, ids: Sequence[int]) -> None:
    """Rows claimed whose thread's parent is not posted yet: pending again, the claim not
    counted as an attempt."""
    if ids:
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.state) == DELIVERY_SENDING)
            .values(state=DELIVERY_PENDING, attempts=Delivery.attempts - 1)
        )


def mark_retry(
    session: Session, delivery_id: int, *, error: str, uncertain: bool, now: datetime
) -> None:
    """Back to pending with back-off; `uncertain` means Slack may have posted it."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        return
    delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1] if row.attempts else BACKOFF[0]
    row.state, row.error = DELIVERY_PENDING, error[:200]
    row.uncertain = row.uncertain or uncertain
    row.next_attempt_at = now + timedelta(seconds=delay)
    session.add(row)


def defer(session: Session, delivery_id: int, *, until: datetime) -> None:
    """A claimed row that may not go yet (outside its reader's working hours): pending
    again, due at `until`, its claim not counted as an attempt."""
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.state) == DELIVERY_SENDING)
        .values(state=DELIVERY_PENDING, next_attempt_at=until, attempts=col(Delivery.attempts) - 1)
    )


def mark_failed(session: Session, delivery_id: int, *, error: str) -> None:
    row = session.get(Delivery, delivery_id)
    if row is None:
        return
    row.state, row.error = DELIVERY_FAILED, error[:200]
    session.add(row)


def release_stale(session: Session, *, now: datetime) -> int:
    """Rows left `sending` by a process that died: pending again, and uncertain."""
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.state) == DELIVERY_SENDING,
            col(Delivery.claimed_at) < now - SENDING_LEASE,
        )
        .values(state=DELIVERY_PENDING, uncertain=True, next_attempt_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def due_ids(
    session: Session,
    *,
    now: datetime,
    limit: int = 500,
    campaign: str | None = None,
    after: int | None = None,
) -> list[int]:
    """Rows due at `now`, the longest waiting first; with `after`, those with a greater id in
    id order instead (a page of one pass over everything due, the next page after its last)."""
    query = (
        select(Delivery.id)
        .where(Delivery.state == DELIVERY_PENDING, col(Delivery.next_attempt_at) <= now)
        .limit(limit)
    )
    if after is None:
        query = query.order_by(col(Delivery.next_attempt_at), col(Delivery.id))
    else:
        query = query.where(col(Delivery.id) > after).order_by(col(Delivery.id))
    if campaign is not None:
        query = query.where(Delivery.campaign == campaign)
    else:
        # Rows of a campaign whose run holds a live lease are that run's to send; picking
        # them up here too would only make the two contend (and the run end unfinished).
        leased = select(Campaign.key).where(col(Campaign.lease_until) > now)
        query = query.where(
            or_(col(Delivery.campaign).is_(None), col(Delivery.campaign).not_in(leased))
        )
    return [int(i) for i in session.exec(query).all() if i is not None]


def sent_for_ticket(session: Session, ticket_id: int) -> Sequence[Delivery]:
    query = select(Delivery).where(Delivery.ticket_id == ticket_id, Delivery.state == DELIVERY_SENT)
    return session.exec(query).all()


def for_ticket(session: Session, ticket_id: int) -> Sequence[Delivery]:
    query = select(Delivery).where(Delivery.ticket_id == ticket_id).order_by(col(Delivery.id))
    return session.exec(query).all()


def counts(session: Session, campaign: str | None = None) -> dict[str, int]:
    query = select(Delivery.state, func.count()).group_by(col(Delivery.state))
    if campaign is not None:
        query = query.where(Delivery.campaign == campaign)
    return {state: int(n) for state, n in session.exec(query).all()}


def failures(session: Session, campaign: str | None = None) -> dict[str, int]:
    query = (
        select(Delivery.error, func.count())
        .where(or_(col(Delivery.state) == DELIVERY_FAILED, col(Delivery.error).is_not(None)))
        .group_by(col(Delivery.error))
    )
    if campaign is not None:
        query = query.where(Delivery.campaign == campaign)
    return {str(error): int(n) for error, n in session.exec(query).all()}


def sent_before(session: Session, row: Delivery) -> bool:
    """Whether its recipient was already sent a message of the same template, another row."""
    found = session.exec(
        select(Delivery.id).where(
            Delivery.recipient == row.recipient,
            Delivery.template == row.template,
            Delivery.state == DELIVERY_SENT,
            Delivery.id != row.id,
        )
    ).first()
    return found is not None


def sent_before_many(session: Session, rows: Sequence[Delivery]) -> set[int]:
    """sent_before() for a batch: the ids of the rows whose recipient was already sent a
    message of the same template by another row."""
    by_template: dict[str, set[str]] = {}
    for r in rows:
        by_template.setdefault(r.template, set()).add(r.recipient)
    earlier: dict[tuple[str, str], set[int]] = {}
    for template, recipients in by_template.items():
        found = connection(session).execute(
            sa_select(DELIVERY.c.recipient, DELIVERY.c.id).where(
                DELIVERY.c.template == template,
                DELIVERY.c.state == DELIVERY_SENT,
                DELIVERY.c.recipient.in_(sorted(recipients)),
            )
        )
        for recipient, row_id in found:
            earlier.setdefault((template, recipient), set()).add(int(row_id))
    return {r.id or 0 for r in rows if earlier.get((r.template, r.recipient), set()) - {r.id}}


def by_key(session: Session, key: str) -> Delivery | None:
    return session.exec(select(Delivery).where(Delivery.key == key)).first()


def sent_with_prefix(session: Session, prefix: str) -> Sequence[Delivery]:
    """Sent messages whose key starts with `prefix` (all messages about one subject)."""
    query = select(Delivery).where(
        col(Delivery.key).startswith(prefix), Delivery.state == DELIVERY_SENT
    )
    return session.exec(query).all()


# ---------------------------------------------------------------- updates in place

UPDATE_RETRY = "update_retry:"  # an update Slack refused for now: tried again after back-off
UPDATE_FAILED = "update_failed:"  # one no retry will fix (the message is gone)
UPDATE_WINDOW = timedelta(days=1)  # how long after a ticket's last change its messages are kept up


def stale_ids(
    session: Session, *, now: datetime, templates: Sequence[str], limit: int = 200
) -> list[int]:
    """Sent messages that show an older version of their ticket than the current one (an
    update failed, or never ran), and whose back-off is over: to be updated in place."""
    query = (
        sa_select(DELIVERY.c.id)
        .join(TICKET, TICKET.c.id == DELIVERY.c.ticket_id)
        .where(
            DELIVERY.c.state == DELIVERY_SENT,
            DELIVERY.c.template.in_(templates),
            DELIVERY.c.rendered_version < TICKET.c.version,
            DELIVERY.c.next_attempt_at <= now,
            TICKET.c.updated_at >= now - UPDATE_WINDOW,
            or_(DELIVERY.c.error.is_(None), DELIVERY.c.error.not_like(f"{UPDATE_FAILED}%")),
        )
        .order_by(DELIVERY.c.id)
        .limit(limit)
    )
    return [int(i) for i in connection(session).execute(query).scalars()]


def mark_updated(session: Session, delivery_id: int, *, rendered_version: int | None) -> None:
    """The message now shows `rendered_version`; an earlier update failure is forgotten."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        return
    row.rendered_version = rendered_version
    if row.error and row.error.startswith((UPDATE_RETRY, UPDATE_FAILED)):
        row.error = None
    session.add(row)


def mark_update_failed(
    session: Session, delivery_id: int, *, error: str, permanent: bool, now: datetime
) -> None:
    """An update in place failed: retried after the same back-off as posts, unless no retry
    can help. The row stays `sent` (it was posted); `attempts` counts the update calls too."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        return
    row.attempts += 1
    row.error = ((UPDATE_FAILED if permanent else UPDATE_RETRY) + error)[:200]
    delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    row.next_attempt_at = now + timedelta(seconds=delay)
    session.add(row)
