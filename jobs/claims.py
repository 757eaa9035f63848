"""Job `claims-expiry`: warn a claim's holder 15 minutes before it ends, then end it."""

from __future__ import annotations

from datetime import datetime

from jobs.bulk import deliver_many
from jobs.context import JobContext
from storage import claims, outbox
from storage.db import session_scope

T_CLAIM_EXPIRING = "claim.expiring"


def run_claims_expiry(ctx: JobContext, now: datetime) -> str:
    with session_scope(ctx.engine, write=True) as session:
        ids = []
        for claim in claims.due_warnings(session, now=now):
            claim.warned = True
            session.add(claim)
            delivery_id = outbox.enqueue(
                session,
                key=f"claim:{claim.id}:expiring:{claim.expires_at.isoformat()}",
                recipient=claim.agent_id,
                template=T_CLAIM_EXPIRING,
                params={"claim": claim.id},
                ticket_id=claim.ticket_id,
                now=now,
            )
            ids.append(delivery_id)
        ended = claims.expire(session, now=now)
    deliver_many(ctx, ids, now=now)
    return f"warned={len(ids)} expired={len(ended)}"
