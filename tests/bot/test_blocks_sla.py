"""The service-level and rating builders: valid Block Kit, the deadline as <!date^…> with a
fallback in the reader's zone, the rating buttons only while a rating is asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from slack_sdk.models.views import View

from bot.blocks.csat import build_comment_modal, build_low_rating, rating_blocks
from bot.blocks.sla import build_sla_notice, card_line, reporter_line, slack_date
from bot.blocks.tickets import A_RESOLVE, A_TAKE, build_ticket_card
from bot.blocks.tickets.conversation import build_ticket_home
from storage.tickets import Snapshot
from storage.types import SlaView
from tests.bot.test_blocks import make_ticket, valid_blocks

DUE = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 11:00 in Jakarta


def test_slack_date_has_a_fallback_in_the_readers_zone() -> None:
    assert slack_date(DUE, "Asia/Jakarta", "en") == (
        f"<!date^{int(DUE.timestamp())}^{{date_short_pretty}} {{time}}|23 Nov. 2026 11:00 WIB>"
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_card_and_home_show_the_deadline(lang: str) -> None:
    snap = Snapshot(make_ticket(priority="urgent"), "Rina", "Agus", [])
    snap = replace(snap, sla=SlaView(DUE, None, False, False))
    card = build_ticket_card(snap, lang=lang, tz="Asia/Jakarta", buttons=[A_TAKE, A_RESOLVE])
    valid_blocks(card["blocks"])
    assert f"<!date^{int(DUE.timestamp())}^" in str(card)
    home = build_ticket_home(snap, lang=lang, tz="Asia/Jakarta", can_reopen=False)
    valid_blocks(home["blocks"])
    assert f"<!date^{int(DUE.timestamp())}^" in str(home)


def test_lines_say_what_applies() -> None:
    assert card_line(None, "en", "Asia/Jakarta") is None
    paused = SlaView(None, None, True, True)
    assert card_line(paused, "en", "Asia/Jakarta") == (
        "🔴 *Service level breached* · ⏸ The service-level clock is paused while the reporter is asked"
    )
    assert reporter_line(paused, "en", "Asia/Jakarta") == "We're waiting for you."
    resolving = SlaView(None, DUE, False, False)
    assert "Resolve by" in (card_line(resolving, "en", "Asia/Jakarta") or "")
    assert "We aim to resolve it by" in (reporter_line(resolving, "en", "Asia/Jakarta") or "")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(
    "what", ["response_warning", "response_breach", "resolution_warning", "resolution_breach"]
)
def test_notices_are_valid(lang: str, what: str) -> None:
    snap = replace(
        Snapshot(make_ticket(summary="<!here> x" * 200), "Rina", "Agus", []),
        sla=SlaView(DUE, DUE, False, True),
    )
    for lead in (False, True):
        notice = build_sla_notice(snap, what, lang=lang, tz="Asia/Jakarta", lead=lead)
        valid_blocks(notice["blocks"])
        assert "<!here>" not in str(notice)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rating_blocks_and_modal(lang: str) -> None:
    resolved = make_ticket(state="resolved", resolution="done", resolved_by="U0A")
    asked = replace(Snapshot(resolved, "Rina", "Agus", []), rating_open=True)
    assert rating_blocks(Snapshot(resolved, "Rina", "Agus", []), lang) == []
    valid_blocks(rating_blocks(asked, lang))
    rated = replace(asked, rating=4)
    blocks = rating_blocks(rated, lang)
    valid_blocks(blocks)
    styled = [e.get("style") for e in blocks[1]["elements"]]
    assert styled == [None, None, None, "primary", None]
    View(**build_comment_modal(7, lang)).validate_json()
    low = build_low_rating(rated, score=1, comment="<!channel>", lang=lang, lead=True)
    valid_blocks(low["blocks"])
    assert "<!channel>" not in str(low)
