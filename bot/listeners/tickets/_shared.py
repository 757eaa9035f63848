"""What the ticket listeners share: filing in one transaction, escalating or resolving with
a note (typed after `/lapor eskalasi #N` or in the modal), a claim conflict's message, and
the form's field reader."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.blocks import tickets as blocks
from bot.blocks.common import format_time
from bot.listeners._common import dict_of
from bot.runtime import Runtime
from jobs import metrics
from storage import claims, pending_forms, people, tickets
from storage.db import transaction
from storage.errors import DomainError
from storage.outages import views as outage_views
from storage.outages.proposals import OutageRule


def field(values: dict[str, Any], block: str) -> str | None:
    """A form field's value: what was typed, or the option chosen in a select."""
    entry = dict_of(dict_of(values.get(block)).get(blocks.FIELD))
    if entry.get("type") == "static_select" or "selected_option" in entry:
        value = dict_of(entry.get("selected_option")).get("value")
    else:
        value = entry.get("value")
    return value if isinstance(value, str) else None


def file(
    user: str,
    name: str,
    source_key: str,
    *,
    runtime: Runtime,
    pending: int | None = None,
    **fields: Any,
) -> tuple[tickets.Outcome, str]:
    """File in one transaction; also returns the reporter's language, read in it. When the
    same filing reached another thread or instance at the same moment, its transaction won,
    and the retry finds the ticket it made. `pending`: the kept form whose fields are filed."""
    settings = runtime.settings

    def work(session: Session) -> tuple[tickets.Outcome, str]:
        form = fields
        if pending is not None:
            kept = pending_forms.fields_of(session, pending, user)
            if kept is None:
                raise DomainError("form.expired")
            form = {**fields, **kept}
        outcome = tickets.file_ticket(
            session=session,
            reporter_id=user,
            reporter_name=name,
            source_key=source_key,
            now=runtime.now(),
            triage_channel=settings.triage_channel,
            repeat_window=timedelta(seconds=settings.repeat_window_seconds),
            repeat_thresholds=settings.repeat_thresholds,
            outage_rule=OutageRule(
                reporters=settings.outage_reporters,
                window=timedelta(seconds=settings.outage_window_seconds),
            ),
            **form,
        )
        if outcome.outage is not None:
            outcome.outage_view = outage_views.view(session, outcome.outage, counts=False)
        return outcome, people.reader(session, user, settings.language, settings.timezone)[0]

    outcome, lang = transaction(runtime.engine, work)
    if outcome.created or outcome.repeat:
        kind = "linked" if outcome.outage else "repeat" if outcome.repeat else "filed"
        metrics.TICKETS.labels(kind).inc()
    runtime.redraw_outage_at(outcome.outage or 0, outcome.card_due)
    return outcome, lang


def escalate_or_resolve(
    session: Session, *, kind: str, number: int, actor: str, note: str, now: datetime
) -> tickets.Outcome:
    """Escalate (`kind` "escalate") or resolve ticket `number` with the note typed, in the
    caller's transaction: the one place both `/lapor eskalasi|selesai #N` and the modals
    move a ticket this way. Count it with `counted` once the transaction has committed."""
    if kind == "escalate":
        return tickets.escalate(session=session, number=number, actor=actor, note=note, now=now)
    return tickets.resolve(session=session, number=number, actor=actor, resolution=note, now=now)


def counted(kind: str) -> None:
    """An escalation or resolution in the ticket metrics."""
    metrics.TICKETS.labels("escalated" if kind == "escalate" else "resolved").inc()


def conflict_message(
    conflict: claims.ClaimConflict, user: str, *, runtime: Runtime
) -> dict[str, Any]:
    """Who holds the resource the ticket needs, and since when, in the reader's words."""
    lang, tz = runtime.reader(user)
    p = conflict.params
    return blocks.build_claim_conflict(
        int(p["ticket"]),
        resource=str(p["resource"]),
        agent=str(p["agent"]),
        held_on=int(p["number"]),
        since=format_time(p["since"], tz, lang),
        lang=lang,
    )
