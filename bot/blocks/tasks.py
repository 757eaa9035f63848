"""Block Kit for daily tasks: the prompt, the form, the person's own list with checkboxes,
the lead's approval card, decisions, the digest and the weekly summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
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
from storage.types import TASKS_PENDING, TaskItemRecord, TaskReportRecord

A_OPEN = "tasks_open"
A_APPROVE = "tasks_approve"
A_CHANGES = "tasks_changes"
A_DONE = "tasks_done"
V_FORM = "tasks_form"
V_COMMENT = "tasks_comment"
A_DELEGATE = "tasks_delegate"
V_DELEGATE = "tasks_delegate_modal"
B_DELEGATE, B_UNTIL = "delegate", "until"
B_TASKS, B_NOTE, B_COMMENT = "tasks", "note", "comment"


def decision_buttons(report_id: int | None, lang: str) -> dict[str, Any]:
    """Approve / Request changes for one submission (lead's card, digest, Home tab)."""
    return actions(
        f"tasks:{report_id}",
        [
            button(t("tasks.approve", lang), A_APPROVE, str(report_id), style="primary"),
            button(t("tasks.request_changes", lang), A_CHANGES, str(report_id)),
        ],
    )


def build_prompt(lang: str) -> Message:
    text = t("tasks.prompt", lang)
    return {
        "text": text,
        "blocks": [
            section(text),
            actions(
                "tasks_prompt", [button(t("tasks.fill", lang), A_OPEN, "open", style="primary")]
            ),
        ],
    }


def build_form(
    lang: str, *, current: Sequence[str] = (), note: str | None = None
) -> dict[str, Any]:
    return modal(
        lang,
        t("tasks.form_title", lang),
        [
            InputBlock(
                block_id=B_TASKS,
                label=t("tasks.form_tasks", lang),
                hint=cut(t("tasks.form_hint", lang), 2000),
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=2100,
                    initial_value="\n".join(current) or None,
                ),
            ),
            InputBlock(
                block_id=B_NOTE,
                label=t("tasks.form_note", lang),
                optional=True,
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=2000, initial_value=note or None
                ),
            ),
        ],
        submit=t("form.submit", lang),
        callback_id=V_FORM,
    )


def _progress(items: Sequence[TaskItemRecord], lang: str) -> str:
    return t("tasks.progress", lang, done=sum(1 for i in items if i.done), total=len(items))


def _state(report: TaskReportRecord, lang: str, when: str | None) -> str:
    if report.state == TASKS_PENDING:
        return t("tasks.state_pending", lang)
    key = "tasks.state_approved" if report.state == "approved" else "tasks.state_changes"
    return t(key, lang, by=mention(report.decided_by), at=when or "")


def build_mine(
    report: TaskReportRecord, items: Sequence[TaskItemRecord], *, lang: str, decided_at: str | None
) -> Message:
    """The person's own list: tick what is done during the day."""
    options = [Option(value=str(i.id), text=cut(i.text, 75), description=None) for i in items]
    chosen = [o for o, i in zip(options, items, strict=True) if i.done]
    blocks = [
        header(t("tasks.mine_title", lang, day=report.day.isoformat())),
        SectionBlock(
            block_id=f"tasks:{report.id}",
            text=MarkdownTextObject(text=_progress(items, lang)),
            accessory=CheckboxesElement(
                action_id=A_DONE, options=options, initial_options=chosen or None
            ),
        ).to_dict(),
        context(_state(report, lang, decided_at)),
    ]
    if report.comment:
        blocks.append(said(report.comment, 2000, label=t("tasks.comment_label", lang)))
    return {"text": t("tasks.mine_title", lang, day=report.day.isoformat()), "blocks": blocks}


