"""The Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.runtime import Runtime

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    def events_without_work(ack: Any) -> None:
        ack()

    app.event("app_home_opened")(events_without_work)
