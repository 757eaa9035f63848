"""Block Kit for People Experience check-ins: the question DM, the HR follow-up, the note."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    PlainTextInputElement,
)

from bot.blocks.common import (
    Message,
    actions,
    button,
    context,
    cut,
    header,
    mention,
    modal,
    quote,
    said,
    section,
)
from bot.i18n import t
from storage.types import QUESTIONS

A_ANSWER = "checkin_{question}_{score}"
A_NOTE = "checkin_note"
A_STOP = "checkin_stop"
A_CONSENT = "checkin_consent"
A_CONTACTED = "checkin_contacted"
A_RESUME = "checkin_resume"
A_WITHDRAW = "checkin_withdraw"
V_NOTE = "checkin_note_modal"
B_NOTE = "note"
ANSWER_PATTERN = r"^checkin_(physical|mental)_([1-5])$"
# Listen wider than what we post, so a tampered action id gets an answer instead of an error.
ANSWER_LISTEN = r"^checkin_(physical|mental)_\w+$"


@dataclass(frozen=True)
class Support:
    name: str
    description: str
    link: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class CheckinView:
    """What the person's check-in message shows; plain data."""

    round_key: str
    lang: str
    closes: str
    answers: dict[str, int] = field(default_factory=dict)
    intro: bool = False
    reminder: bool = False
    low: int = 2
    support: Sequence[Support] = ()
    consented: bool = False
    noted: bool = False
    closed: bool = False
    withdrawn: bool = False


def build_checkin(v: CheckinView) -> Message:
    lang = v.lang
    blocks: list[dict[str, Any]] = [header(t("checkin.title", lang))]
    if v.reminder:
        blocks.append(section(t("checkin.reminder", lang)))
    if v.intro:
        blocks.append(section(t("checkin.intro", lang)))
    for question in QUESTIONS:
        blocks.append(section(f"*{t('checkin.q_' + question, lang)}*"))
        if v.closed:
            continue
        chosen = v.answers.get(question)
        blocks.append(
            actions(
                f"checkin_{question}",
                [
                    button(
                        t(f"checkin.scale_{score}", lang),
                        A_ANSWER.format(question=question, score=score),
                        v.round_key,
                        style="primary" if chosen == score else None,
                    )
                    for score in range(1, 6)
                ],
            )
        )
    if v.closed:
        blocks.append(section(t("checkin.closed_note", lang)))
    elif v.answers:
        recorded = ", ".join(
            f"{t('checkin.short_' + q, lang)} {t('checkin.scale_' + str(v.answers[q]), lang)}"
            for q in QUESTIONS
            if q in v.answers
        )
        blocks.append(section(t("checkin.recorded", lang, answers=recorded, closes=v.closes)))
    if not v.closed and any(score <= v.low for score in v.answers.values()):
        blocks.extend(_support(v))
    elif v.consented:
        blocks.extend(_consent(v))
    if not v.closed:
        more = [
            button(
                t("checkin.tell_more" if not v.noted else "checkin.edit_note", lang),
                A_NOTE,
                v.round_key,
            ),
            button(t("checkin.stop", lang), A_STOP, v.round_key),
        ]
        blocks.append(actions("checkin_more", more))
    blocks.append(context(t("checkin.privacy", lang)))
    return {"text": t("checkin.title", lang), "blocks": blocks}


def _support(v: CheckinView) -> list[dict[str, Any]]:
    lang = v.lang
    lines = [f"*{t('checkin.support_title', lang)}*"]
    for option in v.support:
        line = f"• *{quote(option.name, 100)}* — {quote(option.description, 300)}"
        if option.contact:
            line += f" ({quote(option.contact, 100)})"
        if option.link and option.link.startswith(("https://", "http://")):
            line += f" <{option.link}|{t('checkin.open_link', lang)}>"
        lines.append(line)
    return [section("\n".join(lines)), *_consent(v)]


def _consent(v: CheckinView) -> list[dict[str, Any]]:
    """ "Contact me"; once pressed, what was asked and a way to withdraw it."""
    lang = v.lang
    if v.withdrawn:
        return [section(t("privacy.withdrawn_note", lang))]
    if v.consented:
        return [
            section(t("checkin.consented", lang)),
            actions(
                "checkin_withdraw",
                [button(t("privacy.withdraw", lang), A_WITHDRAW, v.round_key)],
            ),
        ]
    if v.closed:
        return []
    return [
        actions(
            "checkin_consent",
            [button(t("checkin.consent", lang), A_CONSENT, v.round_key, style="primary")],
        )
    ]


def build_stopped(lang: str) -> Message:
    text = t("checkin.stopped", lang)
    return {"text": text, "blocks": [section(text)]}


def build_followup(
    *,
    followup_id: int,
    person: str,
    name: str,
    answers: dict[str, int],
    note: str | None,
    contacted_by: str | None,
    contacted_at: str | None,
    lang: str,
    withdrawn: bool = False,
) -> Message:
    """For each HR member: who asked to be contacted, this round's scores, their note; once
    withdrawn, only that it was withdrawn (no scores, no note, no button)."""
    if withdrawn:
        text = t("privacy.followup_withdrawn", lang, person=mention(person))
        return {"text": t("followup.title", lang), "blocks": [section(text)]}
    scores = ", ".join(
        f"{t('checkin.short_' + q, lang)} {answers[q]}/5" for q in QUESTIONS if q in answers
    )
    text = t(
        "followup.text", lang, person=mention(person), name=quote(name, 100), scores=scores or "—"
    )
    blocks = [section(text)]
    if note:
        blocks.append(said(note, 2000, label=t("followup.note", lang)))
    if contacted_by:
        blocks.append(
            context(t("followup.contacted", lang, by=mention(contacted_by), at=contacted_at or ""))
        )
    else:
        blocks.append(
            actions(
                "followup",
                [button(t("followup.mark", lang), A_CONTACTED, str(followup_id), style="primary")],
            )
        )
    return {"text": t("followup.title", lang), "blocks": blocks}


def build_note_modal(
    round_key: str, channel: str, ts: str, current: str | None, lang: str
) -> dict[str, Any]:
    return modal(
        lang,
        t("checkin.note_title", lang),
        [
            InputBlock(
                block_id=B_NOTE,
                label=t("checkin.note_label", lang),
                hint=cut(t("checkin.note_hint", lang), 2000),
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=2000,
                    initial_value=current or None,
                ),
            ),
        ],
        submit=t("form.submit", lang),
        callback_id=V_NOTE,
        metadata=json.dumps({"round": round_key, "channel": channel, "ts": ts}),
    )
