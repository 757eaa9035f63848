"""`/tugas` and the daily-task buttons: fill in today's tasks, approve or ask for changes,
tick tasks done."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import tasks as blocks
from bot.blocks.common import build_message_view, build_text_message, format_time, mention
from bot.i18n import t
from bot.listeners._common import (
    bind,
    clicked,
    clicked_number,
    dict_of,
    input_text,
    slack_id,
    string,
    submitted,
    user_of,
)
from bot.listeners.home import publish
from bot.runtime import Runtime
from jobs.updates import refresh_prefix
from storage import tasks
from storage.db import session_scope, transaction
from storage.errors import DomainError

log = logging.getLogger(__name__)


def today(runtime: Runtime) -> date:
    """Today on the company's calendar."""
    return runtime.now().astimezone(runtime.settings.tz).date()


def decide(
    session: Session,
    number: int,
    user: str,
    approve: bool,
    comment: str | None,
    *,
    runtime: Runtime,
) -> int | None:
    """Approve or ask for changes; the decision's DM to send, if any."""
    report = tasks.decide(
        session=session,
        report_id=number,
        actor=user,
        approve=approve,
        comment=comment,
        now=runtime.now(),
        today=today(runtime),
    )
    return tasks.decision_delivery(session, report)


def refresh(report_id: int, *, runtime: Runtime) -> None:
    """Update the report's messages already sent (the lead's, the author's)."""
    runtime.submit(refresh_prefix, runtime.jobs, f"tasks:{report_id}:")


def open_form(client: WebClient, trigger_id: str, user: str, *, runtime: Runtime) -> None:
    """Today's form, with what is pending already filled in."""
    lang = runtime.language_of(user)
    with session_scope(runtime.engine) as session:
        latest = tasks.current(session, user, today(runtime))
        current = (
            [i.text for i in tasks.items_of(session, latest.id or 0)]
            if latest and latest.state == "pending"
            else []
        )
        note = latest.note if latest and latest.state == "pending" else None
    runtime.urgent(
        client.views_open,
        trigger_id=trigger_id,
        view=blocks.build_form(lang, current=current, note=note),
    )


def tugas(ack: Ack, body: dict[str, Any], client: WebClient, *, runtime: Runtime) -> None:
    """`/tugas`: the form; `/tugas status`: today's report; anything else: the help."""
    user = user_of(body) or ""
    lang, tz = runtime.reader(user)
    text = string(body.get("text")).strip().lower()
    if text in ("status",):
        with session_scope(runtime.engine) as session:
            latest = tasks.current(session, user, today(runtime))
            items = tasks.items_of(session, latest.id or 0) if latest else []
        if latest is None:
            ack(**build_text_message(t("tasks.status_none", lang)))
            return
        decided = format_time(latest.decided_at, tz, lang) if latest.decided_at else None
        ack(**blocks.build_mine(latest, items, lang=lang, decided_at=decided))
        return
    if text in ("help", "bantuan") or text:
        ack(**build_text_message(t("tasks.help", lang)))
        return
    if not string(body.get("trigger_id")):
        ack(**build_text_message(t("error.generic", lang)))
        return
    ack()
    open_form(client, body["trigger_id"], user, runtime=runtime)


