"""The Home tab: published when opened, and after an agent toggles availability."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlmodel import Session

from bot.blocks.home import A_AVAILABILITY, HomeData, build_home
from bot.blocks.privacy import build_my_data
from bot.listeners._common import bind, clicked, slack_id
from bot.runtime import Runtime
from storage import claims, people, privacy, tickets
from storage import tasks as daily
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.outages import views as outage_views

log = logging.getLogger(__name__)


def home_data(rt: Runtime, user: str) -> HomeData:
    lang, tz = rt.reader(user)
    today = rt.now().astimezone(rt.settings.tz).date()
    with session_scope(rt.engine) as session:
        latest = daily.current(session, user, today)
        is_lead = people.is_lead(session, user)
        approvals = daily.pending_for(session, user) if is_lead else []
        names = people.names(session, [r.slack_id for r in approvals])
        delegate = daily.delegation(session, user, today)
        person = people.get(session, user)
        tier = people.agent_tier(session, user)
        return HomeData(
            lang=lang,
            open_tickets=tickets.list_tickets(session, open_only=True, reporter=user),
            recent_tickets=tickets.recent_closed(session, user),
            agent_tier=tier,
            away=bool(person and person.is_away),
            queue=tickets.queue(session, user) if tier is not None else [],
            claims=claims.listing(session, now=rt.now()) if tier is not None else [],
            tz=tz,
            checkins_stopped=bool(person and person.checkin_opt_out),
            tasks_today=(latest, daily.items_of(session, latest.id or 0)) if latest else None,
            recent_tasks=[r for r in daily.recent(session, user) if r.day != today],
            approvals=[(r, names.get(r.slack_id, "")) for r in approvals],
            is_lead=is_lead,
            delegate=(delegate.delegate_id, delegate.until.isoformat()) if delegate else None,
            outages=outage_views.active(session),
            outages_mine=frozenset(outage_views.member_of(session, user)),
            my_data=my_data(session, user, lang),
        )


def my_data(session: Session, user: str, lang: str) -> list[dict[str, Any]]:
    """The "My data" section (issue 21); none for someone Rekan does not know yet."""
    person = people.get(session, user)
    if person is None:
        return []
    profile = {"name": person.name, "email": person.email, "team": person.team}
    profile["timezone"] = person.timezone
    counts = privacy.summary(session, slack_id=user)
    return build_my_data(profile=profile, counts=counts, lang=lang)


def publish(rt: Runtime, user: str) -> None:
    rt.updater.views_publish(user_id=user, view=build_home(home_data(rt, user)))


def opened(event: dict[str, Any], *, runtime: Runtime) -> None:
    """The Home tab opened: published after the ack."""
    user = slack_id(event.get("user"))
    if event.get("tab", "home") == "home" and user is not None:
        runtime.submit(publish, runtime, user)


def availability(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """An agent's "I'm away" / "I'm available again"; back, they get the waiting tickets."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    user = click.user

    def work(session: Session) -> list[int] | None:
        """None: not an agent, nothing to change."""
        if people.agent_tier(session, user) is None:
            return None
        if click.value == "away":
            people.set_away(session=session, slack_id=user, now=runtime.now())
            return []
        handed = tickets.agent_back(session=session, slack_id=user, now=runtime.now())
        return [d for outcome in handed for d in outcome.deliveries]

    deliveries: list[int] = []
    try:
        changed = transaction(runtime.engine, work)
        if changed is None:
            return
        deliveries = changed
    except DomainError:
        log.warning("availability change refused")
    runtime.send(deliveries)
    runtime.submit(publish, runtime, user)


def register(app: App, runtime: Runtime) -> None:
    app.event("app_home_opened")(bind(opened, runtime=runtime))
    app.action(A_AVAILABILITY)(bind(availability, runtime=runtime))
