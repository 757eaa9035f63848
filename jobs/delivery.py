"""The delivery engine: posts outbox rows exactly once, with bounded concurrency.

Only a 429 proves nothing was posted, so only the rate-limit handler retries by itself.
A post whose outcome is unknown (dropped connection, timeout, 5xx, a process that died
mid-send) is marked uncertain and, before any resend, looked for in the DM history by the
key carried in its message metadata."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from jobs import metrics
from jobs.context import JobContext
from jobs.files import upload
from jobs.render import CannotRender, Rendered
from jobs.slack_errors import PERMANENT, UNCERTAIN_ERRORS
from storage import campaigns, outbox, people, tickets
from storage.calendar import next_working_moment
from storage.campaigns import days_off
from storage.db import session_scope
from storage.hours import periods as hour_periods
from storage.models import Delivery, Person
from storage.types import utcnow
from storage.worktime import Period

log = logging.getLogger(__name__)

METADATA_TYPE = "rekan_delivery"
HISTORY_LOOKBACK = 50


def _is_channel(recipient: str) -> bool:
    return recipient[:1] in ("C", "G")


def _is_user(recipient: str) -> bool:
    return recipient[:1] in ("U", "W")


def open_channel(ctx: JobContext, recipient: str) -> str:
    """The DM channel for a person (cached in the people table), or the channel itself. Costs
    a `conversations.open` (Tier 3, ~50 a minute) on first contact: only for what needs the
    channel before posting (an uncertain post's history, an upload, the weekly report)."""
    if not _is_user(recipient):
        return recipient
    with session_scope(ctx.engine) as session:
        person = session.get(Person, recipient)
        if person is not None and person.dm_channel:
            return person.dm_channel
    channel = str(ctx.updater.conversations_open(users=recipient)["channel"]["id"])
    with session_scope(ctx.engine, write=True) as session:
        people.remember_dm_channels(session, channels={recipient: channel})
    return channel


def _payload(row: Delivery) -> dict[str, str]:
    """Message metadata naming the delivery: its key, campaign and recipient."""
    payload = {"key": row.key, "recipient": row.recipient}
    if row.campaign:
        payload["campaign"] = row.campaign
    return payload


def find_posted(
    ctx: JobContext, channel: str, key: str, thread_ts: str | None = None
) -> dict[str, Any] | None:
    """The message carrying `key` in its metadata, if Slack did post it after all (in the
    thread's replies for a threaded row: they are not in the channel's history)."""
    if thread_ts:
        history = ctx.updater.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
    else:
        history = ctx.updater.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_TYPE
            and (metadata.get("event_payload") or {}).get("key") == key
        ):
            return dict(message)
    return None


@dataclass(frozen=True)
class Posted:
    """A row Slack accepted, to be marked sent."""

    row_id: int
    ticket_id: int | None
    channel: str
    ts: str
    version: int | None  # the ticket version the message shows
    person: str | None = None  # a person whose DM channel Slack just named, to keep


def _unwanted(session: Session, claimed: outbox.Claimed) -> bool:
    """A scheduled message is not sent to someone who went away or left since it was planned:
    such a row is marked failed."""
    if claimed.row.campaign and claimed.known and not claimed.reachable:
        outbox.mark_failed(session, claimed.row.id or 0, error="skipped:away_or_inactive")
        return True
    return False


@dataclass(frozen=True)
class Hours:
    """Working hours, on each reader's own clock, that scheduled messages keep to."""

    start: time
    end: time
    zone: ZoneInfo  # the company's, for readers without a known zone
    days_off: frozenset[date] = frozenset()
    periods: tuple[Period, ...] = ()  # dated other hours (`rekan hours`, issue 20)

    @classmethod
    def of(cls, session: Session, ctx: JobContext) -> Hours:
        settings = ctx.settings
        return cls(
            settings.work_start,
            settings.work_end,
            settings.tz,
            frozenset(days_off(session)),
            tuple(hour_periods(session)),
        )


