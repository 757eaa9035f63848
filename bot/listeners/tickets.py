"""`/lapor`: filing and working tickets."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.blocks.common import build_text_message
from bot.i18n import t
from bot.runtime import Runtime

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "bantuan"}


def register(app: App, runtime: Runtime) -> None:
    def lapor(ack: Ack, body: dict[str, Any]) -> None:
        user = body.get("user_id", "")
        lang = runtime.language_of(user)
        text = (body.get("text") or "").strip()
        if text.lower() in HELP_WORDS or not text:
            ack(**build_text_message(t("lapor.help", lang)))
            return
        ack(**build_text_message(t("lapor.help", lang)))

    app.command("/lapor")(lapor)
