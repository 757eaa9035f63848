"""A ticket's conversation: what the reporter and the agents write in the ticket's threads
(the reporter's ticket DM, the agent's card), relayed to the other side through the outbox,
and internal notes only agents see. Each message is kept once, by its Slack source."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage import people, saved_replies
from storage.errors import DomainError
from storage.models import OPEN_STATES, Delivery, Ticket, TicketMessage
from storage.tickets import waiting
from storage.tickets.access import may_act
from storage.tickets.core import Outcome, add_event, get, locked, touch
from storage.tickets.filing import file_ticket
from storage.tickets.messages import (
    T_CARD,
    T_FILE,
    T_HOME,
    T_RELAY,
    card_key,
    enqueue_message,
    home_key,
)
from storage.types import STATE_MERGED, STATE_RESOLVED, SUMMARY_MAX

REPORTER, AGENT, NOTE = "reporter", "agent", "note"


@dataclass(frozen=True)
class Thread:
    """A ticket thread Rekan started: whose DM it is and which side of the ticket."""

    ticket_id: int
    owner: str  # the person whose DM it is
    side: str  # REPORTER (their ticket DM) or AGENT (a card)


def thread_at(session: Session, channel: str, ts: str) -> Thread | None:
    """The ticket thread whose parent message is (channel, ts), if Rekan posted it."""
    row = session.exec(
        select(Delivery).where(
            Delivery.channel == channel,
            Delivery.ts == ts,
            col(Delivery.template).in_((T_HOME, T_CARD)),
        )
    ).first()
    if row is None or row.ticket_id is None:
        return None
    return Thread(row.ticket_id, row.recipient, REPORTER if row.template == T_HOME else AGENT)


@dataclass
class Said:
    """What a message in a ticket thread did: relayed (`deliveries`), already seen (`again`),
    or refused with the reason to show the writer (`refusal`, with its params); `moved`: the
    ticket's messages need redrawing."""

    ticket: Ticket
    message: TicketMessage | None = None
    deliveries: list[int] = field(default_factory=list)
    again: bool = False
    refusal: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    moved: bool = False  # the ticket's state changed (waiting for the reporter, or back)


def say(
    *,
    session: Session,
    thread: Thread,
    author: str,
    text: str,
    files: list[dict[str, Any]],
    source_key: str,
    now: datetime,
) -> Said:
    """Keep a message written in a ticket thread and relay it (and its files) to the other
    side's thread. A closed or merged ticket keeps it but answers with the way forward."""
    ticket = get(session, thread.ticket_id)
    seen = session.exec(select(TicketMessage).where(TicketMessage.source_key == source_key)).first()
    if seen is not None:
        return Said(ticket, seen, again=True)
    if author != thread.owner:
        raise DomainError("conversation.not_yours")
    if thread.side == AGENT and not may_act(session, ticket, author):
        raise DomainError("conversation.not_agent", number=ticket.id)
    kind = REPORTER if thread.side == REPORTER else AGENT
    message = TicketMessage(
        ticket_id=ticket.id or 0,
        author_id=author,
        kind=kind,
        text=text,
        files=files,
        source_key=source_key,
        created_at=now,
    )
    session.add(message)
    session.flush()
    if ticket.state == STATE_MERGED:
        return Said(
            ticket, message, refusal="conversation.merged", params={"into": ticket.merged_into}
        )
    if ticket.state not in OPEN_STATES:
        reason = (
            "conversation.resolved" if ticket.state == STATE_RESOLVED else "conversation.closed"
        )
        return Said(ticket, message, refusal=reason)
    touch(session, ticket, now)
    other_side = ticket.agent_id if kind == REPORTER else ticket.reporter_id
    if other_side is None:
        return Said(ticket, message, refusal="conversation.no_agent_yet")
    deliveries = _relay(session, ticket, message, [other_side], now)
    # waiting for the reporter: their reply ends it (the agent told), an agent's question
    # starts it
    if kind == REPORTER:
        told = waiting.reporter_wrote(session=session, ticket=ticket, actor=author, now=now)
        return Said(ticket, message, deliveries + (told or []), moved=told is not None)
    asked = waiting.agent_wrote(session=session, ticket=ticket, actor=author, text=text, now=now)
    return Said(ticket, message, deliveries, moved=asked)


