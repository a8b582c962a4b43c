"""The emulator refuses what Slack refuses, so code that would fail in Slack fails here first."""

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import Emulator, demo_workspace
from bot.scheduler import scheduler_client
from bot.settings import Settings


@pytest.fixture
def emulator():
    em = Emulator(
        demo_workspace("T0ONE", "One Council"), demo_workspace("T0TWO", "Two Council")
    ).start()
    yield em
    em.stop()


@pytest.fixture
def client(emulator):
    return WebClient(token=emulator.workspaces["T0ONE"].bot_token, base_url=emulator.url)


def section(text):
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(label):
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": "a" + label[:5],
    }


def refused(call, error):
    with pytest.raises(SlackApiError) as raised:
        call()
    assert raised.value.response["error"] == error
    return raised.value.response


OVER_LIMIT = {
    "section text over 3000": [section("x" * 3001)],
    "header over 150": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
    "button text over 75": [{"type": "actions", "elements": [button("x" * 76)]}],
    "51 blocks": [section("x")] * 51,
    "unknown block type": [{"type": "carousel"}],
    "more than 100 options": [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "pick"},
            "accessory": {
                "type": "static_select",
                "action_id": "s",
                "options": [
                    {"text": {"type": "plain_text", "text": str(i)}, "value": str(i)}
                    for i in range(101)
                ],
            },
        }
    ],
    "11 fields": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
    "context text over 3000": [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}]}
    ],
}


@pytest.mark.parametrize("blocks", OVER_LIMIT.values(), ids=OVER_LIMIT.keys())
def test_over_limit_message_blocks_are_refused(client, emulator, blocks):
    channel = emulator.workspaces["T0ONE"].channel_named("general").id
    response = refused(
        lambda: client.chat_postMessage(channel=channel, text="t", blocks=blocks), "invalid_blocks"
    )
    assert response["errors"]
    assert emulator.workspaces["T0ONE"].messages == {}


def test_blocks_at_the_limits_are_accepted(client, emulator):
    channel = emulator.workspaces["T0ONE"].channel_named("general").id
    blocks = [section("x" * 3000)] * 49 + [{"type": "actions", "elements": [button("y" * 75)]}]
    assert client.chat_postMessage(channel=channel, text="t", blocks=blocks)["ok"]


def modal(blocks, **extra):
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Title"},
        "blocks": blocks,
        **extra,
    }


@pytest.mark.parametrize(
    "view",
    [
        modal([section("x")] * 101),
        modal([section("x")], private_metadata="m" * 3001),
        modal([section("x" * 3001)]),
        {**modal([section("x")]), "title": {"type": "plain_text", "text": "t" * 25}},
    ],
    ids=["101 blocks", "private_metadata over 3000", "section over 3000", "title over 24"],
)
def test_over_limit_modals_are_refused(client, emulator, view):
    user = emulator.workspaces["T0ONE"].user_named("alex").id
    refused(
        lambda: client.views_open(trigger_id=emulator.new_trigger(user), view=view),
        "invalid_arguments",
    )


def test_a_trigger_works_once_and_for_three_seconds(client, emulator):
    user = emulator.workspaces["T0ONE"].user_named("alex").id
    trigger = emulator.new_trigger(user)
    assert client.views_open(trigger_id=trigger, view=modal([section("x")]))["ok"]
    refused(
        lambda: client.views_open(trigger_id=trigger, view=modal([section("x")])),
        "invalid_trigger_id",
    )
    stale = emulator.new_trigger(user)
    emulator.triggers[stale] = (user, time.time() - 4)
    refused(
        lambda: client.views_open(trigger_id=stale, view=modal([section("x")])),
        "expired_trigger_id",
    )


def test_a_bad_token_is_invalid_auth(emulator):
    bad = WebClient(token="xoxb-not-a-real-token", base_url=emulator.url)
    refused(bad.auth_test, "invalid_auth")
    refused(WebClient(token="", base_url=emulator.url).auth_test, "not_authed")


def test_a_token_reaches_only_its_own_workspace(client, emulator):
    assert client.auth_test()["team_id"] == "T0ONE"
    other_channel = emulator.workspaces["T0TWO"].channel_named("general").id
    refused(
        lambda: client.chat_postMessage(channel=other_channel, text="hello"), "channel_not_found"
    )


