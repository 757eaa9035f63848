"""People, leads, roles (agents, HR, admins), availability and import."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, bindparam, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.errors import DomainError, NotFound
from storage.models import ROLE_AGENT, ROLES, Person, Role
from storage.tables import PERSON, connection, for_update

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
IMPORT_REQUIRED = ("slack_id", "name", "email", "team", "lead_slack_id", "timezone")
LANGUAGES = ("id", "en")
_LOCK_PERSON = for_update(
    sa_select(PERSON.c.slack_id).where(PERSON.c.slack_id == bindparam("slack_id"))
)


@dataclass(frozen=True)
class RowError:
    """One bad row of an import: its line in the file and why (a catalog key)."""

    line: int
    key: str
    value: str = ""


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@dataclass(frozen=True)
class SlackProfile:
    """What Slack says of a user, reduced to what Rekan keeps."""

    slack_id: str
    name: str
    email: str | None
    timezone: str | None
    deleted: bool


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def get(session: Session, slack_id: str) -> Person | None:
    return session.get(Person, slack_id)


def require(session: Session, slack_id: str) -> Person:
    person = session.get(Person, slack_id)
    if person is None:
        raise NotFound("error.person_unknown", slack_id=slack_id)
    return person


def ensure(session: Session, slack_id: str, *, now: datetime, name: str = "") -> Person:
    """The person with this id, created with what is known when Rekan has not met them yet."""
    person = session.get(Person, slack_id)
    if person is None:
        person = Person(slack_id=slack_id, name=name or slack_id, created_at=now, updated_at=now)
        session.add(person)
        session.flush()
    return person


_NEW_PERSON = {
    "slack_id": bindparam("new_id"),
    "name": bindparam("new_name"),
    "created_at": bindparam("new_at", type_=PERSON.c.created_at.type),
    "updated_at": bindparam("new_at", type_=PERSON.c.updated_at.type),
}
_ADD_PERSON_PG = pg_insert(PERSON).values(_NEW_PERSON).on_conflict_do_nothing()
_ADD_PERSON_SQLITE = sqlite_insert(PERSON).values(_NEW_PERSON).on_conflict_do_nothing()
_READERS = sa_select(PERSON.c.slack_id, PERSON.c.language, PERSON.c.timezone).where(
    PERSON.c.slack_id.in_(bindparam("ids", expanding=True))
)


def reader(
    db: Session | Connection, slack_id: str, language: str, timezone: str
) -> tuple[str, str]:
    """(language, time zone) a person reads in; the given defaults for what is not set."""
    return readers(db, [slack_id], language, timezone)[slack_id]


def readers(
    db: Session | Connection, slack_ids: Collection[str], language: str, timezone: str
) -> dict[str, tuple[str, str]]:
    """reader() of several people at once (everyone asked is in the answer). Asked for every
    message and every request, hence a Core statement."""
    conn = connection(db) if isinstance(db, Session) else db
    found = {
        str(i): (lang or language, tz or timezone)
        for i, lang, tz in conn.execute(_READERS, {"ids": sorted(set(slack_ids))})
    }
    return {i: found.get(i, (language, timezone)) for i in slack_ids}


_DM_CHANNEL = (
    update(PERSON)
    .where(
        PERSON.c.slack_id == bindparam("person"),
        or_(PERSON.c.dm_channel.is_(None), PERSON.c.dm_channel != bindparam("channel")),
    )
    .values(dm_channel=bindparam("channel"))
)


def remember_dm_channels(session: Session, *, channels: Mapping[str, str]) -> None:
    """Keep each person's DM channel (user id -> D… id, as Slack answered a post to the user),
    in one batched statement; a channel already kept is not written again."""
    if channels:
        connection(session).execute(
            _DM_CHANNEL, [{"person": who, "channel": ch} for who, ch in sorted(channels.items())]
        )


def ensure_locked(session: Session, slack_id: str, *, now: datetime, name: str = "") -> None:
    """ensure(), and hold the person's row until the transaction ends, so that one person's
    filings are handled one at a time (PostgreSQL; SQLite writers are serialised anyway)."""
    conn = connection(session)
    values = {"new_id": slack_id, "new_name": name or slack_id, "new_at": now}
    if conn.dialect.name == "postgresql":
        conn.execute(_ADD_PERSON_PG, values)
        conn.execute(_LOCK_PERSON, {"slack_id": slack_id})
    else:
        conn.execute(_ADD_PERSON_SQLITE, values)


def is_lead(session: Session, slack_id: str) -> bool:
    """Whether anyone names this person as their lead."""
    found = session.exec(select(Person.slack_id).where(Person.lead_slack_id == slack_id)).first()
    return found is not None


def names(session: Session, slack_ids: Collection[str]) -> dict[str, str]:
    """Display names of the people asked for who are known."""
    if not slack_ids:
        return {}
    rows = session.exec(
        select(Person.slack_id, Person.name).where(col(Person.slack_id).in_(sorted(set(slack_ids))))
    )
    return {sid: name for sid, name in rows}


def list_people(session: Session, *, team: str | None = None) -> Sequence[Person]:
    query = select(Person).order_by(col(Person.team), col(Person.name))
    if team is not None:
        query = query.where(Person.team == team)
    return session.exec(query).all()


def import_rows(
    *, session: Session, rows: Sequence[tuple[int, dict[str, str]]], now: datetime
) -> tuple[int, int]:
    """Upsert people from CSV rows (line, values); all or nothing. Returns (added, updated)."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    in_file = {(r.get("slack_id") or "").strip() for _, r in rows}
    clean: list[dict[str, str | None]] = []
    for line, raw in rows:
        row = {k: (raw.get(k) or "").strip() for k in (*IMPORT_REQUIRED, "language")}
        sid = row["slack_id"]
        before = len(errors)
        if not SLACK_USER_ID.fullmatch(sid):
            errors.append(RowError(line, "import.bad_id", sid))
        elif sid in seen:
            errors.append(RowError(line, "import.duplicate_id", sid))
        else:
            seen[sid] = line
        if not row["name"]:
            errors.append(RowError(line, "import.no_name"))
        if row["email"] and not EMAIL.fullmatch(row["email"]):
            errors.append(RowError(line, "import.bad_email", row["email"]))
        lead = row["lead_slack_id"]
        if lead:
            if lead == sid:
                errors.append(RowError(line, "import.own_lead", lead))
            elif lead not in in_file and session.get(Person, lead) is None:
                errors.append(RowError(line, "import.unknown_lead", lead))
        if not row["timezone"] or not valid_timezone(row["timezone"]):
            errors.append(RowError(line, "import.bad_timezone", row["timezone"]))
        if row["language"] and row["language"].lower() not in LANGUAGES:
            errors.append(RowError(line, "import.bad_language", row["language"]))
        if len(errors) == before:
            clean.append({k: (v or None) for k, v in row.items()})
    if errors:
        raise ImportRejected(errors)

    added = updated = 0
    # People first, leads second: a lead may appear later in the file than their team.
    for entry in clean:
        sid = str(entry["slack_id"])
        person = session.get(Person, sid)
        if person is None:
            person = Person(slack_id=sid, created_at=now)
            added += 1
        else:
            updated += 1
        person.name = str(entry["name"])
        person.email = entry["email"]
        person.team = entry["team"]
        person.timezone = str(entry["timezone"])
        language = entry["language"]
        person.language = language.lower() if language else person.language
        person.updated_at = now
        session.add(person)
    session.flush()
    for entry in clean:
        person = session.get(Person, str(entry["slack_id"]))
        assert person is not None
        person.lead_slack_id = entry["lead_slack_id"]
        session.add(person)
    session.flush()
    return added, updated


