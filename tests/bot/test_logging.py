"""Logs: one JSON line per request with its ids; no tokens, secrets or what people typed."""

import io
import json
import logging

import pytest

from bot.logs import RedactSecrets, configure_logging


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    yield stream
    logging.getLogger().handlers.clear()


def test_each_request_is_one_json_line_with_team_and_request_ids(box, people, log_stream):
    configure_logging(secrets=[box.settings.slack_bot_token, box.signing_secret], stream=log_stream)
    box.driver.command(
        "partnership add Secret Anonymous Answer", user=people.sam, channel=people.general
    )
    box.wait()
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    [request] = [line for line in lines if line["message"] == "slack request"]
    assert request["team_id"] == people.team and len(request["request_id"]) == 12
    assert (request["kind"], request["slack_id"], request["user_id"]) == (
        "command",
        "/partners",
        people.sam,
    )
    assert "Secret Anonymous Answer" not in log_stream.getvalue()


def test_tokens_and_secrets_are_redacted_wherever_they_appear(log_stream):
    configure_logging(secrets=["s3cr3t-signing"], stream=log_stream)
    log = logging.getLogger("partnerbot.test")
    log.warning("token %s and secret %s", "xoxb-123-456-abc", "s3cr3t-signing")
    try:
        raise RuntimeError("failed with xapp-1-A0-xyz")
    except RuntimeError:
        log.exception("boom")
    text = log_stream.getvalue()
    assert "xoxb-123" not in text and "s3cr3t-signing" not in text and "xapp-1" not in text
    assert "token [redacted] and secret [redacted]" in text
    assert "RuntimeError: failed with [redacted]" in text


def test_short_secrets_are_not_used_to_redact():
    # a one-letter "secret" would shred every log line
    assert RedactSecrets(["x"])._secrets == []
