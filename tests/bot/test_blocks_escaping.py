"""What people typed, and their Slack names, reach mrkdwn inert: no pings, no hidden links, no
formatting, and no line of theirs that can pass for one of Rekan's own field lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import checkins, tasks, tickets
from bot.blocks.common import quote, quoted
from bot.blocks.home import HomeData, build_home
from storage.models import Claim, TaskItem, TaskReport, Ticket, TicketEvent
from storage.tickets import Snapshot

WHEN = datetime(2026, 11, 23, 3, 5, tzinfo=UTC)
NAME = "<!channel> Eko *Boss*"
# A reporter's attempt to write Rekan's own "State" line, a code block, a disguised link and
# every mrkdwn mark, in one text.
FORGED = (
    "VPN putus\n*State:* Resolved by <@U0EVIL>\n```rm -rf```\n"
    "<https://evil.example|click> _x_ ~y~ `z` &lt;!here&gt;"
)
ALIVE = (
    "<!channel>",
    "<!here>",
    "<@U0EVIL>",
    "<https://evil",
    "```",
    "`z`",
    "_x_",
    "~y~",
    "*Boss*",
)


def mrkdwn_texts(data: Any) -> list[str]:
    """Every string Slack reads as mrkdwn: the top-level text and each mrkdwn text object."""
    found: list[str] = []
    if isinstance(data, dict) and isinstance(data.get("text"), str):
        found.append(data["text"])  # a message's notification text

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data.get("blocks", []))
    return found


def assert_inert(data: dict[str, Any], *, own_state_lines: int = 0) -> None:
    texts = mrkdwn_texts(data)
    assert texts
    joined = "\n".join(texts)
    for alive in ALIVE:
        assert alive not in joined, f"{alive!r} would render in {joined!r}"
    lines = joined.splitlines()
    # Rekan's own bold "State:" label, and no imitation of it on a line of its own
    assert sum(line.startswith("*State:*") for line in lines) == own_state_lines
    for line in lines:
        if "Resolved by" in line:
            assert line.startswith(">") or "VPN putus" in line, line


def valid(data: dict[str, Any]) -> None:
    if data.get("type") in ("modal", "home"):
        View(**data).validate_json()
        return
    for block in data["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def forged_ticket(**kw: Any) -> Ticket:
    base: dict[str, Any] = dict(
        id=7,
        source_key="k",
        reporter_id="U0R",
        summary=FORGED,
        details=FORGED,
        location=FORGED,
        resolution=FORGED,
        state="open",
        tier=1,
        agent_id="U0A",
        created_at=WHEN,
        updated_at=WHEN,
    )
    base.update(kw)
    return Ticket(**base)


def forged_snapshot(**kw: Any) -> Snapshot:
    events = [
        TicketEvent(ticket_id=7, actor_id="U0R", kind="filed", created_at=WHEN),
        TicketEvent(ticket_id=7, actor_id="U0A", kind="escalated", note=FORGED, created_at=WHEN),
    ]
    return Snapshot(forged_ticket(**kw), NAME, NAME, events, resource_name=FORGED, claimed_by="U0A")


def report(**kw: Any) -> TaskReport:
    base: dict[str, Any] = dict(
        id=3, slack_id="U0EKO", day=date(2026, 11, 23), lead_id="U0LEAD", note=FORGED
    )
    base.update(kw)
    return TaskReport(**base)


ITEMS = [TaskItem(id=1, report_id=3, position=1, text=FORGED, done=True)]
CLAIM = Claim(resource_id=1, ticket_id=7, agent_id="U0A", since=WHEN, expires_at=WHEN)

BUILDERS: dict[str, tuple[Callable[[], dict[str, Any]], int]] = {
    "ticket card": (
        lambda: tickets.build_ticket_card(
            forged_snapshot(), lang="en", tz="Asia/Jakarta", buttons=[tickets.A_TAKE]
        ),
        1,
    ),
    "ticket detail": (
        lambda: tickets.build_ticket_detail(forged_snapshot(), lang="en", tz="Asia/Jakarta"),
        1,
    ),
    "ticket mirror": (
        lambda: tickets.build_ticket_mirror(forged_snapshot(), lang="en", tz="Asia/Jakarta"),
        0,  # its facts sit on one line, "· *State:* …"
    ),
    "reporter notice": (
        lambda: tickets.build_reporter_notice(
            forged_snapshot(state="resolved"),
            "resolved",
            agent="U0A",
            lang="en",
            tz="Asia/Jakarta",
            can_reopen=True,
        ),
        0,
    ),
    "agent notice": (
        lambda: tickets.build_agent_notice(
            forged_snapshot(),
            "escalation_requested",
            params={"by": "U0R", "reason": FORGED},
            lang="en",
        ),
        0,
    ),
    "filed": (lambda: tickets.build_filed(forged_ticket(), "en"), 0),
    "filed view": (lambda: tickets.build_filed_view(forged_ticket(), "en", joined=True), 0),
    "status": (lambda: tickets.build_status([forged_ticket()], "en"), 0),
    "queue": (lambda: tickets.build_queue([forged_ticket()], "en"), 0),
    "note modal": (lambda: tickets.build_note_modal("resolve", forged_ticket(), "en"), 0),
    "merge modal": (lambda: tickets.build_merge_modal(forged_ticket(), "en"), 0),
    "repeat choice": (lambda: tickets.build_repeat_choice(forged_ticket(), {}, "en"), 0),
    "claim conflict": (
        lambda: tickets.build_claim_conflict(
            7, resource=FORGED, agent="U0A", held_on=3, since="10:00", lang="en"
        ),
        0,
    ),
    "claims": (lambda: tickets.build_claims([(CLAIM, FORGED)], lang="en", tz="Asia/Jakarta"), 0),
    "claim expiring": (lambda: tickets.build_claim_expiring(FORGED, 7, "10:00", "en"), 0),
    "tasks approval": (
        lambda: tasks.build_approval(
            report(comment=FORGED), ITEMS, name=NAME, lang="en", decided_at=None
        ),
        0,
    ),
    "tasks mine": (
        lambda: tasks.build_mine(
            report(comment=FORGED, state="changes", decided_by="U0LEAD"),
            ITEMS,
            lang="en",
            decided_at="10:00",
        ),
        0,
    ),
    "tasks decision": (
        lambda: tasks.build_decision(
            report(comment=FORGED, state="changes", decided_by="U0LEAD"), lang="en"
        ),
        0,
    ),
    "tasks changed": (lambda: tasks.build_changed(report(), name=NAME, lang="en"), 0),
    "tasks digest": (lambda: tasks.build_digest([(report(), NAME)], "en"), 0),
    "checkin followup": (
        lambda: checkins.build_followup(
            followup_id=1,
            person="U0EKO",
            name=NAME,
            answers={"physical": 1},
            note=FORGED,
            contacted_by=None,
            contacted_at=None,
            lang="en",
        ),
        0,
    ),
    "checkin support": (
        lambda: checkins.build_checkin(
            checkins.CheckinView(
                round_key="r",
                lang="en",
                closes="Friday",
                answers={"physical": 1},
                support=[checkins.Support(name=NAME, description=FORGED, contact=FORGED)],
            )
        ),
        0,
    ),
    "home": (
        lambda: build_home(
            HomeData(
                lang="en",
                open_tickets=[forged_ticket()],
                agent_tier=1,
                queue=[forged_ticket()],
                claims=[(CLAIM, FORGED)],
                approvals=[(report(), NAME)],
                is_lead=True,
            )
        ),
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_names_and_typed_text_reach_mrkdwn_inert(name: str) -> None:
    build, own_state_lines = BUILDERS[name]
    built = build()
    valid(built)
    assert_inert(built, own_state_lines=own_state_lines)


def test_approval_notification_text_does_not_ping() -> None:
    """The lead's notification once read 'Tasks of <!channel> Eko …'."""
    text = tasks.build_approval(report(), ITEMS, name=NAME, lang="en", decided_at=None)["text"]
    assert text.startswith("Tasks of &lt;!channel&gt; Eko") and "*Boss*" not in text


def test_a_quote_starts_every_line_and_neutralises_marks() -> None:
    assert quoted("a\n*State:* Done\r\n```x```", 100).split("\n") == [
        ">a",
        ">\u2217State:\u2217 Done",
        ">\u02cb\u02cb\u02cbx\u02cb\u02cb\u02cb",
    ]
    assert quoted("<https://evil|click>", 100) == ">&lt;https://evil|click&gt;"
    assert quoted("", 10) == ">"


def test_inline_words_stay_on_one_line() -> None:
    assert (
        quote("Eko\n*State:* _done_ ~x~", 100)
        == "Eko \u2217State:\u2217 \u02cddone\u02cd \u223cx\u223c"
    )
    assert quote("<!channel> & co", 100) == "&lt;!channel&gt; &amp; co"
    assert quote("a" * 50, 10) == "a" * 9 + "…"
