"""Privacy messages drawn from the store: a blanked message, an erasure request to an admin
and its acknowledgement to the person."""

from __future__ import annotations

from sqlmodel import Session

from bot.blocks.privacy import build_erased, build_erasure_asked, build_erasure_request
from bot.render.common import reader
from jobs.context import JobSettings, Rendered
from storage.models import Delivery


def render_erased(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    return Rendered(build_erased(reader(session, row.recipient, settings)[0]))


def render_erasure_request(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    lang = reader(session, row.recipient, settings)[0]
    return Rendered(build_erasure_request(str(row.params.get("person", "")), lang))


def render_erasure_asked(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    lang = reader(session, row.recipient, settings)[0]
    return Rendered(build_erasure_asked(lang, no_admins=bool(row.params.get("no_admins"))))
