"""The Home tab: a person's tickets; for agents also their queue and availability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, DividerBlock
from slack_sdk.models.views import View

from bot.blocks.common import context, header, quote, section
from bot.blocks.tickets import build_claims, number, state_text
from bot.i18n import t
from storage.models import Ticket

A_AVAILABILITY = "home_availability"
MAX_LISTED = 15


@dataclass(frozen=True)
class HomeData:
    lang: str
    open_tickets: Sequence[Ticket] = ()
    recent_tickets: Sequence[Ticket] = ()
    agent_tier: int | None = None
    away: bool = False
    queue: Sequence[Ticket] = field(default_factory=list)
    claims: Sequence[tuple[Any, str]] = ()
    tz: str = "Asia/Jakarta"
    checkins_stopped: bool = False


def _ticket_lines(items: Sequence[Ticket], lang: str) -> str:
    return "\n".join(
        f"• *{number(x.id)}* {quote(x.summary, 100)} — {state_text(x, lang)}"
        for x in items[:MAX_LISTED]
    )


def build_home(data: HomeData) -> dict[str, Any]:
    lang = data.lang
    blocks: list[dict[str, Any]] = [header(t("home.title", lang))]
    if data.agent_tier is not None:
        state = t("home.away" if data.away else "home.available", lang)
        toggle = "back" if data.away else "away"
        blocks.append(section(f"*{t('home.agent', lang, tier=data.agent_tier)}* — {state}"))
        blocks.append(
            ActionsBlock(
                block_id="home_agent",
                elements=[
                    ButtonElement(
                        text=t(f"home.set_{toggle}", lang),
                        action_id=A_AVAILABILITY,
                        value=toggle,
                        style="primary" if toggle == "back" else None,
                    )
                ],
            ).to_dict()
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
    if data.checkins_stopped:
        blocks.append(DividerBlock().to_dict())
        blocks.append(section(t("home.checkins_stopped", lang)))
        blocks.append(
            ActionsBlock(
                block_id="home_checkins",
                elements=[
                    ButtonElement(
                        text=t("home.resume_checkins", lang),
                        action_id="checkin_resume",
                        value="resume",
                    )
                ],
            ).to_dict()
        )
    blocks.append(context(t("lapor.help_short", lang)))
    return View(type="home", blocks=blocks).to_dict()
