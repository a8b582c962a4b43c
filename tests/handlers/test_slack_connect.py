"""Slack's edges, as Slack really sends them: a partner from another organisation (Slack
Connect) filing forms, org-wide installs with no team, resubmitted forms and replayed requests."""

import logging

from sqlmodel import select

from handlers.breakout_blocks import ANSWER
from handlers.commitment_blocks import UPDATE
from storage.models import BreakoutAnswer, BreakoutRound, Commitment, Entry

PARTNER_ORG = "T0HOUSINGASSOC"  # the partner's own organisation, not the council's workspace


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def command(box, text, user, channel):
    reply = box.driver.command(text, user=user, channel=channel)
    box.wait()
    assert reply.status == 200
    return reply


def opened(box):
    return box.emulator.calls_to("views.open", ok=True)[-1].result["view"]


def kim(box):
    return box.emulator.workspace.user_named("kim").id  # the Slack Connect partner


def text_input(value):
    return {"type": "plain_text_input", "value": value}


def commitment_values(owners, action="Book the venue", due="2026-12-04"):
    return {
        "owners": {"owners": {"type": "multi_users_select", "selected_users": owners}},
        "action": {"action": text_input(action)},
        "due": {"due": {"type": "datepicker", "selected_date": due}},
    }


def test_a_partners_lesson_form_is_filed_under_the_installing_workspace(box, people):
    command(box, "lesson", people.alex, people.general)
    reply = box.driver.view_submission(
        opened(box),
        {
            "title": {"title": text_input("Joint site visits built trust")},
            "body": {"body": text_input("Go early.")},
        },
        user=kim(box),
        user_team=PARTNER_ORG,
    )
    box.wait()
    assert reply.status == 200
    [lesson] = [e for e in rows(box, Entry) if e.kind == "lesson"]
    assert (lesson.team_id, lesson.author_id) == (people.team, kim(box))
    found = command(box, "ask joint site visits", people.sam, people.general)
    assert found.status == 200
    assert "Joint site visits" in str(box.emulator.calls_to("response_url")[-1].args)


def test_a_partners_commitment_form_is_filed_under_the_installing_workspace(box, people):
    command(box, "commit", people.alex, people.general)
    box.driver.view_submission(
        opened(box), commitment_values([people.sam]), user=kim(box), user_team=PARTNER_ORG
    )
    box.wait()
    [commitment] = rows(box, Commitment)
    assert (commitment.team_id, commitment.created_by) == (people.team, kim(box))
    assert "Recorded" in str(box.emulator.calls_to("views.update", ok=True)[-1].args["view"])


def test_a_partners_breakout_answer_and_progress_update_are_accepted(box, people):
    command(box, 'breakout "What gets in the way?"', people.alex, people.general)
    [round_] = rows(box, BreakoutRound)
    box.driver.block_action(
        {"action_id": ANSWER, "type": "button", "value": str(round_.id)},
        user=kim(box),
        user_team=PARTNER_ORG,
        channel=people.general,
    )
    box.wait()
    reply = box.driver.view_submission(
        opened(box),
        {"answer": {"answer": text_input("Slow procurement")}},
        user=kim(box),
        user_team=PARTNER_ORG,
    )
    box.wait()
    assert reply.status == 200 and reply.body == ""
    [answer] = rows(box, BreakoutAnswer)
    assert (answer.team_id, answer.author_id, answer.text) == (
        people.team,
        kim(box),
        "Slow procurement",
    )

    command(box, f"commit <@{kim(box)}> Share the map by 11 Dec", people.alex, people.general)
    [commitment] = rows(box, Commitment)
    box.driver.block_action(
        {"action_id": UPDATE, "type": "button", "value": str(commitment.id)},
        user=kim(box),
        user_team=PARTNER_ORG,
        channel=people.general,
    )
    box.wait()
    box.driver.view_submission(
        opened(box),
        {
            "note": {"note": text_input("Draft map shared with the board")},
            "due": {"due": {"type": "datepicker", "selected_date": "2026-12-11"}},
            "owners": {"owners": {"type": "multi_users_select", "selected_users": [kim(box)]}},
        },
        user=kim(box),
        user_team=PARTNER_ORG,
    )
    box.wait()
    assert rows(box, Commitment)[0].progress_note == "Draft map shared with the board"


def test_org_wide_payloads_with_a_null_team_resolve_through_bolts_context(box, people, caplog):
    command(box, 'breakout "What gets in the way?"', people.alex, people.general)
    [round_] = rows(box, BreakoutRound)
    with caplog.at_level(logging.INFO, logger="partnerbot.requests"):
        # team is null; Bolt finds the workspace in user.team_id, then view.app_installed_team_id
        pressed = box.driver.block_action(
            {"action_id": ANSWER, "type": "button", "value": str(round_.id)},
            user=people.sam,
            channel=people.general,
            org_install="E0COUNCILS",
        )
        box.wait()
        submitted = box.driver.view_submission(
            opened(box),
            {"answer": {"answer": text_input("Slow procurement")}},
            user=people.sam,
            org_install="E0COUNCILS",
        )
        box.wait()
        before = box.emulator.next_seq
        # an event that names no workspace at all: ignored with a log line, answered 200
        event = box.driver.event(
            {
                "type": "app_mention",
                "user": people.sam,
                "channel": people.general,
                "ts": "1.2",
                "text": "hi",
            },
            org_install="E0COUNCILS",
        )
        box.wait()
    assert [r.status for r in (pressed, submitted, event)] == [200, 200, 200]
    [answer] = rows(box, BreakoutAnswer)
    assert (answer.team_id, answer.text) == (people.team, "Slow procurement")
    assert box.emulator.since(before) == []
    assert any(r.message == "request for a workspace not served" for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_resubmitted_form_records_once(box, people):
    command(box, "commit", people.alex, people.general)
    view = opened(box)
    for _ in range(2):  # same view id, a fresh trigger: Submit pressed again after a timeout
        box.driver.view_submission(view, commitment_values([people.sam]), user=people.alex)
        box.wait()
    assert len(rows(box, Commitment)) == 1
    dms = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == people.sam
    ]
    assert len(dms) == 1
    assert "recorded already" in str(
        box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    )


def test_a_replayed_signed_request_acts_once(box, people):
    body = box.driver.command_body(
        "lesson Supplier days won contractors over", user=people.sam, channel=people.general
    )
    first = box.driver.post(body, "application/x-www-form-urlencoded")
    again = box.driver.post(body, "application/x-www-form-urlencoded")
    box.wait()
    assert (first.status, again.status) == (200, 200)
    assert len([e for e in rows(box, Entry) if e.kind == "lesson"]) == 1
    assert len(box.emulator.calls_to("response_url")) == 1
