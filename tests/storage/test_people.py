"""storage.people: import, Slack profiles, roles, readers' language and zone, availability."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from storage import people
from storage.db import session_scope
from storage.errors import DomainError, NotFound
from storage.models import ROLE_AGENT, ROLE_HR, Person

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def row(
    sid: str, name: str, lead: str = "", tz: str = "Asia/Jakarta", **extra: str
) -> dict[str, str]:
    return {
        "slack_id": sid,
        "name": name,
        "email": f"{name.lower().replace(' ', '.')}@corp.id",
        "team": "IT",
        "lead_slack_id": lead,
        "timezone": tz,
        **extra,
    }


def test_import_adds_then_updates_with_leads_later_in_the_file(engine: Engine) -> None:
    rows = [(2, row("U0AYU", "Ayu", lead="U0BUDI")), (3, row("U0BUDI", "Budi", language="en"))]
    with session_scope(engine, write=True) as s:
        assert people.import_rows(session=s, rows=rows, now=NOW) == (2, 0)
    rows2 = [(2, row("U0AYU", "Ayu Lestari", lead="U0BUDI", tz="Asia/Makassar"))]
    with session_scope(engine, write=True) as s:
        assert people.import_rows(session=s, rows=rows2, now=NOW) == (0, 1)
    with session_scope(engine) as s:
        ayu = s.get(Person, "U0AYU")
        assert ayu is not None
        assert (ayu.name, ayu.lead_slack_id, ayu.timezone) == (
            "Ayu Lestari",
            "U0BUDI",
            "Asia/Makassar",
        )
        budi = s.get(Person, "U0BUDI")
        assert budi is not None and budi.language == "en"


def test_a_bad_row_imports_nothing_and_every_bad_row_is_listed(engine: Engine) -> None:
    rows = [
        (2, row("U0AYU", "Ayu")),
        (3, row("U0AYU", "Ayu again")),
        (4, row("U0CICI", "Cici", lead="U0NOBODY")),
        (5, row("U0DEDI", "Dedi", tz="Mars/Olympus")),
        (6, row("not-an-id", "Eko")),
        (7, row("U0FANI", "", email="fani@corp.id")),
        (9, row("U0GITA", "Gita", lead="U0GITA")),
        (10, row("U0HADI", "Hadi", language="jv")),
    ]
    with pytest.raises(people.ImportRejected) as info, session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
    found = [(e.line, e.key) for e in info.value.errors]
    assert found == [
        (3, "import.duplicate_id"),
        (4, "import.unknown_lead"),
        (5, "import.bad_timezone"),
        (6, "import.bad_id"),
        (7, "import.no_name"),
        (9, "import.own_lead"),
        (10, "import.bad_language"),
    ]
    with session_scope(engine) as s:
        assert people.list_people(s) == []


def test_roles_and_rotation_positions(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A")), (3, row("U0B", "B"))], now=NOW)
        people.add_role(session=s, slack_id="U0A", role=ROLE_AGENT, tier=1, now=NOW)
        people.add_role(session=s, slack_id="U0B", role=ROLE_AGENT, tier=1, now=NOW)
        people.add_role(session=s, slack_id="U0A", role=ROLE_HR, now=NOW)
    with session_scope(engine, write=True) as s:
        # Moving tiers puts the agent at the end of the order.
        people.add_role(session=s, slack_id="U0A", role=ROLE_AGENT, tier=2, now=NOW)
    with session_scope(engine) as s:
        agents = [(r.slack_id, r.tier, r.position) for r, _ in people.list_role(s, ROLE_AGENT)]
        assert agents == [("U0B", 1, 2), ("U0A", 2, 3)]
        assert people.has_role(s, "U0A", ROLE_HR)
        assert people.agent_tier(s, "U0A") == 2
    with pytest.raises(DomainError) as info, session_scope(engine, write=True) as s:
        people.add_role(session=s, slack_id="U0B", role=ROLE_AGENT, tier=3, now=NOW)
    assert info.value.key == "error.bad_tier"
    with pytest.raises(NotFound), session_scope(engine, write=True) as s:
        people.add_role(session=s, slack_id="U0NOBODY", role=ROLE_HR, now=NOW)
    with session_scope(engine, write=True) as s:
        people.remove_role(session=s, slack_id="U0A", role=ROLE_HR)
    with session_scope(engine) as s:
        assert not people.has_role(s, "U0A", ROLE_HR)


def test_away_until_ends_by_itself(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A"))], now=NOW)
        people.set_away(session=s, slack_id="U0A", now=NOW, until=date(2026, 11, 25))
    with session_scope(engine, write=True) as s:
        assert people.end_expired_away(session=s, today=date(2026, 11, 25), now=NOW) == []
        assert people.end_expired_away(session=s, today=date(2026, 11, 26), now=NOW) == ["U0A"]
    with session_scope(engine) as s:
        person = s.get(Person, "U0A")
        assert person is not None and not person.is_away
    with pytest.raises(DomainError) as info, session_scope(engine, write=True) as s:
        people.set_away(session=s, slack_id="U0A", now=NOW, until=date(2026, 1, 1))
    assert info.value.key == "error.until_past"


def test_profiles_from_slack_add_update_and_deactivate(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A")), (3, row("U0B", "B"))], now=NOW)
    profiles = [
        people.SlackProfile("U0A", "Ayu Lestari", "ayu@corp.id", "Asia/Jayapura", False),
        people.SlackProfile("U0B", "Budi", None, None, True),
        people.SlackProfile("U0C", "Cici", "cici@corp.id", "Asia/Jakarta", False),
        people.SlackProfile("U0D", "Gone", None, None, True),
    ]
    with session_scope(engine, write=True) as s:
        assert people.apply_profiles(session=s, profiles=profiles, now=NOW) == (1, 1, 1)
    with session_scope(engine) as s:
        a, b = s.get(Person, "U0A"), s.get(Person, "U0B")
        assert a is not None and (a.name, a.timezone) == ("Ayu Lestari", "Asia/Jayapura")
        assert b is not None and not b.active
        assert s.get(Person, "U0C") is not None
        assert s.get(Person, "U0D") is None


def test_import_refuses_a_malformed_email(engine: Engine) -> None:
    with pytest.raises(people.ImportRejected) as info, session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A", email="a@corp"))], now=NOW)
    assert info.value.errors == [people.RowError(2, "import.bad_email", "a@corp")]


def test_a_person_met_for_the_first_time_is_added_once(engine: Engine) -> None:
    later = NOW.replace(hour=5)
    with session_scope(engine, write=True) as s:
        made = people.ensure(s, "U0NEW", now=NOW, name="Nina")
        again = people.ensure(s, "U0NEW", now=later, name="Other")
        nameless = people.ensure(s, "U0NONAME", now=NOW)
        assert (made.name, made.created_at, again.name, again.created_at) == (
            "Nina",
            NOW,
            "Nina",
            NOW,
        )
        assert nameless.name == "U0NONAME"
        people.ensure_locked(s, "U0NEW", now=later, name="Other")
        people.ensure_locked(s, "U0LOCK", now=later)
    with session_scope(engine) as s:
        assert people.names(s, ["U0NEW", "U0LOCK", "U0NOBODY"]) == {
            "U0NEW": "Nina",
            "U0LOCK": "U0LOCK",
        }
        assert people.names(s, []) == {}
        locked = people.get(s, "U0LOCK")
        assert locked is not None and (locked.created_at, locked.active) == (later, True)


def test_readers_fall_back_to_the_defaults(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(
            session=s,
            rows=[(2, row("U0A", "A", language="en", tz="Asia/Makassar")), (3, row("U0B", "B"))],
            now=NOW,
        )
        assert people.readers(s, ["U0A", "U0B", "U0C"], "id", "Asia/Jakarta") == {
            "U0A": ("en", "Asia/Makassar"),
            "U0B": ("id", "Asia/Jakarta"),
            "U0C": ("id", "Asia/Jakarta"),
        }
        assert people.reader(s.connection(), "U0A", "id", "UTC") == ("en", "Asia/Makassar")


def test_language_away_and_back(engine: Engine) -> None:
    later = NOW.replace(hour=6)
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A"))], now=NOW)
        assert people.set_language(session=s, slack_id="U0A", language="en", now=NOW).language == (
            "en"
        )
        first = people.set_away(session=s, slack_id="U0A", now=NOW)
        again = people.set_away(session=s, slack_id="U0A", now=later, until=date(2026, 12, 1))
        assert (again.away_since, again.away_until) == (NOW, date(2026, 12, 1))
        assert first is again
        back = people.set_back(session=s, slack_id="U0A", now=later)
        assert (back.away_since, back.away_until, back.is_away, back.updated_at) == (
            None,
            None,
            False,
            later,
        )
    with pytest.raises(DomainError) as info, session_scope(engine, write=True) as s:
        people.set_language(session=s, slack_id="U0A", language="jv", now=NOW)
    assert (info.value.key, info.value.params) == ("error.bad_language", {"language": "jv"})
    with pytest.raises(NotFound) as missing, session_scope(engine, write=True) as s:
        people.set_back(session=s, slack_id="U0NOBODY", now=NOW)
    assert missing.value.params == {"slack_id": "U0NOBODY"}


def test_until_is_checked_against_the_company_day(engine: Engine) -> None:
    """`today` (the date on the company clock) decides what is past, not the UTC date."""
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A"))], now=NOW)
        people.set_away(
            session=s, slack_id="U0A", now=NOW, until=date(2026, 11, 23), today=date(2026, 11, 23)
        )
    with pytest.raises(DomainError) as info, session_scope(engine, write=True) as s:
        people.set_away(
            session=s, slack_id="U0A", now=NOW, until=date(2026, 11, 23), today=date(2026, 11, 24)
        )
    assert (info.value.key, info.value.params) == ("error.until_past", {"until": "2026-11-23"})


def test_roles_refusals_and_a_second_grant_changing_nothing(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "A"))], now=NOW)
        first = people.add_role(session=s, slack_id="U0A", role=ROLE_AGENT, tier=1, now=NOW)
        again = people.add_role(session=s, slack_id="U0A", role=ROLE_AGENT, tier=1, now=NOW)
        assert (again.id, again.position) == (first.id, first.position)
        hr = people.add_role(session=s, slack_id="U0A", role=ROLE_HR, now=NOW)
        assert (hr.tier, hr.position) == (None, None)
    for kwargs, key in (
        ({"role": "boss"}, "error.bad_role"),
        ({"role": ROLE_AGENT}, "error.bad_tier"),  # an agent needs a tier
    ):
        with pytest.raises(DomainError) as info, session_scope(engine, write=True) as s:
            people.add_role(session=s, slack_id="U0A", now=NOW, **kwargs)  # type: ignore[arg-type]
        assert info.value.key == key
    with pytest.raises(NotFound) as missing, session_scope(engine, write=True) as s:
        people.remove_role(session=s, slack_id="U0A", role="admin")
    assert (missing.value.key, missing.value.params) == (
        "error.role_missing",
        {"slack_id": "U0A", "role": "admin"},
    )


def test_leads_and_teams(engine: Engine) -> None:
    rows = [
        (2, row("U0LEAD", "Lia")),
        (3, row("U0A", "Ayu", lead="U0LEAD")),
        (4, {**row("U0B", "Budi"), "team": "Finance"}),
    ]
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
    with session_scope(engine) as s:
        assert people.is_lead(s, "U0LEAD") and not people.is_lead(s, "U0A")
        assert [p.slack_id for p in people.list_people(s)] == ["U0B", "U0A", "U0LEAD"]
        assert [p.slack_id for p in people.list_people(s, team="IT")] == ["U0A", "U0LEAD"]


def test_profiles_keep_what_slack_leaves_out_and_bring_people_back(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=[(2, row("U0A", "Ayu"))], now=NOW)
        people.apply_profiles(
            session=s, profiles=[people.SlackProfile("U0A", "", None, "Mars/Base", True)], now=NOW
        )
    with session_scope(engine, write=True) as s:
        person = s.get(Person, "U0A")
        assert person is not None
        assert (person.name, person.email, person.timezone, person.active) == (
            "Ayu",
            "ayu@corp.id",
            "Asia/Jakarta",
            False,
        )
        counts = people.apply_profiles(
            session=s, profiles=[people.SlackProfile("U0A", "Ayu", None, None, False)], now=NOW
        )
        assert counts == (0, 1, 0)
        assert person.active is True


def test_dm_channels_are_remembered_in_one_batch(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        people.import_rows(
            session=s, rows=[(2, row("U0ANI", "Ani")), (3, row("U0BUDI", "Budi"))], now=NOW
        )
        people.require(s, "U0BUDI").dm_channel = "D0OLD"
    with session_scope(engine, write=True) as s:
        people.remember_dm_channels(
            s, channels={"U0ANI": "D0ANI", "U0BUDI": "D0BUDI", "U0NOBODY": "D0NOBODY"}
        )
    with session_scope(engine) as s:
        assert people.require(s, "U0ANI").dm_channel == "D0ANI"
        assert people.require(s, "U0BUDI").dm_channel == "D0BUDI"
        assert people.get(s, "U0NOBODY") is None  # nobody is made up for a channel
        people.remember_dm_channels(s, channels={})
