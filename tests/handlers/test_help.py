"""`/partners help` end to end: signed request in, help out through Slack."""

import pytest

from handlers import features
from handlers.commands import STILL_TO_COME, build_registry
from handlers.help import build_help
from handlers.subcommands import RUN_SUGGESTED, Subcommand
from storage.models import Commitment
from tests.handlers.register_kit import rows

REGISTRY = build_registry(
    sub for feature in features() for sub in getattr(feature, "SUBCOMMANDS", ())
)


def only_response(box):
    [call] = box.emulator.calls_to("response_url")
    return call


def test_a_signed_command_is_answered_within_three_seconds_and_help_reaches_slack(box, people):
    reply = box.driver.command("help", user=people.alex, channel=people.general)
    box.wait()
    assert reply.status == 200
    assert reply.seconds < 3
    call = only_response(box)
    assert call.ok and call.args["response_type"] == "ephemeral"
    shown = str(call.args["blocks"])
    for sub in REGISTRY.subcommands:
        assert sub.usage in shown and sub.example in shown
    assert call.args["text"]  # the plain fallback for notifications and screen readers


@pytest.mark.parametrize("text", ["", "   ", "HELP"])
def test_empty_text_or_any_case_shows_help(box, people, text):
    box.driver.command(text, user=people.sam, channel=people.general)
    box.wait()
    assert "/partners commit @sam" in str(only_response(box).args["blocks"])


def test_an_unknown_subcommand_is_answered_by_its_suggestion_alone_with_a_button(box, people):
    box.driver.command("comit @sam the map by friday", user=people.sam, channel=people.general)
    box.wait()
    answer = only_response(box).args
    said = str(answer["blocks"])
    assert "I don't know `comit`. Did you mean `/partners commit" in said
    assert "partnerbot: /partners" not in said and len(answer["blocks"]) == 2  # no wall of help
    [button] = answer["blocks"][1]["elements"]
    assert button["action_id"] == RUN_SUGGESTED and button["value"].startswith("commit ")
    # pressing it runs the command it offers, as the person who pressed it
    box.driver.block_action(button, user=people.sam, channel=people.general)
    box.wait()
    [commitment] = rows(box, Commitment)
    assert commitment.action == "the map" and commitment.created_by == people.sam


def test_a_suggestion_pressed_by_a_partner_runs_with_the_partners_rights(box, people):
    """The button runs as whoever pressed it: Kim, from the housing association, cannot export
    the council's register by pressing a button someone else was shown."""
    kim = box.emulator.workspace.user_named("kim").id
    button = {"type": "button", "action_id": RUN_SUGGESTED, "value": "export", "block_id": "b"}
    box.driver.block_action(button, user=kim, channel=people.retrofit)
    box.wait()
    said = box.emulator.calls_to("response_url")[-1].args["text"]
    assert "is for the council's own people" in said
    assert box.emulator.calls_to("files.getUploadURLExternal") == []


@pytest.mark.parametrize(
    ("typed", "shown"), [("partnerships", "Partnerships"), ("projects", "project")]
)
def test_plurals_are_the_lists(box, people, typed, shown):
    box.driver.command(typed, user=people.alex, channel=people.general)
    box.wait()
    said = only_response(box).args["text"]
    assert "I don't know" not in said and shown.casefold() in said.casefold()


def test_every_help_example_starts_with_the_command():
    assert [s.example for s in REGISTRY.subcommands if not s.example.startswith("/partners ")] == []


def test_a_huge_unknown_subcommand_is_cut_short_and_escaped(box, people):
    box.driver.command("<script>" + "x" * 5000, user=people.sam, channel=people.general)
    box.wait()
    call = only_response(box)
    assert call.ok
    assert "<script>" not in str(call.args["blocks"]) and "&lt;script&gt;" in str(
        call.args["blocks"]
    )


@pytest.mark.parametrize("name", [sub.name for sub in STILL_TO_COME])
def test_subcommands_still_to_come_say_so(box, people, name):
    box.driver.command(f"{name} something", user=people.sam, channel=people.general)
    box.wait()
    assert "isn't available yet" in only_response(box).args["text"]


def test_every_feature_subcommand_is_routed_and_listed_once():
    names = [sub.name for sub in REGISTRY.subcommands]
    assert names[0] == "help" and len(names) == len(set(names))
    assert {
        "ask",
        "lesson",
        "brief",
        "commit",
        "actions",
        "away",
        "breakout",
        "partnership",
    } <= set(names)
    assert REGISTRY.find("search") is REGISTRY.find("ask")  # an alias, not a second entry


def test_a_new_subcommand_is_declared_once_and_routing_and_help_both_know_it():
    def run(call):
        call.reply("pong")

    registry = build_registry([Subcommand("ping", "ping", "answers pong", "/partners ping", run)])
    assert registry.find("PING").run is run
    assert registry.guess("pnig") == "ping"
    _, blocks = build_help(registry)
    assert "/partners ping" in str(blocks)


def test_two_subcommands_with_one_name_are_refused():
    def run(call):
        pass

    with pytest.raises(ValueError):
        build_registry(
            [
                Subcommand("ask", "ask", "find", "/partners ask", run, aliases=("search",)),
                Subcommand("search", "search", "again", "/partners search", run),
            ]
        )


def test_help_lists_export_as_working():
    _, blocks = build_help(REGISTRY)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert any(t.startswith("*help*\n") for t in texts)
    assert any(t.startswith("*export*\n") for t in texts)
    assert not any("coming soon" in t for t in texts)
    assert len(blocks) <= 50
