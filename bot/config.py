"""Settings from the environment and `.env`; one clear error per bad value."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from storage import calendar, rotation
from storage.matching import DEFAULT_THRESHOLDS, Thresholds
from storage.sla import DEFAULT_SLA, Target, parse_targets
from storage.worktime import parse_days, parse_hours

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///rekan.db"
LANGUAGES = ("id", "en")


class ConfigError(Exception):
    """A setting is missing or malformed; `key` names the catalog line with the fix."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    triage_channel: str | None = None
    listener_threads: int = 8
    notify_threads: int = 8
    workers: int = 1
    log_level: str = "INFO"
    escalate_after_seconds: int = 4 * 3600
    repeat_certain: float = DEFAULT_THRESHOLDS.certain
    repeat_plausible: float = DEFAULT_THRESHOLDS.plausible
    repeat_window_seconds: int = 24 * 3600
    outage_reporters: int = 5
    outage_window_seconds: int = 15 * 60
    claim_hours: float = 4.0
    delivery_concurrency: int = 8
    checkin_at: time = time(10, 0)
    checkin_weekdays: frozenset[int] | None = frozenset({0})
    checkin_days: int = 3
    low_score: int = 2
    min_group: int = 5
    retention_months: int = 12
    ticket_retention_months: int = 24
    # issue 21 (UU PDP): the audit trail outlives the data; task days; deliveries' parameters
    audit_retention_months: int = 60
    task_retention_months: int = 24
    delivery_retention_days: int = 90
    file_max_mb: int = 20
    tasks_at: time = time(9, 0)
    tasks_weekdays: frozenset[int] | None = None
    # A daily prompt later than this (never past the end of working hours) waits for tomorrow.
    prompt_grace_seconds: int = 3 * 3600
    # working time a ticket waits for its reporter before one nudge, and before it is
    # resolved as "no answer" (1 and 3 working days of the default 09:00-17:00)
    waiting_nudge_seconds: int = 8 * 3600
    waiting_close_seconds: int = 3 * 8 * 3600
    log_format: str = "text"
    metrics_port: int | None = None
    campaign_lease_seconds: int = 60
    # the helpdesk's own working time, which service levels count in (issue 20)
    desk_days: frozenset[int] = frozenset(range(5))
    desk_opens: int = 9 * 60  # minutes after midnight
    desk_closes: int = 17 * 60  # up to 1440 (24:00)
    desk_holidays: bool = True
    cuti_bersama: bool = True
    sla_targets: tuple[tuple[str, Target], ...] = ()
    sla_reassign: bool = False
    close_after_seconds: int = 5 * 8 * 3600  # 5 working days of the desk
    agent_cap: int | None = None  # open tickets that take an agent out of the rotation's turns
    handover_after_seconds: int = 30 * 60  # working time an agent is away before handover

    @property
    def sla(self) -> dict[str, Target]:
        """Targets by priority (REKAN_SLA over its defaults)."""
        day = (self.desk_closes - self.desk_opens) * 60
        return dict(self.sla_targets) or parse_targets(DEFAULT_SLA, day)

    @property
    def repeat_thresholds(self) -> Thresholds:
        return Thresholds(certain=self.repeat_certain, plausible=self.repeat_plausible)

    @property
    def file_max_bytes(self) -> int:
        return self.file_max_mb * 1024 * 1024

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_for_run(self, *, http: bool) -> None:
        """Raise ConfigError unless the tokens the chosen mode needs are present."""
        if not self.bot_token:
            raise ConfigError("config.no_bot_token")
        if http and not self.signing_secret:
            raise ConfigError("config.no_signing_secret")
        if not http and not self.app_token:
            raise ConfigError("config.no_app_token")


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = _get(env, name)
    if value is not None and not value.startswith(prefix):
        raise ConfigError("config.bad_token", name=name, prefix=prefix)
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError("config.bad_int", name=name, low=low, high=high, value=raw)
    return value


def parse_duration(raw: str) -> int:
    """'4h', '90m', '1h30m' or a plain number of hours → seconds; ValueError when malformed."""
    text = raw.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(float(text) * 3600)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?", text)
    if not match or not any(match.groups()):
        raise ValueError(raw)
    return int(match.group(1) or 0) * 3600 + int(match.group(2) or 0) * 60


def parse_cron(raw: str) -> tuple[time, frozenset[int] | None]:
    """'0 10 * * 1' → (10:00, {Monday}); only minute, hour and day of week may be set."""
    fields = raw.split()
    if len(fields) != 5 or fields[2] != "*" or fields[3] != "*":
        raise ValueError(raw)
    minute, hour = int(fields[0]), int(fields[1])
    if not (0 <= minute < 60 and 0 <= hour < 24):
        raise ValueError(raw)
    if fields[4] == "*":
        return time(hour, minute), None
    days: set[int] = set()
    for part in fields[4].split(","):
        low, _, high = part.partition("-")
        for cron_day in range(int(low), int(high or low) + 1):
            if not 0 <= cron_day <= 7:
                raise ValueError(raw)
            days.add((cron_day - 1) % 7)  # cron: 0 and 7 are Sunday; Python: 0 is Monday
    return time(hour, minute), frozenset(days)


