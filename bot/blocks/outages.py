"""Outages: the proposal put to agents, the owner's card and the triage status, what each
affected person hears (linked, updates, the fix), the Home tab's known problems, the modals."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement

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
    neutral,
    quoted,
    section,
)
from bot.blocks.tickets.ids import A_REOPEN, FIELD
from bot.i18n import t
from storage.types import (
    NOTE_MAX,
    OUTAGE_ACTIVE,
    OUTAGE_TITLE_MAX,
    PROPOSAL_DECLARED,
    PROPOSAL_OPEN,
    OutageUpdateView,
    OutageView,
    ProposalView,
)

A_DECLARE = "outage_declare"  # on a proposal
A_DISMISS = "outage_dismiss"  # "Not related", on a proposal
A_DIFFERENT = "outage_different"  # "My problem is different", to a linked reporter
A_ME_TOO = "outage_me_too"  # on the Home tab
A_UPDATE = "outage_update"  # "Post update", on the owner's card
A_RESOLVE = "outage_resolve"  # "Resolve outage", on the owner's card
V_UPDATE = "outage_update_text"
V_RESOLVE = "outage_resolve_note"
V_DECLARE = "outage_declare_title"  # from a ticket's card menu
B_TEXT = "text"
REPORTS_SHOWN = 10
UPDATES_SHOWN = 3
HOME_SHOWN = 10  # the Home tab holds 100 blocks in all; two per outage
TEXT_SHOWN = 2500  # an update or a resolution note, as everyone reads it (and the modal's limit)


def _title(outage: OutageView) -> str:
    return neutral(outage.title)


def _minutes(seconds: float, lang: str) -> str:
    minutes = max(0, round(seconds / 60))
    hours, rest = divmod(minutes, 60)
    if hours:
        return t("outage.hours_minutes", lang, hours=hours, minutes=rest)
    return t("outage.minutes", lang, minutes=rest)


def build_proposal(proposal: ProposalView, *, lang: str, tz: str) -> Message:
    what = proposal.resource_name or neutral(
        proposal.reports[0].summary if proposal.reports else ""
    )
    intro = t("outage.proposal_intro", lang, people=proposal.people, what=what)
    lines = [
        t(
            "outage.proposal_line",
            lang,
            number=f"#{r.number}",
            reporter=mention(r.reporter_id),
            at=format_time(r.created_at, tz, lang),
            summary=cut(neutral(r.summary), 120),
        )
        for r in proposal.reports[:REPORTS_SHOWN]
    ]
    more = len(proposal.reports) - REPORTS_SHOWN
    if more > 0:
        lines.append(t("outage.proposal_more", lang, count=more))
    blocks: list[dict[str, Any]] = [section(f"*{intro}*"), section("\n".join(lines))]
    if proposal.state == PROPOSAL_OPEN:
        blocks.append(
            actions(
                f"proposal:{proposal.id}",
                [
                    button(
                        t("button.outage_declare", lang),
                        A_DECLARE,
                        str(proposal.id),
                        style="primary",
                    ),
                    button(t("button.outage_dismiss", lang), A_DISMISS, str(proposal.id)),
                ],
            )
        )
    elif proposal.state == PROPOSAL_DECLARED:
        blocks.append(
            context(
                t(
                    "outage.proposal_declared",
                    lang,
                    number=f"#{proposal.outage_id}",
                    by=mention(proposal.decided_by),
                )
            )
        )
    else:
        blocks.append(
            context(t("outage.proposal_dismissed", lang, by=mention(proposal.decided_by)))
        )
    return {"text": cut(intro, 3900), "blocks": blocks}


def _facts(outage: OutageView, lang: str, tz: str) -> str:
    lines = [
        t("outage.fact_since", lang, at=format_time(outage.first_report_at, tz, lang)),
        t("outage.fact_owner", lang, owner=mention(outage.owner_id)),
        t("outage.fact_affected", lang, count=outage.affected, reports=outage.reports),
    ]
    if outage.resolved_at is not None:
        lines.append(t("outage.fact_resolved", lang, at=format_time(outage.resolved_at, tz, lang)))
    return "\n".join(lines)


def _update_lines(updates: Sequence[OutageUpdateView], lang: str, tz: str) -> list[dict[str, Any]]:
    shown = list(updates)[-UPDATES_SHOWN:]
    return [
        section(
            f"*{t('outage.update_label', lang, at=format_time(u.created_at, tz, lang), by=mention(u.author_id))}*\n"
            + quoted(u.text, 1500)
        )
        for u in shown
    ]


def build_outage_card(outage: OutageView, *, lang: str, tz: str, buttons: bool) -> Message:
    """The owner's card (`buttons`) or the triage channel's status message (none)."""
    state = t(f"outage.state_{outage.state}", lang)
    head = t("outage.card_title", lang, number=f"#{outage.id}", title=_title(outage), state=state)
    blocks: list[dict[str, Any]] = [header(head), section(_facts(outage, lang, tz))]
    blocks += _update_lines(outage.updates, lang, tz)
    if outage.resolution:
        blocks.append(
            section(f"*{t('outage.resolution_label', lang)}*\n" + quoted(outage.resolution, 1500))
        )
    if buttons and outage.state == OUTAGE_ACTIVE:
        blocks.append(
            actions(
                f"outage:{outage.id}",
                [
                    button(t("button.outage_update", lang), A_UPDATE, str(outage.id)),
                    button(
                        t("button.outage_resolve", lang), A_RESOLVE, str(outage.id), style="primary"
                    ),
                ],
            )
        )
    return {"text": cut(head, 3900), "blocks": blocks}


def build_linked(outage: OutageView, ticket: int, *, lang: str, tz: str) -> Message:
    """The reporter's ack (and short DM): the known outage, since when, who is on it, that
    they will be told, and "My problem is different"."""
    text = t(
        "outage.linked",
        lang,
        title=_title(outage),
        since=format_time(outage.first_report_at, tz, lang),
        owner=mention(outage.owner_id),
        number=f"#{ticket}",
    )
    blocks: list[dict[str, Any]] = [section(text)]
    if outage.updates:
        latest = outage.updates[-1]
        blocks.append(
            context(
                t("outage.latest", lang, at=format_time(latest.created_at, tz, lang))
                + " "
                + cut(neutral(latest.text), 500)
            )
        )
    if outage.state == OUTAGE_ACTIVE:
        blocks.append(
            actions(
                f"linked:{ticket}",
                [button(t("button.outage_different", lang), A_DIFFERENT, str(ticket))],
            )
        )
    return {"text": cut(text, 3900), "blocks": blocks}


def build_update(outage: OutageView, update: OutageUpdateView, *, lang: str, tz: str) -> Message:
    head = t(
        "outage.update_head",
        lang,
        title=_title(outage),
        at=format_time(update.created_at, tz, lang),
    )
    return {
        "text": cut(f"{head}\n{update.text}", 3900),
        "blocks": [
            section(f"*{head}*\n" + quoted(update.text, TEXT_SHOWN)),
            context(t("outage.update_from", lang, by=mention(update.author_id))),
        ],
    }


def build_resolved(outage: OutageView, ticket: int | None, *, lang: str, tz: str) -> Message:
    """The fix, to each affected person once; Reopen (their own report only) if they filed one."""
    when = format_time(outage.resolved_at or outage.declared_at, tz, lang)
    head = t("outage.resolved_head", lang, title=_title(outage), at=when)
    blocks: list[dict[str, Any]] = [section(f"*{head}*")]
    if outage.resolution:
        blocks.append(section(quoted(outage.resolution, TEXT_SHOWN)))
    if ticket is not None:
        blocks.append(context(t("outage.resolved_reopen", lang, number=f"#{ticket}")))
        blocks.append(
            actions(
                f"resolved:{ticket}", [button(t(f"button.{A_REOPEN}", lang), A_REOPEN, str(ticket))]
            )
        )
    return {"text": cut(head, 3900), "blocks": blocks}


def build_summary(outage: OutageView, *, lang: str, tz: str) -> Message:
    """The triage channel's summary once the outage is over."""
    resolved = outage.resolved_at or outage.declared_at
    text = t(
        "outage.summary",
        lang,
        number=f"#{outage.id}",
        title=_title(outage),
        first=format_time(outage.first_report_at, tz, lang),
        declared=format_time(outage.declared_at, tz, lang),
        resolved=format_time(resolved, tz, lang),
        affected=outage.affected,
        reports=outage.reports,
        updates=len(outage.updates),
        to_declare=_minutes((outage.declared_at - outage.first_report_at).total_seconds(), lang),
        to_resolve=_minutes((resolved - outage.declared_at).total_seconds(), lang),
        owner=mention(outage.owner_id),
    )
    return {"text": cut(text, 3900), "blocks": [section(text)]}


