"""The saved reply modal (bot/blocks/tickets/saved.py): valid for slack_sdk.models in both
languages, the chosen key selected, its preview in the reporter's language, and the select
dispatching its choice so the preview can follow."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.views import View

from bot.blocks.tickets import A_SAVED_PICK, B_SAVED, V_SAVED, build_saved_modal
from bot.sandbox.sender import visible_text
from tests.bot.test_blocks import valid_blocks


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_modal_validates_and_shows_the_chosen_replys_preview(lang: str) -> None:
    keys = [f"reply-{n:02d}" for n in range(100)]  # as many as Slack's select holds
    view = build_saved_modal(
        ticket_number=1234567,
        reporter="U0RINA",
        keys=keys,
        selected="reply-07",
        preview="Hi <@U0RINA>, " + "x" * 3000,
        preview_language="en",
        lang=lang,
    )
    View(**view).validate_json()
    valid_blocks(view["blocks"])
    assert (view["callback_id"], json.loads(view["private_metadata"])) == (
        V_SAVED,
        {"ticket": 1234567},
    )
    (select_block,) = [b for b in view["blocks"] if b.get("block_id") == B_SAVED]
    assert select_block["dispatch_action"] is True
    element = select_block["element"]
    assert element["action_id"] == A_SAVED_PICK
    assert [o["value"] for o in element["options"]] == keys
    assert element["initial_option"]["value"] == "reply-07"
    shown = visible_text(view["blocks"])
    assert "Hi <@U0RINA>, xxx" in shown and "`reply-07`" in shown
    assert ("English" if lang == "en" else "bahasa Inggris") in shown


def test_the_labels_are_the_catalogs() -> None:
    view = build_saved_modal(
        ticket_number=3,
        reporter="U0RINA",
        keys=["a"],
        selected="a",
        preview="Halo",
        preview_language="id",
        lang="id",
    )
    assert view["title"]["text"] == "Balasan #3"
    assert view["submit"]["text"] == "Kirim"
    assert "Pratinjau `a` dalam bahasa Indonesia" in visible_text(view["blocks"])
