"""Rekan's Slack-facing layer: the Bolt app, listeners, Block Kit builders, catalog and CLI."""
