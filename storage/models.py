"""SQLModel tables. Every timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime
from storage.types import (
    CLOSED_STATES as CLOSED_STATES,
)
from storage.types import (
    OPEN_STATES as OPEN_STATES,
)
from storage.types import (
    QUESTIONS as QUESTIONS,
)
from storage.types import (
    ROLE_ADMIN as ROLE_ADMIN,
)
from storage.types import (  # the vocabulary, kept where the builders may read it
    ROLE_AGENT as ROLE_AGENT,
)
from storage.types import (
    ROLE_HR as ROLE_HR,
)
from storage.types import (
    ROLES as ROLES,
)
from storage.types import (
    STATE_CANCELLED as STATE_CANCELLED,
)
from storage.types import (
    STATE_IN_PROGRESS as STATE_IN_PROGRESS,
)
from storage.types import (
    STATE_MERGED as STATE_MERGED,
)
from storage.types import (
    STATE_OPEN as STATE_OPEN,
)
from storage.types import (
    STATE_RESOLVED as STATE_RESOLVED,
)
from storage.types import (
    STATE_WAITING as STATE_WAITING,
)
from storage.types import (
    TASKS_APPROVED as TASKS_APPROVED,
)
from storage.types import (
    TASKS_CHANGES as TASKS_CHANGES,
)
from storage.types import (
    TASKS_PENDING as TASKS_PENDING,
)
from storage.types import (
    utcnow,
)


def _ts(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Person(SQLModel, table=True):
    """An employee as Rekan knows them; the Slack user id is the key."""

    slack_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    team: str | None = Field(default=None, max_length=100, index=True)
    lead_slack_id: str | None = Field(default=None, foreign_key="person.slack_id", max_length=32)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    language: str | None = Field(default=None, max_length=2)
    active: bool = Field(default=True)
    away_since: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    away_until: date | None = Field(default=None)
    dm_channel: str | None = Field(default=None, max_length=32)
    checkin_opt_out: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())

    @property
    def is_away(self) -> bool:
        return self.away_since is not None


class Role(SQLModel, table=True):
    """A person's role: agent (with tier and rotation position), HR or admin."""

    __table_args__ = (UniqueConstraint("slack_id", "role", name="uq_role_person_role"),)

    id: int | None = Field(default=None, primary_key=True)
    slack_id: str = Field(foreign_key="person.slack_id", max_length=32, index=True)
    role: str = Field(max_length=16)
    tier: int | None = Field(default=None)
    position: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


# ---------------------------------------------------------------- tickets


class Ticket(SQLModel, table=True):
    """A reported problem; its id is the number people see as #N."""

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=255, unique=True)
    reporter_id: str = Field(foreign_key="person.slack_id", max_length=32, index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    category: str | None = Field(default=None, max_length=32)
    location: str | None = Field(default=None, max_length=200)
    urgency: str | None = Field(default=None, max_length=16)
    priority: str = Field(default="normal", max_length=8)
    # service levels (issue 20): breached a target; when the `sla` job next has something to
    # do for it, and the ticket version it last planned for (a change means: plan again)
    sla_breached: bool = Field(default=False)
    sla_next_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True, index=True))
    sla_version: int | None = Field(default=None)
    # a resolved ticket closes for good after REKAN_CLOSE_AFTER: no Reopen, no rating change
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    state: str = Field(default=STATE_WAITING, max_length=16, index=True)
    tier: int = Field(default=1)
    agent_id: str | None = Field(
        default=None, foreign_key="person.slack_id", max_length=32, index=True
    )
    resource_id: int | None = Field(default=None, foreign_key="resource.id", index=True)
    related_to: int | None = Field(default=None)
    merged_into: int | None = Field(default=None)
    # filed as new, but it may be the same problem as this open ticket of the same reporter
    possible_repeat_of: int | None = Field(default=None)
    repeats: int = Field(default=0)
    resolved_by: str | None = Field(default=None, max_length=32)
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # the outage this report was linked to (state "outage" while that outage is active)
    outage_id: int | None = Field(default=None, index=True)


