"""People stay current by themselves: `team_join` adds, `user_change` updates or deactivates."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.listeners._common import bind, dict_of, slack_id
from bot.runtime import Runtime
from jobs.people import profile_from_user
from storage import people
from storage.db import session_scope

log = logging.getLogger(__name__)


def changed(event: dict[str, Any], *, runtime: Runtime) -> None:
    """`team_join` or `user_change`: the person as Slack now has them."""
    user = event.get("user")
    if not isinstance(user, dict) or slack_id(user.get("id")) is None:
        return
    # Slack's user object with only its text fields (a signed request may put anything in)
    user = {k: v for k, v in user.items() if isinstance(v, str | bool)}
    user["profile"] = {
        k: v for k, v in dict_of(event["user"].get("profile")).items() if isinstance(v, str)
    }
    profile = profile_from_user(user)
    if profile is None:
        return
    with session_scope(runtime.engine, write=True) as session:
        people.apply_profiles(session=session, profiles=[profile], now=runtime.now())


def register(app: App, runtime: Runtime) -> None:
    app.event("team_join")(bind(changed, runtime=runtime))
    app.event("user_change")(bind(changed, runtime=runtime))
