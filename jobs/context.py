"""What every job is given: settings, the engine, Slack clients and the renderers, passed in
explicitly.

bot/ builds the context at start and hands it down, so jobs/ never imports bot/: the settings
are a protocol of plain values (bot's Settings satisfies JobSettings), and what turns an
outbox row into a Slack message is a table of renderers, template -> function (bot/render)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.checkins import GroupNumbers
from storage.helpdesk_report import HelpdeskReport
from storage.models import Delivery
from storage.sla import Target


class JobSettings(Protocol):
    """The settings jobs read (bot.config.Settings has them all)."""

    @property
    def language(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def tz(self) -> ZoneInfo: ...
    @property
    def work_start(self) -> time: ...
    @property
    def work_end(self) -> time: ...
    @property
    def notify_threads(self) -> int: ...
    @property
    def delivery_concurrency(self) -> int: ...
    @property
    def campaign_lease_seconds(self) -> int: ...
    @property
    def prompt_grace_seconds(self) -> int: ...
    @property
    def checkin_at(self) -> time: ...
    @property
    def checkin_weekdays(self) -> frozenset[int] | None: ...
    @property
    def checkin_days(self) -> int: ...
    @property
    def low_score(self) -> int: ...
    @property
    def min_group(self) -> int: ...
    @property
    def retention_months(self) -> int: ...
    @property
    def tasks_at(self) -> time: ...
    @property
    def tasks_weekdays(self) -> frozenset[int] | None: ...
    @property
    def file_max_bytes(self) -> int: ...
    @property
    def ticket_retention_months(self) -> int: ...
    @property
    def audit_retention_months(self) -> int: ...
    @property
    def task_retention_months(self) -> int: ...
    @property
    def delivery_retention_days(self) -> int: ...
    @property
    def waiting_nudge_seconds(self) -> int: ...
    @property
    def waiting_close_seconds(self) -> int: ...
    # the helpdesk's clock and service levels (issue 20)
    @property
    def desk_days(self) -> frozenset[int]: ...
    @property
    def desk_opens(self) -> int: ...
    @property
    def desk_closes(self) -> int: ...
    @property
    def desk_holidays(self) -> bool: ...
    @property
    def cuti_bersama(self) -> bool: ...
    @property
    def sla(self) -> Mapping[str, Target]: ...
    @property
    def sla_reassign(self) -> bool: ...
    @property
    def close_after_seconds(self) -> int: ...
    @property
    def handover_after_seconds(self) -> int: ...


class CannotRender(Exception):
    """The row names something that no longer exists; it will never be sendable."""


@dataclass(frozen=True)
class Upload:
    """A file to relay: fetched from Slack with the bot token, uploaded into the thread with
    the message's text as its comment; `fallback` is posted instead if that fails."""

    url: str
    name: str
    size: int
    fallback: dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    message: dict[str, Any]  # chat.postMessage's text and blocks
    version: int | None = None  # the ticket version it shows, to refresh if it moved on
    upload: Upload | None = None  # a file to upload instead of posting the message


# Rows are rendered in batches: one renderer gets all its rows of a batch at once, so it can
# read what they share together, and answers in their order (CannotRender for a bad row).
Renderer = Callable[[Session, Sequence[Delivery], JobSettings], list[Rendered | CannotRender]]


@dataclass(frozen=True)
class WeeklyReport:
    title: str
    text: str
    png: bytes


ReportMaker = Callable[[Sequence[GroupNumbers], int, str], WeeklyReport]
# the helpdesk report drawn for one reader's language (issue 20)
HelpdeskMaker = Callable[[HelpdeskReport, str], WeeklyReport]


@dataclass(frozen=True)
class JobContext:
    """`client` posts (only 429s retried); `updater` reads and updates in place; `renderers`
    turn outbox rows into messages by template; `weekly_report` draws the wellbeing report;
    `by_hand`: an operator runs the job now (`rekan jobs run`), at any hour."""

    settings: JobSettings
    engine: Engine
    client: WebClient
    updater: WebClient
    renderers: Mapping[str, Renderer]
    weekly_report: ReportMaker
    by_hand: bool = False
    helpdesk_report: HelpdeskMaker | None = None
