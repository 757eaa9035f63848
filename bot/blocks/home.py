"""The Home tab: a person's tickets; for agents also their queue and availability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import DividerBlock
from slack_sdk.models.views import View

from bot.blocks.common import actions, button, context, header, quote, section
from bot.blocks.outages import known_problems
from bot.blocks.tasks import decision_buttons
from bot.blocks.tickets import build_claims, number, state_text
from bot.i18n import t
from storage.types import OutageView, TicketRecord

A_AVAILABILITY = "home_availability"
MAX_LISTED = 15


@dataclass(frozen=True)
class HomeData:
    lang: str
    open_tickets: Sequence[TicketRecord] = ()
    recent_tickets: Sequence[TicketRecord] = ()
    agent_tier: int | None = None
    away: bool = False
    queue: Sequence[TicketRecord] = field(default_factory=list)
    claims: Sequence[tuple[Any, str]] = ()
    tz: str = "Asia/Jakarta"
    checkins_stopped: bool = False
    tasks_today: tuple[Any, Sequence[Any]] | None = None
    recent_tasks: Sequence[Any] = ()
    approvals: Sequence[tuple[Any, str]] = ()
    is_lead: bool = False
    delegate: tuple[str, str] | None = None
    outages: Sequence[OutageView] = ()  # active now: "Known problems now"
    outages_mine: frozenset[int] = frozenset()  # of those, the ones this person is counted in
    my_data: list[dict[str, Any]] = field(default_factory=list)  # issue 21: built apart


def _ticket_lines(items: Sequence[TicketRecord], lang: str) -> str:
    return "\n".join(
        f"• *{number(x.id)}* {quote(x.summary, 100)} — {state_text(x, lang)}"
        for x in items[:MAX_LISTED]
    )


def build_home(data: HomeData) -> dict[str, Any]:
    lang = data.lang
    blocks: list[dict[str, Any]] = [header(t("home.title", lang))]
    if data.outages:
        blocks += known_problems(data.outages, data.outages_mine, lang=lang, tz=data.tz)
        blocks.append(DividerBlock().to_dict())
    if data.agent_tier is not None:
        state = t("home.away" if data.away else "home.available", lang)
        toggle = "back" if data.away else "away"
        blocks.append(section(f"*{t('home.agent', lang, tier=data.agent_tier)}* — {state}"))
        blocks.append(
            actions(
                "home_agent",
                [
                    button(
                        t(f"home.set_{toggle}", lang),
                        A_AVAILABILITY,
                        toggle,
                        style="primary" if toggle == "back" else None,
                    )
                ],
            )
        )
        blocks.append(section(f"*{t('home.queue', lang, count=len(data.queue))}*"))
        if data.queue:
            blocks.append(section(_ticket_lines(data.queue, lang)))
        else:
            blocks.append(context(t("home.queue_empty", lang)))
        blocks.extend(build_claims(data.claims, lang=lang, tz=data.tz)["blocks"])
        blocks.append(DividerBlock().to_dict())
    blocks.append(section(f"*{t('home.my_open', lang, count=len(data.open_tickets))}*"))
    if data.open_tickets:
        blocks.append(section(_ticket_lines(data.open_tickets, lang)))
    else:
        blocks.append(context(t("home.none_open", lang)))
    if data.recent_tickets:
        blocks.append(section(f"*{t('home.recent', lang)}*"))
        blocks.append(section(_ticket_lines(data.recent_tickets, lang)))
    blocks.extend(_tasks(data))
    if data.checkins_stopped:
        blocks.append(DividerBlock().to_dict())
        blocks.append(section(t("home.checkins_stopped", lang)))
        blocks.append(
            actions(
                "home_checkins",
                [button(t("home.resume_checkins", lang), "checkin_resume", "resume")],
            )
        )
    blocks.extend(data.my_data)
    blocks.append(context(t("lapor.help_short", lang)))
    return View(type="home", blocks=blocks).to_dict()


def _tasks(data: HomeData) -> list[dict[str, Any]]:
    """Today's tasks and recent days; for leads, pending approvals and their delegate."""
    lang = data.lang
    found: list[dict[str, Any]] = [DividerBlock().to_dict(), section(f"*{t('home.tasks', lang)}*")]
    if data.tasks_today is not None:
        report, items = data.tasks_today
        done = sum(1 for i in items if i.done)
        found.append(
            section(
                t(
                    "home.tasks_today",
                    lang,
                    done=done,
                    total=len(items),
                    state=t(f"home.tasks_{report.state}", lang),
                )
            )
        )
    else:
        found.append(context(t("tasks.status_none", lang)))
    if data.recent_tasks:
        found.append(
            context(
                " · ".join(
                    f"{r.day.isoformat()}: {t(f'home.tasks_{r.state}', lang)}"
                    for r in data.recent_tasks
                )
            )
        )
    if data.is_lead:
        found.append(section(f"*{t('home.approvals', lang, count=len(data.approvals))}*"))
        for report, name in list(data.approvals)[:10]:
            found.append(
                section(
                    t(
                        "tasks.digest_line",
                        lang,
                        person=f"<@{report.slack_id}>",
                        name=quote(name, 100),
                        day=report.day.isoformat(),
                    )
                )
            )
            found.append(decision_buttons(report.id, lang))
        who = (
            t("home.delegate_is", lang, delegate=f"<@{data.delegate[0]}>", until=data.delegate[1])
            if data.delegate
            else t("home.no_delegate", lang)
        )
        found.append(section(who))
        found.append(
            actions(
                "home_delegate", [button(t("home.set_delegate", lang), "tasks_delegate", "open")]
            )
        )
    return found
