"""`rekan people export` and `rekan people erase` (UU PDP: access and erasure), added to the
people group in main.py."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from bot.cli.common import job_context
from bot.cli.state import Failure, State, first_line, pass_state
from storage import audit, erasure, privacy
from storage.types import utcnow


@click.command("export")
@click.argument("slack_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def people_export(state: State, slack_id: str, out: Path | None) -> None:
    """Everything Rekan holds about a person, as JSON (stdout, or --out FILE)."""
    with state.session(write=True) as session:
        document = privacy.export(session, slack_id=slack_id, now=utcnow())
        audit.record(session, actor=audit.CLI, action=audit.EXPORT, now=utcnow(), subject=slack_id)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Failure(state.msg("cli.error", message=first_line(exc))) from exc
    click.echo(state.msg("privacy.export_written", slack_id=slack_id, path=out))


def _listing(state: State, counts: Counter[str]) -> str:
    found = [f"{k}={v}" for k, v in sorted(counts.items()) if v]
    return ", ".join(found) or state.msg("privacy.nothing")


@click.command("erase")
@click.argument("slack_id")
@click.option("--yes", is_flag=True, help="Really erase: it cannot be undone.")
@pass_state
def people_erase(state: State, slack_id: str, yes: bool) -> None:
    """Erase a person's history: check-ins, consents, task days, roles; tickets pseudonymised."""
    if not yes:
        raise Failure(state.msg("privacy.erase_needs_yes", slack_id=slack_id))
    with state.session(write=True) as session:
        done = erasure.erase(session=session, slack_id=slack_id, now=utcnow(), actor=audit.CLI)
    click.echo(
        state.msg("privacy.erase_removed", slack_id=slack_id, what=_listing(state, done.deleted))
    )
    click.echo(
        state.msg(
            "privacy.erase_pseudonymised",
            pseudonym=done.pseudonym,
            tickets=len(done.tickets),
            what=_listing(state, done.pseudonymised),
        )
    )
    blanked = _blank(state, done) if state.settings.bot_token else 0
    click.echo(state.msg("privacy.erase_blanked", count=blanked))
    if blanked < len(done.blank):
        click.echo(
            state.msg("privacy.erase_not_blanked", count=len(done.blank) - blanked), err=True
        )


def _blank(state: State, done: erasure.Erased) -> int:
    """Redraw Rekan's messages that showed the person: blanked check-ins and follow-up copies,
    and the tickets' messages, which now name the pseudonym."""
    from jobs.updates import refresh_ticket, update_when_sent

    ctx = job_context(state)
    blanked = update_when_sent(ctx, done.blank, wait_seconds=30)
    for number in done.tickets:
        refresh_ticket(ctx, number)
    return blanked