def test_unknown_channels_and_users_are_refused(client):
    refused(lambda: client.chat_postMessage(channel="C0NOPE", text="x"), "channel_not_found")
    refused(lambda: client.users_info(user="U0NOPE"), "user_not_found")
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns too, rightly
        refused(lambda: client.chat_postMessage(channel="C0ONEGENERAL", text=""), "no_text")


def test_users_have_their_time_zone(client, emulator):
    jo = emulator.workspaces["T0ONE"].user_named("jo").id
    assert client.users_info(user=jo)["user"]["tz"] == "America/New_York"


def test_a_slack_connect_partner_cannot_be_dmed(client, emulator):
    kim = emulator.workspaces["T0ONE"].user_named("kim").id
    refused(lambda: client.conversations_open(users=kim), "user_not_visible")


def test_messages_can_be_updated_threaded_and_linked(client, emulator):
    channel = emulator.workspaces["T0ONE"].channel_named("general").id
    posted = client.chat_postMessage(channel=channel, text="first")
    client.chat_postMessage(channel=channel, text="reply", thread_ts=posted["ts"])
    client.chat_update(channel=channel, ts=posted["ts"], text="edited")
    assert emulator.workspaces["T0ONE"].messages[(channel, posted["ts"])]["text"] == "edited"
    assert client.chat_getPermalink(channel=channel, message_ts=posted["ts"])[
        "permalink"
    ].startswith("https://")
    refused(
        lambda: client.chat_postMessage(channel=channel, text="x", thread_ts="9.9"),
        "thread_not_found",
    )


def test_schedule_message_reaches_only_120_days_ahead(client):
    now = int(time.time())
    assert client.chat_scheduleMessage(channel="C0ONEGENERAL", text="x", post_at=now + 3600)["ok"]
    refused(
        lambda: client.chat_scheduleMessage(
            channel="C0ONEGENERAL", text="x", post_at=now + 121 * 86400
        ),
        "time_too_far",
    )
    refused(
        lambda: client.chat_scheduleMessage(channel="C0ONEGENERAL", text="x", post_at=now - 5),
        "time_in_past",
    )


def test_files_upload_in_two_steps(client, emulator):
    content = b"PK\x03\x04 workbook"
    uploaded = client.files_upload_v2(
        content=content, filename="register.xlsx", channel="C0ONEGENERAL"
    )
    assert uploaded["ok"]
    [record] = emulator.workspaces["T0ONE"].files.values()
    assert record["content"] == content and record["shared_in"] == "C0ONEGENERAL"


def test_a_listener_client_sees_the_429_at_once(client, emulator):
    emulator.rate_limit("chat.postMessage", times=1, retry_after=1)
    response = refused(
        lambda: client.chat_postMessage(channel="C0ONEGENERAL", text="x"), "ratelimited"
    )
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"


def test_the_scheduler_client_waits_out_a_429_and_succeeds(emulator):
    settings = Settings(
        _env_file=None,
        slack_bot_token=emulator.workspaces["T0ONE"].bot_token,
        slack_api_url=emulator.url,
    )
    emulator.rate_limit("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    assert scheduler_client(settings).chat_postMessage(channel="C0ONEGENERAL", text="nudge")["ok"]
    assert time.monotonic() - started >= 1  # it honoured Retry-After
    assert [c.ok for c in emulator.calls_to("chat.postMessage")] == [False, True]


def test_a_response_url_takes_five_posts(emulator):
    from slack_sdk.webhook import WebhookClient

    url = emulator.new_response_url("T0ONE", "C0ONEGENERAL", "U0ONEALEX")
    hook = WebhookClient(url)
    assert [hook.send(text=f"n{i}").status_code for i in range(6)] == [200] * 5 + [404]


def test_a_second_post_to_a_channel_within_a_second_is_rate_limited(client, emulator):
    emulator.limit_per_channel(1.0)
    channel = emulator.workspaces["T0ONE"].channel_named("general").id
    assert client.chat_postMessage(channel=channel, text="one")["ok"]
    refused(lambda: client.chat_postMessage(channel=channel, text="two"), "ratelimited")
    other = emulator.workspaces["T0ONE"].channel_named("lsp-board").id
    assert client.chat_postMessage(channel=other, text="elsewhere")["ok"]
