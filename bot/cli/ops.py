"""Operating Rekan: run it, migrate and back up the database, the demo, the Slack manifest."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.state import Failure, State, pass_state
from bot.config import Settings
from bot.i18n import t


@click.command()
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


@click.group("db")
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


# ---------------------------------------------------------------- demo


@click.command()
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
    """Play Rekan's four stories against the built-in Slack stand-in: no workspace needed."""
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


@click.command()
@click.option(
    "--http", "http_base", default=None, metavar="https://HOST", help="HTTP mode on this host."
)
def manifest(http_base: str | None) -> None:
    """Print the Slack app manifest (Socket Mode, or HTTP mode with --http)."""
    if http_base is not None and not http_base.startswith(("https://", "http://")):
        raise click.BadParameter("https://HOST", param_hint="--http")
    from bot.manifest import render_manifest

    click.echo(render_manifest(http_base), nl=False)
