"""People: import, Slack sync, list, availability, language, check-in opt-out, delegates;
and the support options offered after a low check-in answer."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from bot.cli.common import (
    job_context,
    mark_away,
    mark_back,
    parse_date,
    person_status,
    print_rows,
)
from bot.cli.state import EXIT_FAILED, Failure, State, first_line, pass_state
from bot.config import ConfigError
from storage import checkins, people
from storage import tasks as daily_tasks
from storage.people import IMPORT_REQUIRED, ImportRejected
from storage.types import utcnow


@click.group("people")
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
        raise Failure(state.msg("cli.import_no_file", path=file, message=first_line(exc))) from exc
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
    from slack_sdk.errors import SlackApiError

    from bot.slack import make_job_context
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
                person_status(state, p),
            )
            for p in people.list_people(session, team=team)
        ]
    print_rows(
        state, ["slack_id", "name", "email", "team", "lead", "timezone", "language", "status"], rows
    )


@people_group.command("away")
@click.argument("slack_id")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last day away.")
@pass_state
def people_away(state: State, slack_id: str, until: str | None) -> None:
    """Mark someone away (leave, sickness): no check-ins or prompts, no tickets."""
    mark_away(state, slack_id, until)


@people_group.command("back")
@click.argument("slack_id")
@pass_state
def people_back(state: State, slack_id: str) -> None:
    """Mark someone available again."""
    mark_back(state, slack_id)


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
        copies = (
            [] if undo else checkins.stop_checkins(session=session, slack_id=slack_id, now=utcnow())
        )
        person = checkins.set_opt_out(
            session=session, slack_id=slack_id, opt_out=not undo, now=utcnow()
        )
        name = person.name
    click.echo(state.msg("cli.opt_in" if undo else "cli.opt_out", name=name))
    if copies and state.settings.bot_token:  # withdrawn requests: HR's copies lose the scores
        from jobs.updates import update_when_sent

        update_when_sent(job_context(state), copies, wait_seconds=10)


@people_group.command("delegate")
@click.argument("lead_id")
@click.argument("delegate_id")
@click.option(
    "--until", required=True, metavar="YYYY-MM-DD", help="Last day the delegate may decide."
)
@pass_state
def people_delegate(state: State, lead_id: str, delegate_id: str, until: str) -> None:
    """Let someone approve daily tasks for a lead until a date."""
    until_date = parse_date(state, until)
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


# ---------------------------------------------------------------- support


@click.group("support")
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
    print_rows(state, ["name", "what", "link", "contact"], rows)


@support_group.command("remove")
@click.argument("name")
@pass_state
def support_remove(state: State, name: str) -> None:
    """Remove a support option."""
    with state.session(write=True) as session:
        checkins.remove_support(session=session, name=name)
    click.echo(state.msg("cli.support_removed", name=name))
