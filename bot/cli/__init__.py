"""The `rekan` CLI, one module per command group; `main` is the entry point."""

from __future__ import annotations

from bot.cli.main import main

__all__ = ["main"]
