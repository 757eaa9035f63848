"""The `rekan` command line: the root group, the one place every command group is added,
and the error table that turns an exception into one clear line and an exit status."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from bot.cli import (
    audit,
    categories,
    hours,
    jobs,
    ops,
    outages,
    people,
    privacy,
    replies,
    reports,
    roles,
    tickets,
)
from bot.cli.state import EXIT_FAILED, EXIT_USAGE, Failure, State, first_line
from bot.config import ConfigError
from bot.i18n import t
from storage.errors import DomainError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Rekan: helpdesk tickets, People Experience check-ins and daily tasks on Slack."""
    ctx.ensure_object(State)


# Every command group, written out: the one place a new group is added.
cli.add_command(ops.run)
cli.add_command(ops.db_group)
cli.add_command(people.people_group)
cli.add_command(people.support_group)
cli.add_command(reports.report_group)
cli.add_command(roles.hr_group)
cli.add_command(roles.admins_group)
cli.add_command(roles.agents_group)
cli.add_command(roles.helpdesk_leads_group)
cli.add_command(tickets.tickets_group)
cli.add_command(tickets.resources_group)
cli.add_command(categories.categories_group)
cli.add_command(replies.replies_group)
cli.add_command(outages.outages_group)
cli.add_command(jobs.jobs_group)
cli.add_command(jobs.holidays_group)
cli.add_command(hours.hours_group)
cli.add_command(jobs.deliveries_group)
cli.add_command(ops.demo)
cli.add_command(ops.manifest)
cli.add_command(audit.audit_group)
people.people_group.add_command(privacy.people_export)
people.people_group.add_command(privacy.people_erase)


def _loaded(module: str, name: str) -> type[BaseException] | None:
    """An exception class, only if its library was imported: if it was not, nothing raised it,
    and importing Slack's SDK or SQLAlchemy just to compare would slow `rekan --help`."""
    found = sys.modules.get(module)
    kind = getattr(found, name, None)
    return kind if isinstance(kind, type) and issubclass(kind, BaseException) else None


def _fail(line: str, code: int) -> NoReturn:
    click.echo(line, err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with Rekan's exit statuses: 0 done, 1 failed, 2 bad usage or configuration."""
    state = State()
    handlers: list[tuple[type[BaseException] | None, Callable[[Any], NoReturn]]] = [
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
            _loaded("slack_sdk.errors", "SlackApiError"),
            lambda e: _fail(
                t("cli.error", state.lang, message=e.response.get("error")), EXIT_FAILED
            ),
        ),
        (
            _loaded("sqlalchemy.exc", "SQLAlchemyError"),
            lambda e: _fail(t("cli.db_failed", state.lang, message=first_line(e)), EXIT_FAILED),
        ),
        # A port in use, an unreachable host, a file that cannot be written: one line.
        (OSError, lambda e: _fail(t("cli.error", state.lang, message=first_line(e)), EXIT_FAILED)),
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
            if kind is not None and isinstance(exc, kind):
                handle(exc)
        raise
    sys.exit(0)
