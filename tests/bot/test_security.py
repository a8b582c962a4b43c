"""Requests Slack did not sign (or signed long ago) are refused and change nothing."""

import time

import pytest
from sqlmodel import select

from storage.models import AuditEntry, Partnership


def nothing_happened(box):
    box.wait()
    assert [c.method for c in box.emulator.calls] == []  # not one call to Slack
    with box.bot.services.sessions() as session:
        assert session.exec(select(Partnership)).all() == []
        assert session.exec(select(AuditEntry)).all() == []


def test_a_forged_signature_gets_401(box, people):
    reply = box.driver.command(
        "partnership add Forged",
        user=people.alex,
        channel=people.general,
        secret="not-the-signing-secret",
    )
    assert reply.status == 401
    nothing_happened(box)


@pytest.mark.parametrize("age", [301, 3600, -400])
def test_a_stale_or_future_timestamp_gets_401(box, people, age):
    reply = box.driver.command(
        "partnership add Replayed",
        user=people.alex,
        channel=people.general,
        timestamp=int(time.time()) - age,
    )
    assert reply.status == 401
    nothing_happened(box)


def test_a_replayed_body_with_a_fresh_timestamp_but_old_signature_gets_401(box, people):
    body = box.driver.command_body(
        "partnership add Replayed", user=people.alex, channel=people.general
    )
    old = int(time.time()) - 600
    from slack_sdk.signature import SignatureVerifier

    signature = SignatureVerifier(box.signing_secret).generate_signature(
        timestamp=str(old), body=body
    )
    reply = box.driver.post(
        body, "application/x-www-form-urlencoded", headers={"X-Slack-Signature": signature}
    )  # timestamp header is fresh
    assert reply.status == 401
    nothing_happened(box)


def test_a_request_without_signature_headers_gets_401(box):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        box.driver.url, data=b"command=%2Fpartners&text=help", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
    nothing_happened(box)


def signed_post(box, body: bytes, content_type: str, timestamp: str | None = None):
    """POST raw bytes, signed as Slack signs (the signature covers the raw body)."""
    import hashlib
    import hmac
    import urllib.error
    import urllib.request

    stamp = timestamp or str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    signature = "v0=" + hmac.new(box.signing_secret.encode(), base, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        box.server.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_huge_unsigned_body_is_refused_unread(box, people):
    """40 MB announced: the answer (413) comes before the body is sent, so nothing reads it."""
    import http.client
    from urllib.parse import urlparse

    url = urlparse(box.server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.putrequest("POST", url.path)
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(40 * 1024 * 1024))
    connection.endheaders(b"payload=" + b"x" * 1024)  # only the first kilobyte is ever sent
    started = time.perf_counter()
    response = connection.getresponse()
    assert response.status == 413 and time.perf_counter() - started < 2
    connection.close()
    nothing_happened(box)


@pytest.mark.parametrize(
    ("body", "content_type", "timestamp"),
    [
        (b"command=%2Fpartners&text=help", "application/x-www-form-urlencoded", "soon"),
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded", None),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded", None),
        (b"command=%2Fpartners&text=\xff\xfe", "application/x-www-form-urlencoded", None),
        (b"command=%2Fpartners&text=help", "application/json", None),
        (b"[1, 2, 3]", "application/json", None),
    ],
    ids=[
        "non-numeric timestamp",
        "payload not JSON",
        "payload not an object",
        "invalid UTF-8",
        "form body labelled JSON",
        "JSON not an object",
    ],
)
def test_malformed_requests_get_400_not_a_traceback(
    box, people, caplog, body, content_type, timestamp
):
    import logging

    with caplog.at_level(logging.ERROR):
        assert signed_post(box, body, content_type, timestamp) == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    nothing_happened(box)
