"""The baseline for bench_lapor: a Bolt app whose /lapor only acknowledges (gunicorn serves it)."""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

bolt = App(
    client=WebClient(token="xoxb-bench", base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token_verification_enabled=False,
)


@bolt.command("/lapor")
def lapor(ack):  # type: ignore[no-untyped-def]
    ack(text="ok")


app = SlackRequestHandler(bolt)
