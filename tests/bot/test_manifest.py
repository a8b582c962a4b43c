"""manifest.yml declares what the code listens for, with exactly the scopes it uses."""

from pathlib import Path

import yaml

from bot.emulator import Call
from bot.installs import BOT_SCOPES
from handlers.commands import COMMAND
from handlers.lessons import SAVE_AS_LESSON

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())

# Bot scopes each Web API method needs (Slack's method reference); None: no scope.
METHOD_SCOPES = {
    "auth.test": None,
    "response_url": None,
    "views.open": None,
    "views.update": None,
    "views.push": None,
    "views.publish": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.scheduleMessage": "chat:write",
    "chat.getPermalink": None,
    "conversations.open": "im:write",
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.history": "im:history",  # the bot reads only its own DMs
    "conversations.replies": ("channels:history", "groups:history"),
    "conversations.members": ("channels:read", "groups:read"),
    "users.info": "users:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "reactions.add": "reactions:write",
}


def test_the_slash_command_escapes_mentions():
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["should_escape"] is True
    assert command["url"].endswith("/slack/events")


def test_the_message_shortcut_matches_its_listener():
    [shortcut] = MANIFEST["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", SAVE_AS_LESSON)


def test_home_events_and_interactivity_are_on():
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_mention",
        "app_uninstalled",
        "message.channels",
        "message.groups",
        "tokens_revoked",
    ]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def scopes_used(calls: list[Call]) -> set[str]:
    used: set[str] = set()
    for call in calls:
        scope = METHOD_SCOPES[call.method]
        used.update((scope,) if isinstance(scope, str) else scope or ())
    return used


def test_the_scopes_are_exactly_those_the_bot_uses(box, people):
    # Exercise every surface the bot has, then compare what it called with what it asks for.
    commands = [
        "help",
        "partnership add Retrofit",
        "partnership list",
        "partnership add",
        "lesson Supplier days won contractors over",
        "brief",
        "commit @priya Book the venue by 2030-01-01",
        "commit @priya Book the venue by friday",
        "actions all",
        "away until friday",
        "export",  # a file by DM
        "report Retrofit",
    ]
    for text in commands:
        box.driver.command(text, user=people.sam, channel=people.retrofit)
    box.wait()
    # alex sees sam's lesson: may alex edit it? (an admin check)
    box.driver.command("ask supplier days", user=people.alex, channel=people.general)
    box.driver.mention("supplier days", user=people.sam, channel=people.general)
    box.driver.event({"type": "app_home_opened", "user": people.sam, "tab": "home"})
    message = box.emulator.workspace.post_as(people.sam, people.general, "Kickoff went well", "1.1")
    box.driver.message_shortcut(SAVE_AS_LESSON, message, user=people.sam, channel=people.general)
    box.wait()
    assert all(call.ok for call in box.emulator.calls)
    # commands: the slash command and shortcut; app_mentions:read: the mention event
    # channels:history and groups:history: thread replies to breakout questions (message events)
    # im:write and im:history: after a crash mid-send, was the reminder delivered? (the
    # scale-out kill test exercises it: tests/bot/test_scale_out.py)
    needed = scopes_used(box.emulator.calls) | {
        "commands",
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "im:history",
        "im:write",
    }
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed
    # an OAuth install asks Slack for the same scopes
    assert set(BOT_SCOPES) == needed
