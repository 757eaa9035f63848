"""The ticket's forms: the /lapor modal, the escalate/resolve note, merge, and the repeat choice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)

from bot.blocks.common import (
    actions,
    button,
    context,
    cut,
    mention,
    modal,
    quoted,
    section,
)
from bot.blocks.tickets.card import number
from bot.blocks.tickets.ids import (
    A_REPEAT_ADD,
    A_REPEAT_NEW,
    B_CATEGORY,
    B_DETAILS,
    B_LOCATION,
    B_NOTE,
    B_SUMMARY,
    B_TARGET,
    B_URGENCY,
    FIELD,
    V_ESCALATE,
    V_FORM,
    V_MERGE,
    V_RESOLVE,
)
from bot.blocks.tickets.lists import build_filed
from bot.i18n import t
from storage.types import (
    SUMMARY_MAX,
    URGENCIES,
    TicketRecord,
)


def _options(kind: str, values: Sequence[str], lang: str) -> list[Option]:
    return [Option(value=v, text=cut(t(f"{kind}.{v}", lang), 75)) for v in values]


def build_lapor_modal(lang: str, categories: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The /lapor form: summary (required), details, category (`categories`: key and name in
    the reader's language, as `rekan categories` keeps them; none, no field), location, urgency."""
    choices = [Option(value=key, text=cut(name, 75)) for key, name in categories[:100]]
    urgencies = _options("urgency", URGENCIES, lang)
    category_field = [
        InputBlock(
            block_id=B_CATEGORY,
            label=t("form.category", lang),
            optional=True,
            element=StaticSelectElement(
                action_id=FIELD,
                options=choices,
                placeholder=cut(t("form.choose", lang), 150),
            ),
        )
    ]
    return modal(
        lang,
        t("form.title", lang),
        [
            InputBlock(
                block_id=B_SUMMARY,
                label=t("form.summary", lang),
                element=PlainTextInputElement(
                    action_id=FIELD,
                    max_length=SUMMARY_MAX,
                    placeholder=cut(t("form.summary_hint", lang), 150),
                ),
            ),
            InputBlock(
                block_id=B_DETAILS,
                label=t("form.details", lang),
                optional=True,
                element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=3000),
            ),
            *(category_field if choices else []),
            InputBlock(
                block_id=B_LOCATION,
                label=t("form.location", lang),
                optional=True,
                hint=cut(t("form.location_hint", lang), 2000),
                element=PlainTextInputElement(action_id=FIELD, max_length=200),
            ),
            InputBlock(
                block_id=B_URGENCY,
                label=t("form.urgency", lang),
                optional=True,
                element=StaticSelectElement(
                    action_id=FIELD, options=urgencies, initial_option=urgencies[1]
                ),
            ),
        ],
        submit=t("form.submit", lang),
        callback_id=V_FORM,
    )


def build_filed_view(ticket: TicketRecord, lang: str, *, joined: bool = False) -> dict[str, Any]:
    """What the form turns into once the ticket is filed (or the report joined one)."""
    message = build_filed(ticket, lang, joined=joined)
    return modal(
        lang,
        t("form.title", lang),
        message["blocks"],
        close="form.done",
    )


def build_note_modal(kind: str, ticket: TicketRecord, lang: str) -> dict[str, Any]:
    """The note for an escalation (kind 'escalate') or the resolution (kind 'resolve')."""
    callback = V_ESCALATE if kind == "escalate" else V_RESOLVE
    return modal(
        lang,
        t(f"note.{kind}_title", lang, number=number(ticket.id)),
        [
            section(quoted(ticket.summary, 500)),
            InputBlock(
                block_id=B_NOTE,
                label=t(f"note.{kind}_label", lang),
                element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=3000),
            ),
        ],
        submit=t(f"note.{kind}_submit", lang),
        callback_id=callback,
        metadata=json.dumps({"ticket": ticket.id}),
    )


def build_merge_modal(ticket: TicketRecord, lang: str) -> dict[str, Any]:
    return modal(
        lang,
        t("merge.title", lang, number=number(ticket.id)),
        [
            section(quoted(ticket.summary, 500)),
            InputBlock(
                block_id=B_TARGET,
                label=t("merge.label", lang),
                element=PlainTextInputElement(
                    action_id=FIELD, max_length=12, placeholder=cut(t("merge.hint", lang), 150)
                ),
            ),
        ],
        submit=t("merge.submit", lang),
        callback_id=V_MERGE,
        metadata=json.dumps({"ticket": ticket.id}),
    )


def build_repeat_choice(existing: TicketRecord, pending: int, lang: str) -> dict[str, Any]:
    """The form found an open ticket of the reporter's that looks the same: add to it, or file
    anew. The form itself waits in the database as `pending` (a long one overflows metadata)."""
    text = t("lapor.looks_like", lang, number=number(existing.id), agent=mention(existing.agent_id))
    return modal(
        lang,
        t("form.title", lang),
        [
            section(text),
            context(quoted(existing.summary, 500)),
            actions(
                "repeat",
                [
                    button(
                        t("button.add_to", lang, number=number(existing.id)),
                        A_REPEAT_ADD,
                        str(existing.id),
                        style="primary",
                    ),
                    button(t("button.file_new", lang), A_REPEAT_NEW, "new"),
                ],
            ),
        ],
        callback_id="lapor_repeat",
        metadata=json.dumps({"pending": pending, "ticket": existing.id}),
    )