def note(*, session: Session, number: int, author: str, text: str, now: datetime) -> Said:
    """An internal note: kept in the timeline and posted in every agent's card thread of the
    ticket, never to the reporter."""
    ticket = get(session, number)
    if not may_act(session, ticket, author):
        raise DomainError("conversation.not_agent", number=number)
    count = len(
        session.exec(select(TicketMessage.id).where(TicketMessage.ticket_id == number)).all()
    )
    message = TicketMessage(
        ticket_id=number,
        author_id=author,
        kind=NOTE,
        text=text,
        files=[],
        source_key=f"note:{number}:{author}:{count}:{now.isoformat()}",
        created_at=now,
    )
    session.add(message)
    session.flush()
    agents = card_holders(session, number)
    return Said(ticket, message, _relay(session, ticket, message, agents, now))


def require_agent(session: Session, number: int, actor: str) -> None:
    """Only those who may act on the ticket write its internal notes."""
    if not may_act(session, get(session, number), actor):
        raise DomainError("conversation.not_agent", number=number)


@dataclass(frozen=True)
class SavedChoice:
    """What "Send a saved reply" shows: every key, the one selected, and its text as the
    reporter would read it (in `language`, theirs)."""

    number: int
    reporter: str
    keys: list[str]
    key: str
    text: str
    language: str


def _open_for(session: Session, number: int, author: str) -> Ticket:
    """The ticket, when `author` may still write to its reporter: one who may act on it
    (permission first), and the ticket still open."""
    ticket = get(session, number)
    if not may_act(session, ticket, author):
        raise DomainError("conversation.not_agent", number=number)
    if ticket.state == STATE_MERGED:
        raise DomainError("ticket.merged", number=number, into=ticket.merged_into)
    if ticket.state not in OPEN_STATES:
        raise DomainError("replies.closed", number=number)
    return ticket


def _filled(
    session: Session, ticket: Ticket, author: str, key: str, default_language: str
) -> tuple[str, str]:
    """(text, language) of saved reply `key` for the ticket's reporter."""
    reply = saved_replies.require(session, key)
    language = people.reader(session, ticket.reporter_id, default_language, "UTC")[0]
    text = saved_replies.fill(
        saved_replies.text_in(reply, language),
        reporter=ticket.reporter_id,
        ticket=ticket.id or 0,
        agent=author,
    )
    return text, language


def saved_choice(
    *,
    session: Session,
    number: int,
    author: str,
    default_language: str,
    key: str | None = None,
) -> SavedChoice:
    """The saved replies `author` may send on the ticket, with `key` (or the first) filled
    in the reporter's language. Refused like send_saved, and when there are none."""
    ticket = _open_for(session, number, author)
    keys = saved_replies.keys(session)
    if not keys:
        raise DomainError("replies.none")
    chosen = saved_replies.normal_key(key) if key is not None else keys[0]
    text, language = _filled(session, ticket, author, chosen, default_language)
    return SavedChoice(number, ticket.reporter_id, keys, chosen, text, language)


def send_saved(
    *,
    session: Session,
    number: int,
    author: str,
    key: str,
    now: datetime,
    default_language: str,
    source_key: str | None = None,
) -> Said:
    """A saved reply sent by `author` as their own message: filled in the reporter's
    language, kept in the timeline (kind "agent"), relayed into the reporter's ticket
    thread and shown in the author's card thread. `source_key` (the modal it came from)
    makes a re-sent request send nothing twice; without it each call is a new message."""
    if source_key is not None:
        seen = session.exec(
            select(TicketMessage).where(TicketMessage.source_key == source_key)
        ).first()
        if seen is not None:
            return Said(get(session, number), seen, again=True)
    ticket = _open_for(session, number, author)
    text, _language = _filled(session, ticket, author, key, default_language)
    if source_key is None:
        count = len(
            session.exec(select(TicketMessage.id).where(TicketMessage.ticket_id == number)).all()
        )
        source_key = f"saved:{number}:{count}"
    message = TicketMessage(
        ticket_id=number,
        author_id=author,
        kind=AGENT,
        text=text,
        files=[],
        source_key=source_key,
        created_at=now,
    )
    session.add(message)
    session.flush()
    touch(session, ticket, now)
    recipients = [ticket.reporter_id]
    if author != ticket.reporter_id and card_key(session, number, author):
        recipients.append(author)  # in their own card's thread, so they see what was sent
    deliveries = _relay(session, ticket, message, recipients, now)
    # a saved reply is the agent's message like any other: a question waits for the reporter
    asked = waiting.agent_wrote(session=session, ticket=ticket, actor=author, text=text, now=now)
    return Said(ticket, message, deliveries, moved=asked)


