"""Plain record types and vocabulary: what the Block Kit builders may know of storage.

No SQLAlchemy here. The tables (storage.models) satisfy these protocols, so the builders
take rows without importing the ORM; states, categories and limits are named once, here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

ROLE_AGENT = "agent"
ROLE_HR = "hr"
ROLE_ADMIN = "admin"
ROLE_HELPDESK_LEAD = "helpdesk-lead"  # told of service-level breaches and low ratings; reports
ROLES = (ROLE_AGENT, ROLE_HR, ROLE_ADMIN, ROLE_HELPDESK_LEAD)

STATE_WAITING = "waiting"  # no agent of its tier was available
STATE_OPEN = "open"  # assigned, not yet taken
STATE_IN_PROGRESS = "in_progress"
# taken, and the agent waits for the reporter's answer to a question (still open: the agent
# keeps it, affinity and repeats find it); the reporter's reply brings it back to in_progress
STATE_WAITING_REPORTER = "waiting_reporter"
STATE_RESOLVED = "resolved"
STATE_CANCELLED = "cancelled"
STATE_MERGED = "merged"  # closed as a duplicate of another ticket
# a report linked to an active outage: not a ticket of its own (no card, no queue, no turn)
# until the outage is resolved, or its reporter says their problem is different
STATE_OUTAGE = "outage"
OPEN_STATES = (STATE_WAITING, STATE_OPEN, STATE_IN_PROGRESS, STATE_WAITING_REPORTER)
# the open states in which the ticket has an agent who holds it (a queue, a resource's holder)
HELD_STATES = (STATE_OPEN, STATE_IN_PROGRESS, STATE_WAITING_REPORTER)
# the resolution of a ticket closed because the reporter never answered: a marker the
# builders render in the reader's language
RESOLUTION_NO_ANSWER = "[no answer]"
CLOSED_STATES = (STATE_RESOLVED, STATE_CANCELLED, STATE_MERGED)

OUTAGE_ACTIVE = "active"
OUTAGE_RESOLVED = "resolved"
PROPOSAL_OPEN = "proposed"
PROPOSAL_DECLARED = "declared"
PROPOSAL_DISMISSED = "dismissed"
OUTAGE_TITLE_MAX = 150

QUESTIONS = ("physical", "mental")

TASKS_PENDING = "pending"
TASKS_APPROVED = "approved"
TASKS_CHANGES = "changes_requested"

# What a ticket holds, and how long its texts may be (the form and /lapor enforce them).
CATEGORIES = ("vpn", "hardware", "account", "application", "network", "other")
URGENCIES = ("low", "normal", "high")
# How soon a ticket should be answered (issue 20): the form's urgency sets it, an agent may
# change it; the service-level targets are per priority.
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_DEFAULT = "normal"
SUMMARY_MAX = 150
DETAILS_MAX = 3000
NOTE_MAX = 3000
LOCATION_MAX = 200


class TicketRecord(Protocol):
    """A ticket as the builders read it (storage.models.Ticket)."""

    @property
    def id(self) -> int | None: ...
    @property
    def reporter_id(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def details(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def urgency(self) -> str | None: ...
    @property
    def priority(self) -> str: ...
    @property
    def sla_breached(self) -> bool: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def state(self) -> str: ...
    @property
    def tier(self) -> int: ...
    @property
    def agent_id(self) -> str | None: ...
    @property
    def resource_id(self) -> int | None: ...
    @property
    def related_to(self) -> int | None: ...
    @property
    def merged_into(self) -> int | None: ...
    @property
    def possible_repeat_of(self) -> int | None: ...
    @property
    def repeats(self) -> int: ...
    @property
    def resolved_by(self) -> str | None: ...
    @property
    def resolution(self) -> str | None: ...
    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def outage_id(self) -> int | None: ...


class MessageRecord(Protocol):
    """One message of a ticket's conversation (storage.models.TicketMessage)."""

    @property
    def author_id(self) -> str: ...
    @property
    def kind(self) -> str: ...  # reporter | agent | note
    @property
    def text(self) -> str: ...
    @property
    def files(self) -> list[dict[str, Any]]: ...
    @property
    def edited_at(self) -> datetime | None: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


class EventRecord(Protocol):
    """One line of a ticket's timeline (storage.models.TicketEvent)."""

    @property
    def ticket_id(self) -> int: ...
    @property
    def actor_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def agent_id(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


class TaskReportRecord(Protocol):
    """A day's task list (storage.models.TaskReport)."""

    @property
    def id(self) -> int | None: ...
    @property
    def slack_id(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def round(self) -> int: ...
    @property
    def lead_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def note(self) -> str | None: ...
    @property
    def submitted_at(self) -> datetime: ...
    @property
    def changed(self) -> int: ...
    @property
    def decided_by(self) -> str | None: ...
    @property
    def decided_at(self) -> datetime | None: ...
    @property
    def comment(self) -> str | None: ...


class TaskItemRecord(Protocol):
    """One task of a list (storage.models.TaskItem)."""

    @property
    def id(self) -> int | None: ...
    @property
    def report_id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def done(self) -> bool: ...


@dataclass(frozen=True)
class SlaView:
    """A ticket's service level as people see it: the deadline of the first response (None
    once answered) and of the resolution (None while the clock is stopped), whether its
    clock is paused while it waits for the reporter, and whether it breached a target."""

    respond_by: datetime | None
    resolve_by: datetime | None
    paused: bool
    breached: bool


@dataclass(frozen=True)
class Snapshot:
    """A ticket with the names and timeline the builders need; read-only copies."""

    ticket: TicketRecord
    reporter_name: str
    agent_name: str | None
    events: Sequence[EventRecord]
    resource_name: str | None = None
    related: tuple[int, ...] = ()
    claimed_by: str | None = None
    # the category's name in (Bahasa Indonesia, English), as `rekan categories` keeps it
    category_names: tuple[str, str] | None = None
    sla: SlaView | None = None  # filled by the renderer, which knows the desk's clock
    # "How did we do?": whether the reporter's DM asks it now, and their score so far
    rating_open: bool = False
    rating: int | None = None


def priority_of(urgency: str | None) -> str:
    """The priority a new ticket gets from the form's urgency (none given: normal)."""
    return urgency if urgency in PRIORITIES else PRIORITY_DEFAULT


@dataclass(frozen=True)
class OutageUpdateView:
    id: int
    author_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class OutageView:
    """An outage as the builders read it: what, since when, who runs it, how many it hurts."""

    id: int
    title: str
    state: str
    owner_id: str
    resource_name: str | None
    first_report_at: datetime
    declared_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    affected: int
    updates: Sequence[OutageUpdateView] = ()
    reports: int = 0  # tickets linked to it


@dataclass(frozen=True)
class ProposalReport:
    number: int
    reporter_id: str
    summary: str
    created_at: datetime


@dataclass(frozen=True)
class ProposalView:
    """A proposed outage: the reports that look like one, and what was decided."""

    id: int
    state: str
    resource_name: str | None
    reports: Sequence[ProposalReport]
    people: int
    decided_by: str | None = None
    outage_id: int | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)