def open_button(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """The reminder's "Fill in today's tasks": the form."""
    click = clicked(ack, body, respond, runtime)
    if click is not None and click.trigger_id:
        open_form(client, click.trigger_id, click.user, runtime=runtime)


def form_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """Today's tasks submitted (or replaced): the lead is asked to approve."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    items = tasks.parse_items(input_text(form.view, blocks.B_TASKS))
    note = input_text(form.view, blocks.B_NOTE)
    for block, typed in ((blocks.B_TASKS, "\n".join(items)), (blocks.B_NOTE, note)):
        if "\x00" in typed:
            form.refuse(block, "input.bad_character")
            return
    try:
        filled = transaction(
            runtime.engine,
            lambda session: tasks.submit(
                session=session,
                slack_id=form.user,
                day=today(runtime),
                items=items,
                note=note,
                now=runtime.now(),
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_TASKS, error)
        return
    lang = form.lang
    key = "tasks.replaced" if filled.replaced else "tasks.submitted"
    ack(
        response_action="update",
        view=build_message_view(
            t("tasks.form_title", lang), t(key, lang, lead=mention(filled.report.lead_id)), lang
        ),
    )
    runtime.send(filled.deliveries)
    if filled.replaced:
        refresh(filled.report.id or 0, runtime=runtime)


def approve(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """The lead approves the report."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("tasks.unknown")
        told = transaction(
            runtime.engine,
            lambda session: decide(session, number, click.user, True, None, runtime=runtime),
        )
        runtime.send([told] if told else [])
        refresh(number, runtime=runtime)


def changes(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """The lead asks for changes: checked first, then the comment modal."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("tasks.unknown")
        with session_scope(runtime.engine) as session:
            tasks.check_decide(session, tasks.get(session, number), click.user, today(runtime))
        if not click.trigger_id:
            raise DomainError("tasks.unknown")
        runtime.urgent(
            client.views_open,
            trigger_id=click.trigger_id,
            view=blocks.build_comment_modal(number, click.lang),
        )


def comment_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """The lead's comment: the report goes back to its author."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    number = clicked_number(form.metadata.get("report"))
    if number is None:
        form.refuse(blocks.B_COMMENT, "tasks.unknown")
        return
    comment = input_text(form.view, blocks.B_COMMENT)
    try:
        told = transaction(
            runtime.engine,
            lambda session: decide(session, number, form.user, False, comment, runtime=runtime),
        )
    except DomainError as error:
        form.refuse(blocks.B_COMMENT, error)
        return
    ack()
    runtime.send([told] if told else [])
    refresh(number, runtime=runtime)


def done(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Tasks ticked done (the checkboxes of block "tasks:<report>")."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    options = click.action.get("selected_options")
    chosen = [
        clicked_number(dict_of(o).get("value")) for o in options or [] if isinstance(options, list)
    ]
    selected = {n for n in chosen if n is not None}
    with click.refusing():
        number = clicked_number(click.action.get("block_id"), tag="tasks")
        if number is None:
            raise DomainError("tasks.unknown")
        transaction(
            runtime.engine,
            lambda session: tasks.set_done(
                session=session, report_id=number, actor=click.user, done=selected
            ),
        )
        refresh(number, runtime=runtime)


def delegate_button(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """A lead's "Delegate approvals" on the Home tab: the delegate modal."""
    click = clicked(ack, body, respond, runtime)
    if click is None or not click.trigger_id:
        return
    runtime.urgent(
        client.views_open,
        trigger_id=click.trigger_id,
        view=blocks.build_delegate_modal(click.lang),
    )


def delegate_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """Who approves for the lead, until when; the Home tab shows it."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    lang, values = form.lang, form.values
    chosen = slack_id(values.get(blocks.B_DELEGATE, {}).get("value", {}).get("selected_user"))
    raw_until = string(values.get(blocks.B_UNTIL, {}).get("value", {}).get("selected_date"))
    errors: dict[str, str] = {}
    if not chosen:
        errors[blocks.B_DELEGATE] = t("tasks.delegate_label", lang)
    try:
        until = date.fromisoformat(str(raw_until))
    except ValueError:
        errors[blocks.B_UNTIL] = t("cli.bad_date", lang, value=raw_until)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        transaction(
            runtime.engine,
            lambda session: tasks.set_delegate(
                session=session,
                lead_id=form.user,
                delegate_id=str(chosen),
                until=until,
                today=today(runtime),
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_UNTIL if error.key == "error.until_past" else blocks.B_DELEGATE, error)
        return
    ack()
    runtime.submit(publish, runtime, form.user)


def register(app: App, runtime: Runtime) -> None:
    app.command("/tugas")(bind(tugas, runtime=runtime))
    app.action(blocks.A_DELEGATE)(bind(delegate_button, runtime=runtime))
    app.view(blocks.V_DELEGATE)(bind(delegate_submitted, runtime=runtime))
    app.action(blocks.A_OPEN)(bind(open_button, runtime=runtime))
    app.view(blocks.V_FORM)(bind(form_submitted, runtime=runtime))
    app.action(blocks.A_APPROVE)(bind(approve, runtime=runtime))
    app.action(blocks.A_CHANGES)(bind(changes, runtime=runtime))
    app.view(blocks.V_COMMENT)(bind(comment_submitted, runtime=runtime))
    app.action(blocks.A_DONE)(bind(done, runtime=runtime))
