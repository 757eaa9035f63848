"""Satisfaction as people see it: "How did we do?" with 1–5 in the reporter's ticket DM, the
comment modal, and the low-rating notice to the agent and the helpdesk leads."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement

from bot.blocks.common import Message, actions, button, context, modal, quoted, said, section
from bot.i18n import t
from storage.types import Snapshot

A_RATE = "ticket_rate"  # a score button: value "score:ticket"
A_RATE_COMMENT = "ticket_rate_comment"  # opens the comment modal: value the ticket
V_RATE_COMMENT = "ticket_rate_comment_submit"
B_COMMENT = "comment"
FIELD = "value"
COMMENT_MAX = 1000


def rating_blocks(snap: Snapshot, lang: str) -> list[dict[str, Any]]:
    """The question and its buttons (the chosen score marked), then how to change it."""
    if not snap.rating_open:
        return []
    n = snap.ticket.id
    scores = [
        button(
            t(f"csat.score_{s}", lang),
            A_RATE,
            f"{s}:{n}",
            style="primary" if snap.rating == s else None,
        )
        for s in range(1, 6)
    ]
    blocks = [section(t("csat.question", lang)), actions(f"rate:{n}", scores)]
    if snap.rating is not None:
        blocks.append(context(t("csat.thanks", lang, score=snap.rating)))
        blocks.append(
            actions(
                f"rate_comment:{n}",
                [button(t("csat.comment_button", lang), A_RATE_COMMENT, str(n))],
            )
        )
    return blocks


def build_comment_modal(number: int, lang: str) -> dict[str, Any]:
    return modal(
        lang,
        t("csat.comment_title", lang, number=f"#{number}"),
        [
            InputBlock(
                block_id=B_COMMENT,
                label=t("csat.comment_label", lang),
                element=PlainTextInputElement(
                    action_id=FIELD, multiline=True, max_length=COMMENT_MAX
                ),
            )
        ],
        submit=t("csat.comment_submit", lang),
        callback_id=V_RATE_COMMENT,
        metadata=json.dumps({"ticket": number}),
    )


def build_low_rating(
    snap: Snapshot, *, score: int, comment: str | None, lang: str, lead: bool
) -> Message:
    """A low rating, to the agent who resolved the ticket (or to a helpdesk lead)."""
    ticket = snap.ticket
    text = t(
        "csat.low_lead" if lead else "csat.low_agent",
        lang,
        number=f"#{ticket.id}",
        score=score,
        reporter=f"<@{ticket.reporter_id}>",
        agent=f"<@{ticket.resolved_by}>" if ticket.resolved_by else "-",
    )
    blocks = [section(f"{text}\n{quoted(ticket.summary, 500)}")]
    if comment:
        blocks.append(said(comment, 1500, label=t("csat.comment_label", lang)))
    return {"text": text, "blocks": blocks}
