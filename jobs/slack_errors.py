"""How a failed Slack call is judged: errors no retry will fix, and transport errors after
which nobody knows whether the message went out."""

from __future__ import annotations

import http.client
import socket
import urllib.error

# Errors that no retry will fix: the row is marked failed.
PERMANENT = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "cannot_dm_bot",
        "user_disabled",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "missing_scope",
        "no_permission",
        "invalid_blocks",
        "msg_too_long",
        "restricted_action",
        "users_list_not_supplied",
        "team_access_not_granted",
    }
)
UNCERTAIN_ERRORS = (
    urllib.error.URLError,
    TimeoutError,
    socket.timeout,
    ConnectionError,
    http.client.HTTPException,
)
