"""Outages as the builders read them."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.errors import NotFound
from storage.models import Outage, OutageMember, OutageProposal, OutageUpdate, Resource, Ticket
from storage.types import OUTAGE_ACTIVE, OutageUpdateView, OutageView, ProposalReport, ProposalView


def get(session: Session, outage_id: int) -> Outage:
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise NotFound("outage.unknown", number=outage_id)
    return outage


def affected(session: Session, outage_id: int) -> int:
    query = (
        select(func.count()).select_from(OutageMember).where(OutageMember.outage_id == outage_id)
    )
    return int(session.exec(query).one())


def _resource_name(session: Session, resource_id: int | None) -> str | None:
    if resource_id is None:
        return None
    resource = session.get(Resource, resource_id)
    return resource.name if resource else None


def view(
    session: Session, outage_id: int, *, updates: bool = True, counts: bool = True
) -> OutageView:
    """The outage; without `counts` (a reporter's acknowledgement, on the hot path) the
    numbers of people and reports are left at 0."""
    outage = get(session, outage_id)
    reports = (
        session.exec(
            select(func.count()).select_from(Ticket).where(Ticket.outage_id == outage_id)
        ).one()
        if counts
        else 0
    )
    posted = (
        session.exec(
            select(OutageUpdate)
            .where(OutageUpdate.outage_id == outage_id)
            .order_by(col(OutageUpdate.id))
        ).all()
        if updates
        else []
    )
    return OutageView(
        id=outage_id,
        title=outage.title,
        state=outage.state,
        owner_id=outage.owner_id,
        resource_name=_resource_name(session, outage.resource_id),
        first_report_at=outage.first_report_at,
        declared_at=outage.declared_at,
        resolved_at=outage.resolved_at,
        resolution=outage.resolution,
        affected=affected(session, outage_id) if counts else 0,
        updates=tuple(
            OutageUpdateView(u.id or 0, u.author_id, u.text, u.created_at) for u in posted
        ),
        reports=int(reports),
    )


def proposal(session: Session, proposal_id: int) -> ProposalView:
    found = session.get(OutageProposal, proposal_id)
    if found is None:
        raise NotFound("outage.unknown_proposal", number=proposal_id)
    rows = session.exec(
        select(Ticket).where(col(Ticket.id).in_(found.tickets)).order_by(col(Ticket.id))
    ).all()
    reports = [ProposalReport(t.id or 0, t.reporter_id, t.summary, t.created_at) for t in rows]
    return ProposalView(
        id=proposal_id,
        state=found.state,
        resource_name=_resource_name(session, found.resource_id),
        reports=reports,
        people=len({r.reporter_id for r in reports}),
        decided_by=found.decided_by,
        outage_id=found.outage_id,
    )


def active(session: Session) -> list[OutageView]:
    """The outages going on now, newest first (the Home tab's "Known problems now")."""
    ids = session.exec(
        select(Outage.id).where(Outage.state == OUTAGE_ACTIVE).order_by(col(Outage.id).desc())
    ).all()
    return [view(session, i, updates=True) for i in ids if i is not None]


def member_of(session: Session, slack_id: str) -> set[int]:
    """The active outages `slack_id` is counted in."""
    rows = session.exec(
        select(OutageMember.outage_id)
        .join(Outage, col(Outage.id) == col(OutageMember.outage_id))
        .where(OutageMember.slack_id == slack_id, Outage.state == OUTAGE_ACTIVE)
    ).all()
    return set(rows)


def listing(session: Session, *, limit: int = 50) -> list[OutageView]:
    ids = session.exec(select(Outage.id).order_by(col(Outage.id).desc()).limit(limit)).all()
    return [view(session, i, updates=False) for i in ids if i is not None]
