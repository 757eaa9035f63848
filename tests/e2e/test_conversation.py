"""Talk on the ticket (issue 18), driven as Slack does: `message.im` events with thread_ts and
files sent signed to /slack/events, clicks and modals; what Rekan posts is read back from the
stand-in's threads."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.records import Message
from storage.db import session_scope
from storage.models import Delivery, Ticket, TicketMessage
from tests.helpers import call_after, message_text, seed, wait_calls, wait_dms

AGENT, REPORTER = "U0AGENTA", "U0REPORT"


def said(engine: Engine, number: int = 1) -> list[TicketMessage]:
    with session_scope(engine) as s:
        query = select(TicketMessage).where(TicketMessage.ticket_id == number)
        return list(s.exec(query.order_by(col(TicketMessage.id))).all())


def homes(standin: SlackStandIn, engine: Engine) -> tuple[Message, Message]:
    """The agent's card and the reporter's ticket DM: the two threads of ticket #1."""
    card = wait_dms(standin, AGENT)[0]
    home = wait_dms(standin, REPORTER)[0]
    # Rekan knows a thread once it has recorded where its first message went (a person
    # answers seconds later; a test must wait for it)
    standin.wait_for(lambda: recorded(engine, card.ts) and recorded(engine, home.ts), 5)
    return card, home


def recorded(engine: Engine, ts: str) -> bool:
    with session_scope(engine) as s:
        return s.exec(select(Delivery).where(Delivery.ts == ts)).first() is not None


def rekans(standin: SlackStandIn, parent: Message) -> list[Message]:
    """What Rekan posted in the thread under `parent` (not what the person wrote there)."""
    return [m for m in standin.thread(parent.channel, parent.ts) if m.user == parent.user]


def thread(standin: SlackStandIn, parent: Message, count: int) -> list[Message]:
    standin.wait_for(lambda: len(rekans(standin, parent)) >= count, 5)
    replies = rekans(standin, parent)
    assert len(replies) >= count, [message_text(m) for m in replies]
    return replies


