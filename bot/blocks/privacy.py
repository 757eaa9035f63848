"""Block Kit for a person's own data (UU PDP): "My data" on the Home tab, the summary that
comes with the downloaded file, a message blanked by erasure, and the erasure request the
admins receive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import DividerBlock

from bot.blocks.common import Message, actions, button, context, mention, quote, section
from bot.i18n import t

A_DOWNLOAD = "privacy_download"
A_ERASURE = "privacy_erasure"
KINDS = ("roles", "tickets_filed", "tickets_handled", "answers", "notes", "consents", "task_days")


def counts_line(counts: Mapping[str, int], lang: str) -> str:
    return " · ".join(f"{t('privacy.kind_' + k, lang)}: {counts.get(k, 0)}" for k in KINDS)


def build_my_data(
    *, profile: Mapping[str, Any], counts: Mapping[str, int], lang: str
) -> list[dict[str, Any]]:
    """The Home tab's "My data": the profile, how much of each kind, and the two buttons."""
    who = t(
        "privacy.profile",
        lang,
        name=quote(str(profile.get("name") or ""), 100),
        email=quote(str(profile.get("email") or "—"), 100),
        team=quote(str(profile.get("team") or "—"), 100),
        timezone=str(profile.get("timezone") or ""),
    )
    return [
        DividerBlock().to_dict(),
        section(f"*{t('privacy.my_data', lang)}*\n{who}"),
        context(counts_line(counts, lang)),
        actions(
            "privacy",
            [
                button(t("privacy.download", lang), A_DOWNLOAD, "mine"),
                button(t("privacy.ask_erasure", lang), A_ERASURE, "mine"),
            ],
        ),
        context(t("privacy.my_data_hint", lang)),
    ]


def export_summary(document: Mapping[str, Any], lang: str) -> str:
    """The readable summary posted with the JSON file."""
    counts = {
        "roles": len(document.get("roles", [])),
        "tickets_filed": len(document.get("tickets_filed", [])),
        "tickets_handled": len(document.get("tickets_handled", [])),
        "answers": sum(len(c.get("answers", {})) for c in document.get("checkins", [])),
        "notes": sum(1 for c in document.get("checkins", []) if c.get("note")),
        "consents": len(document.get("consents", [])),
        "task_days": len(document.get("task_days", [])),
    }
    return "\n".join(
        [
            t("privacy.export_title", lang),
            counts_line(counts, lang),
            t("privacy.export_accesses", lang, count=len(document.get("accesses", []))),
        ]
    )


def build_erased(lang: str) -> Message:
    text = t("privacy.erased_message", lang)
    return {"text": text, "blocks": [section(text)]}


def build_erasure_request(person: str, lang: str) -> Message:
    """To each admin: someone asks for erasure, and how to carry it out."""
    text = t("privacy.erasure_request", lang, person=mention(person), slack_id=person)
    return {"text": t("privacy.erasure_request_title", lang), "blocks": [section(text)]}


def build_erasure_asked(lang: str, *, no_admins: bool = False) -> Message:
    """To the person: the admins were asked (or there is no admin to ask yet)."""
    text = t("privacy.no_admins" if no_admins else "privacy.erasure_asked", lang)
    return {"text": text, "blocks": [section(text)]}
