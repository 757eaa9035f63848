from __future__ import annotations

from datetime import time

import pytest

from bot.config import ConfigError, load_settings


def key_of(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    return info.value.key


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///rekan.db"
    assert settings.language == "id"
    assert settings.timezone == "Asia/Jakarta"
    assert (settings.work_start, settings.work_end) == (time(9), time(17))
    assert settings.triage_channel is None
    assert settings.bot_token is None


def test_empty_values_count_as_unset() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "", "REKAN_LANGUAGE": " ", "DATABASE_URL": ""})
    assert settings.bot_token is None
    assert settings.language == "id"
    assert settings.database_url == "sqlite:///rekan.db"


def test_values_are_read() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/test",
            "REKAN_LANGUAGE": "EN",
            "REKAN_TIMEZONE": "Asia/Makassar",
            "REKAN_WORK_HOURS": "08:30-16:30",
            "REKAN_TRIAGE_CHANNEL": "C0TRIAGE",
        }
    )
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/test"
    assert settings.language == "en"
    assert settings.tz.key == "Asia/Makassar"
    assert settings.work_start == time(8, 30)
    assert settings.triage_channel == "C0TRIAGE"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"SLACK_BOT_TOKEN": "xapp-wrong"}, "config.bad_token"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "config.bad_token"),
        ({"SLACK_API_URL": "slack.com/api"}, "config.bad_api_url"),
        ({"DATABASE_URL": "mysql://x"}, "config.bad_database_url"),
        ({"REKAN_LANGUAGE": "jv"}, "config.bad_language"),
        ({"REKAN_TIMEZONE": "Jakarta"}, "config.bad_timezone"),
        ({"REKAN_WORK_HOURS": "17:00-09:00"}, "config.bad_work_hours"),
        ({"REKAN_WORK_HOURS": "9-5"}, "config.bad_work_hours"),
        ({"REKAN_TRIAGE_CHANNEL": "#helpdesk"}, "config.bad_triage_channel"),
        ({"REKAN_LISTENER_THREADS": "many"}, "config.bad_int"),
        ({"REKAN_LISTENER_THREADS": "0"}, "config.bad_int"),
        ({"REKAN_LOG_LEVEL": "loud"}, "config.bad_log_level"),
    ],
)
def test_malformed_values_name_the_variable(env: dict[str, str], key: str) -> None:
    assert key_of(env) == key


def test_run_requires_the_tokens_of_its_mode() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({}).require_for_run(http=False)
    assert info.value.key == "config.no_bot_token"
    with pytest.raises(ConfigError) as info:
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_for_run(http=True)
    assert info.value.key == "config.no_signing_secret"
    with pytest.raises(ConfigError) as info:
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_for_run(http=False)
    assert info.value.key == "config.no_app_token"
    load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}).require_for_run(
        http=True
    )


def test_durations() -> None:
    settings = load_settings(
        {"REKAN_ESCALATE_AFTER": "1h30m", "REKAN_REPEAT_WINDOW": "90m", "REKAN_CLAIM_HOURS": "2"}
    )
    assert settings.escalate_after_seconds == 5400
    assert settings.repeat_window_seconds == 5400
    assert settings.claim_hours == 2
    assert key_of({"REKAN_CLAIM_HOURS": "soon"}) == "config.bad_duration"
    assert key_of({"REKAN_REPEAT_CERTAIN": "101"}) == "config.bad_int"


def test_waiting_durations_are_working_time() -> None:
    defaults = load_settings({})
    assert defaults.waiting_nudge_seconds == 8 * 3600  # one working day of 09:00-17:00
    assert defaults.waiting_close_seconds == 3 * 8 * 3600
    settings = load_settings(
        {
            "REKAN_WORK_HOURS": "08:00-17:30",
            "REKAN_WAITING_NUDGE": "4h",
            "REKAN_WAITING_CLOSE": "2d 1h30m",
        }
    )
    assert settings.waiting_nudge_seconds == 4 * 3600
    assert settings.waiting_close_seconds == 2 * 9.5 * 3600 + 5400
    assert load_settings({"REKAN_WAITING_CLOSE": "1d"}).waiting_close_seconds == 8 * 3600
    assert key_of({"REKAN_WAITING_NUDGE": "tomorrow"}) == "config.bad_working_duration"
    assert key_of({"REKAN_WAITING_CLOSE": "3dd"}) == "config.bad_working_duration"


def test_checkin_cron() -> None:
    settings = load_settings({"REKAN_CHECKIN_CRON": "30 9 * * 1-5"})
    assert settings.checkin_at == time(9, 30) and settings.checkin_weekdays == frozenset(range(5))
    assert load_settings({"REKAN_CHECKIN_CRON": "0 10 * * 0"}).checkin_weekdays == frozenset({6})
    assert key_of({"REKAN_CHECKIN_CRON": "0 10 1 * 1"}) == "config.bad_cron"
    assert key_of({"REKAN_CHECKIN_CRON": "every monday"}) == "config.bad_cron"
    assert key_of({"REKAN_MIN_GROUP": "2"}) == "config.bad_int"
