"""Block Kit builders: pure, valid for slack_sdk.models, escaped and within Slack's sizes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks.common import cut, escape, explain, format_time
from bot.blocks.home import HomeData, build_home
from bot.blocks.tickets import (
    A_ESCALATE,
    A_REOPEN,
    A_RESOLVE,
    A_TAKE,
    A_WAIT,
    A_WAIT_OFF,
    build_agent_notice,
    build_filed,
    build_lapor_modal,
    build_note_modal,
    build_reporter_notice,
    build_status,
    build_ticket_card,
    card_buttons,
    resolution_text,
)
from bot.blocks.tickets.conversation import build_ticket_home
from bot.i18n import t
from bot.listeners.tickets.form import validate_form
from storage.models import Ticket, TicketEvent
from storage.tickets import Snapshot
from storage.types import RESOLUTION_NO_ANSWER

WHEN = datetime(2026, 11, 23, 3, 5, tzinfo=UTC)


def make_ticket(**kw: object) -> Ticket:
    base: dict[str, object] = dict(
        id=7,
        source_key="k",
        reporter_id="U0R",
        summary="VPN putus",
        state="open",
        tier=1,
        agent_id="U0A",
        created_at=WHEN,
        updated_at=WHEN,
    )
    base.update(kw)
    return Ticket(**base)  # type: ignore[arg-type]


def valid_blocks(blocks: list[dict]) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def test_escape_and_cut() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert cut("abcdef", 4) == "abc…"
    assert cut("abc", 4) == "abc"
    assert cut("ab&amp;cd", 5) == "ab…"  # never half an escape


def test_times_are_shown_in_the_readers_zone() -> None:
    assert format_time(WHEN, "Asia/Jakarta", "id") == "23 Nov 2026 10:05 WIB"
    assert format_time(WHEN, "Asia/Jayapura", "en") == "23 Nov. 2026 12:05 WIT"


def test_card_buttons_follow_state_tier_and_reader() -> None:
    note, saved = "ticket_add_note", "ticket_saved_reply"
    assert card_buttons(make_ticket(), recipient_may_act=True) == [
        A_TAKE,
        A_ESCALATE,
        A_RESOLVE,
        note,
        saved,
    ]
    assert card_buttons(make_ticket(state="in_progress"), recipient_may_act=True) == [
        A_ESCALATE,
        A_RESOLVE,
        A_WAIT,
        note,
        saved,
    ]
    # waiting for the reporter: the same toggle, pressed again, ends the wait
    assert card_buttons(make_ticket(state="waiting_reporter"), recipient_may_act=True) == [
        A_ESCALATE,
        A_RESOLVE,
        A_WAIT_OFF,
        note,
        saved,
    ]
    assert card_buttons(make_ticket(tier=2), recipient_may_act=True) == [
        A_TAKE,
        A_RESOLVE,
        note,
        saved,
    ]
    assert card_buttons(make_ticket(state="resolved"), recipient_may_act=True) == []
    assert card_buttons(make_ticket(), recipient_may_act=False) == []


def test_card_is_valid_and_escapes() -> None:
    ticket = make_ticket(
        summary="<!here> " + "x" * 5000, location="Server <Kantor>", category="vpn", urgency="high"
    )
    events = [
        TicketEvent(ticket_id=7, actor_id="U0R", kind="filed", created_at=WHEN),
        TicketEvent(
            ticket_id=7, actor_id="U0A", kind="escalated", note="<@U0X> tolong", created_at=WHEN
        ),
    ]
    snap = Snapshot(ticket, "Rina", "Agus", events)
    message = build_ticket_card(snap, lang="id", tz="Asia/Jakarta", buttons=[A_TAKE, A_RESOLVE])
    valid_blocks(message["blocks"])
    dumped = str(message)
    assert "<!here>" not in dumped and "<@U0X>" not in dumped and "&lt;Kantor&gt;" in dumped
    assert len(message["text"]) < 4000


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_builder_validates(lang: str) -> None:
    ticket = make_ticket(resolution="Restart router", state="resolved")
    snap = Snapshot(ticket, "Rina", None, [])
    valid_blocks(
        build_reporter_notice(
            snap, "resolved", agent="U0A", lang=lang, tz="Asia/Jakarta", can_reopen=True
        )["blocks"]
    )
    valid_blocks(
        build_reporter_notice(
            snap, "escalated", agent=None, lang=lang, tz="Asia/Jakarta", can_reopen=False
        )["blocks"]
    )
    valid_blocks(build_filed(ticket, lang)["blocks"])
    valid_blocks(build_status([ticket] * 60, lang)["blocks"])
    for view in (
        build_lapor_modal(lang, [("vpn", "VPN"), ("printer", "Printer")]),
        build_note_modal("escalate", ticket, lang),
        build_note_modal("resolve", ticket, lang),
    ):
        View(**view).validate_json()
    home = build_home(
        HomeData(
            lang=lang,
            open_tickets=[ticket] * 30,
            recent_tickets=[ticket],
            agent_tier=1,
            queue=[ticket],
        )
    )
    View(**home).validate_json()
    assert len(home["blocks"]) <= 100


def test_form_validation() -> None:
    def v(summary: str, details: str = "", category: str | None = None) -> dict:
        return {
            "summary": {"value": {"type": "plain_text_input", "value": summary}},
            "details": {"value": {"type": "plain_text_input", "value": details}},
            "category": {
                "value": {
                    "type": "static_select",
                    "selected_option": {"value": category} if category else None,
                }
            },
        }

    assert set(validate_form(v(""), "en")[0]) == {"summary"}
    assert set(validate_form(v("a" * 151), "en")[0]) == {"summary"}
    assert set(validate_form(v("ok", "d" * 3001), "en")[0]) == {"details"}
    # categories are managed (`rekan categories`): filing checks them, not the form's shape
    assert validate_form(v("ok", category="printer"), "en")[1]["category"] == "printer"
    errors, cleaned = validate_form(v("  ok  ", category="vpn"), "en")
    assert errors == {} and cleaned["summary"] == "ok" and cleaned["category"] == "vpn"


def test_explain_shows_people_and_times() -> None:
    text = explain(
        "ticket.already_taken", {"number": 3, "by": "U0A", "at": WHEN}, "en", "Asia/Makassar"
    )
    assert text == "Ticket #3 was already taken by <@U0A> on 23 Nov. 2026 11:05 WITA."


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_repeat_answers_validate_and_name_the_tickets(lang: str) -> None:
    """Issue 17: a silent join carries "not the same problem" with the report's key; a
    possible repeat names the new number first and the old one on its button; the agent's
    card shows the possible repeat and the merge button while the ticket is open."""
    ticket = make_ticket()
    key = "cmd:1234567890.1234567890.abcdef0123456789abcdef0123456789"
    joined = build_filed(ticket, lang, joined=True, split_key=key)
    valid_blocks(joined["blocks"])
    split = [
        e for b in joined["blocks"] for e in b.get("elements", []) if e.get("type") == "button"
    ]
    assert [(e["action_id"], e["value"]) for e in split] == [("repeat_split", key)]
    new = make_ticket(id=13, possible_repeat_of=12)
    maybe = build_filed(new, lang, suggested=12)
    valid_blocks(maybe["blocks"])
    assert maybe["text"].index("#13") < maybe["text"].index("#12")
    same = [e for b in maybe["blocks"] for e in b.get("elements", []) if e.get("type") == "button"]
    assert [(e["action_id"], e["value"]) for e in same] == [("repeat_same", "13")]
    assert "#12" in same[0]["text"]["text"]
    assert all(
        e.get("type") != "button"
        for b in build_filed(new, lang)["blocks"]
        for e in b.get("elements", [])
    )
    snap = Snapshot(new, "Rina", "Agus", [])
    card = build_ticket_card(
        snap, lang=lang, tz="Asia/Jakarta", buttons=card_buttons(new, recipient_may_act=True)
    )
    valid_blocks(card["blocks"])
    ids = [e.get("action_id") for b in card["blocks"] for e in b.get("elements", [])]
    assert "ticket_merge_suggested" in ids and "#12" in str(card["blocks"])
    merged = make_ticket(id=13, possible_repeat_of=12, state="merged", merged_into=12)
    # even were a button asked for, a settled ticket offers no merge of its old guess
    closed_card = build_ticket_card(
        Snapshot(merged, "Rina", "Agus", []),
        lang=lang,
        tz="Asia/Jakarta",
        buttons=["ticket_resolve"],
    )
    assert "ticket_merge_suggested" not in str(closed_card["blocks"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_waiting_for_the_reporter_is_shown_on_both_sides(lang: str) -> None:
    ticket = make_ticket(state="waiting_reporter")
    started = TicketEvent(ticket_id=7, actor_id="U0A", kind="waiting_reporter", created_at=WHEN)
    snap = Snapshot(ticket, "Rina", "Agus", [started])
    card = build_ticket_card(snap, lang=lang, tz="Asia/Jakarta", buttons=[A_WAIT_OFF])
    valid_blocks(card["blocks"])
    toggle = card["blocks"][-1]["elements"][0]
    label = "Waiting for reply" if lang == "en" else "Menunggu jawaban"
    assert (toggle["text"]["text"], toggle.get("style")) == (label, "primary")
    assert "23 Nov" in str(card) and "<@U0R>" in str(card)  # since when, whose reply
    assert t("state.waiting_reporter", lang, tier=1) in str(card)
    home = build_ticket_home(snap, lang=lang, tz="Asia/Jakarta", can_reopen=False)
    valid_blocks(home["blocks"])
    assert t("home_dm.waiting", lang, agent="<@U0A>") in str(home)
    nudge = build_reporter_notice(
        snap, "nudge", agent="U0A", lang=lang, tz="Asia/Jakarta", can_reopen=False
    )
    valid_blocks(nudge["blocks"])
    assert nudge["text"] == t("reporter.nudge", lang, number="#7", agent="<@U0A>")
    replied = build_agent_notice(snap, "reporter_replied", params={"by": "U0R"}, lang=lang)
    assert replied["text"] == t("notice.reporter_replied", lang, number="#7", by="<@U0R>")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_answer_is_said_in_the_readers_words_with_reopen(lang: str) -> None:
    ticket = make_ticket(state="resolved", resolved_by="U0A", resolution=RESOLUTION_NO_ANSWER)
    snap = Snapshot(ticket, "Rina", "Agus", [])
    assert resolution_text(ticket, lang) == t("ticket.no_answer", lang)
    notice = build_reporter_notice(
        snap, "no_answer", agent="U0A", lang=lang, tz="Asia/Jakarta", can_reopen=True
    )
    valid_blocks(notice["blocks"])
    assert notice["text"] == t("reporter.no_answer", lang, number="#7", agent="<@U0A>")
    assert notice["blocks"][-1]["elements"][0]["action_id"] == A_REOPEN
    home = build_ticket_home(snap, lang=lang, tz="Asia/Jakarta", can_reopen=True)
    assert t("ticket.no_answer", lang) in str(home) and RESOLUTION_NO_ANSWER not in str(home)
    told = build_agent_notice(snap, "closed_no_answer", params={"by": "U0R"}, lang=lang)
    assert told["text"] == t("notice.closed_no_answer", lang, number="#7", by="<@U0R>")
