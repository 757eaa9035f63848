"""Retention of what the check-in and ticket rules do not cover (issue 21): task days, and
the parameters of deliveries long sent. Times passed in; the caller's transaction commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.checkins import T_FOLLOWUP
from storage.models import DELIVERY_FAILED, DELIVERY_SENT, Delegate, Delivery, TaskItem, TaskReport

_CHUNK = 500


def delete_task_days_before(session: Session, *, before: date) -> int:
    """Task reports (and their items) of days before `before`; returns the reports deleted."""
    ids = [
        i
        for i in session.exec(select(TaskReport.id).where(col(TaskReport.day) < before)).all()
        if i is not None
    ]
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        session.execute(delete(TaskItem).where(col(TaskItem.report_id).in_(part)))
        session.execute(delete(TaskReport).where(col(TaskReport.id).in_(part)))
    session.execute(delete(Delegate).where(col(Delegate.until) < before))
    return len(ids)


def clear_delivery_params_before(session: Session, *, before: datetime) -> int:
    """Empty the parameters of messages sent (or given up) before `before`: they may name a
    follow-up, a ticket or a person, and a message that old is never redrawn. The row stays,
    so its key still stops a second send. Returns how many rows were cleared."""
    old = session.exec(
        select(Delivery.id, Delivery.params).where(
            col(Delivery.created_at) < before,
            col(Delivery.state).in_([DELIVERY_SENT, DELIVERY_FAILED]),
            # a ticket's messages are redrawn while it lives; they name the ticket, not a person
            col(Delivery.ticket_id).is_(None),
            # HR's follow-up copies are redrawn on withdrawal, Contacted or erasure as long as
            # their follow-up lives (the check-in retention deletes both together)
            col(Delivery.template) != T_FOLLOWUP,
        )
    ).all()
    ids = [i for i, params in old if i is not None and params]
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(ids[start : start + _CHUNK]))
            .values(params={})
        )
    return len(ids)
