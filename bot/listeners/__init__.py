"""Listener modules, one per feature; each exposes register(app, runtime)."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    checkins,
    conversation,
    csat,
    home,
    outages,
    people,
    privacy,
    saved_replies,
    tasks,
    tickets,
)
from bot.runtime import Runtime


def register_all(app: App, runtime: Runtime) -> None:
    tickets.register(app, runtime)
    home.register(app, runtime)
    checkins.register(app, runtime)
    tasks.register(app, runtime)
    people.register(app, runtime)
    conversation.register(app, runtime)
    saved_replies.register(app, runtime)
    outages.register(app, runtime)
    privacy.register(app, runtime)
    csat.register(app, runtime)
