"""SQLModel tables. Every timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

ROLE_AGENT = "agent"
ROLE_HR = "hr"
ROLE_ADMIN = "admin"
ROLES = (ROLE_AGENT, ROLE_HR, ROLE_ADMIN)


def _ts(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Person(SQLModel, table=True):
    """An employee as Rekan knows them; the Slack user id is the key."""

    slack_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    team: str | None = Field(default=None, max_length=100, index=True)
    lead_slack_id: str | None = Field(default=None, foreign_key="person.slack_id", max_length=32)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    language: str | None = Field(default=None, max_length=2)
    active: bool = Field(default=True)
    away_since: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    away_until: date | None = Field(default=None)
    dm_channel: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())

    @property
    def is_away(self) -> bool:
        return self.away_since is not None


class Role(SQLModel, table=True):
    """A person's role: agent (with tier and rotation position), HR or admin."""

    __table_args__ = (UniqueConstraint("slack_id", "role", name="uq_role_person_role"),)

    id: int | None = Field(default=None, primary_key=True)
    slack_id: str = Field(foreign_key="person.slack_id", max_length=32, index=True)
    role: str = Field(max_length=16)
    tier: int | None = Field(default=None)
    position: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
