"""Send a saved reply: the modal with a select of the saved replies' keys and a preview of
the chosen one as the reporter will read it. Choosing another key updates the modal in
place (the select dispatches its action; the listener answers with views.update)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, StaticSelectElement

from bot.blocks.common import context, cut, mention, modal, section
from bot.blocks.tickets.card import number
from bot.blocks.tickets.ids import A_SAVED_PICK, B_SAVED, V_SAVED
from bot.i18n import t

OPTION_MAX = 75  # an option's text (Slack's limit)


def build_saved_modal(
    *,
    ticket_number: int,
    reporter: str,
    keys: Sequence[str],
    selected: str,
    preview: str,
    preview_language: str,
    lang: str,
) -> dict[str, Any]:
    """The modal: `keys` in a select, `selected` chosen, and `preview` (the chosen reply
    filled for the reporter, in `preview_language`) below it. `preview` may instead be a
    refusal to show in its place (the ticket closed meanwhile, the reply removed)."""
    options = [Option(value=k, text=cut(k, OPTION_MAX)) for k in keys]
    chosen = next((o for o in options if o.value == selected), None)
    language = t(f"saved_modal.language_{preview_language}", lang)
    who = mention(reporter)
    return modal(
        lang,
        t("saved_modal.title", lang, number=number(ticket_number)),
        [
            context(t("saved_modal.hint", lang, reporter=who)),
            InputBlock(
                block_id=B_SAVED,
                label=t("saved_modal.label", lang),
                dispatch_action=True,  # choosing another reply shows its preview
                element=StaticSelectElement(
                    action_id=A_SAVED_PICK, options=options, initial_option=chosen
                ),
            ),
            context(t("saved_modal.preview", lang, key=selected, language=language, reporter=who)),
            section(preview),
        ],
        submit=t("saved_modal.submit", lang),
        callback_id=V_SAVED,
        metadata=json.dumps({"ticket": ticket_number}),
    )
