"""Logging: one line per event, readable by default, JSON with REKAN_LOG_FORMAT=json.
Tokens and signing secrets are never logged; wellbeing answers are never logged at all.

Slack's libraries log whole request and response bodies (slack_sdk at DEBUG, Bolt at INFO
when a signature fails): a body names a person next to their scores or note. Their lines
are cut before the first piece of data, at every level, and no exception message is logged
(a Slack API error or a database error repeats the data it was given); only its type."""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import IO

from bot.config import Settings

SECRET = re.compile(r"(xox[abposr]-|xapp-)[A-Za-z0-9-]+")
CONTEXT = ("ticket", "campaign", "request_id", "delivery")
# Loggers of slack_sdk, slack_bolt and Rekan's Bolt app (named "rekan.bolt", see bot.app).
SLACK_LOGGERS = ("slack_sdk", "slack_bolt", "rekan.bolt")
# Where a Slack library's message starts to carry data: a dict, list or tuple, a "key:" or
# "key=" pair, " - " before the fields, or the body of a request.
DATA_STARTS = re.compile(r"[\[{(:=]| - |\bbody\b|\bpayload\b|%7B|\n")
REDACTED = " […]"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _scrub(text: str) -> str:
    return SECRET.sub(r"\1…", text)


def from_slack_library(name: str) -> bool:
    return any(
        name == prefix or name.startswith((prefix + ".", prefix + ":")) for prefix in SLACK_LOGGERS
    )


def redact(message: str) -> str:
    """A Slack library's message up to its first piece of data ("Sending a request […]")."""
    found = DATA_STARTS.search(message)
    return message if found is None else message[: found.start()].rstrip() + REDACTED


def exception_text(exc_info: ExcInfo) -> str:
    """The traceback's frames and the exception's type, without its message."""
    kind, _error, tb = exc_info
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    return f"Traceback (most recent call last):\n{frames}{kind.__module__}.{kind.__qualname__}"


class HealthDataFilter(logging.Filter):
    """On the handler, so it sees every record whatever logger it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        if from_slack_library(record.name):
            record.msg, record.args = redact(record.getMessage()), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": _scrub(record.getMessage()),
        }
        for key in CONTEXT:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = _scrub(exception_text(record.exc_info).splitlines()[-1])
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]
        return exception_text(ei)

    def format(self, record: logging.LogRecord) -> str:
        return _scrub(super().format(record))


def make_handler(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """The one handler of `rekan run` (stderr unless `stream`), with the health-data filter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(HealthDataFilter())
    return handler


def configure(settings: Settings) -> None:
    root = logging.getLogger()
    root.handlers[:] = [make_handler(settings)]
    root.setLevel(settings.log_level)
