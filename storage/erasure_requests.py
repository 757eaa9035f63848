"""A person asks for erasure from "My data": the admins are asked (a DM each), nothing is
erased at once — erasure cannot be undone, and an admin first checks what must legally be
kept (UU PDP allows keeping data another law requires) and that the request is really theirs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import outbox, people
from storage.models import ROLE_ADMIN

T_REQUEST = "privacy.erasure_request"  # to each admin
T_ASKED = "privacy.erasure_asked"  # to the person: the admins were asked


def ask(*, session: Session, slack_id: str, now: datetime) -> list[int]:
    """One request per person and day (a second press the same day changes nothing);
    returns the delivery ids to send."""
    people.require(session, slack_id)
    admins = [p.slack_id for _, p in people.list_role(session, ROLE_ADMIN)]
    day = now.date().isoformat()
    if not admins:  # told by DM: a click on the Home tab has no conversation to answer in
        return [
            outbox.enqueue(
                session,
                key=f"erasure:{slack_id}:{day}:no-admin",
                recipient=slack_id,
                template=T_ASKED,
                params={"no_admins": True},
                now=now,
            )
        ]
    ids = [
        outbox.enqueue(
            session,
            key=f"erasure:{slack_id}:{day}:{admin}",
            recipient=admin,
            template=T_REQUEST,
            params={"person": slack_id},
            now=now,
        )
        for admin in admins
    ]
    ids.append(
        outbox.enqueue(
            session,
            key=f"erasure:{slack_id}:{day}",
            recipient=slack_id,
            template=T_ASKED,
            params={},
            now=now,
        )
    )
    return ids
