"""Turn outbox rows into the messages to post, with the renderer table of the job context."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from jobs.context import CannotRender, JobContext, Rendered, Renderer
from storage.models import Delivery

__all__ = ["CannotRender", "Rendered", "render", "render_many"]


def render(session: Session, row: Delivery, ctx: JobContext) -> Rendered:
    result = render_many(session, [row], ctx)[0]
    if isinstance(result, CannotRender):
        raise result
    return result


def render_many(
    session: Session, rows: Sequence[Delivery], ctx: JobContext
) -> list[Rendered | CannotRender]:
    """render() for several rows, in order. Rows that share a renderer go to it together, so
    a batch of DMs costs a few statements, not a few per message."""
    groups: dict[Renderer, list[int]] = {}
    results: list[Rendered | CannotRender] = [CannotRender("not rendered")] * len(rows)
    for index, row in enumerate(rows):
        renderer = ctx.renderers.get(row.template)
        if renderer is None:
            results[index] = CannotRender(f"unknown template {row.template}")
        else:
            groups.setdefault(renderer, []).append(index)
    for renderer, indexes in groups.items():
        rendered = renderer(session, [rows[i] for i in indexes], ctx.settings)
        for index, result in zip(indexes, rendered, strict=True):
            results[index] = result
    return results
