"""A local Slack stand-in for tests and `rekan demo`: a Web API server and signed senders."""

from bot.sandbox.sender import Reply, SlackSender
from bot.sandbox.webapi import Call, SlackStandIn

__all__ = ["Call", "Reply", "SlackSender", "SlackStandIn"]
