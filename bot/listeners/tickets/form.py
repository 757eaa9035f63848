"""The `/lapor` form and the modals that follow it: the form submitted, the choice offered
when it looks like a repeat ("add to #N" or "file a new one"), and the merge modal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks import tickets as blocks
from bot.blocks.common import build_message_view
from bot.blocks.outages import build_linked
from bot.i18n import t
from bot.listeners._common import (
    clicked,
    clicked_number,
    dict_of,
    metadata,
    slack_id,
    string,
    submitted,
)
from bot.listeners.tickets._shared import field, file
from bot.runtime import Runtime
from storage import pending_forms, resources, tickets
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.matching import Report


def validate_form(
    values: dict[str, Any], lang: str
) -> tuple[dict[str, str], dict[str, str | None]]:
    """Field errors (block id → message) and the cleaned values of the /lapor form."""
    summary = (field(values, blocks.B_SUMMARY) or "").strip()
    details = (field(values, blocks.B_DETAILS) or "").strip() or None
    location = (field(values, blocks.B_LOCATION) or "").strip() or None
    category = field(values, blocks.B_CATEGORY)
    urgency = field(values, blocks.B_URGENCY)
    errors: dict[str, str] = {}
    for block, typed in ((blocks.B_DETAILS, details), (blocks.B_LOCATION, location)):
        if typed and "\x00" in typed:
            errors[block] = t("input.bad_character", lang)
    if "\x00" in summary:
        errors[blocks.B_SUMMARY] = t("input.bad_character", lang)
    elif not summary:
        errors[blocks.B_SUMMARY] = t("form.summary_required", lang)
    elif len(summary) > tickets.SUMMARY_MAX:
        errors[blocks.B_SUMMARY] = t(
            "form.too_long", lang, limit=tickets.SUMMARY_MAX, length=len(summary)
        )
    if details and len(details) > tickets.DETAILS_MAX:
        errors[blocks.B_DETAILS] = t(
            "form.too_long", lang, limit=tickets.DETAILS_MAX, length=len(details)
        )
    if location and len(location) > tickets.LOCATION_MAX:
        errors[blocks.B_LOCATION] = t(
            "form.too_long", lang, limit=tickets.LOCATION_MAX, length=len(location)
        )
    # the category is checked when it is filed: `rekan categories` may have changed them
    if urgency is not None and urgency not in tickets.URGENCIES:
        errors[blocks.B_URGENCY] = t("form.bad_choice", lang)
    cleaned = {
        "summary": summary,
        "details": details,
        "location": location,
        "category": category,
        "urgency": urgency,
    }
    return errors, cleaned


def form_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """The form: filed at once, or, when it looks like a repeat of an open ticket, kept
    while the reporter chooses."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    user, lang = form.user, form.lang
    errors, fields = validate_form(form.values, lang)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    settings = runtime.settings
    with session_scope(runtime.engine, write=True) as session:
        resource = resources.named_in(
            session, fields["location"], fields["summary"], fields["details"]
        )
        text = " ".join(str(fields[k]) for k in ("summary", "details") if fields[k])
        match = tickets.find_repeat(
            session,
            reporter_id=user,
            now=runtime.now(),
            report=Report(
                text, fields["category"], frozenset({resource}) if resource else frozenset()
            ),
            window=timedelta(seconds=settings.repeat_window_seconds),
            thresholds=settings.repeat_thresholds,
        )
        # certain or plausible, the form asks: the reporter is right there to choose
        looks_like = tickets.get(session, match.number) if match is not None else None
        pending = (
            pending_forms.keep(session=session, reporter_id=user, fields=fields, now=runtime.now())
            if looks_like is not None
            else None
        )
    if looks_like is not None and pending is not None:
        ack(response_action="update", view=blocks.build_repeat_choice(looks_like, pending, lang))
        return
    try:
        name = body["user"].get("name", "")
        typed: dict[str, Any] = dict(fields)
        outcome, _ = file(user, name, f"view:{form.view.get('id')}", runtime=runtime, **typed)
    except DomainError as error:
        # a category removed while the form was open is refused under its field
        bad_category = error.key == "ticket.bad_category"
        form.refuse(blocks.B_CATEGORY if bad_category else blocks.B_SUMMARY, error)
        return
    if outcome.outage_view is not None:
        # the DM that follows carries "My problem is different"; a modal cannot answer it
        linked = build_linked(
            outcome.outage_view, outcome.ticket.id or 0, lang=lang, tz=runtime.reader(user)[1]
        )
        title = t("outage.linked_title", lang)
        view = build_message_view(title, linked["text"], lang)
    else:
        view = blocks.build_filed_view(outcome.ticket, lang, joined=outcome.repeat)
    ack(response_action="update", view=view)
    runtime.send(outcome.deliveries)


def repeat_choice(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """The form's "add to #N" or "file a new ticket anyway"."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    view = dict_of(body.get("view"))
    view_id = slack_id(view.get("id"))
    if view_id is None:
        return
    pending = clicked_number(metadata(view).get("pending"))
    add = click.action.get("action_id") == blocks.A_REPEAT_ADD
    try:
        if pending is None:
            raise DomainError("form.expired")
        outcome, _ = file(
            click.user,
            string(dict_of(body.get("user")).get("name")),
            f"view:{view_id}",
            runtime=runtime,
            pending=pending,
            into=click.number if add else None,
            force_new=not add,
        )
    except DomainError as error:
        runtime.urgent(
            client.views_update,
            view_id=view_id,
            view=build_message_view(t("form.title", click.lang), click.explain(error), click.lang),
        )
        return
    runtime.urgent(
        client.views_update,
        view_id=view_id,
        view=blocks.build_filed_view(outcome.ticket, click.lang, joined=outcome.repeat),
    )
    runtime.send(outcome.deliveries, refresh_ticket=outcome.ticket.id if outcome.repeat else None)


def merge_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """The merge modal (from the card's overflow menu): close this ticket as a duplicate."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    into = clicked_number((field(form.values, blocks.B_TARGET) or "").strip())
    number = clicked_number(form.metadata.get("ticket"))
    if number is None or into is None:
        form.refuse(blocks.B_TARGET, "merge.bad_number")
        return
    user = form.user
    try:
        outcome = transaction(
            runtime.engine,
            lambda session: tickets.merge(
                session=session, number=number, into=into, actor=user, now=runtime.now()
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_TARGET, error)
        return
    ack()
    runtime.send(outcome.deliveries, refresh_ticket=number)
    runtime.send([], refresh_ticket=into)
