"""Slack hears the answer at once, however slowly its Web API answers, and whatever fails
afterwards: listeners check, ack, then work (handlers/listening.py)."""

import logging

from sqlmodel import select

from bot.emulator import User
from handlers.breakout_blocks import ANSWER, CLOSE, COMMIT, COMMIT_VIEW
from handlers.commitment_blocks import DONE, SNOOZE_DAY, UPDATE
from handlers.listening import SORRY, TOO_SLOW
from handlers.results import HELPFUL, MORE
from storage.models import BreakoutRound, Commitment, CommitmentOwner, Entry

SLACK_ON_A_BAD_DAY = 0.4  # seconds for every Web API call and response_url post


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def opened(box):
    return box.emulator.calls_to("views.open", ok=True)[-1].result["view"]


def owners_of(values_owner_ids, action="Book the venue"):
    return {
        "owners": {"owners": {"type": "multi_users_select", "selected_users": values_owner_ids}},
        "action": {"action": {"type": "plain_text_input", "value": action}},
        "due": {"due": {"type": "datepicker", "selected_date": "2026-12-04"}},
    }


def test_with_slack_answering_slowly_every_form_and_button_is_acked_at_once(box, people):
    ws = box.emulator.workspace
    ten = [
        ws.add_user(User(id=f"U0SHELLOFF{n}", name=f"officer{n}", real_name=f"Officer {n}")).id
        for n in range(10)
    ]
    box.emulator.slow(SLACK_ON_A_BAD_DAY)
    acks: dict[str, float] = {}

    def timed(name, reply):
        assert reply.status == 200, name
        acks[name] = reply.seconds
        box.wait(60)
        return reply

    d = box.driver
    # the commitment form, with ten owners: 2N+3 Web API calls, all after the answer
    timed("/partners commit", d.command("commit", user=people.alex, channel=people.general))
    timed("commit form", d.view_submission(opened(box), owners_of(ten), user=people.alex))
    [commitment] = rows(box, Commitment)
    assert len([o for o in rows(box, CommitmentOwner)]) == 10
    dms = [
        c for c in box.emulator.calls_to("chat.postMessage", ok=True) if c.args["channel"] in ten
    ]
    assert len(dms) == 10

    value = str(commitment.id)
    button = {"type": "button", "value": value}
    timed(
        "Snooze", d.block_action({"action_id": SNOOZE_DAY, **button}, user=ten[0], channel=ten[0])
    )
    timed(
        "Update progress",
        d.block_action({"action_id": UPDATE, **button}, user=ten[0], channel=ten[0]),
    )
    update = {
        "note": {"note": {"type": "plain_text_input", "value": "Venue shortlisted"}},
        "due": {"due": {"type": "datepicker", "selected_date": "2026-12-11"}},
        "owners": {"owners": {"type": "multi_users_select", "selected_users": ten[::-1]}},
    }
    timed("update form", d.view_submission(opened(box), update, user=ten[0]))
    assert rows(box, Commitment)[0].progress_note == "Venue shortlisted"
    timed("Done", d.block_action({"action_id": DONE, **button}, user=ten[0], channel=ten[0]))
    assert rows(box, Commitment)[0].status == "done"

    # a breakout: an answer by form, Close, then "Turn into commitments" for ten owners
    timed(
        "/partners breakout",
        d.command('breakout "What gets in the way?"', user=people.alex, channel=people.general),
    )
    round_id = str(rows(box, BreakoutRound)[0].id)
    card = box.emulator.calls_to("chat.postMessage", ok=True)[-1].result["ts"]
    timed(
        "thread reply",
        d.reply_in_thread(
            "Slow procurement", user=people.sam, channel=people.general, thread_ts=card
        ),
    )
    timed(
        "Add answer",
        d.block_action(
            {"action_id": ANSWER, "type": "button", "value": round_id},
            user=people.sam,
            channel=people.general,
        ),
    )
    answer = {"answer": {"answer": {"type": "plain_text_input", "value": "Unclear roles"}}}
    timed("answer form", d.view_submission(opened(box), answer, user=people.sam))
    timed(
        "Close",
        d.block_action(
            {"action_id": CLOSE, "type": "button", "value": round_id},
            user=people.alex,
            channel=people.general,
        ),
    )
    timed(
        "Turn into commitments",
        d.block_action(
            {"action_id": COMMIT, "type": "button", "value": round_id},
            user=people.alex,
            channel=people.general,
        ),
    )
    form = opened(box)
    assert form["callback_id"] == COMMIT_VIEW
    chosen = owners_of(ten, action="")
    chosen["answer"] = {"answer": {"type": "static_select", "selected_option": {"value": "0"}}}
    timed("turn-into form", d.view_submission(form, chosen, user=people.alex))
    assert len(rows(box, Commitment)) == 2

    # the knowledge base
    timed(
        "/partners lesson",
        d.command(
            "lesson Supplier days won contractors over", user=people.sam, channel=people.general
        ),
    )
    timed("/partners ask", d.command("ask supplier days", user=people.sam, channel=people.general))
    entry = next(e for e in rows(box, Entry) if e.kind == "lesson")
    timed(
        "Helpful",
        d.block_action(
            {"action_id": HELPFUL, "type": "button", "value": str(entry.id)},
            user=people.alex,
            channel=people.general,
        ),
    )
    timed(
        "More",
        d.block_action(
            {"action_id": MORE, "type": "button", "value": '{"q": "partnership", "o": 5}'},
            user=people.alex,
            channel=people.general,
        ),
    )
    timed("/partners help", d.command("help", user=people.sam, channel=people.general))

    slow = {name: round(s, 2) for name, s in acks.items() if s >= 1.0}
    assert slow == {}, f"acked after a second: {slow}"


