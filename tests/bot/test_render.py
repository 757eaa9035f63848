"""The renderer table handed to jobs: every template anything enqueues has a renderer, and a
batch renders in order, tickets read once, a bad row answering CannotRender alone."""

from __future__ import annotations

import importlib
import pkgutil

from slack_sdk.models.blocks import Block
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

import jobs
import storage
from bot.config import Settings
from bot.render import RENDERERS
from bot.slack import make_job_context
from jobs.context import CannotRender, Rendered
from jobs.registry import campaign_jobs
from jobs.render import render_many
from storage import outbox, tickets
from storage.db import session_scope
from storage.models import Delivery
from tests.helpers import NOW, seed


def _template_constants() -> set[str]:
    """Every T_* constant of storage/ and jobs/: the templates rows are written with."""
    found: set[str] = set()
    for package in (storage, jobs):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            found |= {
                value
                for name, value in vars(module).items()
                if name.startswith("T_") and isinstance(value, str)
            }
    return found


def test_every_template_has_a_renderer_and_every_renderer_a_template(settings: Settings) -> None:
    templates = _template_constants() | {job.template for job in campaign_jobs(settings)}
    assert "checkin.ask" in templates and "ticket.card" in templates  # the walk found them
    assert set(RENDERERS) == templates


def _file(engine: Engine, text: str, key: str) -> int:
    with session_scope(engine, write=True) as session:
        return (
            tickets.file_ticket(
                session=session, reporter_id="U0REPORT", summary=text, source_key=key, now=NOW
            ).ticket.id
            or 0
        )


def test_a_batch_renders_in_order_with_one_read_of_its_tickets(
    settings: Settings, engine: Engine
) -> None:
    seed(engine)
    first = _file(engine, "VPN putus terus dari pagi", "k1")
    second = _file(engine, "printer lantai 3 macet kertas", "k2")
    with session_scope(engine) as session:
        rows = list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())
        gone = Delivery(
            key="gone", recipient="U0REPORT", template=tickets.T_CARD, params={"ticket": 999}
        )
        odd = Delivery(key="odd", recipient="U0REPORT", template="no.such.template", params={})
        batch = [*rows, gone, odd]
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            results = render_many(session, batch, make_job_context(settings, engine))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert {row.ticket_id for row in rows} == {first, second}
    assert len(results) == len(batch)
    for row, result in zip(rows, results[: len(rows)], strict=True):
        assert isinstance(result, Rendered), row.template
        shown = result.message["text"]
        number = row.params.get("ticket", row.ticket_id)
        assert f"#{number}" in shown or str(number) in shown
        for block in result.message.get("blocks") or []:
            assert Block.parse(block) is not None
    assert isinstance(results[-2], CannotRender) and "999" in str(results[-2])
    assert isinstance(results[-1], CannotRender) and "no.such.template" in str(results[-1])
    ticket_reads = [s for s in statements if "FROM ticket " in s and "ticket.id IN" in s]
    assert len(ticket_reads) == 1, statements


def test_enqueue_many_writes_what_enqueue_writes(engine: Engine) -> None:
    """One insert path: a campaign's batch and a single message make the same row."""
    message = outbox.NewMessage("a:1", "U1", "t.x", {"p": 1}, campaign="a", due=NOW)
    with session_scope(engine, write=True) as session:
        outbox.enqueue_many(session, [message], now=NOW)
        single = outbox.enqueue(
            session,
            key="b:1",
            recipient="U1",
            template="t.x",
            params={"p": 1},
            now=NOW,
            campaign="a",
            due=NOW,
        )
    with session_scope(engine) as session:
        many = outbox.by_key(session, "a:1")
        one = outbox.by_key(session, "b:1")
        assert many is not None and one is not None and one.id == single
        for name in ("recipient", "template", "params", "campaign", "next_attempt_at", "state"):
            assert getattr(many, name) == getattr(one, name), name
