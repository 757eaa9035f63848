"""Withdrawing consent end to end (UU PDP): the person's "Withdraw my request" after "contact
me" redraws every HR copy without scores or note, HR's later "Contacted" is refused kindly,
stopping check-ins withdraws open requests, and each access leaves one audit row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage.db import session_scope
from storage.models import Audit, FollowUp
from tests.e2e.test_checkins import MONDAY_10_WIB, click, seed_org, send_round
from tests.helpers import buttons, call_after, message_text, wait_dms


def ask_for_contact(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, user: str, note: str | None = None
) -> None:
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    wait_dms(standin, user)
    click(sender, standin, user, "checkin_physical_1")
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to(user)[-1]), 5)
    click(sender, standin, user, "checkin_consent")
    standin.wait_for(lambda: "checkin_withdraw" in buttons(standin.dms_to(user)[-1]), 5)


def audit_rows(engine: Engine) -> list[tuple[str, str, str | None]]:
    with session_scope(engine) as s:
        return [(a.actor, a.action, a.subject) for a in s.exec(select(Audit)).all()]


def test_withdraw_updates_every_hr_copy_and_contacted_is_refused(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    send_round(rekan)
    ask_for_contact(rekan, sender, standin, "U0STAFF1")
    to_ani = wait_dms(standin, "U0HRANI", 2)[-1]
    to_budi = wait_dms(standin, "U0HRBUDI", 2)[-1]
    assert "1/5" in message_text(to_ani) and "1/5" in message_text(to_budi)
    # one `followup` row per HR copy, with Slack ids only
    assert sorted(audit_rows(engine)) == [
        ("U0HRANI", "followup", "U0STAFF1"),
        ("U0HRBUDI", "followup", "U0STAFF1"),
    ]

    click(sender, standin, "U0STAFF1", "checkin_withdraw")
    for hr in ("U0HRANI", "U0HRBUDI"):
        standin.wait_for(
            lambda hr=hr: "menarik permintaannya" in message_text(standin.dms_to(hr)[-1]), 5
        )
        shown = standin.dms_to(hr)[-1]
        assert "menarik permintaannya" in message_text(
            shown
        )  # updated in place: still the same message
        assert "1/5" not in message_text(shown) and "checkin_contacted" not in buttons(shown)
    assert len(standin.dms_to("U0HRANI")) == 2  # nothing new was posted, the copy changed
    mine = standin.dms_to("U0STAFF1")[-1]
    standin.wait_for(lambda: "checkin_withdraw" not in buttons(standin.dms_to("U0STAFF1")[-1]), 5)
    assert "menarik permintaan" in message_text(standin.dms_to("U0STAFF1")[-1])
    assert mine.ts == standin.dms_to("U0STAFF1")[-1].ts

    # HR presses the button of the copy they had before the update: refused, kindly
    before = len(standin.calls("response_url"))
    sender.click("U0HRANI", to_ani, "checkin_contacted")
    refusal = call_after(standin, "response_url", before).params["text"]
    assert "ditarik" in refusal
    with session_scope(engine) as s:
        row = s.exec(select(FollowUp)).one()
        assert row.withdrawn_at is not None and row.contacted_by is None
    assert [a for a in audit_rows(engine) if a[1] == "contacted"] == []


def test_stopping_checkins_withdraws_open_requests(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    send_round(rekan)
    ask_for_contact(rekan, sender, standin, "U0STAFF2")
    wait_dms(standin, "U0HRANI", 2)
    click(sender, standin, "U0STAFF2", "checkin_stop")
    for hr in ("U0HRANI", "U0HRBUDI"):
        standin.wait_for(
            lambda hr=hr: "menarik permintaannya" in message_text(standin.dms_to(hr)[-1]), 5
        )
        assert "1/5" not in message_text(standin.dms_to(hr)[-1])
    with session_scope(engine) as s:
        assert s.exec(select(FollowUp)).one().withdrawn_at is not None


def test_contacted_writes_one_audit_row(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    send_round(rekan)
    ask_for_contact(rekan, sender, standin, "U0STAFF3")
    to_ani = wait_dms(standin, "U0HRANI", 2)[-1]
    sender.click("U0HRANI", to_ani, "checkin_contacted")
    standin.wait_for(lambda: "<@U0HRANI>" in message_text(standin.dms_to("U0HRBUDI")[-1]), 5)
    sender.click("U0HRANI", to_ani, "checkin_contacted")  # a second press changes nothing
    standin.wait_for(lambda: False, 0.3)
    assert [a for a in audit_rows(engine) if a[1] == "contacted"] == [
        ("U0HRANI", "contacted", "U0STAFF3")
    ]


def test_opting_out_from_the_cli_withdraws_and_redraws_too(
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    seed_org(engine)
    send_round(rekan)
    ask_for_contact(rekan, sender, standin, "U0STAFF4")
    wait_dms(standin, "U0HRANI", 2)
    wait_dms(standin, "U0HRBUDI", 2)
    code, _, err = cli("people", "opt-out", "U0STAFF4")
    assert code == 0, err
    for hr in ("U0HRANI", "U0HRBUDI"):
        shown = message_text(standin.dms_to(hr)[-1])
        assert "withdrew their request" in shown and "1/5" not in shown  # the CLI reads English
    with session_scope(engine) as s:
        assert s.exec(select(FollowUp)).one().withdrawn_at is not None
