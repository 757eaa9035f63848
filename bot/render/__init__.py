"""The renderer table handed to jobs in their context: every outbox template, written out,
and the function that draws it from the current state in the store."""

from __future__ import annotations

from collections.abc import Mapping

from bot.render import checkins, conversation, csat, outages, privacy, sla, tasks, tickets
from bot.render.common import each
from jobs import checkins as checkin_jobs
from jobs import claims as claim_jobs
from jobs import tasks as task_jobs
from jobs.context import Renderer
from storage import checkins as checkin_store
from storage import csat as csat_store
from storage import erasure as erasure_store
from storage import erasure_requests, sla_alerts
from storage import tasks as task_store
from storage import tickets as ticket_store
from storage.outages import messages as outage_messages

RENDERERS: Mapping[str, Renderer] = {
    # one function for every ticket template, so a batch reads its tickets once
    ticket_store.T_CARD: tickets.render_tickets,
    ticket_store.T_MIRROR: tickets.render_tickets,
    ticket_store.T_REPORTER: tickets.render_tickets,
    ticket_store.T_NOTICE: tickets.render_tickets,
    ticket_store.T_HOME: tickets.render_tickets,
    ticket_store.T_RELAY: each(conversation.render_relay),
    ticket_store.T_FILE: each(conversation.render_file),
    ticket_store.T_HISTORY: each(conversation.render_history),
    sla_alerts.T_SLA: each(sla.render_sla),
    csat_store.T_LOW_RATING: each(csat.render_low_rating),
    claim_jobs.T_CLAIM_EXPIRING: each(tickets.render_claim_expiring),
    checkin_jobs.T_ASK: checkins.render_asks,
    checkin_jobs.T_REMINDER: checkins.render_reminders,
    checkin_store.T_FOLLOWUP: each(checkins.render_followup),
    task_jobs.T_PROMPT: tasks.render_prompts,
    task_store.T_APPROVAL: each(tasks.render_approval),
    task_store.T_MINE: each(tasks.render_mine),
    task_store.T_DECISION: each(tasks.render_decision),
    task_store.T_CHANGED: each(tasks.render_changed),
    task_jobs.T_DIGEST: each(tasks.render_digest),
    task_jobs.T_SUMMARY: each(tasks.render_summary),
    # one function for every outage template, so a broadcast reads its outage once
    **dict.fromkeys(outage_messages.TEMPLATES, outages.render_outages),
    erasure_store.T_ERASED: each(privacy.render_erased),
    erasure_requests.T_REQUEST: each(privacy.render_erasure_request),
    erasure_requests.T_ASKED: each(privacy.render_erasure_asked),
}
