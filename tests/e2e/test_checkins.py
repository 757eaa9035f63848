"""People Experience check-ins end to end: a round, answers, support, consent, HR, closing,
the reminder, opt-out, the report's floor and retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.reports import text_report
from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from jobs.campaigns import run_campaign
from jobs.checkins import jobs as checkin_jobs
from jobs.checkins import run_close, run_retention
from storage import checkins, people
from storage.db import session_scope
from storage.models import ROLE_HR, CheckinAnswer, FollowUp, WellbeingAggregate
from tests.helpers import NOW, buttons, call_after, message_text, wait_calls, wait_dms

MONDAY_10_WIB = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TUESDAY_10_WIB = MONDAY_10_WIB + timedelta(days=1)
STAFF = [f"U0STAFF{i}" for i in range(8)]


def seed_org(engine: Engine) -> None:
    rows = [
        (
            i + 2,
            {
                "slack_id": sid,
                "name": f"Staf {i}",
                "email": "",
                "team": "Ops" if i < 6 else "Legal",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        )
        for i, sid in enumerate(STAFF)
    ]
    rows += [
        (
            20,
            {
                "slack_id": "U0HRANI",
                "name": "Ani HR",
                "email": "",
                "team": "HR",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
        (
            21,
            {
                "slack_id": "U0HRBUDI",
                "name": "Budi HR",
                "email": "",
                "team": "HR",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
        (
            22,
            {
                "slack_id": "U0AWAY",
                "name": "Sedang Cuti",
                "email": "",
                "team": "Ops",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
            },
        ),
    ]
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
        for hr in ("U0HRANI", "U0HRBUDI"):
            people.add_role(session=s, slack_id=hr, role=ROLE_HR, now=NOW)
        people.set_away(session=s, slack_id="U0AWAY", now=NOW)
        checkins.add_support(
            session=s,
            name="Dokter perusahaan",
            description="Konsultasi gratis",
            link="https://klinik.example",
            contact="ext 123",
        )
        checkins.add_support(
            session=s, name="Psikolog", description="Konseling rahasia", link=None, contact=None
        )


def send_round(rekan: Running, now: datetime = MONDAY_10_WIB) -> str:
    job = checkin_jobs(rekan.runtime.settings)[0]
    # wait_for_retries: a post retried after back-off still belongs to this round
    run = run_campaign(rekan.runtime.jobs, job, now=now, wait_for_retries=True)
    assert run.outcome == "done", run.summary()
    assert run.key is not None
    return run.key


def record(engine: Engine, scores: dict[str, dict[str, int]]) -> None:
    """Answers of this week's round written straight to the database: {person: {question: score}}."""
    with session_scope(engine, write=True) as s:
        for slack_id, answers in scores.items():
            for question, score in answers.items():
                checkins.record(
                    session=s,
                    round_key="checkin:2026-W48",
                    slack_id=slack_id,
                    question=question,
                    score=score,
                    now=MONDAY_10_WIB,
                )


def click(sender: SlackSender, standin: SlackStandIn, user: str, action_id: str) -> None:
    message = standin.dms_to(user)[-1]
    assert sender.click(user, message, action_id).status == 200


