"""Block Kit for tickets: the agent's card, the triage mirror, the reporter's notices,
the /lapor form and the note modals. Pure functions of plain data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)

from bot.blocks.common import (
    Message,
    actions,
    button,
    context,
    cut,
    format_time,
    header,
    mention,
    modal,
    plain,
    quote,
    quoted,
    said,
    section,
)
from bot.i18n import t
from storage.types import (
    CATEGORIES,
    STATE_IN_PROGRESS,
    STATE_OPEN,
    STATE_WAITING,
    SUMMARY_MAX,
    URGENCIES,
    Snapshot,
    TicketRecord,
)

A_TAKE = "ticket_take"
A_ESCALATE = "ticket_escalate"
A_RESOLVE = "ticket_resolve"
A_REOPEN = "ticket_reopen"
A_MORE = "ticket_more"
A_TAKE_CONFIRM = "ticket_take_confirm"
A_TAKE_LEAVE = "ticket_take_leave"
A_REPEAT_ADD = "repeat_add"
A_REPEAT_NEW = "repeat_new"
V_MERGE = "ticket_merge"
B_TARGET = "target"
V_FORM = "lapor_form"
V_ESCALATE = "ticket_escalate_note"
V_RESOLVE = "ticket_resolve_note"
B_SUMMARY, B_DETAILS, B_CATEGORY, B_LOCATION, B_URGENCY, B_NOTE = (
    "summary",
    "details",
    "category",
    "location",
    "urgency",
    "note",
)
FIELD = "value"  # the action_id of every input, so state values read alike
HISTORY_SHOWN = 8


def number(n: int | None) -> str:
    return f"#{n}"


def card_buttons(ticket: TicketRecord, *, recipient_may_act: bool) -> list[str]:
    """Which buttons make sense for this reader now (none on closed or handed-over tickets)."""
    if not recipient_may_act or ticket.state not in (STATE_WAITING, STATE_OPEN, STATE_IN_PROGRESS):
        return []
    buttons = [] if ticket.state == STATE_IN_PROGRESS else [A_TAKE]
    if ticket.tier == 1:
        buttons.append(A_ESCALATE)
    buttons.append(A_RESOLVE)
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
    if ticket.category:
        lines.append(
            f"*{t('ticket.category_label', lang)}:* {t('category.' + ticket.category, lang)}"
        )
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
    return "\n".join(lines)


def state_text(ticket: TicketRecord, lang: str) -> str:
    text = t(f"state.{ticket.state}", lang, tier=ticket.tier)
    if ticket.agent_id and ticket.state in (STATE_OPEN, STATE_IN_PROGRESS):
        text += " · " + t(
            "ticket.handled_by", lang, agent=mention(ticket.agent_id), tier=ticket.tier
        )
    return text


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
    if buttons:
        styles = {A_TAKE: "primary"}
        elements = [_button(a, ticket.id, lang, style=styles.get(a)) for a in buttons]
        merge = {"text": plain(cut(t("button.merge", lang), 75)), "value": f"merge:{ticket.id}"}
        elements.append({"type": "overflow", "action_id": A_MORE, "options": [merge]})
        blocks.append(actions(f"ticket:{ticket.id}", elements))
    return {"text": cut(_card_text(snap, lang), 3900), "blocks": blocks}


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
    snap: Snapshot, what: str, *, agent: str | None, lang: str, tz: str, can_reopen: bool
) -> Message:
    """A DM to the reporter about a change of hands or the resolution."""
    ticket = snap.ticket
    n = number(ticket.id)
    if what == "escalated" and not agent:
        text = t("reporter.escalated_waiting", lang, number=n)
    elif what == "merged":
        text = t(
            "reporter.merged", lang, number=n, into=f"#{ticket.merged_into}", agent=mention(agent)
        )
    else:
        text = t(f"reporter.{what}", lang, number=n, agent=mention(agent))
    blocks = [section(f"{text}\n{quoted(ticket.summary, 500)}")]
    if what == "resolved" and ticket.resolution:
        blocks.append(said(ticket.resolution, 2500, label=t("ticket.resolution_label", lang)))
    if what == "resolved" and can_reopen:
        blocks.append(context(t("reporter.reopen_hint", lang)))
        blocks.append(actions(f"ticket:{ticket.id}", [_button(A_REOPEN, ticket.id, lang)]))
    return {"text": text, "blocks": blocks}


def build_filed(
    ticket: TicketRecord, lang: str, *, repeat: bool = False, joined: bool = False
) -> Message:
    """The reporter's confirmation, sent as the acknowledgement itself."""
    n = number(ticket.id)
    if joined:
        text = (
            t("lapor.joined", lang, number=n, agent=mention(ticket.agent_id))
            if ticket.agent_id
            else t("lapor.joined_waiting", lang, number=n)
        )
        return {"text": text, "blocks": [section(text), context(quoted(ticket.summary, 500))]}
    if ticket.agent_id:
        text = t("lapor.filed", lang, number=n, agent=mention(ticket.agent_id))
    else:
        text = t("lapor.filed_waiting", lang, number=n)
    if repeat:
        text = t("lapor.same_request", lang, number=n) + " " + text
    return {"text": text, "blocks": [section(text), context(quoted(ticket.summary, 500))]}


