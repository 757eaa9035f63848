"""/lapor forms waiting for the reporter's choice between "add to #N" and "file anew"."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete

from storage.models import PendingForm

KEPT_FOR = timedelta(days=1)  # a choice not made within a day is not coming
FIELDS = ("summary", "details", "location", "category", "urgency")


def keep(*, session: Session, reporter_id: str, fields: dict[str, Any], now: datetime) -> int:
    """Keep the form's cleaned fields; returns the id the choice modal carries. Forms left
    unanswered longer than KEPT_FOR are dropped on the way."""
    session.exec(delete(PendingForm).where(col(PendingForm.created_at) < now - KEPT_FOR))
    row = PendingForm(
        reporter_id=reporter_id,
        fields={k: fields.get(k) for k in FIELDS},
        created_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def fields_of(session: Session, form_id: int, reporter_id: str) -> dict[str, Any] | None:
    """The kept fields, or None when the form is gone (expired) or someone else's. The row
    stays until it expires, so a second click files nothing twice: the filing's own key
    finds the ticket the first click made."""
    row = session.get(PendingForm, form_id)
    if row is None or row.reporter_id != reporter_id:
        return None
    return {k: row.fields.get(k) for k in FIELDS}