class Outage(SQLModel, table=True):
    """One problem hurting many people at once (the VPN, mail, an office server), run by
    one agent: later reports link to it instead of becoming tickets of their own."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    state: str = Field(default="active", max_length=16, index=True)
    owner_id: str = Field(max_length=32)
    resource_id: int | None = Field(default=None, foreign_key="resource.id")
    # what later reports are compared with when the outage names no resource
    match_text: str = Field(sa_column=Column(Text, nullable=False))
    first_report_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    declared_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    resolved_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    resolved_by: str | None = Field(default=None, max_length=32)
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # the owner's card is redrawn at most once per few seconds: when one is due, it is here
    card_due_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    version: int = Field(default=1)


class OutageProposal(SQLModel, table=True):
    """Reports from several people that look like one outage, put to the agents once.
    `cluster` names it by its first report, so two filings cannot propose it twice."""

    id: int | None = Field(default=None, primary_key=True)
    cluster: str = Field(max_length=64, unique=True)
    state: str = Field(default="proposed", max_length=16)
    resource_id: int | None = Field(default=None)
    tickets: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_report_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    outage_id: int | None = Field(default=None)


class OutageMember(SQLModel, table=True):
    """A person the outage hurts: they reported it, or said "me too"; each hears every
    update and the resolution once."""

    outage_id: int = Field(foreign_key="outage.id", primary_key=True)
    slack_id: str = Field(max_length=32, primary_key=True)
    ticket_id: int | None = Field(default=None)  # their report, if they filed one
    joined_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class OutageUpdate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    outage_id: int = Field(foreign_key="outage.id", index=True)
    author_id: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class TicketSource(SQLModel, table=True):
    """Every filing (a command's trigger, a form's view) and the ticket it went to, so a
    filing Slack sends twice lands once, whether it opened a ticket or joined one."""

    source_key: str = Field(primary_key=True, max_length=255)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    repeat: bool = Field(default=False)
    # a silent join keeps the report it took in, so "not the same problem" can file it whole
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Resource(SQLModel, table=True):
    """Something only one agent should work on at a time (e.g. "Server Kantor 123")."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ResourceAlias(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("resource_id", "alias", name="uq_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    alias: str = Field(max_length=200)


class Claim(SQLModel, table=True):
    """An agent working on a resource for a ticket; active while released_at is empty."""

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    agent_id: str = Field(max_length=32)
    since: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    warned: bool = Field(default=False)
    released_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    release_reason: str | None = Field(default=None, max_length=32)


class TicketEvent(SQLModel, table=True):
    """Who did what to a ticket, and when: the ticket's timeline."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    actor_id: str | None = Field(default=None, max_length=32)
    kind: str = Field(max_length=32)
    agent_id: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class TicketMessage(SQLModel, table=True):
    """One message of a ticket's conversation: the reporter's or an agent's words in the
    ticket's threads (relayed to the other side), or an internal note only agents see."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # reporter | agent | note
    text: str = Field(sa_column=Column(Text, nullable=False))
    files: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # the Slack message it came from ("msg:<channel>:<ts>"), so a re-delivered event is one
    source_key: str = Field(max_length=255, unique=True)
    edited_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class Rotation(SQLModel, table=True):
    """Where each tier's round-robin stands: the position of the last agent served."""

    tier: int = Field(primary_key=True)
    last_position: int = Field(default=0)
    turns: int = Field(default=0)


# ---------------------------------------------------------------- outbox

DELIVERY_PENDING = "pending"
DELIVERY_SENDING = "sending"
DELIVERY_SENT = "sent"
DELIVERY_FAILED = "failed"