def test_round_answers_support_consent_and_hr(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    key = send_round(rekan)
    assert key == "checkin:2026-W48"
    assert standin.dms_to("U0AWAY") == []
    ask = wait_dms(standin, "U0STAFF0")[0]
    order = buttons(ask)
    assert order[:10] == [f"checkin_physical_{n}" for n in range(1, 6)] + [
        f"checkin_mental_{n}" for n in range(1, 6)
    ]
    assert "checkin_stop" in order and "checkin_note" in order
    assert "Setiap minggu Rekan menanyakan" in message_text(
        ask
    )  # the first check-in explains itself

    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    click(sender, standin, "U0STAFF0", "checkin_physical_4")
    standin.wait_for(lambda: "Tercatat" in message_text(standin.dms_to("U0STAFF0")[-1]), 5)
    assert "fisik 4 · baik" in message_text(standin.dms_to("U0STAFF0")[-1])
    click(sender, standin, "U0STAFF0", "checkin_mental_2")  # low: support appears
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to("U0STAFF0")[-1]), 5)
    shown = message_text(standin.dms_to("U0STAFF0")[-1])
    assert "Dokter perusahaan" in shown and "Psikolog" in shown
    click(sender, standin, "U0STAFF0", "checkin_mental_3")  # changed mind: one answer per question
    standin.wait_for(lambda: "mental 3" in message_text(standin.dms_to("U0STAFF0")[-1]), 5)
    with session_scope(engine) as s:
        mine = s.exec(select(CheckinAnswer).where(CheckinAnswer.slack_id == "U0STAFF0")).all()
    assert sorted((a.question, a.score) for a in mine) == [("mental", 3), ("physical", 4)]
    assert (
        standin.dms_to("U0HRANI")[1:] == []
    )  # no consent, no name for HR (only their own check-in)

    # a low answer, then consent: exactly one follow-up per HR member, even after a second press
    click(sender, standin, "U0STAFF1", "checkin_physical_1")
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to("U0STAFF1")[-1]), 5)
    offer = standin.dms_to("U0STAFF1")[-1]
    before = len(standin.calls("response_url"))
    sender.click("U0STAFF2", offer, "checkin_consent")  # someone else's message: refused
    refusal = call_after(standin, "response_url", before).params["text"]
    assert "bukan untuk Anda" in refusal
    with session_scope(engine) as s:
        assert s.exec(select(FollowUp)).all() == []
    sender.click("U0STAFF1", offer, "checkin_consent")
    sender.click("U0STAFF1", offer, "checkin_consent")  # pressed twice before the message changed
    to_ani = wait_dms(standin, "U0HRANI", 2)[-1]
    to_budi = wait_dms(standin, "U0HRBUDI", 2)[-1]
    assert "<@U0STAFF1>" in message_text(to_ani) and "1/5" in message_text(to_ani)
    standin.wait_for(lambda: False, 0.3)
    assert len(standin.dms_to("U0HRANI")) == 2 and len(standin.dms_to("U0HRBUDI")) == 2
    with session_scope(engine) as s:
        assert len(s.exec(select(FollowUp)).all()) == 1
    # HR marks it contacted: the other copy shows who
    sender.click("U0HRANI", to_ani, "checkin_contacted")
    standin.wait_for(lambda: "<@U0HRANI>" in message_text(standin.dms_to("U0HRBUDI")[-1]), 5)
    assert "checkin_contacted" not in buttons(standin.dms_to("U0HRBUDI")[-1])
    before = len(standin.calls("response_url"))
    sender.click("U0HRBUDI", to_budi, "checkin_contacted")
    assert (
        "Sudah dihubungi oleh <@U0HRANI>"
        in call_after(standin, "response_url", before).params["text"]
    )


def test_bad_clicks_late_clicks_reminder_and_opt_out(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    key = send_round(rekan)
    ask = wait_dms(standin, "U0STAFF2")[0]
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    # someone else's message, an unknown round, a tampered value
    sender.click("U0STAFF3", ask, "checkin_physical_5")
    assert "bukan untuk Anda" in wait_calls(standin, "response_url")[-1].params["text"]
    sender.block_action("U0STAFF2", "checkin_physical_5", "checkin:1999-W01")
    assert "tidak ada" in wait_calls(standin, "response_url", 2)[-1].params["text"]
    sender.block_action("U0STAFF2", "checkin_physical_9", key)
    assert "tidak dikenali" in wait_calls(standin, "response_url", 3)[-1].params["text"]
    with session_scope(engine) as s:
        assert s.exec(select(CheckinAnswer)).all() == []

    click(sender, standin, "U0STAFF2", "checkin_physical_3")
    click(sender, standin, "U0STAFF4", "checkin_stop")
    standin.wait_for(
        lambda: "tidak akan menerima check-in lagi" in message_text(standin.dms_to("U0STAFF4")[-1]),
        5,
    )
    standin.wait_for(lambda: False, 0.3)

    # the next workday: one reminder, only to those who did not answer and did not stop
    reminder = checkin_jobs(rekan.runtime.settings)[1]
    assert run_campaign(rekan.runtime.jobs, reminder, now=TUESDAY_10_WIB).outcome == "done"
    reminded = {u for u in STAFF if len(standin.dms_to(u)) == 2}
    assert reminded == set(STAFF) - {"U0STAFF2", "U0STAFF4"}
    assert "Pengingat" in message_text(standin.dms_to("U0STAFF5")[-1])
    assert run_campaign(rekan.runtime.jobs, reminder, now=TUESDAY_10_WIB).outcome == "already_done"
    assert (
        run_campaign(rekan.runtime.jobs, reminder, now=TUESDAY_10_WIB + timedelta(days=1)).written
        == 0
    )

    # the round closes after 3 days; a late click is told kindly and records nothing
    assert run_close(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=3, minutes=1)) == "closed=1"
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(days=4)
    sender.click(
        "U0STAFF6",
        ask.__class__(**{**ask.__dict__, "channel": "D0STAFF6"})
        if False
        else standin.dms_to("U0STAFF6")[0],
        "checkin_mental_5",
    )
    assert "sudah ditutup" in wait_calls(standin, "response_url", 4)[-1].params["text"]
    with session_scope(engine) as s:
        assert s.exec(select(CheckinAnswer).where(CheckinAnswer.slack_id == "U0STAFF6")).all() == []

    # next week's round skips the one who stopped; the Home tab undoes it
    send_round(rekan, MONDAY_10_WIB + timedelta(days=7))
    assert len(standin.dms_to("U0STAFF4")) == 1
    sender.event({"type": "app_home_opened", "user": "U0STAFF4", "tab": "home"})
    assert "checkin_resume" in str(wait_calls(standin, "views.publish")[-1].params["view"])
    sender.block_action("U0STAFF4", "checkin_resume", "resume")
    standin.wait_for(lambda: len(standin.calls("views.publish")) >= 2, 5)
    with session_scope(engine) as s:
        person = people.get(s, "U0STAFF4")
        assert person is not None and not person.checkin_opt_out


