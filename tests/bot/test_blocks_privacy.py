"""Block Kit of issue 21 passes slack_sdk's validation: My data on the Home tab, the check-in
message with its withdraw button, the withdrawn HR copy, a blanked message, an erasure request."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks.checkins import A_CONSENT, A_WITHDRAW, CheckinView, build_checkin, build_followup
from bot.blocks.home import HomeData, build_home
from bot.blocks.privacy import (
    A_DOWNLOAD,
    A_ERASURE,
    build_erased,
    build_erasure_request,
    build_my_data,
    export_summary,
)


def valid(blocks: list[dict]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def actions(blocks: list[dict]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_my_data_on_the_home_tab(lang: str) -> None:
    profile = {"name": "Rina <script>", "email": None, "team": "IT", "timezone": "Asia/Jakarta"}
    section = build_my_data(profile=profile, counts={"answers": 4, "roles": 1}, lang=lang)
    home = build_home(HomeData(lang=lang, my_data=section))
    View(**home).validate_json()
    assert actions(home["blocks"])[-2:] == [A_DOWNLOAD, A_ERASURE]
    assert "&lt;script&gt;" in str(section)  # what a person typed is escaped


@pytest.mark.parametrize("lang", ["id", "en"])
def test_checkin_offers_withdraw_after_contact_me_and_not_after_withdrawing(lang: str) -> None:
    base = CheckinView(
        round_key="checkin:2026-W48", lang=lang, closes="Kamis", answers={"mental": 1}
    )
    asked = build_checkin(base)
    consented = build_checkin(CheckinView(**{**base.__dict__, "consented": True}))
    withdrawn = build_checkin(
        CheckinView(**{**base.__dict__, "consented": True, "withdrawn": True})
    )
    for message in (asked, consented, withdrawn):
        valid(message["blocks"])
    assert A_CONSENT in actions(asked["blocks"]) and A_WITHDRAW not in actions(asked["blocks"])
    assert A_WITHDRAW in actions(consented["blocks"])
    assert A_WITHDRAW not in actions(withdrawn["blocks"])
    assert A_CONSENT not in actions(withdrawn["blocks"])
    # no longer low, still consented: the way to withdraw stays
    calm = build_checkin(
        CheckinView(**{**base.__dict__, "answers": {"mental": 4}, "consented": True})
    )
    assert A_WITHDRAW in actions(calm["blocks"])


def test_withdrawn_followup_shows_no_scores_no_note_no_button() -> None:
    message = build_followup(
        followup_id=3,
        person="U0RINA",
        name="Rina",
        answers={"physical": 1},
        note="rahasia",
        contacted_by=None,
        contacted_at=None,
        lang="en",
        withdrawn=True,
    )
    valid(message["blocks"])
    assert (
        "1/5" not in str(message) and "rahasia" not in str(message) and "Rina" not in str(message)
    )
    assert actions(message["blocks"]) == []


def test_erased_request_and_summary() -> None:
    valid(build_erased("id")["blocks"])
    request = build_erasure_request("U0RINA", "en")
    valid(request["blocks"])
    assert "rekan people erase U0RINA --yes" in str(request)
    text = export_summary({"checkins": [{"answers": {"mental": 1}, "note": "x"}]}, "en")
    assert "check-in answers: 1" in text and "check-in notes: 1" in text
