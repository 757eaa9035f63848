"""What every job is given: settings, the engine and a Slack client, passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings


@dataclass(frozen=True)
class JobContext:
    """`client` posts (only 429s retried); `updater` reads and updates in place."""

    settings: Settings
    engine: Engine
    client: WebClient
    updater: WebClient