def _duration(env: Mapping[str, str], name: str, default: str) -> int:
    raw = _get(env, name) or default
    try:
        return parse_duration(raw)
    except ValueError:
        raise ConfigError("config.bad_duration", name=name, value=raw) from None


def parse_working_duration(raw: str, day_seconds: int) -> int:
    """Working time: '1d' (a working day, `day_seconds` long), '2d4h', or anything
    parse_duration takes → seconds; ValueError when malformed."""
    text = raw.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d+)d(.*)", text)
    if match is None:
        return parse_duration(text)
    rest = match.group(2)
    return int(match.group(1)) * day_seconds + (parse_duration(rest) if rest else 0)


def _working_duration(env: Mapping[str, str], name: str, default: str, day_seconds: int) -> int:
    raw = _get(env, name) or default
    try:
        return parse_working_duration(raw, day_seconds)
    except ValueError:
        raise ConfigError("config.bad_working_duration", name=name, value=raw) from None


def parse_work_hours(raw: str) -> tuple[time, time]:
    """'09:00-17:00' → (09:00, 17:00); raise ValueError when malformed or empty."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", raw.strip())
    if not match:
        raise ValueError(raw)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = time(h1, m1), time(h2, m2)
    if start >= end:
        raise ValueError(raw)
    return start, end


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (_get(env, name) or ("on" if default else "off")).lower()
    if raw not in ("on", "off"):
        raise ConfigError("config.bad_switch", name=name, value=raw)
    return raw == "on"


def _desk(
    env: Mapping[str, str], work_start: time, work_end: time
) -> tuple[frozenset[int], int, int, bool, bool, tuple[tuple[str, Target], ...]]:
    """The helpdesk's clock and service-level targets (REKAN_DESK_*, REKAN_CUTI_BERSAMA,
    REKAN_SLA)."""
    days_raw = _get(env, "REKAN_DESK_DAYS") or "Mon-Fri"
    try:
        days = parse_days(days_raw)
    except ValueError:
        raise ConfigError("config.bad_desk_days", value=days_raw) from None
    company = f"{work_start.strftime('%H:%M')}-{work_end.strftime('%H:%M')}"
    hours_raw = _get(env, "REKAN_DESK_HOURS") or company
    try:
        opens, closes = parse_hours(hours_raw)
    except ValueError:
        raise ConfigError("config.bad_desk_hours", value=hours_raw) from None
    sla_raw = _get(env, "REKAN_SLA") or DEFAULT_SLA
    try:
        targets = parse_targets(sla_raw, (closes - opens) * 60)
    except ValueError as bad:
        raise ConfigError("config.bad_sla", part=str(bad), value=sla_raw) from None
    return (
        days,
        opens,
        closes,
        _switch(env, "REKAN_DESK_HOLIDAYS", True),
        _switch(env, "REKAN_CUTI_BERSAMA", True),
        tuple(targets.items()),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `env` (default: os.environ after reading .env)."""
    if env is None:
        load_dotenv(override=False)
        env = os.environ

    api_url = _get(env, "SLACK_API_URL") or DEFAULT_API_URL
    if not re.match(r"https?://", api_url):
        raise ConfigError("config.bad_api_url", value=api_url)
    if not api_url.endswith("/"):
        api_url += "/"

    database_url = _get(env, "DATABASE_URL") or DEFAULT_DATABASE_URL
    if not re.match(r"(sqlite|postgresql(\+psycopg)?)://", database_url):
        raise ConfigError("config.bad_database_url", value=database_url)
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]

    language = (_get(env, "REKAN_LANGUAGE") or "id").lower()
    if language not in LANGUAGES:
        raise ConfigError("config.bad_language", value=language)

    timezone = _get(env, "REKAN_TIMEZONE") or "Asia/Jakarta"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("config.bad_timezone", value=timezone) from None

    hours = _get(env, "REKAN_WORK_HOURS") or "09:00-17:00"
    try:
        work_start, work_end = parse_work_hours(hours)
    except ValueError:
        raise ConfigError("config.bad_work_hours", value=hours) from None
    # a working day, as long as the working hours (for durations given in working days)
    workday = (work_end.hour * 60 + work_end.minute - work_start.hour * 60 - work_start.minute) * 60

    triage = _get(env, "REKAN_TRIAGE_CHANNEL")
    if triage is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,}", triage):
        raise ConfigError("config.bad_triage_channel", value=triage)

    log_level = (_get(env, "REKAN_LOG_LEVEL") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("config.bad_log_level", value=log_level)

    cron_raw = _get(env, "REKAN_CHECKIN_CRON") or "0 10 * * 1"
    try:
        checkin_at, checkin_weekdays = parse_cron(cron_raw)
    except ValueError:
        raise ConfigError("config.bad_cron", name="REKAN_CHECKIN_CRON", value=cron_raw) from None

    tasks_raw = _get(env, "REKAN_TASKS_CRON") or "0 9 * * *"
    try:
        tasks_at, tasks_weekdays = parse_cron(tasks_raw)
    except ValueError:
        raise ConfigError("config.bad_cron", name="REKAN_TASKS_CRON", value=tasks_raw) from None

    log_format = (_get(env, "REKAN_LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ConfigError("config.bad_log_format", value=log_format)
    metrics_port = _int(env, "REKAN_METRICS_PORT", 0, 0, 65535) or None
    desk_days, desk_opens, desk_closes, desk_holidays, cuti, sla_targets = _desk(
        env, work_start, work_end
    )
    # a company setting for every clock (prompts, check-ins, waiting tickets, service levels):
    # set where every entry point reads its settings
    calendar.set_cuti_bersama(cuti)
    cap_raw = (_get(env, "REKAN_AGENT_CAP") or "off").lower()
    cap = None if cap_raw == "off" else _int(env, "REKAN_AGENT_CAP", 0, 1, 1000)
    rotation.set_agent_cap(cap)  # the same: a company setting the rotation reads

    return Settings(
        bot_token=_token(env, "SLACK_BOT_TOKEN", "xoxb-"),
        signing_secret=_get(env, "SLACK_SIGNING_SECRET"),
        app_token=_token(env, "SLACK_APP_TOKEN", "xapp-"),
        api_url=api_url,
        database_url=database_url,
        language=language,
        timezone=timezone,
        work_start=work_start,
        work_end=work_end,
        triage_channel=triage,
        listener_threads=_int(env, "REKAN_LISTENER_THREADS", 8, 1, 512),
        notify_threads=_int(env, "REKAN_NOTIFY_THREADS", 8, 1, 128),
        workers=_int(env, "REKAN_WORKERS", 1, 1, 64),
        log_level=log_level,
        escalate_after_seconds=_duration(env, "REKAN_ESCALATE_AFTER", "4h"),
        repeat_certain=float(
            _int(env, "REKAN_REPEAT_CERTAIN", int(DEFAULT_THRESHOLDS.certain), 1, 100)
        ),
        repeat_plausible=float(
            _int(env, "REKAN_REPEAT_PLAUSIBLE", int(DEFAULT_THRESHOLDS.plausible), 1, 100)
        ),
        repeat_window_seconds=_duration(env, "REKAN_REPEAT_WINDOW", "24h"),
        outage_reporters=_int(env, "REKAN_OUTAGE_REPORTERS", 5, 2, 10000),
        outage_window_seconds=_duration(env, "REKAN_OUTAGE_WINDOW", "15m"),
        claim_hours=_duration(env, "REKAN_CLAIM_HOURS", "4h") / 3600,
        delivery_concurrency=_int(env, "REKAN_DELIVERY_CONCURRENCY", 8, 1, 64),
        campaign_lease_seconds=_int(env, "REKAN_CAMPAIGN_LEASE", 60, 1, 3600),
        checkin_at=checkin_at,
        checkin_weekdays=checkin_weekdays,
        checkin_days=_int(env, "REKAN_CHECKIN_DAYS", 3, 1, 14),
        low_score=_int(env, "REKAN_LOW_SCORE", 2, 1, 4),
        min_group=_int(env, "REKAN_MIN_GROUP", 5, 3, 1000),
        retention_months=_int(env, "REKAN_RETENTION_MONTHS", 12, 1, 120),
        ticket_retention_months=_int(env, "REKAN_TICKET_RETENTION_MONTHS", 24, 1, 240),
        audit_retention_months=_int(env, "REKAN_AUDIT_RETENTION_MONTHS", 60, 1, 240),
        task_retention_months=_int(env, "REKAN_TASK_RETENTION_MONTHS", 24, 1, 240),
        delivery_retention_days=_int(env, "REKAN_DELIVERY_RETENTION_DAYS", 90, 7, 3650),
        file_max_mb=_int(env, "REKAN_FILE_MAX_MB", 20, 1, 1000),
        tasks_at=tasks_at,
        tasks_weekdays=tasks_weekdays,
        prompt_grace_seconds=_duration(env, "REKAN_PROMPT_GRACE", "3h"),
        waiting_nudge_seconds=_working_duration(env, "REKAN_WAITING_NUDGE", "1d", workday),
        waiting_close_seconds=_working_duration(env, "REKAN_WAITING_CLOSE", "3d", workday),
        log_format=log_format,
        metrics_port=metrics_port,
        desk_days=desk_days,
        desk_opens=desk_opens,
        desk_closes=desk_closes,
        desk_holidays=desk_holidays,
        cuti_bersama=cuti,
        sla_targets=sla_targets,
        sla_reassign=_switch(env, "REKAN_SLA_REASSIGN", False),
        close_after_seconds=_working_duration(
            env, "REKAN_CLOSE_AFTER", "5d", (desk_closes - desk_opens) * 60
        ),
        agent_cap=cap,
        handover_after_seconds=_working_duration(
            env, "REKAN_HANDOVER_AFTER", "30m", (desk_closes - desk_opens) * 60
        ),
    )
