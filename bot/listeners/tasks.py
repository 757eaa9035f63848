"""`/tugas` and the daily-task buttons: fill in today's tasks, approve or ask for changes,
tick tasks done."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import tasks as blocks
from bot.blocks.common import build_message_view, build_text_message, format_time, mention
from bot.i18n import t
from bot.listeners._common import (
    dict_of,
    first_action,
    metadata,
    parse_number,
    slack_id,
    state_values,
    string,
    user_of,
)
from bot.runtime import Runtime
from jobs.updates import refresh_prefix
from storage import tasks
from storage.db import session_scope, transaction
from storage.errors import DomainError

log = logging.getLogger(__name__)


def _value(view: dict[str, Any], block: str) -> str:
    return string(state_values(view).get(block, {}).get("value", {}).get("value"))


def register(app: App, runtime: Runtime) -> None:
    rt = runtime

    def today() -> Any:
        return rt.now().astimezone(rt.settings.tz).date()

    def refuse(respond: Respond, user: str, error: DomainError) -> None:
        rt.answer(respond, rt.explain(error, user))

    def decide(
        session: Any, number: int, user: str, approve: bool, comment: str | None
    ) -> int | None:
        """Approve or ask for changes; the decision's DM to send, if any."""
        report = tasks.decide(
            session=session,
            report_id=number,
            actor=user,
            approve=approve,
            comment=comment,
            now=rt.now(),
            today=today(),
        )
        return tasks.decision_delivery(session, report)

    def refresh(report_id: int) -> None:
        rt.submit(refresh_prefix, rt.jobs, f"tasks:{report_id}:")

    def open_form(client: WebClient, trigger_id: str, user: str) -> None:
        lang = rt.language_of(user)
        with session_scope(rt.engine) as session:
            latest = tasks.current(session, user, today())
            current = (
                [i.text for i in tasks.items_of(session, latest.id or 0)]
                if latest and latest.state == "pending"
                else []
            )
            note = latest.note if latest and latest.state == "pending" else None
        rt.urgent(
            client.views_open,
            trigger_id=trigger_id,
            view=blocks.build_form(lang, current=current, note=note),
        )

    def tugas(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user = user_of(body) or ""
        lang, tz = rt.reader(user)
        text = string(body.get("text")).strip().lower()
        if text in ("status",):
            with session_scope(rt.engine) as session:
                latest = tasks.current(session, user, today())
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
        open_form(client, body["trigger_id"], user)

    def open_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = user_of(body)
        if user is not None and string(body.get("trigger_id")):
            open_form(client, body["trigger_id"], user)

    def form_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user is None:
            ack()
            return
        items = tasks.parse_items(_value(view, blocks.B_TASKS))
        note = _value(view, blocks.B_NOTE)
        for block, typed in ((blocks.B_TASKS, "\n".join(items)), (blocks.B_NOTE, note)):
            if "\x00" in typed:
                lang = rt.language_of(user)
                ack(response_action="errors", errors={block: t("input.bad_character", lang)})
                return
        try:
            submitted = transaction(
                rt.engine,
                lambda session: tasks.submit(
                    session=session,
                    slack_id=user,
                    day=today(),
                    items=items,
                    note=note,
                    now=rt.now(),
                ),
            )
        except DomainError as error:
            ack(response_action="errors", errors={blocks.B_TASKS: rt.explain(error, user)})
            return
        lang = rt.language_of(user)
        key = "tasks.replaced" if submitted.replaced else "tasks.submitted"
        ack(
            response_action="update",
            view=build_message_view(
                t("tasks.form_title", lang),
                t(key, lang, lead=mention(submitted.report.lead_id)),
                lang,
            ),
        )
        rt.send(submitted.deliveries)
        if submitted.replaced:
            refresh(submitted.report.id or 0)

    def report_id(body: dict[str, Any]) -> int | None:
        return parse_number(first_action(body).get("value"))

    def approve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        number = report_id(body)
        try:
            if number is None:
                raise DomainError("tasks.unknown")
            told = transaction(rt.engine, lambda session: decide(session, number, user, True, None))
        except DomainError as error:
            refuse(respond, user, error)
            return
        rt.send([told] if told else [])
        refresh(number)

    def changes(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        number = report_id(body)
        try:
            if number is None:
                raise DomainError("tasks.unknown")
            with session_scope(rt.engine) as session:
                tasks.check_decide(session, tasks.get(session, number), user, today())
        except DomainError as error:
            refuse(respond, user, error)
            return
        if not string(body.get("trigger_id")):
            refuse(respond, user, DomainError("tasks.unknown"))
            return
        rt.urgent(
            client.views_open,
            trigger_id=body["trigger_id"],
            view=blocks.build_comment_modal(number, rt.language_of(user)),
        )

    def comment_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user is None:
            ack()
            return
        try:
            number = parse_number(metadata(view)["report"])
            if number is None:
                raise ValueError("report")
        except (ValueError, KeyError, TypeError):
            ack(
                response_action="errors",
                errors={blocks.B_COMMENT: t("tasks.unknown", rt.language_of(user))},
            )
            return
        try:
            comment = _value(view, blocks.B_COMMENT)
            told = transaction(
                rt.engine, lambda session: decide(session, number, user, False, comment)
            )
        except DomainError as error:
            ack(response_action="errors", errors={blocks.B_COMMENT: rt.explain(error, user)})
            return
        ack()
        rt.send([told] if told else [])
        refresh(number)

    def done(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = user_of(body)
        if user is None:
            return
        action = first_action(body)
        block = string(action.get("block_id"))
        options = action.get("selected_options")
        chosen = [
            parse_number(dict_of(o).get("value"))
            for o in options or []
            if isinstance(options, list)
        ]
        selected = {n for n in chosen if n is not None}
        try:
            found = parse_number(block[6:]) if block.startswith("tasks:") else None
            if found is None:
                raise DomainError("tasks.unknown")
            number = found
            transaction(
                rt.engine,
                lambda session: tasks.set_done(
                    session=session, report_id=number, actor=user, done=selected
                ),
            )
        except DomainError as error:
            refuse(respond, user, error)
            return
        refresh(number)

    def delegate_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = user_of(body)
        if user is None or not string(body.get("trigger_id")):
            return
        rt.urgent(
            client.views_open,
            trigger_id=body["trigger_id"],
            view=blocks.build_delegate_modal(rt.language_of(user)),
        )

    def delegate_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user is None:
            ack()
            return
        lang = rt.language_of(user)
        values = state_values(view)
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
                rt.engine,
                lambda session: tasks.set_delegate(
                    session=session,
                    lead_id=user,
                    delegate_id=str(chosen),
                    until=until,
                    today=today(),
                ),
            )
        except DomainError as error:
            field = blocks.B_UNTIL if error.key == "error.until_past" else blocks.B_DELEGATE
            ack(response_action="errors", errors={field: rt.explain(error, user)})
            return
        ack()
        from bot.listeners.home import publish

        rt.submit(publish, rt, user)

    app.command("/tugas")(tugas)
    app.action(blocks.A_DELEGATE)(delegate_button)
    app.view(blocks.V_DELEGATE)(delegate_submitted)
    app.action(blocks.A_OPEN)(open_button)
    app.view(blocks.V_FORM)(form_submitted)
    app.action(blocks.A_APPROVE)(approve)
    app.action(blocks.A_CHANGES)(changes)
    app.view(blocks.V_COMMENT)(comment_submitted)
    app.action(blocks.A_DONE)(done)
