"""The Slack app manifest: Socket Mode (manifest.yml) or HTTP with request URLs."""

from __future__ import annotations

from typing import Any

import yaml

BOT_SCOPES = [
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "files:write",
    "files:read",  # relaying a screenshot shared in a ticket thread (issue 18)
]
BOT_EVENTS = ["app_home_opened", "team_join", "user_change", "message.im"]
COMMANDS = [
    {
        "command": "/lapor",
        "description": "Laporkan masalah IT ke helpdesk / Report an IT problem",
        "usage_hint": "[masalah | status | bantuan]",
    },
    {
        "command": "/tugas",
        "description": "Isi tugas hari ini / Fill in today's tasks",
        "usage_hint": "[status | bantuan]",
    },
]


def build_manifest(http_base: str | None = None) -> dict[str, Any]:
    """The manifest; with `http_base` (https://host) request URLs and Socket Mode off."""
    url = f"{http_base.rstrip('/')}/slack/events" if http_base else None
    commands = [{**c, "should_escape": False, **({"url": url} if url else {})} for c in COMMANDS]
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url:
        events = {"request_url": url, **events}
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Rekan",
            "description": "Helpdesk, check-in, dan tugas harian / helpdesk, check-ins, daily tasks",
            "background_color": "#1d4e89",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                # people write to Rekan in their tickets' threads
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Rekan", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": url is None,
            "token_rotation_enabled": False,
        },
    }


def render_manifest(http_base: str | None = None) -> str:
    return yaml.safe_dump(build_manifest(http_base), sort_keys=False, allow_unicode=True)