def test_report_floor_and_retention(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    send_round(rekan)
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    scores = {
        0: (4, 4),
        1: (2, 3),
        2: (5, 5),
        3: (3, 1),
        4: (4, 2),
        5: (3, 3),
        6: (2, 2),
        7: (5, 4),
    }
    record(engine, {STAFF[i]: {"physical": p, "mental": m} for i, (p, m) in scores.items()})
    run_close(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=4))
    with session_scope(engine) as s:
        groups = checkins.report(s, weeks=12, low=2)
    by_team = {g.team: g for g in groups}
    ops, everyone = by_team["Ops"], by_team["*"]
    assert (ops.recipients, ops.respondents) == (6, 6)
    assert ops.physical_avg == sum(scores[i][0] for i in range(6)) / 6
    assert everyone.recipients == 10 and everyone.respondents == 8  # the HR members were asked too
    assert everyone.low_share == sum(1 for p, m in scores.values() for x in (p, m) if x <= 2) / 16
    text = text_report(groups, 5, "en")
    assert "Legal: too few answers" in text  # two people: below the floor
    assert "Ops: withheld" in text  # everyone (8) minus Ops (6) would be Legal's two
    # retention deletes answers; the kept numbers stay
    assert run_retention(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=400)).startswith(
        "deleted=16 audit=0 task_days=0"
    )
    with session_scope(engine) as s:
        assert s.exec(select(CheckinAnswer)).all() == []
        assert len(s.exec(select(WellbeingAggregate)).all()) == 4
        assert {g.team for g in checkins.report(s, weeks=12, low=2)} == {"*", "Ops", "Legal", "HR"}


def test_weekly_report_goes_to_hr_as_chart_and_text(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    from jobs.reports import run_weekly

    seed_org(engine)
    send_round(rekan)
    record(engine, {sid: {"physical": 4} for sid in STAFF[:6]})
    run_close(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=4))  # closed weeks only
    assert run_weekly(rekan.runtime.jobs, MONDAY_10_WIB) == "hr=2 sent=2"
    uploads = standin.calls("files.completeUploadExternal")
    assert len(uploads) == 2
    assert {u.params["channel_id"] for u in uploads} == {"D0HRANI", "D0HRBUDI"}
    text = uploads[0].params["initial_comment"]
    assert "Ops: partisipasi 100%" in text and "Legal: terlalu sedikit jawaban" in text
    sizes = [c.params["size"] for c in standin.calls("upload")]
    assert len(sizes) == 2 and all(size > 1000 for size in sizes)  # real PNGs


