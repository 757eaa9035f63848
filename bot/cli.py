"""The `rekan` command line: run, db, people, agents, hr, admins, jobs, manifest."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.blocks.common import cut
from bot.config import ConfigError, Settings, load_settings
from bot.i18n import DEFAULT_LANGUAGE, t
from bot.manifest import render_manifest
from bot.slack import make_job_context
from bot.table import render_table
from jobs.campaigns import CampaignJob, run_campaign
from jobs.context import JobContext
from jobs.csvfile import csv_text
from jobs.delivery import deliver_many
from jobs.registry import JobSpec, all_jobs, campaign_jobs, find
from jobs.scheduler import next_runs, run_job
from storage import campaigns, checkins, claims, db, outbox, people, resources, tickets
from storage import tasks as daily_tasks
from storage.calendar import public_holidays
from storage.errors import DomainError
from storage.models import ROLE_ADMIN, ROLE_AGENT, ROLE_HR, Person
from storage.people import IMPORT_REQUIRED, ImportRejected
from storage.types import utcnow

EXIT_FAILED = 1
EXIT_USAGE = 2


class Failure(Exception):
    """The operation failed; the message is already in the reader's language."""


class State:
    """Lazily loaded settings and engine for one CLI invocation."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def lang(self) -> str:
        try:
            return self.settings.language
        except ConfigError:
            return DEFAULT_LANGUAGE

    def engine(self) -> Engine:
        if self._engine is None:
            engine = db.make_engine(self.settings.database_url, pool_size=2)
            try:
                db.upgrade(engine)
            except SQLAlchemyError as exc:
                raise Failure(t("cli.db_failed", self.lang, message=_first_line(exc))) from exc
            self._engine = engine
        return self._engine

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        with db.session_scope(self.engine(), write=write) as session:
            yield session

    def msg(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)


pass_state = click.make_pass_decorator(State, ensure=True)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _parse_date(state: State, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(state.msg("cli.bad_date", value=value)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Rekan: helpdesk tickets, People Experience check-ins and daily tasks on Slack."""
    ctx.ensure_object(State)


# ---------------------------------------------------------------- run


@cli.command()
@click.option(
    "--http", "http", is_flag=True, help="Serve Slack's HTTP endpoint instead of Socket Mode."
)
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="HTTP mode: processes serving the port (default REKAN_WORKERS, 1); one per core.",
)
@pass_state
def run(state: State, http: bool, port: int, host: str, workers: int | None) -> None:
    """Run Rekan: Socket Mode when SLACK_APP_TOKEN is set, or HTTP with --http."""
    from bot.run import serve_until_signal, start

    settings = state.settings
    settings.require_for_run(http=http)
    workers = workers or settings.workers
    if workers > 1 and not http:
        raise Failure(state.msg("cli.workers_http_only"))
    from bot.logsetup import configure

    configure(settings)
    if workers > 1:
        _run_workers(state, settings, host=host, port=port, workers=workers)
        return
    running = start(settings, http=http, host=host, port=port)
    if http:
        click.echo(state.msg("cli.run_http", host=host, port=running.port), err=True)
    else:
        click.echo(state.msg("cli.run_socket"), err=True)
    serve_until_signal(running)
    click.echo(state.msg("cli.stopping"), err=True)


