"""What every job is given: settings, the engine and a Slack client, passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    engine: Engine
    client: WebClient