def file_as_new(
    *,
    session: Session,
    message_id: int,
    actor: str,
    now: datetime,
    triage_channel: str | None = None,
    summary_max: int = SUMMARY_MAX,
) -> Outcome:
    """A reply to a closed ticket, filed as a new ticket linked to the old one (once: a
    second click finds the ticket the first made)."""
    said = session.get(TicketMessage, message_id)
    if said is None:
        raise DomainError("conversation.unknown")
    if said.author_id != actor or said.kind != REPORTER:
        raise DomainError("conversation.not_yours")
    old = get(session, said.ticket_id)
    text = said.text.strip() or t_files(said)
    summary = text if len(text) <= summary_max else text[: summary_max - 1] + "…"
    outcome = file_ticket(
        session=session,
        reporter_id=actor,
        summary=summary,
        details=text if len(text) > summary_max else None,
        source_key=f"filenew:{message_id}",
        now=now,
        triage_channel=triage_channel,
        force_new=True,
    )
    if outcome.created and outcome.ticket.related_to is None:
        new = locked(session, outcome.ticket.id or 0)
        new.related_to = old.id
        add_event(session, new, "related", actor=actor, note=f"#{old.id}", now=now)
        outcome = replace(outcome, ticket=new)
    return outcome


def t_files(message: TicketMessage) -> str:
    """A message of files only: their names stand for its words."""
    return ", ".join(str(f.get("name") or "file") for f in message.files) or "-"


def card_holders(session: Session, number: int) -> list[str]:
    """Every agent who was sent a card of the ticket, in the order they got it."""
    rows = session.exec(
        select(Delivery.recipient)
        .where(Delivery.ticket_id == number, Delivery.template == T_CARD)
        .order_by(col(Delivery.id))
    ).all()
    return list(dict.fromkeys(rows))


def _relay(
    session: Session,
    ticket: Ticket,
    message: TicketMessage,
    recipients: list[str],
    now: datetime,
) -> list[int]:
    """One relay row per recipient, in the thread of their side of the ticket, and one row
    per file."""
    deliveries = []
    for recipient in recipients:
        thread = (
            home_key(ticket.id or 0)
            if recipient == ticket.reporter_id and message.kind != NOTE
            else card_key(session, ticket.id or 0, recipient)
        )
        params: dict[str, object] = {"message": message.id}
        if thread:
            params["thread"] = thread
        if message.text.strip() or not message.files:  # files alone: they speak for it
            deliveries.append(
                enqueue_message(
                    session,
                    ticket,
                    key=f"msg:{message.id}:{recipient}",
                    recipient=recipient,
                    template=T_RELAY,
                    now=now,
                    params=params,
                )
            )
        for index, _file in enumerate(message.files):
            deliveries.append(
                enqueue_message(
                    session,
                    ticket,
                    key=f"msg:{message.id}:{recipient}:file{index}",
                    recipient=recipient,
                    template=T_FILE,
                    now=now,
                    params={**params, "file": index},
                )
            )
    return deliveries


def changed(*, session: Session, source_key: str, text: str | None, now: datetime) -> list[int]:
    """An edit (`text`) or a deletion (None) of a kept message: the new text is kept (a
    deletion keeps the words in the timeline, marked deleted) and the relayed copies are
    returned, to be redrawn in place."""
    message = session.exec(
        select(TicketMessage).where(TicketMessage.source_key == source_key)
    ).first()
    if message is None:
        return []
    if text is None:
        message.deleted_at = now
    else:
        message.text, message.edited_at = text, now
    session.add(message)
    rows = session.exec(
        select(Delivery.id).where(
            col(Delivery.key).startswith(f"ticket:{message.ticket_id}:msg:{message.id}:"),
            Delivery.template == T_RELAY,
        )
    ).all()
    return [r for r in rows if r is not None]


def delete_older_than(session: Session, *, before: datetime) -> int:
    """Retention: messages written before `before` are deleted; returns how many."""
    result = session.execute(delete(TicketMessage).where(col(TicketMessage.created_at) < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def messages_of(session: Session, number: int) -> list[TicketMessage]:
    """The ticket's conversation, notes included, oldest first."""
    return list(
        session.exec(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == number)
            .order_by(col(TicketMessage.id))
        ).all()
    )


def message(session: Session, message_id: int) -> TicketMessage | None:
    return session.get(TicketMessage, message_id)
