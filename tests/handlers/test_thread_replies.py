"""Replies in a breakout question's thread, in the shapes Slack sends them: broadcast to the
channel, with a file, edited, deleted, and from bots (never counted)."""

import time

from sqlmodel import select

from handlers.breakout_blocks import CLOSE
from storage.models import BreakoutAnswer, BreakoutRound


def answers(box):
    with box.bot.services.sessions() as session:
        return sorted((a.author_id, a.text) for a in session.exec(select(BreakoutAnswer)))


def start(box, people):
    box.driver.command('breakout "What gets in the way?"', user=people.alex, channel=people.general)
    box.wait()
    return box.emulator.calls_to("chat.postMessage", ok=True)[-1].result["ts"]


def reply(box, people, card, subtype, text, user=None, **extra):
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "subtype": subtype,
        "user": user or people.sam,
        "channel": people.general,
        "channel_type": "channel",
        "ts": ts,
        "thread_ts": card,
        "text": text,
        **extra,
    }
    sent = box.driver.event({k: v for k, v in event.items() if v is not None})
    box.wait()
    assert sent.status == 200
    return ts


def test_a_reply_also_sent_to_the_channel_and_a_reply_with_a_file_are_answers(box, people):
    card = start(box, people)
    reply(box, people, card, "thread_broadcast", "Slow procurement", root={"ts": card})
    reply(
        box,
        people,
        card,
        "file_share",
        "Our risk log shows it",
        user=people.alex,
        files=[{"id": "F0RISKLOG", "name": "risk-log.xlsx"}],
        upload=False,
    )
    assert answers(box) == [
        (people.alex, "Our risk log shows it"),
        (people.sam, "Slow procurement"),
    ]


def test_an_edited_reply_updates_its_answer_and_a_deleted_one_leaves_the_themes(box, people):
    card = start(box, people)
    first = reply(box, people, card, None, "Slow procurment")
    gone = reply(box, people, card, None, "Unclear roles", user=people.alex)
    original = {"type": "message", "user": people.sam, "ts": first, "thread_ts": card}
    box.driver.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": people.general,
            "ts": f"{time.time():.6f}",
            "message": {**original, "text": "Slow procurement", "edited": {"user": people.sam}},
            "previous_message": {**original, "text": "Slow procurment"},
        }
    )
    box.driver.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": people.general,
            "ts": f"{time.time():.6f}",
            "deleted_ts": gone,
            "previous_message": {
                "type": "message",
                "user": people.alex,
                "ts": gone,
                "thread_ts": card,
                "text": "Unclear roles",
            },
        }
    )
    box.wait()
    assert answers(box) == [(people.sam, "Slow procurement")]
    with box.bot.services.sessions() as session:
        round_id = session.exec(select(BreakoutRound)).one().id
    box.driver.block_action(
        {"action_id": CLOSE, "type": "button", "value": str(round_id)},
        user=people.alex,
        channel=people.general,
    )
    box.wait()
    summary = str(box.emulator.calls_to("chat.postMessage", ok=True)[-1].args)
    assert "Slow procurement" in summary and "Unclear roles" not in summary


def test_bots_never_count(box, people):
    card = start(box, people)
    reply(
        box, people, card, "bot_message", "Automated status: all green", user=None, bot_id="B0OTHER"
    )
    reply(box, people, card, None, "I am an app with a user", bot_id="B0OTHER")
    assert answers(box) == []
