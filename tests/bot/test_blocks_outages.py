"""The outage builders (bot/blocks/outages.py): valid for slack_sdk.models in both languages
with the longest texts allowed, and the buttons each state calls for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.models.views import View

from bot.blocks import outages as blocks
from bot.sandbox.sender import visible_text
from storage.types import (
    NOTE_MAX,
    OUTAGE_TITLE_MAX,
    OutageUpdateView,
    OutageView,
    ProposalReport,
    ProposalView,
)
from tests.bot.test_blocks import valid_blocks

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LONG = "VPN *mati* <!channel> " + "x" * NOTE_MAX


def outage(state: str = "active", **kw: object) -> OutageView:
    values: dict[str, object] = {
        "id": 7,
        "title": "T" * OUTAGE_TITLE_MAX,
        "state": state,
        "owner_id": "U0AGENTB",
        "resource_name": None,
        "first_report_at": AT,
        "declared_at": AT + timedelta(minutes=12),
        "resolved_at": AT + timedelta(hours=2, minutes=12) if state == "resolved" else None,
        "resolution": LONG if state == "resolved" else None,
        "affected": 2000,
        "updates": tuple(OutageUpdateView(i, "U0AGENTB", LONG, AT) for i in range(1, 5)),
        "reports": 2100,
    }
    values.update(kw)
    return OutageView(**values)  # type: ignore[arg-type]


def ids(message: dict) -> list[str]:
    return [
        e.get("action_id", "")
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_message_validates_at_its_longest(lang: str) -> None:
    reports = [ProposalReport(n, f"U0S{n:04d}", LONG, AT) for n in range(1, 40)]
    for state in ("proposed", "declared", "dismissed"):
        proposal = ProposalView(
            1, state, None, reports, 39, "U0AGENTB", 7 if state == "declared" else None
        )
        valid_blocks(blocks.build_proposal(proposal, lang=lang, tz="Asia/Jakarta")["blocks"])
    for state in ("active", "resolved"):
        o = outage(state)
        for built in (
            blocks.build_outage_card(o, lang=lang, tz="Asia/Makassar", buttons=True),
            blocks.build_outage_card(o, lang=lang, tz="Asia/Makassar", buttons=False),
            blocks.build_linked(o, 123456, lang=lang, tz="Asia/Jayapura"),
            blocks.build_update(o, o.updates[0], lang=lang, tz="Asia/Jakarta"),
            blocks.build_resolved(o, 123456, lang=lang, tz="Asia/Jakarta"),
            blocks.build_resolved(o, None, lang=lang, tz="Asia/Jakarta"),
            blocks.build_summary(o, lang=lang, tz="Asia/Jakarta"),
        ):
            valid_blocks(built["blocks"])
            assert len(built["text"]) <= 3900
    home = blocks.known_problems([outage(), outage(id=8)], {8}, lang=lang, tz="Asia/Jakarta")
    valid_blocks(home)
    for view in (
        blocks.build_update_modal(outage(), lang),
        blocks.build_resolve_modal(outage(), lang),
        blocks.build_declare_modal(12, LONG, lang),
    ):
        View(**view).validate_json()
        valid_blocks(view["blocks"])


def test_buttons_follow_the_state() -> None:
    reports = [ProposalReport(1, "U0S1", "VPN mati", AT)]
    proposed = ProposalView(1, "proposed", "VPN", reports, 1)
    assert ids(blocks.build_proposal(proposed, lang="en", tz="UTC")) == [
        blocks.A_DECLARE,
        blocks.A_DISMISS,
    ]
    declared = ProposalView(1, "declared", "VPN", reports, 1, "U0AGENTB", 7)
    shown = blocks.build_proposal(declared, lang="en", tz="UTC")
    assert ids(shown) == [] and "Declared as outage #7 by <@U0AGENTB>" in visible_text(
        shown["blocks"]
    )
    card = blocks.build_outage_card(outage(), lang="en", tz="UTC", buttons=True)
    assert ids(card) == [blocks.A_UPDATE, blocks.A_RESOLVE]
    assert ids(blocks.build_outage_card(outage(), lang="en", tz="UTC", buttons=False)) == []
    assert (
        ids(blocks.build_outage_card(outage("resolved"), lang="en", tz="UTC", buttons=True)) == []
    )
    assert ids(blocks.build_linked(outage(), 5, lang="en", tz="UTC")) == [blocks.A_DIFFERENT]
    assert ids(blocks.build_linked(outage("resolved"), 5, lang="en", tz="UTC")) == []
    assert ids(blocks.build_resolved(outage("resolved"), 5, lang="en", tz="UTC")) == [
        "ticket_reopen"
    ]
    assert ids(blocks.build_resolved(outage("resolved"), None, lang="en", tz="UTC")) == []


def test_the_english_labels_are_the_issues() -> None:
    reports = [ProposalReport(1, "U0S1", "VPN mati", AT)]
    labels = {
        e["text"]["text"]
        for m in (
            blocks.build_proposal(
                ProposalView(1, "proposed", None, reports, 1), lang="en", tz="UTC"
            ),
            blocks.build_outage_card(outage(), lang="en", tz="UTC", buttons=True),
            blocks.build_linked(outage(), 5, lang="en", tz="UTC"),
        )
        for b in m["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert labels == {
        "Declare outage",
        "Not related",
        "Post update",
        "Resolve outage",
        "My problem is different",
    }
    home = blocks.known_problems([outage()], set(), lang="en", tz="UTC")
    assert "Known problems now" in visible_text(home) and "Me too" in str(home)


def test_the_summary_gives_the_times_to_declare_and_resolve() -> None:
    text = blocks.build_summary(outage("resolved"), lang="en", tz="Asia/Jakarta")["text"]
    assert "Time to declare: 12 min" in text and "time to resolve: 2 h 0 min" in text
    assert "2000 people affected, 2100 reports, 4 updates" in text
    # the reader's own clock: 02:00 UTC is 09:00 WIB
    assert "09:00 WIB" in text
