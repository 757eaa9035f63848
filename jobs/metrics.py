"""Prometheus metrics (prometheus-client): requests, acknowledgement latency, tickets,
deliveries and campaign runs. Served on /metrics (HTTP mode) or REKAN_METRICS_PORT."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

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


def count_across_processes(directory: str) -> None:
    """Count in files under `directory`, summed over every process that writes there
    (prometheus_client's multiprocess mode), so any worker's /metrics shows all of them.
    Call before the workers start; every metric here has labels, so none has a value yet."""
    os.environ[MULTIPROCESS_DIR] = directory
    # prometheus_client chooses where values live when it is imported, from this variable;
    # the CLI has imported it before it knows there will be workers.
    values.ValueClass = values.get_value_class()


def exposition() -> tuple[bytes, str]:
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