def build_status(tickets: Sequence[TicketRecord], lang: str) -> Message:
    if not tickets:
        return {
            "text": t("lapor.status_none", lang),
            "blocks": [section(t("lapor.status_none", lang))],
        }
    lines = [f"*{t('lapor.status_title', lang, count=len(tickets))}*"]
    for ticket in tickets[:40]:
        lines.append(
            f"• *{number(ticket.id)}* {quote(ticket.summary, 120)} — {state_text(ticket, lang)}"
        )
    text = "\n".join(lines)
    return {"text": cut(text, 3900), "blocks": [section(text)]}


def _options(kind: str, values: Sequence[str], lang: str) -> list[Option]:
    return [Option(value=v, text=cut(t(f"{kind}.{v}", lang), 75)) for v in values]


def build_lapor_modal(lang: str) -> dict[str, Any]:
    """The /lapor form: summary (required), details, category, location, urgency."""
    categories = _options("category", CATEGORIES, lang)
    urgencies = _options("urgency", URGENCIES, lang)
    return modal(
        lang,
        t("form.title", lang),
        [
            InputBlock(
                block_id=B_SUMMARY,
                label=t("form.summary", lang),
                element=PlainTextInputElement(
                    action_id=FIELD,
                    max_length=SUMMARY_MAX,
                    placeholder=cut(t("form.summary_hint", lang), 150),
                ),
            ),
            InputBlock(
                block_id=B_DETAILS,
                label=t("form.details", lang),
                optional=True,
                element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=3000),
            ),
            InputBlock(
                block_id=B_CATEGORY,
                label=t("form.category", lang),
                optional=True,
                element=StaticSelectElement(
                    action_id=FIELD,
                    options=categories,
                    placeholder=cut(t("form.choose", lang), 150),
                ),
            ),
            InputBlock(
                block_id=B_LOCATION,
                label=t("form.location", lang),
                optional=True,
                hint=cut(t("form.location_hint", lang), 2000),
                element=PlainTextInputElement(action_id=FIELD, max_length=200),
            ),
            InputBlock(
                block_id=B_URGENCY,
                label=t("form.urgency", lang),
                optional=True,
                element=StaticSelectElement(
                    action_id=FIELD, options=urgencies, initial_option=urgencies[1]
                ),
            ),
        ],
        submit=t("form.submit", lang),
        callback_id=V_FORM,
    )


def build_filed_view(ticket: TicketRecord, lang: str, *, joined: bool = False) -> dict[str, Any]:
    """What the form turns into once the ticket is filed (or the report joined one)."""
    message = build_filed(ticket, lang, joined=joined)
    return modal(
        lang,
        t("form.title", lang),
        message["blocks"],
        close="form.done",
    )


def build_note_modal(kind: str, ticket: TicketRecord, lang: str) -> dict[str, Any]:
    """The note for an escalation (kind 'escalate') or the resolution (kind 'resolve')."""
    callback = V_ESCALATE if kind == "escalate" else V_RESOLVE
    return modal(
        lang,
        t(f"note.{kind}_title", lang, number=number(ticket.id)),
        [
            section(quoted(ticket.summary, 500)),
            InputBlock(
                block_id=B_NOTE,
                label=t(f"note.{kind}_label", lang),
                element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=3000),
            ),
        ],
        submit=t(f"note.{kind}_submit", lang),
        callback_id=callback,
        metadata=json.dumps({"ticket": ticket.id}),
    )


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