def apply_profiles(
    *, session: Session, profiles: Iterable[SlackProfile], now: datetime
) -> tuple[int, int, int]:
    """Refresh people from Slack. Returns (added, updated, deactivated)."""
    added = updated = deactivated = 0
    for profile in profiles:
        person = session.get(Person, profile.slack_id)
        if person is None:
            if profile.deleted:
                continue
            person = Person(slack_id=profile.slack_id, created_at=now)
            added += 1
        elif person.active and profile.deleted:
            deactivated += 1
        else:
            updated += 1
        person.name = profile.name or person.name or profile.slack_id
        person.email = profile.email or person.email
        if profile.timezone and valid_timezone(profile.timezone):
            person.timezone = profile.timezone
        person.active = not profile.deleted
        person.updated_at = now
        session.add(person)
    session.flush()
    return added, updated, deactivated


def set_language(*, session: Session, slack_id: str, language: str, now: datetime) -> Person:
    if language not in LANGUAGES:
        raise DomainError("error.bad_language", language=language)
    person = require(session, slack_id)
    person.language = language
    person.updated_at = now
    session.add(person)
    return person


def set_away(
    *,
    session: Session,
    slack_id: str,
    now: datetime,
    until: date | None = None,
    today: date | None = None,
) -> Person:
    """Mark a person away (leave, sickness) from now, optionally until a date (inclusive);
    `today` is the date on the company clock."""
    person = require(session, slack_id)
    if until is not None and until < (today or now.date()):
        raise DomainError("error.until_past", until=until.isoformat())
    person.away_since = person.away_since or now
    person.away_until = until
    person.updated_at = now
    session.add(person)
    return person


