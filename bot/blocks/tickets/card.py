"""The ticket as people see it: the agent's card, the triage mirror, the notices to the reporter
and the agent, the detail view and the claim warning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.common import (
    Message,
    actions,
    button,
    context,
    cut,
    format_time,
    header,
    mention,
    plain,
    quote,
    quoted,
    said,
    section,
)
from bot.blocks.sla import card_line
from bot.blocks.tickets.ids import (
    A_ESCALATE,
    A_MERGE_SUGGESTED,
    A_MORE,
    A_NOTE,
    A_PRIORITY,
    A_REOPEN,
    A_REPEAT_SPLIT,
    A_RESOLVE,
    A_SAVED,
    A_TAKE,
    A_WAIT,
    A_WAIT_OFF,
    HISTORY_SHOWN,
)
from bot.i18n import t
from storage.types import (
    HELD_STATES,
    OPEN_STATES,
    PRIORITIES,
    RESOLUTION_NO_ANSWER,
    STATE_IN_PROGRESS,
    STATE_WAITING_REPORTER,
    Snapshot,
    TicketRecord,
)


def number(n: int | None) -> str:
    return f"#{n}"


def card_buttons(ticket: TicketRecord, *, recipient_may_act: bool) -> list[str]:
    """Which buttons make sense for this reader now (none on closed or handed-over tickets)."""
    if not recipient_may_act or ticket.state not in OPEN_STATES:
        return []
    taken = ticket.state in (STATE_IN_PROGRESS, STATE_WAITING_REPORTER)
    buttons = [] if taken else [A_TAKE]
    if ticket.tier == 1:
        buttons.append(A_ESCALATE)
    buttons.append(A_RESOLVE)
    if taken:  # "Waiting for reply", set or (pressed again) cleared
        buttons.append(A_WAIT_OFF if ticket.state == STATE_WAITING_REPORTER else A_WAIT)
    buttons.append(A_NOTE)
    buttons.append(A_SAVED)
    return buttons


def _button(action: str, n: int | None, lang: str, *, style: str | None = None) -> dict[str, Any]:
    return button(t(f"button.{action}", lang), action, str(n), style=style)


def _facts(snap: Snapshot, lang: str, tz: str) -> str:
    ticket = snap.ticket
    lines = [
        f"*{t('ticket.reporter_label', lang)}:* {mention(ticket.reporter_id)}",
        f"*{t('ticket.state_label', lang)}:* {state_text(ticket, lang)}",
        f"*{t('ticket.filed_label', lang)}:* {format_time(ticket.created_at, tz, lang)}",
    ]
    lines.append(f"*{t('ticket.priority_label', lang)}:* {t('priority.' + ticket.priority, lang)}")
    if ticket.category:
        lines.append(f"*{t('ticket.category_label', lang)}:* {category_name(snap, lang)}")
    if ticket.location:
        lines.append(f"*{t('ticket.location_label', lang)}:* {quote(ticket.location, 200)}")
    if ticket.urgency:
        lines.append(f"*{t('ticket.urgency_label', lang)}:* {t('urgency.' + ticket.urgency, lang)}")
    if snap.resource_name:
        held = (
            t("ticket.claimed_by", lang, agent=mention(snap.claimed_by))
            if snap.claimed_by
            else t("ticket.unclaimed", lang)
        )
        lines.append(
            f"*{t('ticket.resource_label', lang)}:* {quote(snap.resource_name, 200)} · {held}"
        )
    if snap.related:
        lines.append(
            f"*{t('ticket.related_label', lang)}:* " + ", ".join(number(n) for n in snap.related)
        )
    if ticket.repeats:
        lines.append(t("ticket.repeats", lang, count=ticket.repeats + 1))
    if suggestion_open(ticket):
        lines.append(f"*{t('ticket.possibly_label', lang)}:* {number(ticket.possible_repeat_of)}")
    return "\n".join(lines)


def category_name(snap: Snapshot, lang: str) -> str:
    """The ticket's category as `rekan categories` names it (a removed one: its key)."""
    names = snap.category_names
    if names is None:
        return quote(snap.ticket.category or "", 75)
    return quote(names[1] if lang == "en" else names[0], 75)


def suggestion_open(ticket: TicketRecord) -> bool:
    """The ticket may repeat another of its reporter's, and nobody has settled it yet."""
    return ticket.possible_repeat_of is not None and ticket.state in OPEN_STATES


