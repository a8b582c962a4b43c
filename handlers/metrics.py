"""What a council's operators alert on, for Prometheus (prometheus_client), served at /metrics:
acks by request kind and subcommand with their latency, the listener pool's queue, reminders
sent, failed and unreachable, Slack API errors by method, rate-limit waits, and search latency.

With several web processes (WEB_CONCURRENCY), set PROMETHEUS_MULTIPROC_DIR to an empty folder
each start: every process writes its figures there and /metrics adds them up."""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

ACKS = Counter(
    "partnerbot_acks_total",
    "Requests from Slack answered, by kind (command, action, view_submission, event) and name",
    ["kind", "name", "status"],
)
ACK_SECONDS = Histogram(
    "partnerbot_ack_seconds",
    "Time to answer Slack (it waits 3 seconds at most)",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
QUEUE = Gauge(
    "partnerbot_work_queue_depth",
    "Listener work waiting or running after its ack, in this process",
    multiprocess_mode="livesum",
)
REMINDERS = Counter(
    "partnerbot_reminders_total", "Reminders by outcome (sent, failed, unreachable)", ["outcome"]
)
SLACK_ERRORS = Counter(
    "partnerbot_slack_api_errors_total",
    "Slack Web API errors, by method and error",
    ["method", "error"],
)
RATE_LIMIT_WAITS = Counter(
    "partnerbot_slack_rate_limit_waits_total", "429 answers waited out, by method", ["method"]
)
SEARCH_SECONDS = Histogram(
    "partnerbot_search_seconds",
    "Time to answer a search",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


def exposition() -> tuple[bytes, str]:
    """The metrics as Prometheus reads them, and their content type."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


@contextmanager
def timed(histogram: Histogram, *labels: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        (histogram.labels(*labels) if labels else histogram).observe(time.perf_counter() - started)


INDEX_BYTES = Gauge(
    "partnerbot_search_index_bytes",
    "Memory held by search indexes in this process (bounded by PARTNERBOT_INDEX_MEMORY_MB)",
    multiprocess_mode="livesum",
)
INDEX_EVENTS = Gauge(
    "partnerbot_search_index_events",
    "Workspace indexes loaded from a snapshot, built from the database and let go, in this process",
    ["event"],
    multiprocess_mode="livesum",
)


def search_cache(figures: Callable[[], Any]) -> None:
    """Report the process's cache of search indexes (knowledge.search.CacheFigures) whenever
    metrics are read."""
    INDEX_BYTES.set_function(lambda: float(figures().bytes))

    def reader(event: str) -> Callable[[], float]:
        return lambda: float(getattr(figures(), event))

    for event in ("loads", "builds", "evictions"):
        INDEX_EVENTS.labels(event).set_function(reader(event))


def queue_depth(pending: Callable[[], int]) -> None:
    """Report the listener pool's queue from `pending` whenever metrics are read."""
    QUEUE.set_function(lambda: float(pending()))
