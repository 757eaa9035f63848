"""People from Slack (`people-sync`) and the end of `away --until` (`availability`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from jobs.bulk import deliver_many
from jobs.context import JobContext
from storage import people, tickets
from storage.db import session_scope
from storage.people import SlackProfile

PAGE_SIZE = 200


def profile_from_user(user: dict[str, Any]) -> SlackProfile | None:
    """Slack's user object reduced to what Rekan keeps; None for bots and Slackbot."""
    if user.get("is_bot") or user.get("is_app_user") or user.get("id") == "USLACKBOT":
        return None
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or user.get("name") or user["id"]
    return SlackProfile(
        slack_id=user["id"],
        name=name,
        email=profile.get("email"),
        timezone=user.get("tz"),
        deleted=bool(user.get("deleted")),
    )


def iter_users(
    client: WebClient, on_page: Callable[[int], None] | None = None
) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    while True:
        response = client.users_list(limit=PAGE_SIZE, cursor=cursor)
        members = response.get("members") or []
        if on_page is not None:
            on_page(len(members))
        yield from members
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def sync_people(
    ctx: JobContext, *, now: datetime, on_page: Callable[[int], None] | None = None
) -> tuple[int, int, int]:
    """Read every Slack user first (so a failure changes nothing), then apply in one transaction."""
    profiles = [p for u in iter_users(ctx.client, on_page) if (p := profile_from_user(u))]
    with session_scope(ctx.engine, write=True) as session:
        return people.apply_profiles(session=session, profiles=profiles, now=now)


def run_people_sync(ctx: JobContext, now: datetime) -> str:
    added, updated, deactivated = sync_people(ctx, now=now)
    return f"added={added} updated={updated} deactivated={deactivated}"


def run_availability(ctx: JobContext, now: datetime) -> str:
    """Job `availability`: end `away --until` that has passed, then give waiting tickets out."""
    today = now.astimezone(ctx.settings.tz).date()
    with session_scope(ctx.engine, write=True) as session:
        back, outcomes = tickets.expired_away_back(session=session, today=today, now=now)
    deliver_many(ctx, [d for o in outcomes for d in o.deliveries], now=now)
    return f"back={len(back)} assigned={len(outcomes)}"