def file_ticket(
    sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> tuple[Message, Message]:
    seed(engine)
    sender.command(REPORTER, "Server kantor tidak bisa diakses lewat RDP")
    return homes(standin, engine)


def test_a_question_and_an_answer_both_ways(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = file_ticket(sender, standin, engine)
    assert "Tiket #1" in message_text(home)
    sender.message_im(AGENT, "Error apa yang muncul?", channel=card.channel, thread_ts=card.ts)
    relayed = thread(standin, home, 1)[-1]
    assert "Error apa yang muncul?" in message_text(relayed) and "Genta" in message_text(relayed)
    sender.message_im(REPORTER, "Katanya sesi berakhir", channel=home.channel, thread_ts=home.ts)
    back = thread(standin, card, 1)[-1]
    assert "Katanya sesi berakhir" in message_text(back) and "Eport" in message_text(back)
    kept = said(engine)
    assert [(m.kind, m.author_id, m.text) for m in kept] == [
        ("agent", AGENT, "Error apa yang muncul?"),
        ("reporter", REPORTER, "Katanya sesi berakhir"),
    ]
    # the reporter's own words are not echoed back to them, nor the agent's to the agent
    assert not any("Error apa" in message_text(m) for m in rekans(standin, card))


def test_a_screenshot_is_relayed_and_a_too_large_file_is_named(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = file_ticket(sender, standin, engine)
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 2000
    shot = standin.add_file(REPORTER, "error.png", png, mimetype="image/png")
    sender.message_im(
        REPORTER, "ini errornya", channel=home.channel, thread_ts=home.ts, files=[shot]
    )
    complete = wait_calls(standin, "files.completeUploadExternal")[-1].params
    assert complete["channel_id"] == card.channel and complete["thread_ts"] == card.ts
    uploaded = complete["files"][0]["id"] if isinstance(complete["files"], list) else None
    assert uploaded is not None and standin.uploaded(uploaded) == png
    downloads = [c for c in standin.calls("download") if c.outcome == "ok"]
    assert len(downloads) == 1
    # a file over REKAN_FILE_MAX_MB (20) is named in the thread, not fetched, not dropped
    big = standin.add_file(REPORTER, "rekaman.mp4", b"0" * (21 * 1024 * 1024))
    sender.message_im(REPORTER, "", channel=home.channel, thread_ts=home.ts, files=[big])

    def named_files() -> list[Message]:
        return [m for m in rekans(standin, card) if "rekaman.mp4" in message_text(m)]

    standin.wait_for(lambda: bool(named_files()), 10)
    named = named_files()
    assert named and "20 MB" in message_text(named[-1])
    assert len([c for c in standin.calls("download") if c.outcome == "ok"]) == 1


def test_an_internal_note_never_reaches_the_reporter(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, _home = file_ticket(sender, standin, engine)
    sender.click(AGENT, card, "ticket_add_note")
    view = wait_calls(standin, "views.open")[-1].params["view"]
    assert view["callback_id"] == "ticket_internal_note"
    reply = sender.view_submission(
        AGENT, view, {"note": {"value": {"type": "plain_text_input", "value": "cek log RDP dulu"}}}
    )
    assert reply.status == 200
    note = thread(standin, card, 1)[-1]
    assert "cek log RDP dulu" in message_text(note) and "internal" in message_text(note).lower()
    standin.wait_for(lambda: False, 0.3)
    everything = " ".join(message_text(m) for m in standin.dms_to(REPORTER))
    assert "cek log RDP" not in everything
    assert [(m.kind, m.text) for m in said(engine)] == [("note", "cek log RDP dulu")]


def test_escalation_carries_the_conversation_to_tier_2(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = file_ticket(sender, standin, engine)
    sender.message_im(AGENT, "Sudah coba restart?", channel=card.channel, thread_ts=card.ts)
    sender.message_im(REPORTER, "Sudah, tetap gagal", channel=home.channel, thread_ts=home.ts)
    thread(standin, card, 1)
    sender.command(AGENT, "eskalasi #1 butuh akses admin server")
    t2_card = wait_dms(standin, "U0TIER2X")[0]
    history = thread(standin, t2_card, 1)[0]
    text = message_text(history)
    assert "Sudah coba restart?" in text and "Sudah, tetap gagal" in text
    # the talk continues with tier 2, both ways
    sender.message_im(
        "U0TIER2X", "Saya cek servernya", channel=t2_card.channel, thread_ts=t2_card.ts
    )
    assert any("Saya cek servernya" in message_text(m) for m in thread(standin, home, 3))
    sender.message_im(REPORTER, "Terima kasih", channel=home.channel, thread_ts=home.ts)
    assert any("Terima kasih" in message_text(m) for m in thread(standin, t2_card, 2))


def test_a_redelivered_event_relays_once_and_edits_follow(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = file_ticket(sender, standin, engine)
    ts = standin.new_ts()
    sender.message_im(REPORTER, "printer juga mati", channel=home.channel, thread_ts=home.ts, ts=ts)
    sender.resend(sender.sent[-1], retry_num=1)
    sender.message_im(
        REPORTER, "printer juga mati", channel=home.channel, thread_ts=home.ts, ts=ts, retry_num=2
    )
    thread(standin, card, 1)
    standin.wait_for(lambda: False, 0.3)
    assert len(said(engine)) == 1
    assert len([m for m in rekans(standin, card) if "printer" in message_text(m)]) == 1
    sender.message_changed(
        REPORTER,
        "printer lantai 3 juga mati",
        channel=home.channel,
        ts=ts,
        previous_text="printer juga mati",
        thread_ts=home.ts,
    )
    standin.wait_for(lambda: "lantai 3" in message_text(rekans(standin, card)[-1]), 5)
    assert "(diubah)" in message_text(rekans(standin, card)[-1])
    sender.message_deleted(REPORTER, channel=home.channel, ts=ts, thread_ts=home.ts)
    standin.wait_for(lambda: "menghapus" in message_text(rekans(standin, card)[-1]), 5)
    assert said(engine)[0].deleted_at is not None and said(engine)[0].text.startswith("printer")


def test_bad_input_gets_a_clear_answer_and_loses_nothing(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = file_ticket(sender, standin, engine)
    # outside a thread: a hint, nothing kept
    before = len(standin.calls("chat.postEphemeral"))
    sender.message_im(REPORTER, "halo, printer saya rusak", channel=home.channel)
    hint = call_after(standin, "chat.postEphemeral", before).params
    assert "/lapor" in hint["text"] and hint["user"] == REPORTER
    # an empty message and a bot's message: ignored
    sender.message_im(REPORTER, "   ", channel=home.channel, thread_ts=home.ts)
    sender.message_im("U0SOMEBOT", "beep", channel=home.channel, thread_ts=home.ts, bot_id="B0X")
    # 40,000 characters: cut with "…" in the relay, whole in the timeline
    long = "a" * 40_000
    sender.message_im(REPORTER, long, channel=home.channel, thread_ts=home.ts)
    relayed = thread(standin, card, 1)[-1]
    assert "…" in message_text(relayed) and len(message_text(relayed)) < 4000
    assert [len(m.text) for m in said(engine)] == [40_000]
    # resolved: kept, not relayed, the reporter is shown Reopen
    sender.command(AGENT, "selesai #1 sesi dibersihkan")
    before = len(standin.calls("chat.postEphemeral"))
    sender.message_im(REPORTER, "masih error", channel=home.channel, thread_ts=home.ts)
    answer = call_after(standin, "chat.postEphemeral", before).params
    assert "Buka lagi" in str(answer["blocks"]) and answer["thread_ts"] == home.ts
    assert [m.text for m in said(engine)][-1] == "masih error"
    assert not any("masih error" in message_text(m) for m in rekans(standin, card))
    with session_scope(engine) as s:
        ticket = s.get(Ticket, 1)
        assert ticket is not None and ticket.state == "resolved"
