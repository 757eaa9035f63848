"""What the renderers share: the reader's language and clock, and one-row renderers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel import Session

from jobs.context import CannotRender, JobSettings, Rendered, Renderer
from storage import people
from storage.models import Delivery

RowRenderer = Callable[[Session, Delivery, JobSettings], Rendered]


def reader(session: Session, slack_id: str, settings: JobSettings) -> tuple[str, str]:
    """(language, time zone) of the person who will read the message."""
    return people.reader(session, slack_id, settings.language, settings.timezone)


def each(render_one: RowRenderer) -> Renderer:
    """A renderer that reads what it needs row by row (campaign messages, mostly one per
    person): a row it cannot render answers CannotRender and the others still render."""

    def render_rows(
        session: Session, rows: Sequence[Delivery], settings: JobSettings
    ) -> list[Rendered | CannotRender]:
        results: list[Rendered | CannotRender] = []
        for row in rows:
            try:
                results.append(render_one(session, row, settings))
            except CannotRender as exc:
                results.append(exc)
        return results

    render_rows.__name__ = render_one.__name__
    return render_rows
