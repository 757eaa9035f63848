"""The helpdesk's clock and service-level settings (issue 20): defaults, values, and a
malformed one refused with one line naming the variable."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import ConfigError, load_settings
from storage import calendar, rotation
from storage.sla import Target

Run = Callable[..., tuple[int, str, str]]


def test_defaults_follow_the_company_hours() -> None:
    settings = load_settings({"REKAN_WORK_HOURS": "08:30-16:30"})
    assert settings.desk_days == frozenset(range(5))
    assert (settings.desk_opens, settings.desk_closes) == (510, 990)
    assert settings.desk_holidays and settings.cuti_bersama
    # 1d is one working day of the desk: eight hours here
    assert settings.sla["normal"] == Target(4 * 3600, 3 * 8 * 3600)
    assert settings.sla["urgent"] == Target(30 * 60, 4 * 3600)


def test_a_round_the_clock_desk_and_its_targets() -> None:
    settings = load_settings(
        {
            "REKAN_DESK_DAYS": "Mon-Sun",
            "REKAN_DESK_HOURS": "00:00-24:00",
            "REKAN_DESK_HOLIDAYS": "off",
            "REKAN_SLA": "urgent=15m/2h, low=2d/10d",
        }
    )
    assert settings.desk_days == frozenset(range(7))
    assert (settings.desk_opens, settings.desk_closes) == (0, 1440)
    assert not settings.desk_holidays
    assert settings.sla["urgent"] == Target(15 * 60, 2 * 3600)
    assert settings.sla["low"] == Target(2 * 86400, 10 * 86400)
    assert settings.sla["high"] == Target(3600, 86400)  # left out: its default


def test_cuti_bersama_is_a_company_setting_for_every_clock() -> None:
    christmas_eve = calendar.date(2026, 12, 24)
    try:
        load_settings({"REKAN_CUTI_BERSAMA": "off"})
        assert calendar.is_workday(christmas_eve)
        load_settings({})
        assert not calendar.is_workday(christmas_eve)
    finally:
        calendar.set_cuti_bersama(True)


def test_cap_and_handover() -> None:
    try:
        settings = load_settings({"REKAN_AGENT_CAP": "5", "REKAN_HANDOVER_AFTER": "1h"})
        assert settings.agent_cap == 5 and rotation.agent_cap() == 5
        assert settings.handover_after_seconds == 3600
        settings = load_settings({})
        assert settings.agent_cap is None and rotation.agent_cap() is None
        assert settings.handover_after_seconds == 1800
        assert settings.close_after_seconds == 5 * 8 * 3600
    finally:
        rotation.set_agent_cap(None)


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"REKAN_SLA": "urgent=30m"}, "config.bad_sla"),
        ({"REKAN_SLA": "asap=30m/4h"}, "config.bad_sla"),
        ({"REKAN_SLA": "urgent=4h/30m"}, "config.bad_sla"),
        ({"REKAN_SLA": "urgent=soon/4h"}, "config.bad_sla"),
        ({"REKAN_SLA": "urgent=0m/4h"}, "config.bad_sla"),
        ({"REKAN_DESK_DAYS": "weekdays"}, "config.bad_desk_days"),
        ({"REKAN_DESK_HOURS": "17:00-09:00"}, "config.bad_desk_hours"),
        ({"REKAN_DESK_HOLIDAYS": "yes"}, "config.bad_switch"),
        ({"REKAN_CUTI_BERSAMA": "maybe"}, "config.bad_switch"),
        ({"REKAN_SLA_REASSIGN": "yes"}, "config.bad_switch"),
        ({"REKAN_AGENT_CAP": "none"}, "config.bad_int"),
        ({"REKAN_AGENT_CAP": "0"}, "config.bad_int"),
        ({"REKAN_HANDOVER_AFTER": "soon"}, "config.bad_working_duration"),
        ({"REKAN_CLOSE_AFTER": "a week"}, "config.bad_working_duration"),
    ],
)
def test_malformed_values_name_the_variable(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert info.value.key == key


def test_a_malformed_sla_stops_the_cli_with_one_line(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REKAN_SLA", "urgent=30m/4h,asap=1h/1d")
    code, out, err = cli("hours", "list")
    assert (code, out) == (2, "")
    # the settings never loaded, so it is said in the default language
    assert err.count("\n") == 1 and "REKAN_SLA salah di 'asap=1h/1d'" in err