def build_approval(
    report: TaskReportRecord,
    items: Sequence[TaskItemRecord],
    *,
    name: str,
    lang: str,
    decided_at: str | None,
) -> Message:
    """The lead's card: the tasks, progress, and Approve / Request changes while pending."""
    lines = "\n".join(f"{'☑' if i.done else '☐'} {quote(i.text, 200)}" for i in items)
    blocks = [
        section(
            t(
                "tasks.approval_title",
                lang,
                person=mention(report.slack_id),
                name=quote(name, 100),
                day=report.day.isoformat(),
            )
        ),
        section(lines or "—"),
    ]
    if report.note:
        blocks.append(said(report.note, 1500, label=t("tasks.note_label", lang)))
    status = _progress(items, lang) + " · " + _state(report, lang, decided_at)
    if report.changed:
        status += " · " + t("tasks.changed_count", lang, count=report.changed)
    blocks.append(context(status))
    if report.comment:
        blocks.append(said(report.comment, 2000, label=t("tasks.comment_label", lang)))
    if report.state == TASKS_PENDING:
        blocks.append(decision_buttons(report.id, lang))
    return {
        "text": t("tasks.approval_text", lang, name=quote(name, 100), day=report.day.isoformat()),
        "blocks": blocks,
    }


def build_decision(report: TaskReportRecord, *, lang: str) -> Message:
    key = "tasks.decided_approved" if report.state == "approved" else "tasks.decided_changes"
    text = t(key, lang, by=mention(report.decided_by), day=report.day.isoformat())
    blocks = [section(text)]
    if report.comment:
        blocks.append(said(report.comment, 2000))
    if report.state != "approved":
        blocks.append(actions("tasks_again", [button(t("tasks.fill_again", lang), A_OPEN, "open")]))
    return {"text": text, "blocks": blocks}


def build_changed(report: TaskReportRecord, *, name: str, lang: str) -> Message:
    text = t(
        "tasks.changed",
        lang,
        person=mention(report.slack_id),
        name=quote(name, 100),
        day=report.day.isoformat(),
    )
    return {"text": text, "blocks": [section(text)]}


def build_comment_modal(report_id: int, lang: str) -> dict[str, Any]:
    return modal(
        lang,
        t("tasks.comment_title", lang),
        [
            InputBlock(
                block_id=B_COMMENT,
                label=t("tasks.comment_label", lang),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            )
        ],
        submit=t("form.submit", lang),
        callback_id=V_COMMENT,
        metadata=json.dumps({"report": report_id}),
    )


def build_digest(pending: Sequence[tuple[TaskReportRecord, str]], lang: str) -> Message:
    """One DM listing what is still pending from earlier days, with the same buttons."""
    blocks: list[dict[str, Any]] = [header(t("tasks.digest_title", lang, count=len(pending)))]
    for report, name in pending[:20]:
        blocks.append(
            section(
                t(
                    "tasks.digest_line",
                    lang,
                    person=mention(report.slack_id),
                    name=quote(name, 100),
                    day=report.day.isoformat(),
                )
            )
        )
        blocks.append(decision_buttons(report.id, lang))
    if len(pending) > 20:
        blocks.append(context(t("tasks.digest_more", lang, count=len(pending) - 20)))
    return {"text": t("tasks.digest_title", lang, count=len(pending)), "blocks": blocks}


def build_summary(lines: Sequence[str], lang: str) -> Message:
    text = f"*{t('tasks.summary_title', lang)}*\n" + ("\n".join(lines) or t("cli.none", lang))
    return {"text": t("tasks.summary_title", lang), "blocks": [section(text)]}


def build_delegate_modal(lang: str) -> dict[str, Any]:
    """A lead names who may approve for them, and until when."""
    return modal(
        lang,
        t("home.set_delegate", lang),
        [
            InputBlock(
                block_id=B_DELEGATE,
                label=t("tasks.delegate_label", lang),
                element=UserSelectElement(action_id="value"),
            ),
            InputBlock(
                block_id=B_UNTIL,
                label=t("tasks.until_label", lang),
                element=DatePickerElement(action_id="value"),
            ),
        ],
        submit=t("form.submit", lang),
        callback_id=V_DELEGATE,
    )