def known_problems(
    outages: Sequence[OutageView], mine: Collection[int], *, lang: str, tz: str
) -> list[dict[str, Any]]:
    """The Home tab's "Known problems now": each active outage, with "Me too" for people not
    yet counted in it."""
    if not outages:
        return []
    blocks: list[dict[str, Any]] = [header(t("outage.home_title", lang))]
    for outage in outages[:HOME_SHOWN]:
        line = t(
            "outage.home_line",
            lang,
            title=_title(outage),
            since=format_time(outage.first_report_at, tz, lang),
            owner=mention(outage.owner_id),
            count=outage.affected,
        )
        if outage.updates:
            line += (
                "\n"
                + t("outage.latest", lang, at=format_time(outage.updates[-1].created_at, tz, lang))
                + " "
                + cut(neutral(outage.updates[-1].text), 300)
            )
        blocks.append(section(line))
        if outage.id in mine:
            blocks.append(context(t("outage.home_counted", lang)))
        else:
            blocks.append(
                actions(
                    f"metoo:{outage.id}",
                    [button(t("button.outage_me_too", lang), A_ME_TOO, str(outage.id))],
                )
            )
    if len(outages) > HOME_SHOWN:
        blocks.append(context(t("outage.proposal_more", lang, count=len(outages) - HOME_SHOWN)))
    return blocks