def build_queue(queue: Sequence[TicketRecord], lang: str) -> Message:
    if not queue:
        return {
            "text": t("home.queue_empty", lang),
            "blocks": [section(t("home.queue_empty", lang))],
        }
    lines = [f"*{t('home.queue', lang, count=len(queue))}*"]
    lines += [
        f"• *{number(x.id)}* {quote(x.summary, 120)} — {state_text(x, lang)}" for x in queue[:40]
    ]
    text = "\n".join(lines)
    return {"text": cut(text, 3900), "blocks": [section(text)]}


def build_claim_conflict(
    ticket_number: int, *, resource: str, agent: str, held_on: int, since: str, lang: str
) -> Message:
    """Take on a resource someone else holds: who, on which ticket, since when; confirm first."""
    text = t(
        "claim.held",
        lang,
        resource=quote(resource, 200),
        agent=mention(agent),
        number=f"#{held_on}",
        since=since,
    )
    choice = [
        button(t("button.take_anyway", lang), A_TAKE_CONFIRM, str(ticket_number), style="danger"),
        button(t("button.leave_it", lang), A_TAKE_LEAVE, str(ticket_number)),
    ]
    return {"text": text, "blocks": [section(text), actions(f"claim:{ticket_number}", choice)]}


def build_claims(items: Sequence[tuple[Any, str]], *, lang: str, tz: str) -> Message:
    """Active resource claims: resource, agent, ticket, since."""
    if not items:
        return {"text": t("claim.none", lang), "blocks": [section(t("claim.none", lang))]}
    lines = [f"*{t('claim.title', lang, count=len(items))}*"]
    for claim, name in items[:40]:
        lines.append(
            t(
                "claim.line",
                lang,
                resource=quote(name, 100),
                agent=mention(claim.agent_id),
                number=f"#{claim.ticket_id}",
                since=format_time(claim.since, tz, lang),
            )
        )
    text = "\n".join(lines)
    return {"text": cut(text, 3900), "blocks": [section(text)]}


def build_merge_modal(ticket: TicketRecord, lang: str) -> dict[str, Any]:
    return modal(
        lang,
        t("merge.title", lang, number=number(ticket.id)),
        [
            section(quoted(ticket.summary, 500)),
            InputBlock(
                block_id=B_TARGET,
                label=t("merge.label", lang),
                element=PlainTextInputElement(
                    action_id=FIELD, max_length=12, placeholder=cut(t("merge.hint", lang), 150)
                ),
            ),
        ],
        submit=t("merge.submit", lang),
        callback_id=V_MERGE,
        metadata=json.dumps({"ticket": ticket.id}),
    )


def build_repeat_choice(existing: TicketRecord, pending: int, lang: str) -> dict[str, Any]:
    """The form found an open ticket of the reporter's that looks the same: add to it, or file
    anew. The form itself waits in the database as `pending` (a long one overflows metadata)."""
    text = t("lapor.looks_like", lang, number=number(existing.id), agent=mention(existing.agent_id))
    return modal(
        lang,
        t("form.title", lang),
        [
            section(text),
            context(quoted(existing.summary, 500)),
            actions(
                "repeat",
                [
                    button(
                        t("button.add_to", lang, number=number(existing.id)),
                        A_REPEAT_ADD,
                        str(existing.id),
                        style="primary",
                    ),
                    button(t("button.file_new", lang), A_REPEAT_NEW, "new"),
                ],
            ),
        ],
        callback_id="lapor_repeat",
        metadata=json.dumps({"pending": pending, "ticket": existing.id}),
    )


def build_claim_expiring(resource: str, ticket_number: int, until: str, lang: str) -> Message:
    text = t(
        "claim.expiring",
        lang,
        resource=quote(resource, 200),
        number=f"#{ticket_number}",
        until=until,
    )
    return {"text": text, "blocks": [section(text)]}
