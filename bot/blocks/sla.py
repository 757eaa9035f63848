"""Service levels as people read them: the deadline line on the card and in the reporter's
ticket DM (an absolute `<!date^…>` so each reader sees their own zone), and the warning or
breach notice to the agent and the helpdesk leads."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.common import Message, context, format_time, mention, quoted, section
from bot.i18n import t
from storage.types import SlaView, Snapshot


def slack_date(moment: datetime, tz: str, lang: str) -> str:
    """A moment Slack shows in each reader's own zone; the fallback in the reader's zone."""
    fallback = format_time(moment, tz, lang)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def card_line(view: SlaView | None, lang: str, tz: str) -> str | None:
    """The agent's card: respond by / resolve by, paused, or breached."""
    if view is None:
        return None
    parts = []
    if view.breached:
        parts.append(t("sla.card_breached", lang))
    if view.paused:
        parts.append(t("sla.card_paused", lang))
    elif view.respond_by is not None:
        parts.append(t("sla.card_respond_by", lang, at=slack_date(view.respond_by, tz, lang)))
    elif view.resolve_by is not None:
        parts.append(t("sla.card_resolve_by", lang, at=slack_date(view.resolve_by, tz, lang)))
    return " · ".join(parts) or None


def reporter_line(view: SlaView | None, lang: str, tz: str) -> str | None:
    """The reporter's ticket DM: "we'll respond by …", "waiting for you", "we aim to resolve
    by …" (a breach is the desk's business, not said to the reporter)."""
    if view is None:
        return None
    if view.paused:
        return t("sla.reporter_waiting", lang)
    if view.respond_by is not None:
        return t("sla.reporter_respond_by", lang, at=slack_date(view.respond_by, tz, lang))
    if view.resolve_by is not None:
        return t("sla.reporter_resolve_by", lang, at=slack_date(view.resolve_by, tz, lang))
    return None


def build_sla_notice(snap: Snapshot, what: str, *, lang: str, tz: str, lead: bool) -> Message:
    """A warning at 75 % of a target or its breach: to the agent (in the card's thread), or
    to a helpdesk lead (who is told who has the ticket)."""
    ticket = snap.ticket
    view = snap.sla
    due = None
    if view is not None:
        due = view.respond_by if what.startswith("response") else view.resolve_by
    text = t(
        f"sla.{what}",
        lang,
        number=f"#{ticket.id}",
        priority=t(f"priority.{ticket.priority}", lang),
        at=slack_date(due, tz, lang) if due else "-",
    )
    blocks = [section(f"{text}\n{quoted(ticket.summary, 500)}")]
    if lead:
        holder = mention(ticket.agent_id) if ticket.agent_id else t("sla.nobody", lang)
        blocks.append(context(t("sla.lead_hint", lang, agent=holder)))
    return {"text": text, "blocks": blocks}