def set_back(*, session: Session, slack_id: str, now: datetime) -> Person:
    person = require(session, slack_id)
    person.away_since = None
    person.away_until = None
    person.updated_at = now
    session.add(person)
    return person


def end_expired_away(*, session: Session, today: date, now: datetime) -> list[str]:
    """Bring back everyone whose `away --until` date has passed; returns their ids."""
    people = session.exec(
        select(Person).where(col(Person.away_since).is_not(None), col(Person.away_until) < today)
    ).all()
    for person in people:
        person.away_since = None
        person.away_until = None
        person.updated_at = now
        session.add(person)
    return [p.slack_id for p in people]


def add_role(
    *, session: Session, slack_id: str, role: str, now: datetime, tier: int | None = None
) -> Role:
    """Give a known person a role; an agent added again with another tier moves tiers."""
    if role not in ROLES:
        raise DomainError("error.bad_role", role=role)
    require(session, slack_id)
    if role == ROLE_AGENT and tier not in (1, 2):
        raise DomainError("error.bad_tier", tier=str(tier))
    existing = session.exec(
        select(Role).where(Role.slack_id == slack_id, Role.role == role)
    ).first()
    if existing is not None:
        if role != ROLE_AGENT or existing.tier == tier:
            return existing
        existing.tier = tier
        existing.position = _next_position(session)
        session.add(existing)
        return existing
    entry = Role(
        slack_id=slack_id,
        role=role,
        tier=tier if role == ROLE_AGENT else None,
        position=_next_position(session) if role == ROLE_AGENT else None,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def _next_position(session: Session) -> int:
    highest = session.exec(select(func.max(Role.position))).one()
    return int(highest or 0) + 1


def remove_role(*, session: Session, slack_id: str, role: str) -> None:
    entry = session.exec(select(Role).where(Role.slack_id == slack_id, Role.role == role)).first()
    if entry is None:
        raise NotFound("error.role_missing", slack_id=slack_id, role=role)
    session.delete(entry)


def list_role(session: Session, role: str) -> Sequence[tuple[Role, Person]]:
    query = (
        select(Role, Person)
        .join(Person, col(Person.slack_id) == col(Role.slack_id))
        .where(Role.role == role)
        .order_by(col(Role.tier), col(Role.position), col(Person.name))
    )
    return session.exec(query).all()


def has_role(session: Session, slack_id: str, role: str) -> bool:
    query = select(Role.id).where(Role.slack_id == slack_id, Role.role == role)
    return session.exec(query).first() is not None


def agent_tier(session: Session, slack_id: str) -> int | None:
    query = select(Role.tier).where(Role.slack_id == slack_id, Role.role == ROLE_AGENT)
    return session.exec(query).first()