def _reader_zone(claimed: outbox.Claimed, fallback: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(claimed.timezone) if claimed.timezone else fallback
    except (KeyError, ValueError):
        return fallback


def _not_now(session: Session, claimed: outbox.Claimed, hours: Hours, now: datetime) -> str | None:
    """A scheduled row that may not reach its reader now: deferred to their next working
    moment ("deferred"), or, a daily one past its deadline, skipped ("failed"). Rows caused
    by someone's action have no campaign and are never held."""
    row = claimed.row
    if not row.campaign:
        return None
    local = now.astimezone(_reader_zone(claimed, hours.zone))
    deadline = campaigns.deadline_of(row.params)
    opens = next_working_moment(
        local,
        work_start=hours.start,
        work_end=hours.end,
        days_off=hours.days_off,
        periods=hours.periods,
    )
    if deadline is not None and (now > deadline or opens > deadline):
        outbox.mark_failed(session, row.id or 0, error=campaigns.SKIPPED_LATE)
        return "failed"
    if opens > local:
        outbox.defer(session, row.id or 0, until=opens)
        return "deferred"
    return None


def take_many(
    session: Session,
    ids: list[int],
    *,
    now: datetime,
    hours: Hours | None = None,
    hours_at: datetime | None = None,
) -> tuple[list[outbox.Claimed], list[int], dict[str, int]]:
    """Claim rows for sending in the caller's write transaction, in one statement: the ones
    claimed and wanted, the ids of those waiting for their thread's parent to be posted
    (pending again), and how many of the rest were not sent now and why ("skipped": not due
    or another worker has it; "failed"; "deferred"). With `hours`, scheduled rows wait for
    (or, too late, skip) their reader's working hours at `hours_at` (default `now`)."""
    found = outbox.claim_many(session, ids, now=now)
    held: dict[str, int] = {}
    if len(found) < len(ids):
        held["skipped"] = len(ids) - len(found)
    waiting = [c.row.id or 0 for c in found.values() if c.waiting]
    outbox.wait(session, waiting)
    taken: list[outbox.Claimed] = []
    for row_id in ids:  # in the order asked: a lone worker posts them in that order
        claimed = found.get(row_id)
        if claimed is None or claimed.waiting:
            continue
        why = "failed" if _unwanted(session, claimed) else None
        if why is None and hours is not None:
            why = _not_now(session, claimed, hours, hours_at or now)
        if why is None:
            taken.append(claimed)
        else:
            held[why] = held.get(why, 0) + 1
    return taken, waiting, held


def _channel(ctx: JobContext, claimed: outbox.Claimed, *, known: bool) -> str:
    """Where a row goes: its thread, the person's DM when known, else the user id itself —
    Slack posts that in the app's DM with them and answers with the DM's id, so first
    contact costs no `conversations.open`. `known`: the real channel is needed first."""
    if claimed.thread:
        return claimed.thread[0]
    if claimed.dm_channel:
        return claimed.dm_channel
    recipient = claimed.row.recipient
    return open_channel(ctx, recipient) if known else recipient


def send(
    ctx: JobContext, claimed: outbox.Claimed, rendering: Callable[[], Rendered]
) -> Posted | str:
    """Post a claimed row, unless the DM history shows an earlier try did post it. Failures
    are recorded here (retry or failed); a string says what happened instead of a post."""
    row = claimed.row
    assert row.id is not None
    try:
        thread_ts = claimed.thread[1] if claimed.thread else None
        # An uncertain post is looked for in the DM's history, which needs the DM's id.
        channel = _channel(ctx, claimed, known=row.uncertain)
        if row.uncertain:
            try:
                found = find_posted(ctx, channel, row.key, thread_ts)
            except SlackApiError as exc:
                if not _is_channel(row.recipient):
                    raise
                # A channel's history needs a scope Rekan does not ask for: a duplicate in the
                # triage channel is better than a ticket nobody saw.
                log.info(
                    "cannot check %s history (%s); resending", channel, exc.response.get("error")
                )
                found = None
            if found is not None:
                with session_scope(ctx.engine, write=True) as session:
                    outbox.mark_sent(
                        session, row.id, channel=channel, ts=str(found["ts"]), now=utcnow()
                    )
                metrics.DELIVERIES.labels("sent", "reconciled").inc()
                return "reconciled"
        rendered = rendering()
        if rendered.upload is not None:
            channel = _channel(ctx, claimed, known=True)  # uploads name a channel
            return _posted(row, channel, upload(ctx, rendered, channel, thread_ts), rendered)
        response = ctx.client.chat_postMessage(
            channel=channel,
            text=rendered.message["text"],
            blocks=rendered.message.get("blocks"),
            metadata={"event_type": METADATA_TYPE, "event_payload": _payload(row)},
            unfurl_links=False,
            unfurl_media=False,
            thread_ts=thread_ts,
        )
    except CannotRender as exc:
        return fail(ctx, row, str(exc))
    except SlackApiError as exc:
        return _slack_failure(ctx, row, exc)
    except UNCERTAIN_ERRORS as exc:
        return _retry(ctx, row, type(exc).__name__, uncertain=True)
    posted_in = str(response["channel"])
    learnt = channel == row.recipient and _is_user(row.recipient) and posted_in != channel
    return Posted(
        row.id,
        row.ticket_id,
        posted_in,
        str(response["ts"]),
        rendered.version,
        person=row.recipient if learnt else None,
    )


def _posted(row: Delivery, channel: str, ts: str, rendered: Rendered) -> Posted:
    return Posted(row.id or 0, row.ticket_id, channel, ts, rendered.version)


def record(ctx: JobContext, posted: list[Posted]) -> list[int]:
    """Mark posted rows sent and keep the DM channels learnt, in one transaction. Returns the rows whose ticket changed while
    they were being posted: their messages need an update."""
    with session_scope(ctx.engine, write=True) as session:
        now = utcnow()
        outbox.mark_sent_many(
            session, [(p.row_id, p.channel, p.ts, p.version) for p in posted], now=now
        )
        # DM channels Slack named in its answers: the next message goes straight there.
        people.remember_dm_channels(
            session, channels={p.person: p.channel for p in posted if p.person}
        )
        numbers = {p.ticket_id for p in posted if p.ticket_id is not None}
        current = tickets.versions(session, numbers) if numbers else {}
    metrics.DELIVERIES.labels("sent", "").inc(len(posted))
    return [
        p.row_id
        for p in posted
        if p.ticket_id is not None
        and p.version is not None
        and current.get(p.ticket_id, p.version) > p.version
    ]


def _slack_failure(ctx: JobContext, row: Delivery, exc: SlackApiError) -> str:
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"http_{status}")
    if status == 429:
        return _retry(ctx, row, "ratelimited", uncertain=False)
    if error in PERMANENT:
        return fail(ctx, row, error)
    # A 5xx may have posted anyway; an ok=false answer with 200 did not.
    return _retry(ctx, row, error, uncertain=status >= 500)


def _context(row: Delivery) -> dict[str, object]:
    """Fields a JSON log line carries: the delivery, its ticket or campaign."""
    return {"delivery": row.id, "ticket": row.ticket_id, "campaign": row.campaign}


def _retry(ctx: JobContext, row: Delivery, error: str, *, uncertain: bool) -> str:
    assert row.id is not None
    metrics.DELIVERIES.labels("retry", error).inc()
    log.warning("delivery %s (%s) will be retried: %s", row.id, row.key, error, extra=_context(row))
    with session_scope(ctx.engine, write=True) as session:
        outbox.mark_retry(session, row.id, error=error, uncertain=uncertain, now=utcnow())
    return "retry"


def fail(ctx: JobContext, row: Delivery, error: str) -> str:
    assert row.id is not None
    metrics.DELIVERIES.labels("failed", error).inc()
    log.error("delivery %s (%s) failed for good: %s", row.id, row.key, error, extra=_context(row))
    with session_scope(ctx.engine, write=True) as session:
        outbox.mark_failed(session, row.id, error=error)
    return "failed"
