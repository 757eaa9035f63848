"""What every job is given: settings, the engine and a Slack client, passed in explicitly.

The settings are a protocol of plain values: bot/ reads them from the environment (its
Settings satisfies JobSettings) and hands them down, so jobs/ never imports bot/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Protocol
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine


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


@dataclass(frozen=True)
class JobContext:
    """`client` posts (only 429s retried); `updater` reads and updates in place."""

    settings: JobSettings
    engine: Engine
    client: WebClient
    updater: WebClient
