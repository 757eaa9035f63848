"""Prometheus metrics (prometheus-client): requests, acknowledgement latency, tickets,
deliveries and campaign runs. Served on /metrics (HTTP mode) or REKAN_METRICS_PORT."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("rekan_requests_total", "Slack requests by kind", ["kind"])
ACK_SECONDS = Histogram(
    "rekan_ack_seconds",
    "Time from a Slack request to its acknowledgement",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
TICKETS = Counter(
    "rekan_tickets_total", "Ticket events", ["event"]
)  # filed, repeat, escalated, resolved
DELIVERIES = Counter("rekan_deliveries_total", "Delivery outcomes", ["outcome", "reason"])
CAMPAIGN_RUNS = Counter("rekan_campaign_runs_total", "Campaign runs", ["job", "outcome"])
CAMPAIGN_SECONDS = Histogram(
    "rekan_campaign_seconds",
    "Campaign run durations",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900),
)


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
