"""A person's own data from the Home tab (UU PDP): download it as a JSON file in a DM, and ask
the admins for erasure. Only ever the clicker's own data: the button's value is not read, so
nobody (HR included) can download someone else's data from Slack."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.blocks import privacy as blocks
from bot.i18n import t
from bot.listeners._common import bind, clicked
from bot.runtime import Runtime
from jobs.delivery import open_channel
from storage import erasure_requests, privacy
from storage.db import session_scope, transaction
from storage.errors import DomainError

log = logging.getLogger(__name__)


def send_export(runtime: Runtime, user: str) -> None:
    """After the ack: the person's data as a JSON file in their DM, the summary as its comment.
    When it cannot be made or uploaded, they are told so in a DM (never silence)."""
    lang = runtime.language_of(user)
    try:
        with session_scope(runtime.engine) as session:
            document = privacy.export(session, slack_id=user, now=runtime.now())
        content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        channel = open_channel(runtime.jobs, user)
        runtime.jobs.client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"rekan-data-{user}.json",
            title=t("privacy.export_file_title", lang),
            initial_comment=blocks.export_summary(document, lang),
        )
    except (DomainError, SlackApiError) as error:
        log.warning("export for %s failed: %s", user, error)
        try:
            runtime.jobs.client.chat_postMessage(
                channel=user, text=t("privacy.export_failed", lang)
            )
        except SlackApiError:
            log.exception("could not tell %s that their export failed", user)


def download(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """ "Download my data": the clicker's own data, whatever the button carries."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    runtime.submit(send_export, runtime, click.user)


def ask_erasure(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """ "Ask for erasure": each admin gets a DM with the request; the person is told."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        runtime.send(
            transaction(
                runtime.engine,
                lambda session: erasure_requests.ask(
                    session=session, slack_id=click.user, now=runtime.now()
                ),
            )
        )


def register(app: App, runtime: Runtime) -> None:
    app.action(blocks.A_DOWNLOAD)(bind(download, runtime=runtime))
    app.action(blocks.A_ERASURE)(bind(ask_erasure, runtime=runtime))
