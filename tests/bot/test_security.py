"""Requests Slack did not sign (or signed long ago) are refused and change nothing."""

import time

import pytest
from sqlmodel import select

from storage.models import AuditEntry, Partnership


def nothing_happened(box):
    box.wait()
    assert [c.method for c in box.emulator.calls] == ["auth.test"]  # only the app's start-up check
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
