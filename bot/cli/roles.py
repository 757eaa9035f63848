"""Roles: helpdesk agents (tiers, rotation, availability), HR members and admins."""

from __future__ import annotations

import click
from sqlmodel import Session

from bot.cli.common import mark_away, mark_back, person_status, print_rows
from bot.cli.state import State, pass_state
from storage import audit, people
from storage.models import ROLE_ADMIN, ROLE_AGENT, ROLE_HR
from storage.types import ROLE_HELPDESK_LEAD, utcnow


def _role_name(state: State, role: str, tier: int | None) -> str:
    return state.msg(f"role.{role}", tier=tier)


def _trace(session: Session, slack_id: str, change: str) -> None:
    """HR and admins see others' data: granting or removing those roles is in the audit trail."""
    audit.record(
        session, actor=audit.CLI, action=audit.ROLE, now=utcnow(), subject=slack_id, ref=change
    )


def _role_group(name: str, role: str, help_text: str) -> click.Group:
    group = click.Group(name, help=help_text)

    @group.command("add")
    @click.argument("slack_id")
    @pass_state
    def add(state: State, slack_id: str) -> None:
        """Give a known person this role."""
        with state.session(write=True) as session:
            had = people.has_role(session, slack_id, role)
            people.add_role(session=session, slack_id=slack_id, role=role, now=utcnow())
            person = people.require(session, slack_id)
            if not had:
                _trace(session, slack_id, f"grant:{role}")
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
            _trace(session, slack_id, f"remove:{role}")
        click.echo(
            state.msg("cli.role_removed", name=person.name, role=_role_name(state, role, None))
        )

    @group.command("list")
    @pass_state
    def list_(state: State) -> None:
        """List who has this role."""
        with state.session() as session:
            rows = [(p.slack_id, p.name, p.email) for _, p in people.list_role(session, role)]
        print_rows(state, ["slack_id", "name", "email"], rows)

    return group


hr_group = _role_group("hr", ROLE_HR, "People Experience (HR) members.")
admins_group = _role_group("admins", ROLE_ADMIN, "Admins: may act on any ticket or approval.")
helpdesk_leads_group = _role_group(
    "helpdesk-leads",
    ROLE_HELPDESK_LEAD,
    "Helpdesk leads: told of service-level breaches and low ratings; get the helpdesk report.",
)


@click.group("agents")
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
            (r.tier, r.position, p.slack_id, p.name, person_status(state, p))
            for r, p in people.list_role(session, ROLE_AGENT)
        ]
    print_rows(state, ["tier", "position", "slack_id", "name", "status"], rows)


@agents_group.command("away")
@click.argument("slack_id")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last day away.")
@pass_state
def agents_away(state: State, slack_id: str, until: str | None) -> None:
    """Take an agent out of the rotation until they are back."""
    mark_away(state, slack_id, until)


@agents_group.command("back")
@click.argument("slack_id")
@pass_state
def agents_back(state: State, slack_id: str) -> None:
    """Put an agent back into the rotation at their place."""
    mark_back(state, slack_id)
