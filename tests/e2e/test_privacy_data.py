"""A person's data end to end (UU PDP): "Download my data" from the Home tab gives the person
their own data and nobody else's (HR included); `rekan people export` gives the same file to an
admin; `rekan people erase` removes the history, pseudonymises the tickets (their count stays),
blanks Rekan's messages that showed it, leaves no trace of the name or answers in any text
column of any table, and `people sync` brings nothing back. Every access is audited once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table is in the metadata)
from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage import checkins, people, tasks
from storage.db import session_scope
from storage.models import (
    OPEN_STATES,
    ROLE_ADMIN,
    ROLE_AGENT,
    Audit,
    CheckinAnswer,
    Ticket,
    TicketMessage,
)
from tests.e2e.test_checkins import MONDAY_10_WIB, click, seed_org, send_round
from tests.helpers import NOW, buttons, message_text, wait_dms

CLI = Callable[..., tuple[int, str, str]]
SUBJECT, NAME, EMAIL = "U0ZUBA", "Zubaedah Kartika", "zubaedah.k@corp.id"
NOTE = "Sedang berat karena urusan keluarga di Medan"
OTHER_NOTE = "Catatan milik orang lain"


def seed(engine: Engine) -> None:
    seed_org(engine)
    rows = [
        (30, {"slack_id": SUBJECT, "name": NAME, "email": EMAIL, "team": "Ops",
              "lead_slack_id": "U0HRANI", "timezone": "Asia/Jakarta"}),
        (31, {"slack_id": "U0ADMIN", "name": "Admin Satu", "email": "", "team": "IT",
              "lead_slack_id": "", "timezone": "Asia/Jakarta"}),
        (32, {"slack_id": "U0AGENT", "name": "Agen Satu", "email": "", "team": "IT",
              "lead_slack_id": "", "timezone": "Asia/Jakarta"}),
    ]  # fmt: skip
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
        people.add_role(session=s, slack_id="U0ADMIN", role=ROLE_ADMIN, now=NOW)
        people.add_role(session=s, slack_id="U0AGENT", role=ROLE_AGENT, tier=1, now=NOW)


def history(rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine) -> None:
    """The subject answers low, asks HR to contact them, writes a note, files two tickets and
    writes in one, and submits a task day; another person answers too."""
    send_round(rekan)
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    wait_dms(standin, SUBJECT)
    click(sender, standin, SUBJECT, "checkin_mental_1")
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to(SUBJECT)[-1]), 5)
    click(sender, standin, SUBJECT, "checkin_consent")
    wait_dms(standin, "U0HRANI", 2)
    wait_dms(standin, "U0HRBUDI", 2)
    click(sender, standin, "U0STAFF2", "checkin_physical_4")
    later = MONDAY_10_WIB + timedelta(hours=2)
    with session_scope(engine, write=True) as s:
        for who, note in ((SUBJECT, NOTE), ("U0STAFF2", OTHER_NOTE)):
            checkins.save_note(
                session=s, round_key="checkin:2026-W48", slack_id=who, note=note, now=later
            )
    for text in (f"Laptop {NAME} tidak mau menyala", "Printer lantai 2 macet"):
        assert sender.command(SUBJECT, text).status == 200
    standin.wait_for(lambda: len(standin.dms_to("U0AGENT")) >= 2, 5)
    with session_scope(engine, write=True) as s:
        first = s.exec(select(Ticket).order_by(Ticket.id)).first()[0]  # type: ignore[index]
        s.add(
            TicketMessage(
                ticket_id=first.id,
                author_id=SUBJECT,
                kind="reporter",
                text=f"Ini {NAME}, email saya {EMAIL}",
                source_key="msg:D0ZUBA:1.1",
                created_at=later,
            )
        )
        tasks.submit(
            session=s,
            slack_id=SUBJECT,
            day=later.date(),
            items=["Rekap absensi"],
            note="izin sore",
            now=later,
        )


def downloaded(standin: SlackStandIn, user: str, before: int) -> dict[str, Any]:
    standin.wait_for(lambda: len([m for m in standin.dms_to(user) if m.files]) > before, 5)
    shared = [m for m in standin.dms_to(user) if m.files][-1]
    assert shared.files is not None
    return json.loads(standin.uploaded(shared.files[0]["id"]))


def scan(engine: Engine) -> list[str]:
    """Every text and JSON column of every table (the subject's own account row and the audit
    trail aside): where the name, email, Slack id or note still appear."""
    needles = [NAME.lower(), "zubaedah", EMAIL.lower(), SUBJECT.lower(), NOTE.lower()]
    found = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "audit":
                continue
            # by their type, not a list: a table added later is scanned too (AutoString wraps
            # String, so look at what a type decorates)
            columns = [
                c
                for c in table.columns
                if isinstance(getattr(c.type, "impl_instance", c.type), String | Text | JSON)
            ]
            query = select(*table.columns)
            if table.name == "person":
                query = query.where(table.c.slack_id != SUBJECT)
            for row in conn.execute(query).mappings():
                for column in columns:
                    value = row[column.name]
                    text = json.dumps(value) if not isinstance(value, str) else value
                    if any(n in text.lower() for n in needles):
                        found.append(f"{table.name}.{column.name}: {text[:80]}")
    return found


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {
            "tickets": s.exec(select(func.count()).select_from(Ticket)).one()[0],
            "answers": s.exec(select(func.count()).select_from(CheckinAnswer)).one()[0],
            "audit": s.exec(select(func.count()).select_from(Audit)).one()[0],
        }


def audit_rows(engine: Engine, action: str) -> list[tuple[str, str | None]]:
    with session_scope(engine) as s:
        rows = s.exec(select(Audit).where(Audit.action == action)).all()
        return [(a[0].actor, a[0].subject) for a in rows]


def test_download_is_mine_only_and_home_shows_my_data(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    history(rekan, sender, standin, engine)
    sender.event({"type": "app_home_opened", "user": SUBJECT, "tab": "home"})
    standin.wait_for(
        lambda: any(c.params.get("user_id") == SUBJECT for c in standin.calls("views.publish")), 5
    )
    home = [c for c in standin.calls("views.publish") if c.params.get("user_id") == SUBJECT][-1]
    view = home.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    shown = json.dumps(view)
    assert "privacy_download" in shown and "privacy_erasure" in shown
    assert "Data saya" in shown and "jawaban check-in: 1" in shown

    before_audit = counts(engine)["audit"]
    sender.block_action(SUBJECT, "privacy_download", "mine")
    mine = downloaded(standin, SUBJECT, 0)
    assert mine["profile"]["name"] == NAME and mine["profile"]["email"] == EMAIL
    assert mine["checkins"][0]["answers"] == {"mental": 1}
    assert mine["checkins"][0]["note"] == NOTE
    assert [c["round"] for c in mine["consents"]] == ["checkin:2026-W48"]
    assert len(mine["tickets_filed"]) == 2 and mine["task_days"][0]["tasks"][0]["text"] == (
        "Rekap absensi"
    )
    assert {a["by"] for a in mine["accesses"]} == {"U0HRANI", "U0HRBUDI"}  # who saw it
    text = json.dumps(mine)
    assert OTHER_NOTE not in text and "U0STAFF2" not in text  # nobody else's data
    summary = [m for m in standin.dms_to(SUBJECT) if m.files][-1].text
    assert "jawaban check-in: 1" in summary
    assert counts(engine)["audit"] == before_audit  # one's own data: not someone else's access

    # HR presses the same button with someone else's id: they get their own data, never theirs
    sender.block_action("U0HRANI", "privacy_download", SUBJECT)
    theirs = downloaded(standin, "U0HRANI", 0)
    assert theirs["profile"]["slack_id"] == "U0HRANI"
    assert NAME not in json.dumps(theirs) and NOTE not in json.dumps(theirs)
    assert [m for m in standin.dms_to(SUBJECT) if m.files][-1:] == [
        m for m in standin.dms_to(SUBJECT) if m.files
    ][-1:]
    assert len([m for m in standin.dms_to(SUBJECT) if m.files]) == 1

    # an upload Slack refuses: the person is told in a DM, not left waiting in silence
    standin.inject("files.getUploadURLExternal", "error", error="not_allowed_token_type")
    sender.block_action(SUBJECT, "privacy_download", "mine")
    standin.wait_for(lambda: "belum dapat disiapkan" in standin.dms_to(SUBJECT)[-1].text, 5)
    assert "belum dapat disiapkan" in standin.dms_to(SUBJECT)[-1].text
    assert len([m for m in standin.dms_to(SUBJECT) if m.files]) == 1

    # asking for erasure DMs the admins and tells the person; nothing is erased yet
    sender.block_action(SUBJECT, "privacy_erasure", "mine")
    asked = wait_dms(standin, "U0ADMIN", 2)[-1]  # after their own check-in
    assert f"rekan people erase {SUBJECT} --yes" in message_text(asked)
    standin.wait_for(lambda: "admin" in standin.dms_to(SUBJECT)[-1].text, 5)
    assert counts(engine)["answers"] == 2


def test_export_and_erase_from_the_cli(
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    cli: CLI,
    tmp_path: Path,
) -> None:
    seed(engine)
    history(rekan, sender, standin, engine)
    out = tmp_path / "zuba.json"
    code, stdout, _ = cli("people", "export", SUBJECT, "--out", str(out))
    assert code == 0 and str(out) in stdout
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["checkins"][0]["note"] == NOTE and OTHER_NOTE not in out.read_text()
    assert audit_rows(engine, "export") == [("cli", SUBJECT)]

    # bad input: one clear line, nothing changed
    before = counts(engine), scan(engine)
    for args, words in (
        ((SUBJECT,), "--yes"),
        (("U0NOBODY", "--yes"), "U0NOBODY"),
        (("U0ADMIN", "--yes"), "last admin"),
    ):
        code, stdout, stderr = cli("people", "erase", *args)
        assert code == 1 and words in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert (counts(engine), scan(engine)) == before

    # their own open reports first: erasing would leave them talking to a pseudonym
    with session_scope(engine) as s:
        still_open = [
            t.id
            for t in s.exec(select(Ticket).where(Ticket.reporter_id == SUBJECT)).scalars()
            if t.state in OPEN_STATES
        ]
    assert still_open
    code, _, stderr = cli("people", "erase", SUBJECT, "--yes")
    assert code == 1 and "open tickets" in stderr and len(stderr.strip().splitlines()) == 1
    assert (counts(engine), scan(engine)) == before
    for number in still_open:
        assert f"#{number}" in sender.command(SUBJECT, f"batal #{number}").text

    ask = standin.dms_to(SUBJECT)[0]
    copies = [standin.dms_to(hr)[-1] for hr in ("U0HRANI", "U0HRBUDI")]
    code, stdout, stderr = cli("people", "erase", SUBJECT, "--yes")
    assert code == 0, stderr
    assert "answers=1" in stdout and "notes=1" in stdout and "task_days=1" in stdout
    assert "Pseudonymised as ERASED" in stdout and "2 tickets" in stdout
    assert "blanked: 3" in stdout  # the check-in DM and both HR copies
    assert "unsent_messages=2" in stdout  # the task day's, never posted: dropped
    assert scan(engine) == []
    after = counts(engine)
    assert after["tickets"] == before[0]["tickets"]  # the helpdesk's numbers stay
    assert after["answers"] == 1  # the other person's answer stays
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(CheckinAnswer)).one()[0] == 1
        reporters = {t[0].reporter_id for t in s.exec(select(Ticket)).all()}
        assert len(reporters) == 1 and next(iter(reporters)).startswith("ERASED")
        assert people.get(s, SUBJECT) is not None  # still employed: the account stays
    pseudonym = next(iter(reporters))
    assert audit_rows(engine, "erase") == [("cli", pseudonym)]
    assert set(audit_rows(engine, "followup")) == {("U0HRANI", pseudonym), ("U0HRBUDI", pseudonym)}
    assert audit_rows(engine, "export") == [("cli", pseudonym)]

    # Rekan's messages that showed the check-in are blanked in place
    for message in (ask, *copies):
        now_shown = next(m for m in standin.messages(message.channel) if m.ts == message.ts)
        assert "removed at the person's request" in message_text(now_shown)  # the CLI's language
        assert "1/5" not in message_text(now_shown) and NAME not in message_text(now_shown)

    # Slack still knows the person: sync refreshes the account, never the erased history
    standin.add_user(SUBJECT, NAME, email=EMAIL)
    code, _, stderr = cli("people", "sync")
    assert code == 0, stderr
    assert scan(engine) == []
    with session_scope(engine) as s:
        assert s.exec(select(CheckinAnswer).where(CheckinAnswer.slack_id == SUBJECT)).all() == []
