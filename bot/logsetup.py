"""Logging: one line per event, readable by default, JSON with REKAN_LOG_FORMAT=json.
Tokens and signing secrets are never logged; wellbeing answers are never logged at all."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from bot.config import Settings

SECRET = re.compile(r"(xox[abposr]-|xapp-)[A-Za-z0-9-]+")
CONTEXT = ("ticket", "campaign", "request_id", "delivery")


def _scrub(text: str) -> str:
    return SECRET.sub(r"\1…", text)


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
        if record.exc_info:
            entry["error"] = _scrub(self.formatException(record.exc_info).splitlines()[-1])
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _scrub(super().format(record))


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
