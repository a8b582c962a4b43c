"""Nothing the bot owes is lost: with Slack answering chat.postMessage with 429 (Retry-After)
for 30 seconds, every commitment's announcement and DM, every note in a thread and every
answer to a mention is owed in the outbox and arrives afterwards, exactly once, in its place;
what can never be delivered is shown to its author on their App Home."""

import json
import time
from collections import Counter

from sqlmodel import select

from handlers.commitment_blocks import DONE
from handlers.outbox import OUTBOX_EVENT
from handlers.outbox_drain import deliver_owed
from storage.models import Commitment
from storage.outbox import FAILED, SENT, OutboxMessage
from tests.handlers.register_kit import run

RETRY_AFTER = 2  # seconds: the test waits it out for real (the database's clock keeps it)


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def posted(box):
    """Messages Slack took, by the outbox row each carries in its metadata."""
    return Counter(
        c.args["metadata"]["event_payload"]["outbox"]
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if (c.args.get("metadata") or {}).get("event_type") == OUTBOX_EVENT
    )


def thirty_seconds_later(box):
    """Slack's rate limit is over (the emulator's clock moves on), and Retry-After has passed
    (the database's clock, which nobody moves: the test waits it out)."""
    real = box.emulator.clock
    box.emulator.clock = lambda: real() + 31
    time.sleep(RETRY_AFTER + 0.3)


def test_a_30_second_rate_limit_loses_no_announcement_dm_note_or_answer(box, people):
    run(box, "lesson Joint site visits built trust with contractors", people.sam, people.general)
    box.emulator.rate_limit_for("chat.postMessage", seconds=30, retry_after=RETRY_AFTER)
    for n in range(10):
        said = run(box, f"commit @sam Share map {n} by 30 Dec", people.alex, people.retrofit)
        assert said.args["text"].startswith("Recorded.")
    for n in range(10):
        box.driver.mention(f"joint site visits {n}", user=people.priya(box), channel=people.general)
        box.wait()
    first = min(rows(box, Commitment), key=lambda c: c.id)
    done = box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": str(first.id)},
        user=people.sam,
        channel="D" + people.sam[1:],
    )
    box.wait()
    assert done.status == 200
    assert posted(box) == Counter()  # nothing got through
    limited = box.emulator.calls_to("chat.postMessage", ok=False)
    owed = [r for r in rows(box, OutboxMessage) if r.status == "pending"]
    # announcements, DMs to Sam, answers, the note in a thread, the DM telling Alex it is done
    assert len(owed) == 10 + 10 + 10 + 1 + 1
    # after the first 429 this process waits as Slack asked, rather than trying each one
    assert len(limited) < len(owed)
    thirty_seconds_later(box)
    lines = deliver_owed(box.bot.services, box.bot.app.client, box.bot.services.clock())
    box.wait()
    assert len(lines) == 32
    assert set(posted(box).values()) == {1}  # each exactly once
    assert {r.status for r in rows(box, OutboxMessage)} == {SENT}
    assert deliver_owed(box.bot.services, box.bot.app.client, box.bot.services.clock()) == []
    # in their places: the announcements became the commitments' threads, the note went in
    # the first one's, the answers under each question, the DMs to Sam
    commitments = sorted(rows(box, Commitment), key=lambda c: c.id)
    assert all(c.thread_ts for c in commitments)
    took = box.emulator.calls_to("chat.postMessage", ok=True)
    [note] = [c for c in took if "✅ Done" in c.args["text"]]
    assert note.args["thread_ts"] == commitments[0].thread_ts
    answers = [c for c in took if "Joint site visits" in json.dumps(c.args.get("blocks"))]
    assert len(answers) == 10 and all(c.args.get("thread_ts") for c in answers)
    to = Counter(c.args["channel"] for c in took if c.args["channel"] in (people.sam, people.alex))
    assert to == {people.sam: 10, people.alex: 1}


def test_what_can_never_be_delivered_is_shown_to_its_author(box, people):
    box.emulator.rate_limit_for("chat.postMessage", seconds=30, retry_after=RETRY_AFTER)
    run(box, "commit @sam Book the venue by 30 Dec", people.alex, people.retrofit)
    thirty_seconds_later(box)
    box.emulator.fail("chat.postMessage", "is_archived", times=5)  # the channel was archived
    deliver_owed(box.bot.services, box.bot.app.client, box.bot.services.clock())
    box.wait()
    failed = [r for r in rows(box, OutboxMessage) if r.status == FAILED]
    assert failed and all(r.author_id == people.alex for r in failed)
    box.driver.event({"type": "app_home_opened", "user": people.alex, "tab": "home"})
    box.wait()
    home = json.dumps(box.emulator.workspace.home[people.alex], ensure_ascii=False)
    assert "Messages I couldn't deliver for you" in home and "is_archived" in home
    assert "the announcement of “Book the venue”" in home
