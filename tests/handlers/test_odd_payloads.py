"""Payloads Slack really sends that went wrong: uninstall events in a single-workspace install,
a button in a modal (no response_url), the lesson's callback as a global shortcut, a signed view
with no type, a typed link whose label hides where it goes, and an event Slack must resend
because the database could not be reached when it came."""

import json
import re

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from handlers.commitment_blocks import DONE
from handlers.lessons import SAVE_AS_LESSON
from storage.installations import Workspace
from storage.models import Commitment, Entry
from tests.handlers.register_kit import opened_form, run

HIDDEN = re.compile(r"<(https?://[^|<>]+)\|")  # a link whose label hides its address


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def test_uninstall_events_in_a_single_workspace_install_are_answered_and_noted(box, people):
    other_bot = box.driver.event(
        {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"], "bot": ["U0OTHERBOT"]}}
    )
    box.wait()
    assert other_bot.status == 200 and rows(box, Workspace) == []  # not our token: nothing
    ours = box.driver.event({"type": "tokens_revoked", "tokens": {"bot": ["U0PARTNERBOT"]}})
    box.wait()
    assert ours.status == 200
    [gone] = rows(box, Workspace)
    assert gone.team_id == people.team and gone.uninstalled_at is not None
    removed = box.driver.event({"type": "app_uninstalled"})
    box.wait()
    assert removed.status == 200


def test_a_button_in_a_modal_is_answered_by_dm_not_by_an_error(box, people):
    run(box, "commit @sam Share the supply-chain map by 30 Dec", people.alex, people.retrofit)
    [commitment] = rows(box, Commitment)
    view = {"id": "V0MODAL", "type": "modal", "callback_id": "some_form", "blocks": []}
    reply = box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": str(commitment.id)},
        user=people.sam,
        view=view,
    )
    box.wait()
    assert reply.status == 200
    assert rows(box, Commitment)[0].status == "done"
    to_sam = [
        c.args["text"]
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] in (people.sam, "D" + people.sam[1:])
    ]
    assert to_sam and not any("Sorry" in t for t in to_sam)


def test_the_lessons_callback_as_a_global_shortcut_opens_the_empty_form(box, people):
    reply = box.driver.global_shortcut(SAVE_AS_LESSON, user=people.alex)
    box.wait()
    assert reply.status == 200
    form = opened_form(box)
    assert form["callback_id"] == "entry_form"
    title = next(b for b in form["blocks"] if b.get("block_id") == "title")
    assert not title["element"].get("initial_value")
    assert "Sorry" not in json.dumps([c.args for c in box.emulator.calls])


def test_a_signed_view_with_no_type_gets_400_and_changes_nothing(box, people):
    run(box, "lesson", people.alex, people.general)
    form = opened_form(box)
    broken = {k: v for k, v in form.items() if k != "type"}
    values = {"title": {"title": {"type": "plain_text_input", "value": "Should not save"}}}
    reply = box.driver.view_submission(broken, values, user=people.alex)
    assert reply.status == 400 and "no type" in reply.body
    no_actions = box.driver.post(
        "payload=" + json.dumps({"type": "block_actions", "actions": "none"}),
        "application/x-www-form-urlencoded",
    )
    assert no_actions.status == 400
    assert [e for e in rows(box, Entry) if e.title == "Should not save"] == []


def test_a_typed_link_shows_where_it_goes(box, people):
    run(
        box,
        "lesson Read <https://evil.example/login|the council's guidance> before signing",
        people.sam,
        people.general,
    )
    run(box, "ask guidance signing", people.sam, people.general)
    box.driver.mention("guidance signing", user=people.sam, channel=people.general)
    box.wait()
    box.driver.event({"type": "app_home_opened", "user": people.sam, "tab": "home"})
    box.wait()
    sent = json.dumps([c.args for c in box.emulator.calls])  # messages and views alike
    assert "evil.example" in sent
    assert HIDDEN.findall(sent) == []


def test_an_event_that_came_while_the_database_was_down_is_answered_when_slack_resends(box, people):
    run(box, "lesson Joint site visits built trust with contractors", people.sam, people.general)
    down = {"now": True}

    def refuse(*_args):
        if down["now"]:
            raise OperationalError("INSERT …", None, ConnectionError("the database is down"))

    box.emulator.workspace.post_as(
        people.sam, people.general, "<@U0PARTNERBOT> joint site visits", "1700000000.000900"
    )
    event.listen(box.bot.engine, "before_cursor_execute", refuse)
    try:
        mention = {
            "type": "app_mention",
            "user": people.sam,
            "channel": people.general,
            "ts": "1700000000.000900",
            "text": "<@U0PARTNERBOT> joint site visits",
        }
        first = box.driver.event(mention, event_id="Ev0DOWN")
        box.wait()
        assert first.status == 503  # so Slack sends it again
        down["now"] = False
        again = box.driver.event(mention, event_id="Ev0DOWN", retry_num=1)
        box.wait()
        third = box.driver.event(mention, event_id="Ev0DOWN", retry_num=2)
        box.wait()
    finally:
        event.remove(box.bot.engine, "before_cursor_execute", refuse)
    assert (again.status, third.status) == (200, 200)
    answers = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args.get("thread_ts") == "1700000000.000900"
    ]
    assert len(answers) == 1 and "Joint site visits" in json.dumps(answers[0].args)
