"""storage.saved_replies (kept by key, both languages, placeholders checked at `add`) and
sending one on a ticket (storage.tickets.conversation.saved_choice and send_saved): filled in
the reporter's language, kept once as the agent's message, relayed into the reporter's
ticket thread and the author's card thread; refused to those who may not act, on closed
tickets, and when there is nothing to send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import people, saved_replies
from storage.errors import DomainError, NotFound
from storage.models import TicketMessage
from storage.tickets import cancel, conversation, merge, resolve, take
from storage.tickets.messages import T_RELAY, card_key, home_key
from tests.storage.conftest import Tx
from tests.storage.seed import ADMIN, NOW, OUTSIDER, REPORTER, RINA, TIER1, new_ticket, outbox

A, B, _C = TIER1
LATER = NOW + timedelta(minutes=5)
ID_TEXT = "Halo {reporter}, tiket {ticket} sedang saya ({agent}) periksa."
EN_TEXT = "Hi {reporter}, I ({agent}) am looking at ticket {ticket}."


def _add(tx: Tx, key: str = "looking", text_id: str = ID_TEXT, text_en: str = EN_TEXT) -> None:
    with tx() as s:
        saved_replies.add(session=s, key=key, text_id=text_id, text_en=text_en, now=NOW)


def _refusal(error: pytest.ExceptionInfo[DomainError]) -> tuple[str, dict[str, object]]:
    return error.value.key, error.value.params


# ---------------------------------------------------------------- the replies themselves


def test_a_reply_is_added_then_replaced_under_its_key(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        reply, created = saved_replies.add(
            session=s, key=" VPN-Reset ", text_id=" Halo ", text_en="Hi", now=NOW
        )
        assert created and (reply.key, reply.text_id, reply.text_en) == ("vpn-reset", "Halo", "Hi")
    with tx() as s:
        reply, created = saved_replies.add(
            session=s, key="vpn-reset", text_id="Halo lagi", text_en="Hi again", now=LATER
        )
        assert not created
    with tx() as s:
        (kept,) = saved_replies.listing(s)
        assert (kept.key, kept.text_id, kept.text_en) == ("vpn-reset", "Halo lagi", "Hi again")
        assert (kept.created_at, kept.updated_at) == (NOW, LATER)
        assert saved_replies.get(s, "VPN-RESET") is not None
        assert saved_replies.get(s, "other") is None


def test_replies_are_listed_by_key_and_removed(engine: Engine, tx: Tx) -> None:
    for key in ("zoom-audio", "a-printer", "m_password"):
        _add(tx, key)
    with tx() as s:
        assert [r.key for r in saved_replies.listing(s)] == [
            "a-printer",
            "m_password",
            "zoom-audio",
        ]
        assert saved_replies.keys(s) == ["a-printer", "m_password", "zoom-audio"]
        saved_replies.remove(session=s, key="M_Password")
    with tx() as s:
        assert saved_replies.keys(s) == ["a-printer", "zoom-audio"]
        with pytest.raises(NotFound) as error:
            saved_replies.remove(session=s, key="m_password")
        assert _refusal(error) == ("replies.unknown", {"name": "m_password"})


@pytest.mark.parametrize(
    "key", ["", "   ", "two words", "-lead", "_lead", "tanda!", "ü-umlaut", "x" * 41]
)
def test_a_key_is_a_short_slug(engine: Engine, tx: Tx, key: str) -> None:
    with tx() as s, pytest.raises(DomainError) as error:
        saved_replies.add(session=s, key=key, text_id="Halo", text_en="Hi", now=NOW)
    assert error.value.key == "replies.bad_key"
    with tx() as s:
        assert saved_replies.keys(s) == []


def test_the_longest_key_and_every_slug_character_are_taken(engine: Engine, tx: Tx) -> None:
    _add(tx, "a" * 39 + "z")
    _add(tx, "0-reset_vpn-2")
    with tx() as s:
        assert saved_replies.keys(s) == ["0-reset_vpn-2", "a" * 39 + "z"]


@pytest.mark.parametrize(
    ("text_id", "text_en", "refusal"),
    [
        ("", "Hi", ("replies.empty", {"language": "id"})),
        ("Halo", "  \n ", ("replies.empty", {"language": "en"})),
        ("Halo\x00", "Hi", ("replies.bad_character", {"language": "id"})),
        (
            "Halo",
            "x" * 2801,
            ("replies.too_long", {"language": "en", "limit": 2800, "length": 2801}),
        ),
        (
            "Halo {nama}",
            "Hi {name}",
            (
                "replies.unknown_placeholder",
                {
                    "language": "id",
                    "placeholder": "{nama}",
                    "known": "{reporter}, {ticket}, {agent}",
                },
            ),
        ),
        (
            "Halo {reporter}",
            "Hi {Reporter}",
            (
                "replies.unknown_placeholder",
                {
                    "language": "en",
                    "placeholder": "{Reporter}",
                    "known": "{reporter}, {ticket}, {agent}",
                },
            ),
        ),
        (
            "Halo {reporter}",
            "Hi { reporter }",
            (
                "replies.unknown_placeholder",
                {
                    "language": "en",
                    "placeholder": "{ reporter }",
                    "known": "{reporter}, {ticket}, {agent}",
                },
            ),
        ),
    ],
)
def test_both_texts_are_required_and_checked(
    engine: Engine,
    tx: Tx,
    text_id: str,
    text_en: str,
    refusal: tuple[str, dict[str, object]],
) -> None:
    with tx() as s, pytest.raises(DomainError) as error:
        saved_replies.add(session=s, key="k", text_id=text_id, text_en=text_en, now=NOW)
    assert _refusal(error) == refusal
    with tx() as s:
        assert saved_replies.keys(s) == []


def test_texts_up_to_the_limit_and_lone_braces_are_taken(engine: Engine, tx: Tx) -> None:
    _add(tx, "long", "x" * 2800, "y" * 2800)
    _add(tx, "braces", "Tekan } lalu {", "Type {ticket} or a lone { brace")
    with tx() as s:
        assert saved_replies.keys(s) == ["braces", "long"]


def test_at_most_a_hundred_replies_as_a_select_shows(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        for n in range(100):
            saved_replies.add(session=s, key=f"r{n}", text_id="Halo", text_en="Hi", now=NOW)
    with tx() as s, pytest.raises(DomainError) as error:
        saved_replies.add(session=s, key="one-more", text_id="Halo", text_en="Hi", now=NOW)
    assert _refusal(error) == ("replies.too_many", {"limit": 100})
    _add(tx, "r7")  # replacing one is not adding one
    with tx() as s:
        assert len(saved_replies.keys(s)) == 100


def test_fill_escapes_the_text_then_fills_the_placeholders() -> None:
    filled = saved_replies.fill(
        "Hi {reporter} <!channel> & {ticket}: {agent} {agent} {other}",
        reporter="U0R",
        ticket=12,
        agent="U0A",
    )
    assert filled == "Hi <@U0R> &lt;!channel&gt; &amp; #12: <@U0A> <@U0A> {other}"


# ---------------------------------------------------------------- sending one on a ticket


@pytest.fixture
def ticket(org: Engine, tx: Tx) -> int:
    """Ticket #1, reported by REPORTER (who reads English), taken by agent A (Indonesian),
    with two saved replies."""
    with tx() as s:
        number = new_ticket(s).ticket.id or 0
        take(session=s, number=number, actor=A, now=NOW)
        people.set_language(session=s, slack_id=REPORTER, language="en", now=NOW)
        people.set_language(session=s, slack_id=A, language="id", now=NOW)
    _add(tx)
    _add(tx, "another", "Sudah beres?", "Is it fixed?")
    return number


def test_a_saved_reply_is_sent_as_the_agents_message_in_the_reporters_language(
    ticket: int, tx: Tx
) -> None:
    with tx() as s:
        said = conversation.send_saved(
            session=s, number=ticket, author=A, key="looking", now=LATER, default_language="id"
        )
        message = said.message
        assert message is not None and not said.again and said.refusal is None
        assert (message.kind, message.author_id, message.created_at) == ("agent", A, LATER)
        assert message.text == f"Hi <@{REPORTER}>, I (<@{A}>) am looking at ticket #1."
        assert message.source_key.startswith("saved:1:")
        rows = outbox(s, said.deliveries)
        # into the reporter's ticket thread, and into the author's own card thread
        assert [(r.template, r.recipient, r.params.get("thread")) for r in rows] == [
            (T_RELAY, REPORTER, home_key(ticket)),
            (T_RELAY, A, card_key(s, ticket, A)),
        ]
        assert all(r.params["message"] == message.id for r in rows)
        assert conversation.get(s, ticket).updated_at == LATER
    with tx() as s:
        assert [(m.kind, m.text) for m in conversation.messages_of(s, ticket)] == [
            ("agent", f"Hi <@{REPORTER}>, I (<@{A}>) am looking at ticket #1.")
        ]


def test_the_reporters_own_language_decides_else_the_companys(ticket: int, tx: Tx) -> None:
    with tx() as s:
        people.require(s, REPORTER).language = None
    with tx() as s:
        said = conversation.send_saved(
            session=s, number=ticket, author=A, key="another", now=LATER, default_language="id"
        )
        assert said.message is not None and said.message.text == "Sudah beres?"
        said = conversation.send_saved(
            session=s, number=ticket, author=A, key="another", now=LATER, default_language="en"
        )
        assert said.message is not None and said.message.text == "Is it fixed?"
        # each send is a message of its own
        assert len(conversation.messages_of(s, ticket)) == 2


def test_the_same_request_sends_once(ticket: int, tx: Tx) -> None:
    for _ in range(2):
        with tx() as s:
            said = conversation.send_saved(
                session=s,
                number=ticket,
                author=A,
                key="looking",
                now=LATER,
                default_language="id",
                source_key="saved:1:U0AGENTA:V0001",
            )
    assert said.again and said.deliveries == []
    with tx() as s:
        keys = s.exec(select(TicketMessage.source_key)).all()
        assert keys == ["saved:1:U0AGENTA:V0001"]
        assert [r.template for r in outbox(s)].count(T_RELAY) == 2


def test_one_who_may_act_without_a_card_sends_to_the_reporter_only(ticket: int, tx: Tx) -> None:
    with tx() as s:
        said = conversation.send_saved(
            session=s, number=ticket, author=ADMIN, key="another", now=LATER, default_language="id"
        )
        assert [(r.recipient, r.template) for r in outbox(s, said.deliveries)] == [
            (REPORTER, T_RELAY)
        ]
        assert card_key(s, ticket, ADMIN) is None


@pytest.mark.parametrize("who", [B, OUTSIDER, REPORTER, RINA])
def test_only_those_who_may_act_send_one(ticket: int, tx: Tx, who: str) -> None:
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.send_saved(
            session=s, number=ticket, author=who, key="looking", now=LATER, default_language="id"
        )
    assert _refusal(error) == ("conversation.not_agent", {"number": ticket})
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.saved_choice(session=s, number=ticket, author=who, default_language="id")
    assert error.value.key == "conversation.not_agent"
    with tx() as s:
        assert conversation.messages_of(s, ticket) == []


def test_a_closed_ticket_refuses_with_the_reason(ticket: int, tx: Tx) -> None:
    with tx() as s:
        resolve(session=s, number=ticket, actor=A, resolution="beres", now=NOW)
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.send_saved(
            session=s, number=ticket, author=A, key="looking", now=LATER, default_language="id"
        )
    assert _refusal(error) == ("replies.closed", {"number": ticket})
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.saved_choice(session=s, number=ticket, author=A, default_language="id")
    assert error.value.key == "replies.closed"
    # permission first: a stranger learns nothing of the ticket's state
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.send_saved(
            session=s, number=ticket, author=B, key="looking", now=LATER, default_language="id"
        )
    assert error.value.key == "conversation.not_agent"


def test_a_cancelled_or_merged_ticket_refuses(ticket: int, tx: Tx) -> None:
    with tx() as s:
        other = new_ticket(s, reporter=RINA).ticket.id or 0
        third = new_ticket(s, reporter=RINA, summary="printer macet").ticket.id or 0
        cancel(session=s, number=other, actor=RINA, now=NOW)
        merge(session=s, number=ticket, into=third, actor=ADMIN, now=NOW)
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.send_saved(
            session=s, number=other, author=ADMIN, key="looking", now=LATER, default_language="id"
        )
    assert _refusal(error) == ("replies.closed", {"number": other})
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.send_saved(
            session=s, number=ticket, author=A, key="looking", now=LATER, default_language="id"
        )
    assert _refusal(error) == ("ticket.merged", {"number": ticket, "into": third})


def test_an_unknown_reply_is_refused(ticket: int, tx: Tx) -> None:
    with tx() as s, pytest.raises(NotFound) as error:
        conversation.send_saved(
            session=s, number=ticket, author=A, key="gone", now=LATER, default_language="id"
        )
    assert _refusal(error) == ("replies.unknown", {"name": "gone"})


def test_the_choice_lists_every_key_and_fills_the_chosen_one(ticket: int, tx: Tx) -> None:
    with tx() as s:
        first = conversation.saved_choice(session=s, number=ticket, author=A, default_language="id")
        assert (first.keys, first.key, first.text, first.language) == (
            ["another", "looking"],
            "another",
            "Is it fixed?",
            "en",
        )
        assert (first.number, first.reporter) == (ticket, REPORTER)
        chosen = conversation.saved_choice(
            session=s, number=ticket, author=A, default_language="id", key="Looking"
        )
        assert (chosen.key, chosen.text) == (
            "looking",
            f"Hi <@{REPORTER}>, I (<@{A}>) am looking at ticket #1.",
        )
        # nothing was sent by looking
        assert conversation.messages_of(s, ticket) == []


def test_no_saved_replies_says_so(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s).ticket.id or 0
    with tx() as s, pytest.raises(DomainError) as error:
        conversation.saved_choice(session=s, number=number, author=A, default_language="id")
    assert _refusal(error) == ("replies.none", {})