def _text_modal(
    lang: str,
    *,
    title: str,
    intro: str,
    label: str,
    submit: str,
    callback: str,
    metadata: dict[str, Any],
    optional: bool,
    initial: str | None = None,
    limit: int = NOTE_MAX,
    multiline: bool = True,
) -> dict[str, Any]:
    element = PlainTextInputElement(
        action_id=FIELD, multiline=multiline, max_length=limit, initial_value=initial or None
    )
    return modal(
        lang,
        title,
        [
            section(intro),
            InputBlock(block_id=B_TEXT, label=label, element=element, optional=optional),
        ],
        submit=submit,
        callback_id=callback,
        metadata=json.dumps(metadata),
    )


def build_update_modal(outage: OutageView, lang: str) -> dict[str, Any]:
    return _text_modal(
        lang,
        title=t("outage.update_title", lang),
        intro=t("outage.update_intro", lang, title=_title(outage), count=outage.affected),
        label=t("outage.update_field", lang),
        submit=t("outage.update_submit", lang),
        callback=V_UPDATE,
        metadata={"outage": outage.id},
        optional=False,
        limit=TEXT_SHOWN,
    )


def build_resolve_modal(outage: OutageView, lang: str) -> dict[str, Any]:
    return _text_modal(
        lang,
        title=t("outage.resolve_title", lang),
        intro=t("outage.resolve_intro", lang, title=_title(outage), count=outage.affected),
        label=t("outage.resolve_field", lang),
        submit=t("outage.resolve_submit", lang),
        callback=V_RESOLVE,
        metadata={"outage": outage.id},
        optional=True,
        limit=TEXT_SHOWN,
    )


def build_declare_modal(ticket: int, summary: str, lang: str) -> dict[str, Any]:
    return _text_modal(
        lang,
        title=t("outage.declare_title", lang),
        intro=t("outage.declare_intro", lang, number=f"#{ticket}"),
        label=t("outage.declare_field", lang),
        submit=t("outage.declare_submit", lang),
        callback=V_DECLARE,
        metadata={"ticket": ticket},
        optional=True,
        initial=cut(summary, OUTAGE_TITLE_MAX),
        limit=OUTAGE_TITLE_MAX,
        multiline=False,
    )
