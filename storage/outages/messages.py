"""The outbox rows of an outage: the owner's card, the triage channel's status, the
proposal put to agents, and what each affected person hears."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from storage import outbox
from storage.models import Delivery

T_PROPOSAL = "outage.proposal"  # "these reports look like one outage": Declare / Not related
T_CARD = "outage.card"  # the owner's card: count, updates, Post update / Resolve outage
T_STATUS = "outage.status"  # the triage channel's status message, kept up to date in place
T_NOTICE = "outage.notice"  # to a reporter whose report was linked: My problem is different
T_UPDATE = "outage.update"  # one update of the owner, to each affected person once
T_RESOLVED = "outage.resolved"  # the resolution, to each affected person once
T_SUMMARY = "outage.summary"  # the triage channel's summary once it is over

TEMPLATES = (T_PROPOSAL, T_CARD, T_STATUS, T_NOTICE, T_UPDATE, T_RESOLVED, T_SUMMARY)


def card_key(outage_id: int) -> str:
    return f"outage:{outage_id}:card"


def status_key(outage_id: int) -> str:
    return f"outage:{outage_id}:status"


def proposal_prefix(proposal_id: int) -> str:
    return f"outage-proposal:{proposal_id}:"


def redrawn(outage_id: int) -> list[str]:
    """The key prefixes of the messages that show an outage's state (redrawn on a change)."""
    return [card_key(outage_id), status_key(outage_id)]


def enqueue_card(
    session: Session, outage_id: int, owner: str, triage: str | None, now: datetime
) -> list[int]:
    """The owner's card and, when there is a triage channel, its status message."""
    rows = [
        outbox.enqueue(
            session,
            key=card_key(outage_id),
            recipient=owner,
            template=T_CARD,
            params={"outage": outage_id},
            now=now,
        )
    ]
    if triage:
        rows.append(
            outbox.enqueue(
                session,
                key=status_key(outage_id),
                recipient=triage,
                template=T_STATUS,
                params={"outage": outage_id},
                now=now,
            )
        )
    return rows


def enqueue_proposal(
    session: Session, proposal_id: int, recipients: Iterable[str], now: datetime
) -> list[int]:
    return [
        outbox.enqueue(
            session,
            key=f"{proposal_prefix(proposal_id)}{recipient}",
            recipient=recipient,
            template=T_PROPOSAL,
            params={"proposal": proposal_id},
            now=now,
        )
        for recipient in sorted(set(recipients))
    ]


def enqueue_notice(
    session: Session, outage_id: int, ticket_id: int, reporter: str, now: datetime
) -> int:
    """The short DM that tells a reporter their report joined the outage (the ack is
    ephemeral), with "My problem is different"."""
    return outbox.enqueue(
        session,
        key=f"outage:{outage_id}:notice:{ticket_id}",
        recipient=reporter,
        template=T_NOTICE,
        params={"outage": outage_id, "ticket": ticket_id},
        now=now,
        fresh=True,
    )


def broadcast(
    session: Session,
    outage_id: int,
    *,
    what: str,
    members: Iterable[tuple[str, int | None]],
    template: str,
    now: datetime,
    params: dict[str, object] | None = None,
) -> list[int]:
    """One message to each affected person, once (`what` names it in the keys), in one
    batched insert. Returns the rows' ids, for the sender."""
    rows = [
        outbox.NewMessage(
            key=f"outage:{outage_id}:{what}:{person}",
            recipient=person,
            template=template,
            params={"outage": outage_id, "ticket": ticket, **(params or {})},
        )
        for person, ticket in members
    ]
    outbox.enqueue_many(session, rows, now=now)
    prefix = f"outage:{outage_id}:{what}:"
    found = session.exec(select(Delivery.id).where(col(Delivery.key).startswith(prefix)))
    return [int(i) for i in found if i is not None]