def test_no_log_line_pairs_a_person_with_a_score(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, caplog
) -> None:  # type: ignore[no-untyped-def]
    import logging
    import re

    seed_org(engine)
    caplog.set_level(logging.INFO)
    send_round(rekan)
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    for user in STAFF[:3]:
        wait_dms(standin, user)
        click(sender, standin, user, "checkin_mental_1")
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to(STAFF[2])[-1]), 5)
    click(sender, standin, STAFF[2], "checkin_consent")
    wait_dms(standin, "U0HRANI", 2)
    people_pattern = re.compile(r"U0STAFF\d|Staf \d")
    score_pattern = re.compile(r"score|checkin_(physical|mental)|\b[1-5]/5\b|skor", re.IGNORECASE)
    offending = [
        r.getMessage()
        for r in caplog.records
        if people_pattern.search(r.getMessage()) and score_pattern.search(r.getMessage())
    ]
    assert offending == []


def test_support_opt_out_and_report_cli(
    rekan: Running,
    standin: SlackStandIn,
    engine: Engine,
    database_url: str,
    tmp_path,
    monkeypatch,
    capsys,
) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from bot.cli import main

    seed_org(engine)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_API_URL", standin.url)
    monkeypatch.setenv("REKAN_LANGUAGE", "en")

    def cli(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capsys.readouterr()
        return int(info.value.code or 0), out, err

    assert (
        cli(
            "support",
            "add",
            "Support group",
            "--description",
            "Weekly talk",
            "--link",
            "https://x.example",
        )[0]
        == 0
    )
    code, out, _ = cli("support", "list")
    assert code == 0 and "Support group" in out and "Dokter perusahaan" in out
    assert cli("support", "add", "Bad", "--description", "x", "--link", "ftp://nope")[0] == 2
    assert cli("support", "remove", "Support group")[0] == 0
    assert cli("support", "remove", "Support group")[0] == 1
    code, out, _ = cli("people", "opt-out", "U0STAFF7")
    assert code == 0 and "no more check-ins" in out
    send_round(rekan)
    assert standin.dms_to("U0STAFF7") == []
    assert "again" in cli("people", "opt-out", "U0STAFF7", "--undo")[1]
    record(engine, {sid: {"mental": 2} for sid in STAFF[:6]})
    run_close(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=4))  # closed weeks only
    png, csv_file = tmp_path / "w.png", tmp_path / "w.csv"
    code, out, _ = cli(
        "report", "wellbeing", "--weeks", "4", "--png", str(png), "--csv", str(csv_file)
    )
    assert code == 0 and "Ops: participation 100%" in out and "low answers 100%" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = csv_file.read_text().splitlines()
    assert rows[0].startswith("week,team") and any(
        ",Legal," in r and "too few answers" in r for r in rows
    )


def test_jobs_run_checkin_sends_this_weeks_round_on_any_day(
    rekan: Running, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    job = checkin_jobs(rekan.runtime.settings)[0]
    wednesday = MONDAY_10_WIB + timedelta(days=2)
    assert run_campaign(rekan.runtime.jobs, job, now=wednesday).outcome == "not_today"
    run = run_campaign(rekan.runtime.jobs, job, now=wednesday, force=True, wait_for_retries=True)
    assert run.key == "checkin:2026-W48" and run.outcome == "done" and run.written == 10
    assert (
        run_campaign(rekan.runtime.jobs, job, now=wednesday, force=True).outcome == "already_done"
    )


def test_tell_us_more_reaches_hr_only_with_consent(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_org(engine)
    send_round(rekan)
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    before = len(standin.calls("views.open"))
    click(sender, standin, "U0STAFF0", "checkin_note")
    modal = call_after(standin, "views.open", before).params["view"]
    assert modal["callback_id"] == "checkin_note_modal"
    empty = sender.view_submission(
        "U0STAFF0", modal, {"note": {"value": {"type": "plain_text_input", "value": "  "}}}
    )
    assert "note" in empty.json()["errors"]
    done = sender.view_submission(
        "U0STAFF0",
        modal,
        {"note": {"value": {"type": "plain_text_input", "value": "kurang tidur"}}},
    )
    assert (done.status, done.body) == (200, "")
    with session_scope(engine) as s:
        assert checkins.note_of(s, "checkin:2026-W48", "U0STAFF0") == "kurang tidur"
    standin.wait_for(lambda: "Ubah catatan" in message_text(standin.dms_to("U0STAFF0")[-1]), 5)
    assert len(standin.dms_to("U0HRANI")) == 1  # nothing for HR without consent
    click(sender, standin, "U0STAFF0", "checkin_mental_1")
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to("U0STAFF0")[-1]), 5)
    click(sender, standin, "U0STAFF0", "checkin_consent")
    assert "kurang tidur" in message_text(wait_dms(standin, "U0HRANI", 2)[-1])