def test_a_button_whose_work_fails_after_the_ack_still_answers_200_and_says_sorry(
    box, people, caplog
):
    from sqlalchemy import text

    box.driver.command(
        "commit @sam Share the map by 11 Dec", user=people.alex, channel=people.general
    )
    box.wait()
    [commitment] = rows(box, Commitment)
    with box.bot.engine.begin() as connection:
        connection.execute(text("DROP TABLE audit_entry"))  # closing it will fail
    with caplog.at_level(logging.ERROR):
        reply = box.driver.block_action(
            {"action_id": DONE, "type": "button", "value": str(commitment.id)},
            user=people.sam,
            channel=people.general,
        )
        box.wait()
    assert reply.status == 200 and reply.seconds < 1
    assert box.emulator.calls_to("response_url")[-1].args["text"] == SORRY
    assert any(r.message == "listener failed after the ack" for r in caplog.records)


def test_an_expired_trigger_gets_a_plain_try_again_and_no_traceback(box, people, caplog):
    box.emulator.fail("views.open", "expired_trigger_id")
    with caplog.at_level(logging.INFO):
        reply = box.driver.command("lesson", user=people.sam, channel=people.general)
        box.wait()
    assert reply.status == 200
    assert box.emulator.calls_to("response_url")[-1].args["text"] == TOO_SLOW
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.message == "trigger expired before a form opened" for r in caplog.records)


def test_listener_checks_never_take_the_web_api(box):
    """A check runs before Slack gets its answer: it may read the payload and the database,
    never call Slack, so it is never given a client, respond() or say()."""
    listeners = box.bot.app._listeners  # noqa: SLF001 (read-only look at what was registered)
    offenders = []
    for listener in listeners:
        names = set(listener.arg_names)
        if names & {"client", "respond", "say"}:
            offenders.append(listener.ack_function.__name__)
        if not listener.lazy_functions:
            offenders.append(f"{listener.ack_function.__name__} has no work after the ack")
    assert listeners and offenders == []