def state_text(ticket: TicketRecord, lang: str) -> str:
    text = t(f"state.{ticket.state}", lang, tier=ticket.tier)
    if ticket.agent_id and ticket.state in HELD_STATES:
        text += " · " + t(
            "ticket.handled_by", lang, agent=mention(ticket.agent_id), tier=ticket.tier
        )
    return text


def resolution_text(ticket: TicketRecord, lang: str) -> str | None:
    """The resolution as written, or, for a ticket resolved because the reporter never
    answered, that said in the reader's language."""
    if ticket.resolution == RESOLUTION_NO_ANSWER:
        return t("ticket.no_answer", lang)
    return ticket.resolution


def waiting_line(snap: Snapshot, lang: str, tz: str) -> str | None:
    """Since when a ticket waits for its reporter (None when it does not)."""
    if snap.ticket.state != STATE_WAITING_REPORTER:
        return None
    # the wait started at the ticket's last event named like the state
    started = next((e for e in reversed(snap.events) if e.kind == STATE_WAITING_REPORTER), None)
    at = started.created_at if started is not None else snap.ticket.updated_at
    return t(
        "ticket.waiting_since",
        lang,
        reporter=mention(snap.ticket.reporter_id),
        at=format_time(at, tz, lang),
    )


def _problem(snap: Snapshot) -> str:
    """The reporter's summary and details, quoted line by line."""
    ticket = snap.ticket
    text = quoted(ticket.summary, 1400)
    if ticket.details:
        text += "\n" + quoted(ticket.details, 1400)
    return text


def _card_text(snap: Snapshot, lang: str) -> str:
    """The notification line of the card and the mirror; the name and summary made inert."""
    return t(
        "ticket.card_text",
        lang,
        number=number(snap.ticket.id),
        reporter=quote(snap.reporter_name, 100),
        summary=quote(snap.ticket.summary, 200),
    )


def history_lines(snap: Snapshot, lang: str, tz: str) -> list[str]:
    lines = []
    for event in snap.events[-HISTORY_SHOWN:]:
        when = format_time(event.created_at, tz, lang)
        line = t(
            f"event.{event.kind}",
            lang,
            actor=mention(event.actor_id),
            agent=mention(event.agent_id),
        )
        if event.note:
            line += f": {quote(event.note, 300)}"
        lines.append(f"• {when} — {line}")
    return lines


def build_ticket_card(snap: Snapshot, *, lang: str, tz: str, buttons: Sequence[str]) -> Message:
    """The agent's DM: number, reporter, problem, facts, history and the buttons that apply."""
    ticket = snap.ticket
    title = t("ticket.card_title", lang, number=number(ticket.id), tier=ticket.tier)
    blocks: list[dict[str, Any]] = [
        header(title),
        section(_problem(snap)),
        section(_facts(snap, lang, tz)),
    ]
    history = history_lines(snap, lang, tz)
    if len(history) > 1:
        blocks.append(context("\n".join(history)))
    waits = waiting_line(snap, lang, tz)
    if waits:
        blocks.append(context(waits))
    deadline = card_line(snap.sla, lang, tz)
    if deadline:
        blocks.append(context(deadline))
    if buttons:
        styles = {A_TAKE: "primary", A_WAIT_OFF: "primary"}  # the toggle shows it is on
        elements = [_button(a, ticket.id, lang, style=styles.get(a)) for a in buttons]
        if suggestion_open(ticket):
            label = t("button.merge_suggested", lang, number=number(ticket.possible_repeat_of))
            elements.append(button(label, A_MERGE_SUGGESTED, str(ticket.id)))
        elements.append(priority_select(ticket, lang))
        merge = {"text": plain(cut(t("button.merge", lang), 75)), "value": f"merge:{ticket.id}"}
        outage = {
            "text": plain(cut(t("button.outage_declare", lang), 75)),
            "value": f"outage:{ticket.id}",
        }
        elements.append({"type": "overflow", "action_id": A_MORE, "options": [merge, outage]})
        blocks.append(actions(f"ticket:{ticket.id}", elements))
    return {"text": cut(_card_text(snap, lang), 3900), "blocks": blocks}


