"""Tickets: file, assign by rotation, take, escalate, resolve, reopen, cancel; the timeline.

Every operation is one transaction that checks who may act, moves the state machine and
writes the messages to send (outbox) with it. A repeated click finds the state already moved
and raises AlreadyDone saying what happened, so nothing changes twice.

The rooms: `filing` (intake, repeats, routing), `workflow` (the state machine), `access`
(who may see and act), `queries` (read models), `messages` (outbox rows), `core` (what they
share). Callers import the public names from here."""

from storage.tickets.access import check_escalate, check_resolve, is_admin, may_act, may_view
from storage.tickets.core import (
    CLAIM_HOURS,
    REPEAT_WINDOW,
    AlreadyDone,
    Outcome,
    get,
)
from storage.tickets.filing import file_ticket, reporters_agent, split_out
from storage.tickets.messages import (
    T_CARD,
    T_FILE,
    T_HISTORY,
    T_HOME,
    T_MIRROR,
    T_NOTICE,
    T_RELAY,
    T_REPORTER,
)
from storage.tickets.queries import (
    Snapshot,
    list_tickets,
    queue,
    recent_closed,
    related,
    snapshot,
    snapshots,
    versions,
    view,
)
from storage.tickets.repeats import Match, confirm_repeat, find_repeat, still_joined
from storage.tickets.workflow import (
    EscalationRequest,
    agent_back,
    assign_to,
    assign_waiting,
    cancel,
    escalate,
    expired_away_back,
    merge,
    reopen,
    request_escalation,
    resolve,
    take,
)
from storage.types import CATEGORIES, DETAILS_MAX, LOCATION_MAX, NOTE_MAX, SUMMARY_MAX, URGENCIES

__all__ = [
    "CATEGORIES",
    "CLAIM_HOURS",
    "DETAILS_MAX",
    "LOCATION_MAX",
    "NOTE_MAX",
    "REPEAT_WINDOW",
    "SUMMARY_MAX",
    "T_CARD",
    "T_FILE",
    "T_HISTORY",
    "T_HOME",
    "T_MIRROR",
    "T_NOTICE",
    "T_RELAY",
    "T_REPORTER",
    "URGENCIES",
    "AlreadyDone",
    "EscalationRequest",
    "Match",
    "Outcome",
    "Snapshot",
    "agent_back",
    "assign_to",
    "assign_waiting",
    "cancel",
    "check_escalate",
    "check_resolve",
    "confirm_repeat",
    "escalate",
    "expired_away_back",
    "file_ticket",
    "find_repeat",
    "get",
    "is_admin",
    "list_tickets",
    "may_act",
    "may_view",
    "merge",
    "queue",
    "recent_closed",
    "related",
    "reopen",
    "reporters_agent",
    "request_escalation",
    "resolve",
    "snapshot",
    "snapshots",
    "split_out",
    "still_joined",
    "take",
    "versions",
    "view",
]
