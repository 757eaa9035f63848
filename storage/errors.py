"""Domain errors: each carries a catalog key and its parameters, never Slack text."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule refused the operation; `key` names the catalog message explaining why."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotFound(DomainError):
    pass
