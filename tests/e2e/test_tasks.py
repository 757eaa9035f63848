"""Daily tasks end to end: prompt, submission, replacement, approval, changes, refusals,
delegates, double clicks, the digest, progress and the report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from jobs.campaigns import run_campaign
from jobs.tasks import jobs as task_jobs
from storage import people, tasks
from storage.db import session_scope
from storage.models import ROLE_ADMIN, TaskReport
from tests.helpers import NOW, buttons, call_after, message_text, wait_calls, wait_dms

MONDAY_0930_WIB = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def seed_team(engine: Engine) -> None:
    rows = [
        (
            2,
            {
                "slack_id": "U0LEAD",
                "name": "Lina Lead",
                "email": "",
                "team": "Ops",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
        (
            3,
            {
                "slack_id": "U0DEWI",
                "name": "Dewi",
                "email": "",
                "team": "Ops",
                "lead_slack_id": "U0LEAD",
                "timezone": "Asia/Jakarta",
            },
        ),
        (
            4,
            {
                "slack_id": "U0EKO",
                "name": "Eko",
                "email": "",
                "team": "Ops",
                "lead_slack_id": "U0LEAD",
                "timezone": "Asia/Makassar",
            },
        ),
        (
            5,
            {
                "slack_id": "U0OTHER",
                "name": "Other Lead",
                "email": "",
                "team": "Ops",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
        (
            6,
            {
                "slack_id": "U0DELE",
                "name": "Delegate",
                "email": "",
                "team": "Ops",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
        (
            7,
            {
                "slack_id": "U0ADMIN",
                "name": "Admin",
                "email": "",
                "team": "IT",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
    ]
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
        people.add_role(session=s, slack_id="U0ADMIN", role=ROLE_ADMIN, now=NOW)


def tasks_value(text: str, note: str = "") -> dict:
    return {
        "tasks": {"value": {"type": "plain_text_input", "value": text}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
    }


def open_form(sender: SlackSender, standin: SlackStandIn, user: str) -> dict:
    before = len(standin.calls("views.open"))
    assert sender.command(user, "", command="/tugas").status == 200
    return call_after(standin, "views.open", before).params["view"]


def test_prompt_only_on_workdays_to_people_with_a_lead(
    rekan: Running, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    prompt = task_jobs(rekan.runtime.settings)[0]
    for day in (
        date(2026, 11, 28),
        date(2026, 12, 24),
        date(2026, 12, 25),
    ):  # Saturday, cuti bersama, Christmas
        assert (
            run_campaign(
                rekan.runtime.jobs,
                prompt,
                now=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=3),
                force=True,
            ).outcome
            == "not_today"
        )
    assert standin.messages() == []
    assert run_campaign(rekan.runtime.jobs, prompt, now=MONDAY_0930_WIB).outcome == "done"
    assert {m.channel for m in standin.messages()} == {"D0DEWI", "D0EKO"}
    assert buttons(standin.dms_to("U0DEWI")[0]) == ["tasks_open"]


def test_submit_replace_approve_and_changes(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    form = open_form(sender, standin, "U0DEWI")
    assert form["callback_id"] == "tasks_form"
    # bad input stays on the field
    assert "tasks" in sender.view_submission("U0DEWI", form, tasks_value("   \n ")).json()["errors"]
    assert (
        "11"
        in sender.view_submission(
            "U0DEWI", form, tasks_value("\n".join(f"tugas {i}" for i in range(11)))
        ).json()["errors"]["tasks"]
    )
    assert (
        "201"
        in sender.view_submission("U0DEWI", form, tasks_value("x" * 201)).json()["errors"]["tasks"]
    )
    reply = sender.view_submission(
        "U0DEWI",
        form,
        tasks_value("- laporan bulanan\n- rapat tim\n- review kode", "setengah hari"),
    )
    assert reply.json()["response_action"] == "update" and "<@U0LEAD>" in str(reply.json()["view"])
    assert reply.json()["view"]["title"]["text"] == "Tugas hari ini"
    card = wait_dms(standin, "U0LEAD")[0]
    assert "laporan bulanan" in message_text(card) and buttons(card) == [
        "tasks_approve",
        "tasks_changes",
    ]
    mine = wait_dms(standin, "U0DEWI")[0]
    assert "Selesai 0 dari 3" in message_text(mine)

    # replaced while pending: the lead is told, the card changes in place
    form = open_form(sender, standin, "U0DEWI")
    sender.view_submission(
        "U0DEWI", form, tasks_value("laporan bulanan\nrapat tim\nreview kode\ndeploy")
    )
    told = wait_dms(standin, "U0LEAD", 2)[-1]
    assert "mengubah tugasnya" in message_text(told)
    standin.wait_for(lambda: "deploy" in message_text(standin.dms_to("U0LEAD")[0]), 5)
    with session_scope(engine) as s:
        assert len(s.exec(select(TaskReport)).all()) == 1

    # progress: the person ticks two tasks; the lead's card shows it
    standin.wait_for(lambda: "Selesai 0 dari 4" in message_text(standin.dms_to("U0DEWI")[0]), 5)
    mine = standin.dms_to("U0DEWI")[0]
    section = next(
        b for b in mine.blocks or [] if b.get("accessory", {}).get("type") == "checkboxes"
    )
    options = section["accessory"]["options"]
    sender.block_action(
        "U0DEWI",
        "tasks_done",
        block_id=section["block_id"],
        action={
            "type": "checkboxes",
            "block_id": section["block_id"],
            "selected_options": options[:2],
        },
        message={"ts": mine.ts, "blocks": mine.blocks},
        channel_id=mine.channel,
    )
    standin.wait_for(lambda: "Selesai 2 dari 4" in message_text(standin.dms_to("U0LEAD")[0]), 5)
    assert "Selesai 2 dari 4" in message_text(standin.dms_to("U0LEAD")[0])

    # a stranger is refused; the lead approves; a second click is told who decided
    card = standin.dms_to("U0LEAD")[0]
    sender.click("U0OTHER", card, "tasks_approve")
    assert "Hanya atasannya (<@U0LEAD>)" in wait_calls(standin, "response_url")[-1].params["text"]
    sender.click("U0LEAD", card, "tasks_approve")
    decision = wait_dms(standin, "U0DEWI", 2)[-1]
    assert "<@U0LEAD> menyetujui" in message_text(decision)
    sender.click("U0LEAD", card, "tasks_approve")
    assert (
        "Sudah diputuskan oleh <@U0LEAD>"
        in wait_calls(standin, "response_url", 2)[-1].params["text"]
    )
    standin.wait_for(lambda: buttons(standin.dms_to("U0LEAD")[0]) == [], 5)
    assert "disetujui oleh <@U0LEAD>" in message_text(standin.dms_to("U0LEAD")[0])

    # after a decision a new submission starts a new approval; this one gets changes requested
    form = open_form(sender, standin, "U0DEWI")
    sender.view_submission("U0DEWI", form, tasks_value("tambahan: presentasi"))
    card2 = wait_dms(standin, "U0LEAD", 3)[-1]
    before = len(standin.calls("views.open"))
    sender.click("U0LEAD", card2, "tasks_changes")
    modal = call_after(standin, "views.open", before).params["view"]
    assert (
        "comment"
        in sender.view_submission(
            "U0LEAD", modal, {"comment": {"value": {"type": "plain_text_input", "value": " "}}}
        ).json()["errors"]
    )
    assert (
        sender.view_submission(
            "U0LEAD",
            modal,
            {"comment": {"value": {"type": "plain_text_input", "value": "tambahkan target"}}},
        ).body
        == ""
    )
    asked = wait_dms(standin, "U0DEWI", 4)[-1]
    assert "meminta perubahan" in message_text(asked) and "tambahkan target" in message_text(asked)
    with session_scope(engine) as s:
        states = [
            (r.round, r.state) for r in s.exec(select(TaskReport).order_by(TaskReport.round)).all()
        ]
    assert states == [(1, "approved"), (2, "changes_requested")]
    status = sender.command("U0DEWI", "status", command="/tugas").text
    assert "tambahan: presentasi" in status and "meminta perubahan" in status


def test_no_lead_delegate_admin_and_double_decisions(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    form = open_form(sender, standin, "U0OTHER")
    error = sender.view_submission("U0OTHER", form, tasks_value("sesuatu")).json()["errors"][
        "tasks"
    ]
    assert "belum punya atasan" in error and "<@U0ADMIN>" in error
    with session_scope(engine) as s:
        assert s.exec(select(TaskReport)).all() == []
        tasks.set_delegate(
            session=s,
            lead_id="U0LEAD",
            delegate_id="U0DELE",
            until=date(2026, 11, 30),
            today=date(2026, 11, 23),
        )
    with session_scope(engine, write=True) as s:
        tasks.set_delegate(
            session=s,
            lead_id="U0LEAD",
            delegate_id="U0DELE",
            until=date(2026, 11, 30),
            today=date(2026, 11, 23),
        )
    for user in ("U0DEWI", "U0EKO"):
        sender.view_submission(user, open_form(sender, standin, user), tasks_value(f"tugas {user}"))
    cards = wait_dms(standin, "U0LEAD", 2)
    dewi = next(c for c in cards if "U0DEWI" in message_text(c))
    eko = next(c for c in cards if "U0EKO" in message_text(c))
    sender.click("U0DELE", dewi, "tasks_approve")  # a delegate may decide
    wait_dms(standin, "U0DEWI", 2)
    sender.click("U0ADMIN", eko, "tasks_approve")  # so may an admin
    wait_dms(standin, "U0EKO", 2)
    with pytest.raises(AssertionError):
        wait_dms(standin, "U0DEWI", 3, timeout=0.5)  # one decision, one DM


def test_digest_lists_yesterdays_pending_once(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    for user in ("U0DEWI", "U0EKO"):
        sender.view_submission(user, open_form(sender, standin, user), tasks_value(f"tugas {user}"))
    wait_dms(standin, "U0LEAD", 2)
    digest = task_jobs(rekan.runtime.settings)[1]
    tuesday_0830 = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
    # 08:30 is before working hours (09:00): the digest waits for the opening.
    assert run_campaign(rekan.runtime.jobs, digest, now=tuesday_0830).outcome == "pending"
    assert len(standin.dms_to("U0LEAD")) == 2
    tuesday_0900 = tuesday_0830 + timedelta(minutes=30)
    assert run_campaign(rekan.runtime.jobs, digest, now=tuesday_0900).outcome == "done"
    one = wait_dms(standin, "U0LEAD", 3)[-1]
    assert (
        "(2)" in message_text(one)
        and "U0DEWI" in message_text(one)
        and "U0EKO" in message_text(one)
    )
    assert buttons(one).count("tasks_approve") == 2
    assert run_campaign(rekan.runtime.jobs, digest, now=tuesday_0900).outcome == "already_done"
    assert len(standin.dms_to("U0LEAD")) == 3


def test_tasks_report_cli(
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    database_url: str,
    tmp_path,
    monkeypatch,
    capsys,
) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("a\nb"))
    card = wait_dms(standin, "U0LEAD")[0]
    rekan.runtime.clock = lambda: MONDAY_0930_WIB + timedelta(minutes=30)
    sender.click("U0LEAD", card, "tasks_approve")
    wait_dms(standin, "U0DEWI", 2)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REKAN_LANGUAGE", "en")
    csv_file = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as info:
        main(["report", "tasks", "--team", "Ops", "--since", "2026-11-01", "--csv", str(csv_file)])
    out = capsys.readouterr().out
    assert info.value.code == 0
    dewi = next(line for line in out.splitlines() if "U0DEWI" in line)
    assert dewi.split()[-4:] == ["1", "1", "0", "30"]
    assert "U0DEWI" in csv_file.read_text()
    with pytest.raises(SystemExit) as info:
        main(["people", "delegate", "U0LEAD", "U0LEAD", "--until", "2099-01-01"])
    assert info.value.code == 1


def test_home_tab_tasks_approvals_and_delegate(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    from bot.sandbox.sender import visible_text

    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("satu\ndua"))
    wait_dms(standin, "U0LEAD")
    sender.event({"type": "app_home_opened", "user": "U0DEWI", "tab": "home"})
    home = wait_calls(standin, "views.publish")[-1].params["view"]
    assert "Hari ini: selesai 0 dari 2, menunggu persetujuan." in visible_text(home)
    sender.event({"type": "app_home_opened", "user": "U0LEAD", "tab": "home"})
    lead_home = wait_calls(standin, "views.publish", 2)[-1].params["view"]
    assert "Menunggu persetujuan Anda (1)" in visible_text(lead_home) and "tasks_approve" in str(
        lead_home
    )
    # the lead names a delegate from the Home tab; a date in the past is refused on the field
    before = len(standin.calls("views.open"))
    sender.block_action("U0LEAD", "tasks_delegate", "open", view={"id": "VHOME"})
    modal = call_after(standin, "views.open", before).params["view"]
    past = sender.view_submission(
        "U0LEAD",
        modal,
        {
            "delegate": {"value": {"type": "users_select", "selected_user": "U0DELE"}},
            "until": {"value": {"type": "datepicker", "selected_date": "2026-01-01"}},
        },
    )
    assert "until" in past.json()["errors"]
    ok = sender.view_submission(
        "U0LEAD",
        modal,
        {
            "delegate": {"value": {"type": "users_select", "selected_user": "U0DELE"}},
            "until": {"value": {"type": "datepicker", "selected_date": "2026-11-30"}},
        },
    )
    assert ok.body == ""
    standin.wait_for(lambda: len(standin.calls("views.publish")) >= 3, 5)
    assert "Wakil Anda: <@U0DELE>, sampai 2026-11-30." in visible_text(
        standin.calls("views.publish")[-1].params["view"]
    )
    card = standin.dms_to("U0LEAD")[0]
    sender.click("U0DELE", card, "tasks_approve")
    assert "menyetujui" in message_text(wait_dms(standin, "U0DEWI", 2)[-1])


def test_weekly_summary_to_each_lead(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("a"))
    card = wait_dms(standin, "U0LEAD")[0]
    sender.click("U0LEAD", card, "tasks_approve")
    wait_dms(standin, "U0DEWI", 2)
    summary = task_jobs(rekan.runtime.settings)[2]
    friday_1600 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert run_campaign(rekan.runtime.jobs, summary, now=friday_1600).outcome == "done"
    text = message_text(wait_dms(standin, "U0LEAD", 2)[-1])
    assert "<@U0DEWI>: 1 hari diisi, 1 disetujui" in text and "<@U0EKO>" not in text


def test_two_deciders_at_once_give_one_decision(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("a\nb"))
    card = wait_dms(standin, "U0LEAD")[0]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda who: sender.click(who, card, "tasks_approve"), ["U0LEAD", "U0ADMIN"]))
    wait_dms(standin, "U0DEWI", 2)
    refusal = wait_calls(standin, "response_url")[-1].params["text"]
    assert "Sudah diputuskan oleh" in refusal
    standin.wait_for(lambda: False, 0.3)
    assert len(standin.dms_to("U0DEWI")) == 2  # the list, and one decision
    with session_scope(engine) as s:
        assert [r.state for r in s.exec(select(TaskReport)).all()] == ["approved"]