class Delivery(SQLModel, table=True):
    """One message to post, written in the same transaction as the change it reports.

    It is rendered when it is sent (from `template` and `params`), so it always shows the
    current state; `key` is unique and travels in the message metadata, which lets an
    uncertain post be checked against the DM history before any resend."""

    __table_args__ = (Index("ix_delivery_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    campaign: str | None = Field(default=None, max_length=100, index=True)
    recipient: str = Field(max_length=32)
    template: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    state: str = Field(default=DELIVERY_PENDING, max_length=16)
    uncertain: bool = Field(default=False)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    rendered_version: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


# ---------------------------------------------------------------- campaigns

CAMPAIGN_OPEN = "open"  # claimed, recipients not all written yet
CAMPAIGN_SENDING = "sending"  # every delivery row written
CAMPAIGN_DONE = "done"


class Campaign(SQLModel, table=True):
    """One run of a scheduled job for one period (`checkin:2026-W48`), claimed with a lease
    so that one instance works on it at a time and a crashed holder does not block it."""

    key: str = Field(primary_key=True, max_length=100)
    job: str = Field(max_length=50, index=True)
    period: str = Field(max_length=40)
    state: str = Field(default=CAMPAIGN_OPEN, max_length=16)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    recipients: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    finished_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class DayOff(SQLModel, table=True):
    """A company day off, on top of weekends and Indonesian public holidays."""

    day: date = Field(primary_key=True)
    name: str = Field(max_length=200)


# ---------------------------------------------------------------- check-ins (health data)


class CheckinRound(SQLModel, table=True):
    """One weekly round; answers can change until it closes."""

    key: str = Field(primary_key=True, max_length=100)  # the campaign key, checkin:2026-W48
    period: str = Field(max_length=40)
    opened_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    closes_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class CheckinAnswer(SQLModel, table=True):
    """One answer per person, round and question. Never shown to leads or in a channel."""

    __table_args__ = (
        UniqueConstraint("round_key", "slack_id", "question", name="uq_checkin_answer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_key: str = Field(foreign_key="checkinround.key", max_length=100, index=True)
    slack_id: str = Field(max_length=32, index=True)
    question: str = Field(max_length=16)
    score: int
    answered_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class CheckinNote(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("round_key", "slack_id", name="uq_checkin_note"),)

    id: int | None = Field(default=None, primary_key=True)
    round_key: str = Field(foreign_key="checkinround.key", max_length=100)
    slack_id: str = Field(max_length=32)
    note: str = Field(sa_column=Column(Text, nullable=False))
    written_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class FollowUp(SQLModel, table=True):
    """Created only when the person asks HR to contact them."""

    __table_args__ = (UniqueConstraint("round_key", "slack_id", name="uq_followup"),)

    id: int | None = Field(default=None, primary_key=True)
    round_key: str = Field(foreign_key="checkinround.key", max_length=100)
    slack_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    contacted_by: str | None = Field(default=None, max_length=32)
    contacted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # the person withdrew the request (issue 21): HR's copies no longer show scores or note
    withdrawn_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class SupportOption(SQLModel, table=True):
    """Support HR offers after a low answer (doctor, psychologist, support groups)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    description: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=500)
    contact: str | None = Field(default=None, max_length=200)


class WellbeingAggregate(SQLModel, table=True):
    """A closed round's numbers per team (and "*" for everyone); kept after answers expire."""

    __table_args__ = (UniqueConstraint("round_key", "team", name="uq_aggregate"),)

    id: int | None = Field(default=None, primary_key=True)
    round_key: str = Field(max_length=100, index=True)
    period: str = Field(max_length=40)
    team: str = Field(max_length=100)
    recipients: int
    respondents: int
    physical_avg: float | None = None
    mental_avg: float | None = None
    low_share: float | None = None


# ---------------------------------------------------------------- daily tasks


class TaskReport(SQLModel, table=True):
    """One person's tasks for one day, in one approval round (a new round after a decision)."""

    __table_args__ = (UniqueConstraint("slack_id", "day", "round", name="uq_task_report"),)

    id: int | None = Field(default=None, primary_key=True)
    slack_id: str = Field(foreign_key="person.slack_id", max_length=32, index=True)
    day: date = Field(index=True)
    round: int = Field(default=1)
    lead_id: str = Field(max_length=32, index=True)
    state: str = Field(default=TASKS_PENDING, max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    changed: int = Field(default=0)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class TaskItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="taskreport.id", index=True)
    position: int
    text: str = Field(max_length=200)
    done: bool = Field(default=False)


class Delegate(SQLModel, table=True):
    """Someone who may decide on a lead's approvals until a date (inclusive)."""

    lead_id: str = Field(foreign_key="person.slack_id", primary_key=True, max_length=32)
    delegate_id: str = Field(foreign_key="person.slack_id", max_length=32)
    until: date


class PendingForm(SQLModel, table=True):
    """A /lapor form waiting for the reporter's choice ("add to #N" or "file anew"): kept
    here, not in the modal's private_metadata, whose 3,000 characters a long form overflows."""

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: str = Field(max_length=32, index=True)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class SavedReply(SQLModel, table=True):
    """A reply agents send often ("Send a saved reply" on the card), in both languages; its
    placeholders ({reporter}, {ticket}, {agent}) are filled when it is sent."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    text_id: str = Field(sa_column=Column(Text, nullable=False))
    text_en: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


# ---------------------------------------------------------------- privacy (issue 21)


class Audit(SQLModel, table=True):
    """Append-only: who looked at or changed someone else's identifiable personal data.
    Slack ids and the action word only — never names, emails, scores or notes."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    actor: str = Field(max_length=32, index=True)  # a Slack id, or "cli" / "rekan"
    action: str = Field(max_length=16)  # followup | contacted | export | erase | report | role
    subject: str | None = Field(default=None, max_length=32, index=True)
    ref: str | None = Field(default=None, max_length=64)  # e.g. "followup:12", "hr", a period


class Category(SQLModel, table=True):
    """A ticket category people choose in the form (`rekan categories`), named in both
    languages; tickets keep the key, so a removed category still shows on old tickets."""

    key: str = Field(primary_key=True, max_length=32)
    text_id: str = Field(max_length=75)
    text_en: str = Field(max_length=75)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class HourPeriod(SQLModel, table=True):
    """Other working hours on the days from `starts` to `ends` (both included), e.g. Ramadan's:
    the helpdesk's clock counts them, and the daily prompts and check-ins move with them."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    starts: date = Field(index=True)
    ends: date
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight, up to 1440
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SlaAlert(SQLModel, table=True):
    """A service-level warning or breach of a ticket, sent once: the row is the claim (two
    instances of the `sla` job cannot both write it)."""

    __table_args__ = (UniqueConstraint("ticket_id", "kind", name="uq_sla_alert"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=32)  # response_warning | response_breach | resolution_…
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Rating(SQLModel, table=True):
    """The reporter's answer to "How did we do?" for one resolution of a ticket (`round`: the
    how-many-th resolution); changeable while the ticket stays resolved."""

    __table_args__ = (UniqueConstraint("ticket_id", "round", name="uq_rating_round"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    round: int = Field(default=1)
    rater_id: str = Field(max_length=32)
    agent_id: str | None = Field(default=None, max_length=32)  # who resolved it
    score: int
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    low_told: bool = Field(default=False)  # the agent and the helpdesk leads were told
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