def priority_select(ticket: TicketRecord, lang: str) -> dict[str, Any]:
    """The card's priority menu: each option carries "priority:number"."""
    options: list[dict[str, Any]] = [
        {"text": plain(cut(t(f"priority.{p}", lang), 75)), "value": f"{p}:{ticket.id}"}
        for p in PRIORITIES
    ]
    current = next((o for o in options if o["value"] == f"{ticket.priority}:{ticket.id}"), None)
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": A_PRIORITY,
        "placeholder": plain(cut(t("ticket.priority_label", lang), 150)),
        "options": options,
    }
    if current is not None:
        select["initial_option"] = current
    return select


def build_ticket_mirror(snap: Snapshot, *, lang: str, tz: str) -> Message:
    """The triage channel's copy: what, who, and its state; no buttons."""
    ticket = snap.ticket
    blocks = [
        section(
            f"*{t('ticket.card_title', lang, number=number(ticket.id), tier=ticket.tier)}*\n{_problem(snap)}"
        ),
        context(_facts(snap, lang, tz).replace("\n", " · ")),
    ]
    return {"text": cut(_card_text(snap, lang), 3900), "blocks": blocks}


def build_reporter_notice(
    snap: Snapshot,
    what: str,
    *,
    agent: str | None,
    lang: str,
    tz: str,
    can_reopen: bool,
    split: str | None = None,
) -> Message:
    """A DM to the reporter about a change of hands or the resolution; "joined" (their report
    was added to this ticket) carries "Not the same problem" while `split` can still undo it."""
    ticket = snap.ticket
    n = number(ticket.id)
    if what == "joined":
        text = t("reporter.joined", lang, number=n)
        blocks: list[dict[str, Any]] = [section(text)]
        if split:
            undo = button(t("button.repeat_split", lang), A_REPEAT_SPLIT, split)
            blocks.append(actions(f"split:{ticket.id}", [undo]))
        return {"text": text, "blocks": blocks}
    if what == "escalated" and not agent:
        text = t("reporter.escalated_waiting", lang, number=n)
    elif what == "merged":
        text = t(
            "reporter.merged", lang, number=n, into=f"#{ticket.merged_into}", agent=mention(agent)
        )
    else:
        text = t(f"reporter.{what}", lang, number=n, agent=mention(agent))
    blocks = [section(f"{text}\n{quoted(ticket.summary, 500)}")]
    resolution = resolution_text(ticket, lang)
    if what == "resolved" and resolution:
        blocks.append(said(resolution, 2500, label=t("ticket.resolution_label", lang)))
    if what == "resolved" and can_reopen:
        blocks.append(context(t("reporter.reopen_hint", lang)))
    if what in ("resolved", "no_answer") and can_reopen:  # no answer: its words say Reopen
        blocks.append(actions(f"ticket:{ticket.id}", [_button(A_REOPEN, ticket.id, lang)]))
    return {"text": text, "blocks": blocks}


def build_agent_notice(snap: Snapshot, what: str, *, params: dict[str, Any], lang: str) -> Message:
    """A short DM to the agent: the reporter cancelled, or asks for an escalation."""
    ticket = snap.ticket
    text = t(
        f"notice.{what}",
        lang,
        number=number(ticket.id),
        by=mention(str(params.get("by") or "")),
        count=params.get("count", 2),
        duplicate=f"#{params.get('duplicate')}",
    )
    blocks = [section(f"{text}\n{quoted(ticket.summary, 500)}")]
    reason = params.get("reason")
    if reason:
        blocks.append(said(str(reason), 1000, label=t("notice.reason_label", lang)))
    return {"text": text, "blocks": blocks}


def build_ticket_detail(snap: Snapshot, *, lang: str, tz: str) -> Message:
    """`/lapor show #N`: the ticket, its facts and timeline, for the asker only."""
    card = build_ticket_card(snap, lang=lang, tz=tz, buttons=[])
    history = history_lines(snap, lang, tz)
    blocks = [b for b in card["blocks"] if b.get("type") != "context"]
    if history:
        blocks.append(context("\n".join(history)))
    return {"text": card["text"], "blocks": blocks}


def build_claim_expiring(resource: str, ticket_number: int, until: str, lang: str) -> Message:
    text = t(
        "claim.expiring",
        lang,
        resource=quote(resource, 200),
        number=f"#{ticket_number}",
        until=until,
    )
    return {"text": text, "blocks": [section(text)]}
