"""The weekly wellbeing report job: the numbers per week and team go to each HR member as a
chart and text, drawn by the report maker that bot/ hands down in the job context."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError

from jobs.context import JobContext
from jobs.delivery import open_channel
from storage import audit, checkins, people
from storage.checkins import GroupNumbers
from storage.db import session_scope
from storage.models import ROLE_HR

log = logging.getLogger(__name__)


def numbers(ctx: JobContext, weeks: int) -> list[GroupNumbers]:
    with session_scope(ctx.engine) as session:
        return checkins.report(session, weeks=weeks, low=ctx.settings.low_score)


def run_weekly(ctx: JobContext, now: datetime) -> str:
    """Job `report-weekly`: each HR member gets the chart and the same numbers as text."""
    groups = numbers(ctx, 12)
    with session_scope(ctx.engine) as session:
        hr = [
            (p.slack_id, p.language or ctx.settings.language)
            for _, p in people.list_role(session, ROLE_HR)
        ]
    sent = 0
    for slack_id, lang in hr:
        report = ctx.weekly_report(groups, ctx.settings.min_group, lang)
        try:
            channel = open_channel(ctx, slack_id)
            ctx.client.files_upload_v2(
                channel=channel,
                content=report.png,
                filename="wellbeing.png",
                title=report.title,
                initial_comment=report.text,
            )
            sent += 1
            with session_scope(ctx.engine, write=True) as session:
                audit.record(session, actor=slack_id, action=audit.REPORT, now=now, ref="weekly")
        except SlackApiError as exc:
            log.warning("weekly report to an HR member failed: %s", exc.response.get("error"))
    return f"hr={len(hr)} sent={sent}"
