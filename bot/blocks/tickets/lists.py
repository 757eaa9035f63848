"""Lists and short answers about tickets: filed, status, queue and resource claims."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.common import (
    Message,
    actions,
    button,
    context,
    cut,
    format_time,
    mention,
    quote,
    quoted,
    section,
)
from bot.blocks.tickets.card import (
    number,
    state_text,
)
from bot.blocks.tickets.ids import (
    A_REPEAT_SAME,
    A_REPEAT_SPLIT,
    A_TAKE_CONFIRM,
    A_TAKE_LEAVE,
)
from bot.i18n import t
from storage.types import (
    TicketRecord,
)


def build_filed(
    ticket: TicketRecord,
    lang: str,
    *,
    repeat: bool = False,
    joined: bool = False,
    split_key: str | None = None,
    suggested: int | None = None,
) -> Message:
    """The reporter's confirmation, sent as the acknowledgement itself. A silent join carries
    "Not the same problem" (`split_key` names the joined report); a new ticket that may
    repeat ticket `suggested` names the new number first and offers "Same problem as #N"."""
    n = number(ticket.id)
    if joined:
        text = (
            t("lapor.joined", lang, number=n, agent=mention(ticket.agent_id))
            if ticket.agent_id
            else t("lapor.joined_waiting", lang, number=n)
        )
        blocks = [section(text), context(quoted(ticket.summary, 500))]
        if split_key:
            split = button(t("button.repeat_split", lang), A_REPEAT_SPLIT, split_key)
            blocks.append(actions(f"split:{ticket.id}", [split]))
        return {"text": text, "blocks": blocks}
    if ticket.agent_id:
        text = t("lapor.filed", lang, number=n, agent=mention(ticket.agent_id))
    else:
        text = t("lapor.filed_waiting", lang, number=n)
    if repeat:
        text = t("lapor.same_request", lang, number=n) + " " + text
    if suggested is not None:
        text += " " + t("lapor.maybe_same", lang, number=number(suggested))
    blocks = [section(text), context(quoted(ticket.summary, 500))]
    if suggested is not None:
        label = t("button.repeat_same", lang, number=number(suggested))
        blocks.append(actions(f"same:{ticket.id}", [button(label, A_REPEAT_SAME, str(ticket.id))]))
    return {"text": text, "blocks": blocks}


def build_status(tickets: Sequence[TicketRecord], lang: str) -> Message:
    if not tickets:
        return {
            "text": t("lapor.status_none", lang),
            "blocks": [section(t("lapor.status_none", lang))],
        }
    lines = [f"*{t('lapor.status_title', lang, count=len(tickets))}*"]
    for ticket in tickets[:40]:
        lines.append(
            f"• *{number(ticket.id)}* {quote(ticket.summary, 120)} — {state_text(ticket, lang)}"
        )
    text = "\n".join(lines)
    return {"text": cut(text, 3900), "blocks": [section(text)]}


def build_queue(queue: Sequence[TicketRecord], lang: str) -> Message:
    if not queue:
        return {
            "text": t("home.queue_empty", lang),
            "blocks": [section(t("home.queue_empty", lang))],
        }
    lines = [f"*{t('home.queue', lang, count=len(queue))}*"]
    lines += [
        f"• *{number(x.id)}* {quote(x.summary, 120)} — {state_text(x, lang)}" for x in queue[:40]
    ]
    text = "\n".join(lines)
    return {"text": cut(text, 3900), "blocks": [section(text)]}


def build_claim_conflict(
    ticket_number: int, *, resource: str, agent: str, held_on: int, since: str, lang: str
) -> Message:
    """Take on a resource someone else holds: who, on which ticket, since when; confirm first."""
    text = t(
        "claim.held",
        lang,
        resource=quote(resource, 200),
        agent=mention(agent),
        number=f"#{held_on}",
        since=since,
    )
    choice = [
        button(t("button.take_anyway", lang), A_TAKE_CONFIRM, str(ticket_number), style="danger"),
        button(t("button.leave_it", lang), A_TAKE_LEAVE, str(ticket_number)),
    ]
    return {"text": text, "blocks": [section(text), actions(f"claim:{ticket_number}", choice)]}


def build_claims(items: Sequence[tuple[Any, str]], *, lang: str, tz: str) -> Message:
    """Active resource claims: resource, agent, ticket, since."""
    if not items:
        return {"text": t("claim.none", lang), "blocks": [section(t("claim.none", lang))]}
    lines = [f"*{t('claim.title', lang, count=len(items))}*"]
    for claim, name in items[:40]:
        lines.append(
            t(
                "claim.line",
                lang,
                resource=quote(name, 100),
                agent=mention(claim.agent_id),
                number=f"#{claim.ticket_id}",
                since=format_time(claim.since, tz, lang),
            )
        )
    text = "\n".join(lines)
    return {"text": cut(text, 3900), "blocks": [section(text)]}