def _run_workers(state: State, settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Migrate once, then fork the workers (before any thread exists in this process)."""
    from bot import workers as pool
    from storage import db

    engine = db.make_engine(settings.database_url, pool_size=1)
    db.upgrade(engine)
    engine.dispose()
    try:
        pool.serve(
            settings,
            host=host,
            port=port,
            workers=workers,
            ready=lambda bound: click.echo(
                state.msg("cli.run_workers", host=host, port=bound, workers=workers), err=True
            ),
        )
    except pool.WorkersFailed as exc:
        raise Failure(state.msg("cli.workers_failed")) from exc
    click.echo(state.msg("cli.stopping"), err=True)


# ---------------------------------------------------------------- db


@cli.group("db")
def db_group() -> None:
    """The database: migrations."""


@db_group.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Migrate the database to the latest version."""
    engine = state.engine()
    with engine.connect() as conn:
        from sqlalchemy import text

        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    click.echo(state.msg("cli.db_upgraded", revision=revision))


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def db_backup(state: State, file: Path) -> None:
    """A consistent copy of a SQLite database, safe while Rekan runs (PostgreSQL: pg_dump)."""
    import sqlite3

    url = state.settings.database_url
    if not url.startswith("sqlite:///"):
        raise Failure(state.msg("cli.backup_pg"))
    source_path = Path(url.removeprefix("sqlite:///"))
    # sqlite3.connect would create a missing file: an empty "backup" of nothing.
    if not source_path.is_file():
        raise Failure(state.msg("cli.backup_no_source", path=source_path))
    if file.exists():
        raise Failure(state.msg("cli.backup_exists", path=file))
    try:
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(file)
        with target:
            source.backup(target)  # SQLite's online backup API: a consistent snapshot
        source.close()
        target.close()
    except sqlite3.Error as exc:
        raise Failure(state.msg("cli.error", message=str(exc))) from exc
    click.echo(state.msg("cli.backup_done", path=file))


# ---------------------------------------------------------------- people


@cli.group("people")
def people_group() -> None:
    """Employees: import, sync from Slack, list, availability, language."""


@people_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def people_import(state: State, file: Path) -> None:
    """Import people from a CSV (slack_id,name,email,team,lead_slack_id,timezone[,language])."""
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            missing = [c for c in IMPORT_REQUIRED if c not in header]
            if missing:
                raise Failure(
                    state.msg(
                        "cli.import_bad_header",
                        missing=", ".join(missing),
                        required=",".join(IMPORT_REQUIRED),
                    )
                )
            # DictReader counts physical lines, so quoted newlines keep the numbers true.
            rows = []
            for row in reader:
                rows.append((reader.line_num, {k: v for k, v in row.items() if k}))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise Failure(state.msg("cli.import_no_file", path=file, message=_first_line(exc))) from exc
    if not rows:
        raise Failure(state.msg("cli.import_empty", path=file))
    try:
        with state.session(write=True) as session:
            added, updated = people.import_rows(session=session, rows=rows, now=utcnow())
    except ImportRejected as rejected:
        click.echo(state.msg("cli.import_rejected", count=len(rejected.errors)), err=True)
        for error in rejected.errors:
            reason = state.msg(error.key, value=error.value)
            click.echo(state.msg("cli.import_line", line=error.line, reason=reason), err=True)
        raise SystemExit(EXIT_FAILED) from None
    click.echo(state.msg("cli.import_done", added=added, updated=updated))


@people_group.command("sync")
@pass_state
def people_sync(state: State) -> None:
    """Refresh names, emails, time zones and deactivations from Slack (users.list)."""
    from jobs.people import sync_people

    settings = state.settings
    if not settings.bot_token:
        raise ConfigError("config.no_bot_token")
    ctx = make_job_context(settings, state.engine())
    seen = 0

    def on_page(count: int) -> None:
        nonlocal seen
        seen += count
        click.echo(f"{state.msg('cli.sync_progress')}: {seen}", err=True)

    try:
        added, updated, deactivated = sync_people(ctx, now=utcnow(), on_page=on_page)
    except SlackApiError as exc:
        raise Failure(state.msg("cli.sync_failed", error=exc.response.get("error"))) from exc
    click.echo(state.msg("cli.sync_done", added=added, updated=updated, deactivated=deactivated))


def _status(state: State, person: Person) -> str:
    if not person.active:
        return state.msg("status.inactive")
    if person.is_away:
        if person.away_until:
            return state.msg("status.away_until", date=person.away_until.isoformat())
        return state.msg("status.away")
    return state.msg("status.active")


@people_group.command("list")
@click.option("--team", default=None, help="Only this team.")
@pass_state
def people_list(state: State, team: str | None) -> None:
    """List people, by team."""
    with state.session() as session:
        rows = [
            (
                p.slack_id,
                p.name,
                p.email,
                p.team,
                p.lead_slack_id,
                p.timezone,
                p.language or "",
                _status(state, p),
            )
            for p in people.list_people(session, team=team)
        ]
    _print_rows(
        state, ["slack_id", "name", "email", "team", "lead", "timezone", "language", "status"], rows
    )


def _print_rows(state: State, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        click.echo(state.msg("cli.none"))
        return
    click.echo(render_table([state.msg(f"col.{c}") for c in columns], rows))


def _away(state: State, slack_id: str, until: str | None) -> None:
    until_date = _parse_date(state, until)
    with state.session(write=True) as session:
        now = utcnow()
        person = people.set_away(
            session=session,
            slack_id=slack_id,
            now=now,
            until=until_date,
            today=now.astimezone(state.settings.tz).date(),
        )
        name = person.name
    suffix = state.msg("cli.away_until", date=until_date.isoformat()) if until_date else ""
    click.echo(state.msg("cli.away_done", name=name, until=suffix))


def _back(state: State, slack_id: str) -> None:
    with state.session(write=True) as session:
        name = people.set_back(session=session, slack_id=slack_id, now=utcnow()).name
    click.echo(state.msg("cli.back_done", name=name))
    _assign_waiting(state)


def _assign_waiting(state: State) -> None:
    """Give tickets that waited for an agent to whoever is available now."""
    with state.session(write=True) as session:
        outcomes = tickets.assign_waiting(session=session, now=utcnow())
    if outcomes:
        click.echo(state.msg("cli.waiting_assigned", count=len(outcomes)))
        _send(state, [d for o in outcomes for d in o.deliveries])


def _send(state: State, deliveries: list[int]) -> None:
    """Post now when a bot token is configured; otherwise a running Rekan posts them."""
    if not deliveries:
        return
    if not state.settings.bot_token:
        click.echo(state.msg("cli.deliveries_left", count=len(deliveries)), err=True)
        return
    deliver_many(_job_context(state), deliveries)


@people_group.command("away")
@click.argument("slack_id")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last day away.")
@pass_state
def people_away(state: State, slack_id: str, until: str | None) -> None:
    """Mark someone away (leave, sickness): no check-ins or prompts, no tickets."""
    _away(state, slack_id, until)


@people_group.command("back")
@click.argument("slack_id")
@pass_state
def people_back(state: State, slack_id: str) -> None:
    """Mark someone available again."""
    _back(state, slack_id)


@people_group.command("set-language")
@click.argument("slack_id")
@click.argument("language", type=click.Choice(["id", "en"]))
@pass_state
def people_set_language(state: State, slack_id: str, language: str) -> None:
    """Set the language Rekan uses with one person."""
    with state.session(write=True) as session:
        person = people.set_language(
            session=session, slack_id=slack_id, language=language, now=utcnow()
        )
        name = person.name
    click.echo(state.msg("cli.language_set", name=name, language=language))


@people_group.command("opt-out")
@click.argument("slack_id")
@click.option("--undo", is_flag=True, help="Resume check-ins instead.")
@pass_state
def people_opt_out(state: State, slack_id: str, undo: bool) -> None:
    """Stop (or, with --undo, resume) someone's wellbeing check-ins."""
    with state.session(write=True) as session:
        person = checkins.set_opt_out(
            session=session, slack_id=slack_id, opt_out=not undo, now=utcnow()
        )
        name = person.name
    click.echo(state.msg("cli.opt_in" if undo else "cli.opt_out", name=name))


@people_group.command("delegate")
@click.argument("lead_id")
@click.argument("delegate_id")
@click.option(
    "--until", required=True, metavar="YYYY-MM-DD", help="Last day the delegate may decide."
)
@pass_state
def people_delegate(state: State, lead_id: str, delegate_id: str, until: str) -> None:
    """Let someone approve daily tasks for a lead until a date."""
    until_date = _parse_date(state, until)
    assert until_date is not None
    with state.session(write=True) as session:
        daily_tasks.set_delegate(
            session=session,
            lead_id=lead_id,
            delegate_id=delegate_id,
            until=until_date,
            today=utcnow().astimezone(state.settings.tz).date(),
        )
    click.echo(
        state.msg(
            "cli.delegate_set", lead=lead_id, delegate=delegate_id, until=until_date.isoformat()
        )
    )


# ---------------------------------------------------------------- support and reports


@cli.group("support")
def support_group() -> None:
    """Support offered after a low check-in answer (doctor, psychologist, support groups)."""


@support_group.command("add")
@click.argument("name")
@click.option("--description", required=True)
@click.option("--link", default=None)
@click.option("--contact", default=None)
@pass_state
def support_add(
    state: State, name: str, description: str, link: str | None, contact: str | None
) -> None:
    """Add (or change) a support option."""
    if link and not link.startswith(("https://", "http://")):
        raise click.BadParameter("https://…", param_hint="--link")
    with state.session(write=True) as session:
        checkins.add_support(
            session=session, name=name, description=description, link=link, contact=contact
        )
    click.echo(state.msg("cli.support_added", name=name))


@support_group.command("list")
@pass_state
def support_list(state: State) -> None:
    """List support options in the order people see them."""
    with state.session() as session:
        rows = [
            (o.name, o.description, o.link or "", o.contact or "")
            for o in checkins.support_options(session)
        ]
    _print_rows(state, ["name", "what", "link", "contact"], rows)


@support_group.command("remove")
@click.argument("name")
@pass_state
def support_remove(state: State, name: str) -> None:
    """Remove a support option."""
    with state.session(write=True) as session:
        checkins.remove_support(session=session, name=name)
    click.echo(state.msg("cli.support_removed", name=name))


@cli.group("report")
def report_group() -> None:
    """Reports for People Experience."""


@report_group.command("wellbeing")
@click.option("--weeks", default=12, show_default=True, type=click.IntRange(1, 104))
@click.option("--png", "png", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def report_wellbeing(state: State, weeks: int, png: Path | None, csv_path: Path | None) -> None:
    """Participation, average scores and low answers per week and team (anonymity floor applied)."""
    from jobs import reports

    ctx = _job_context(state)
    groups = reports.numbers(ctx, weeks)
    floor = state.settings.min_group
    click.echo(reports.text_report(groups, floor, state.lang).replace("*", ""))
    try:
        if png is not None:
            png.write_bytes(reports.chart(groups, floor, state.lang))
        if csv_path is not None:
            text = reports.csv_report(groups, floor, state.lang)
            csv_path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise Failure(state.msg("cli.error", message=_first_line(exc))) from exc


@report_group.command("tasks")
@click.option("--team", default=None)
@click.option("--since", default=None, metavar="YYYY-MM-DD")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def report_tasks(state: State, team: str | None, since: str | None, csv_path: Path | None) -> None:
    """Per team and person: days submitted, approved, changes requested, median time to decision."""
    since_date = _parse_date(state, since)
    with state.session() as session:
        found = daily_tasks.stats(session, team=team, since=since_date)
    rows = [
        (
            s.team,
            s.slack_id,
            s.name,
            s.days,
            s.approved,
            s.changes,
            f"{s.median_minutes:.0f}" if s.median_minutes is not None else "-",
        )
        for s in found
    ]
    _print_rows(state, ["team", "slack_id", "name", "days", "approved", "changes", "median"], rows)
    if csv_path is not None:
        header = ["team", "slack_id", "name", "days", "approved", "changes_requested"]
        # an unknown median is left empty: the table's "-" would be escaped to "'-"
        cells = [
            (*row[:6], "" if s.median_minutes is None else row[6])
            for row, s in zip(rows, found, strict=True)
        ]
        text = csv_text([*header, "median_minutes"], cells)
        try:
            csv_path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise Failure(state.msg("cli.error", message=_first_line(exc))) from exc


# ---------------------------------------------------------------- roles


def _role_name(state: State, role: str, tier: int | None) -> str:
    return state.msg(f"role.{role}", tier=tier)


def _role_group(name: str, role: str, help_text: str) -> click.Group:
    group = click.Group(name, help=help_text)

    @group.command("add")
    @click.argument("slack_id")
    @pass_state
    def add(state: State, slack_id: str) -> None:
        """Give a known person this role."""
        with state.session(write=True) as session:
            people.add_role(session=session, slack_id=slack_id, role=role, now=utcnow())
            person = people.require(session, slack_id)
        click.echo(
            state.msg("cli.role_added", name=person.name, role=_role_name(state, role, None))
        )

    @group.command("remove")
    @click.argument("slack_id")
    @pass_state
    def remove(state: State, slack_id: str) -> None:
        """Take this role away."""
        with state.session(write=True) as session:
            people.remove_role(session=session, slack_id=slack_id, role=role)
            person = people.require(session, slack_id)
        click.echo(
            state.msg("cli.role_removed", name=person.name, role=_role_name(state, role, None))
        )

    @group.command("list")
    @pass_state
    def list_(state: State) -> None:
        """List who has this role."""
        with state.session() as session:
            rows = [(p.slack_id, p.name, p.email) for _, p in people.list_role(session, role)]
        _print_rows(state, ["slack_id", "name", "email"], rows)

    return group


cli.add_command(_role_group("hr", ROLE_HR, "People Experience (HR) members."))
cli.add_command(_role_group("admins", ROLE_ADMIN, "Admins: may act on any ticket or approval."))


@cli.group("agents")
def agents_group() -> None:
    """Helpdesk agents in tier 1 and tier 2, in rotation order."""


@agents_group.command("add")
@click.argument("slack_id")
@click.option("--tier", type=click.IntRange(1, 2), required=True)
@pass_state
def agents_add(state: State, slack_id: str, tier: int) -> None:
    """Add an agent to a tier's rotation (at the end of the order)."""
    with state.session(write=True) as session:
        people.add_role(
            session=session, slack_id=slack_id, role=ROLE_AGENT, tier=tier, now=utcnow()
        )
        person = people.require(session, slack_id)
    click.echo(
        state.msg("cli.role_added", name=person.name, role=_role_name(state, ROLE_AGENT, tier))
    )


@agents_group.command("remove")
@click.argument("slack_id")
@pass_state
def agents_remove(state: State, slack_id: str) -> None:
    """Remove an agent from the rotation."""
    with state.session(write=True) as session:
        role = people.agent_tier(session, slack_id)
        people.remove_role(session=session, slack_id=slack_id, role=ROLE_AGENT)
        person = people.require(session, slack_id)
    click.echo(
        state.msg("cli.role_removed", name=person.name, role=_role_name(state, ROLE_AGENT, role))
    )


@agents_group.command("list")
@pass_state
def agents_list(state: State) -> None:
    """List agents by tier and rotation order."""
    with state.session() as session:
        rows = [
            (r.tier, r.position, p.slack_id, p.name, _status(state, p))
            for r, p in people.list_role(session, ROLE_AGENT)
        ]
    _print_rows(state, ["tier", "position", "slack_id", "name", "status"], rows)


@agents_group.command("away")
@click.argument("slack_id")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last day away.")
@pass_state
def agents_away(state: State, slack_id: str, until: str | None) -> None:
    """Take an agent out of the rotation until they are back."""
    _away(state, slack_id, until)


@agents_group.command("back")
@click.argument("slack_id")
@pass_state
def agents_back(state: State, slack_id: str) -> None:
    """Put an agent back into the rotation at their place."""
    _back(state, slack_id)


# ---------------------------------------------------------------- tickets


@cli.group("tickets")
def tickets_group() -> None:
    """Helpdesk tickets: list, show a timeline, assign by hand."""


def _when(state: State, moment: datetime) -> str:
    return moment.astimezone(state.settings.tz).strftime("%Y-%m-%d %H:%M")


@tickets_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only tickets not yet closed.")
@click.option("--agent", default=None, help="Only this agent's tickets.")
@pass_state
def tickets_list(state: State, open_only: bool, agent: str | None) -> None:
    """List tickets, newest first."""
    with state.session() as session:
        rows = [
            (
                f"#{t.id}",
                t.state,
                t.tier,
                t.agent_id or "-",
                t.reporter_id,
                _when(state, t.created_at),
                cut(" ".join(t.summary.split()), 60),
            )
            for t in tickets.list_tickets(session, open_only=open_only, agent=agent)
        ]
    _print_rows(
        state, ["ticket", "status", "tier", "agent", "reporter", "created", "summary"], rows
    )


@tickets_group.command("show")
@click.argument("number", type=click.IntRange(1))
@pass_state
def tickets_show(state: State, number: int) -> None:
    """A ticket with its timeline and the state of every notification."""
    with state.session() as session:
        snap = tickets.snapshot(session, number)
        deliveries = outbox.for_ticket(session, number)
    ticket = snap.ticket
    lang = state.lang
    click.echo(
        t("ticket.card_title", lang, number=f"#{ticket.id}", tier=ticket.tier)
        + f" · {ticket.state}"
    )
    click.echo(f"{state.msg('col.reporter')}: {ticket.reporter_id} ({snap.reporter_name})")
    click.echo(f"{state.msg('col.agent')}: {ticket.agent_id or '-'} ({snap.agent_name or '-'})")
    click.echo(f"{state.msg('col.summary')}: {ticket.summary}")
    for label, value in (
        ("ticket.category_label", ticket.category),
        ("ticket.location_label", ticket.location),
        ("ticket.urgency_label", ticket.urgency),
        ("ticket.resolution_label", ticket.resolution),
    ):
        if value:
            click.echo(f"{state.msg(label)}: {value}")
    click.echo("\n" + state.msg("cli.timeline"))
    events = [
        (
            _when(state, e.created_at),
            t(f"event.{e.kind}", lang, actor=e.actor_id or "Rekan", agent=e.agent_id or "-"),
            cut(e.note or "", 80),
        )
        for e in snap.events
    ]
    _print_rows(state, ["when", "what", "note"], events)
    click.echo("\n" + state.msg("cli.notifications"))
    rows = [(d.recipient, d.template, d.state, d.attempts, d.error or "") for d in deliveries]
    _print_rows(state, ["recipient", "message", "status", "attempts", "error"], rows)


@tickets_group.command("assign")
@click.argument("number", type=click.IntRange(1))
@click.argument("slack_id")
@pass_state
def tickets_assign(state: State, number: int, slack_id: str) -> None:
    """Give a ticket to a named agent (no rotation turn is used)."""
    with state.session(write=True) as session:
        outcome = tickets.assign_to(session=session, number=number, agent=slack_id, now=utcnow())
    click.echo(state.msg("cli.ticket_assigned", number=f"#{number}", agent=slack_id))
    _send(state, outcome.deliveries)


# ---------------------------------------------------------------- resources


@cli.group("resources")
def resources_group() -> None:
    """Resources that one agent at a time should work on (servers, shared machines)."""


@resources_group.command("add")
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Another name people use for it.")
@pass_state
def resources_add(state: State, name: str, aliases: tuple[str, ...]) -> None:
    """Register a resource (or add aliases to one)."""
    with state.session(write=True) as session:
        resource = resources.add(session=session, name=name, aliases=list(aliases), now=utcnow())
        found = dict((r.id, a) for r, a in resources.listing(session))
    click.echo(
        state.msg(
            "cli.resource_added",
            name=resource.name,
            aliases=", ".join(found.get(resource.id, [])) or "-",
        )
    )


@resources_group.command("list")
@pass_state
def resources_list(state: State) -> None:
    """List resources, their aliases and who holds them now."""
    with state.session() as session:
        held = {
            c.resource_id: (c.agent_id, c.ticket_id)
            for c, _ in claims.listing(session, now=utcnow())
        }
        rows = [
            (
                r.name,
                ", ".join(a),
                *((held[r.id][0], f"#{held[r.id][1]}") if r.id in held else ("-", "-")),
            )
            for r, a in resources.listing(session)
        ]
    _print_rows(state, ["resource", "aliases", "agent", "ticket"], rows)


@resources_group.command("remove")
@click.argument("name")
@pass_state
def resources_remove(state: State, name: str) -> None:
    """Unregister a resource (refused while an open ticket is about it)."""
    with state.session(write=True) as session:
        resources.remove(session=session, name=name)
    click.echo(state.msg("cli.resource_removed", name=name))


# ---------------------------------------------------------------- jobs


@cli.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs."""


def _job_context(state: State) -> JobContext:
    settings = state.settings
    return make_job_context(settings, state.engine())


@jobs_group.command("list")
@pass_state
def jobs_list(state: State) -> None:
    """List every job, one a line: its name, schedule and next run (company clock)."""
    tz = state.settings.tz
    now = utcnow()
    rows = [
        (
            spec.name,
            spec.schedule,
            when.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if when else "-",
        )
        for spec, when in next_runs(state.settings, now)
    ]
    for job in campaign_jobs(state.settings):
        day = next_campaign_day(job, now.astimezone(tz).date())
        rows.append(
            (
                job.name,
                state.msg("cli.local_schedule", time=job.at.strftime("%H:%M")),
                f"{day.isoformat()} {job.at:%H:%M}" if day else "-",
            )
        )
    _print_rows(state, ["job", "schedule", "next_run"], rows)


def next_campaign_day(job: CampaignJob, start: date) -> date | None:
    for offset in range(370):
        day = start + timedelta(days=offset)
        if job.runs_on(day):
            return day
    return None


@jobs_group.command("run")
@click.argument("name")
@pass_state
def jobs_run(state: State, name: str) -> None:
    """Run a job's current period now, in this process, to everyone not yet sent."""
    job = find(state.settings, name)
    if job is None:
        names = ", ".join(j.name for j in all_jobs(state.settings))
        raise Failure(state.msg("cli.job_unknown", name=name, names=names))
    ctx = _job_context(state)
    if isinstance(job, JobSpec):
        click.echo(state.msg("cli.job_done", name=name, summary=run_job(ctx, job)))
        return

    def progress(done: int, total: int) -> None:
        click.echo(state.msg("cli.progress", done=done, total=total), err=True)

    run = run_campaign(ctx, job, force=True, wait_for_retries=True, on_progress=progress)
    if run.outcome == "not_today":
        click.echo(state.msg("cli.not_today", name=name))
        return
    if run.outcome == "claimed_elsewhere":
        raise Failure(state.msg("cli.claimed_elsewhere", campaign=run.key or name))
    click.echo(state.msg("cli.job_done", name=name, summary=run.summary()))


# ---------------------------------------------------------------- holidays and deliveries


@cli.group("holidays")
def holidays_group() -> None:
    """Days off: Indonesian public holidays and cuti bersama, plus company days off."""


@holidays_group.command("add")
@click.argument("day", metavar="YYYY-MM-DD")
@click.argument("name")
@pass_state
def holidays_add(state: State, day: str, name: str) -> None:
    """Add a company day off: no workday prompts are sent on it."""
    parsed = _parse_date(state, day)
    assert parsed is not None
    with state.session(write=True) as session:
        campaigns.add_day_off(session, day=parsed, name=name)
    click.echo(state.msg("cli.day_off_added", day=parsed.isoformat(), name=name))


@holidays_group.command("list")
@click.argument("year", required=False, type=click.IntRange(1970, 2100))
@pass_state
def holidays_list(state: State, year: int | None) -> None:
    """List the year's days off (public holidays, cuti bersama, company days)."""
    year = year or utcnow().astimezone(state.settings.tz).year
    with state.session() as session:
        company = campaigns.days_off(session, year)
    rows = [
        (d.isoformat(), n, state.msg("cli.public_holiday"))
        for d, n in public_holidays(year).items()
    ]
    rows += [(d.isoformat(), n, state.msg("cli.company_day_off")) for d, n in company.items()]
    _print_rows(state, ["when", "what", "note"], sorted(rows))


@cli.group("deliveries")
def deliveries_group() -> None:
    """Scheduled and ticket messages: what was sent, what waits, what failed."""


@deliveries_group.command("status")
@click.argument("campaign", required=False)
@pass_state
def deliveries_status(state: State, campaign: str | None) -> None:
    """Sent / pending / failed counts and failure reasons (all, or one campaign)."""
    with state.session() as session:
        counts = outbox.counts(session, campaign)
        reasons = outbox.failures(session, campaign)
    rows = [(name, counts.get(name, 0)) for name in ("sent", "pending", "sending", "failed")]
    _print_rows(state, ["status", "count"], rows)
    if reasons:
        click.echo()
        _print_rows(state, ["error", "count"], sorted(reasons.items()))


# ---------------------------------------------------------------- demo


@cli.command()
@click.option("--step", is_flag=True, help="Pause between the stories.")
@click.option("--keep", is_flag=True, help="Keep the demo database and say how to look at it.")
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to use instead of a temporary one.",
)
@click.option("--language", type=click.Choice(["id", "en"]), default=None)
@pass_state
def demo(state: State, step: bool, keep: bool, database: Path | None, language: str | None) -> None:
    """Play Rekan's three stories against the built-in Slack stand-in: no workspace needed."""
    from dataclasses import replace

    from bot.demo import run_demo

    settings = replace(state.settings, language=language or state.settings.language)
    lang = settings.language
    if database is not None and database.exists():
        raise Failure(t("demo.exists", lang, path=database))
    pause = (lambda: click.pause(t("demo.pause", lang))) if step else None
    result = run_demo(settings=settings, say=click.echo, database=database, keep=keep, pause=pause)
    click.echo("\n=== " + t("demo.summary", lang) + " ===")
    click.echo(t("demo.summary_tickets", lang, count=result.tickets))
    for agent, count in sorted(result.assignments.items()):
        click.echo(f"  {agent}: {count}")
    click.echo(
        t(
            "demo.summary_deliveries",
            lang,
            **{k: result.deliveries.get(k, 0) for k in ("sent", "pending", "failed")},
        )
    )
    click.echo(t("demo.summary_answers", lang, count=result.answers))
    if keep or database is not None:
        click.echo(t("demo.kept", lang, path=result.database))


# ---------------------------------------------------------------- manifest


@cli.command()
@click.option(
    "--http", "http_base", default=None, metavar="https://HOST", help="HTTP mode on this host."
)
def manifest(http_base: str | None) -> None:
    """Print the Slack app manifest (Socket Mode, or HTTP mode with --http)."""
    if http_base is not None and not http_base.startswith(("https://", "http://")):
        raise click.BadParameter("https://HOST", param_hint="--http")
    click.echo(render_manifest(http_base), nl=False)


# ---------------------------------------------------------------- entry point


def _fail(line: str, code: int) -> NoReturn:
    click.echo(line, err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with Rekan's exit statuses: 0 done, 1 failed, 2 bad usage or configuration."""
    state = State()
    handlers: list[tuple[type[BaseException], Callable[[Any], NoReturn]]] = [
        (
            ConfigError,
            lambda e: _fail(
                t("cli.config_error", state.lang, message=t(e.key, state.lang, **e.params)),
                EXIT_USAGE,
            ),
        ),
        (DomainError, lambda e: _fail(t(e.key, state.lang, **e.params), EXIT_FAILED)),
        (Failure, lambda e: _fail(str(e), EXIT_FAILED)),
        (
            SlackApiError,
            lambda e: _fail(
                t("cli.error", state.lang, message=e.response.get("error")), EXIT_FAILED
            ),
        ),
        (
            SQLAlchemyError,
            lambda e: _fail(t("cli.db_failed", state.lang, message=_first_line(e)), EXIT_FAILED),
        ),
        # A port in use, an unreachable host, a file that cannot be written: one line.
        (OSError, lambda e: _fail(t("cli.error", state.lang, message=_first_line(e)), EXIT_FAILED)),
    ]
    try:
        cli.main(args=argv, obj=state, standalone_mode=False)
    except click.exceptions.Abort:
        _fail("Aborted", EXIT_FAILED)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else EXIT_FAILED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        for kind, handle in handlers:
            if isinstance(exc, kind):
                handle(exc)
        raise
    sys.exit(0)
