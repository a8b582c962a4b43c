"""Questions nobody could answer, end to end through signed requests: sent to the facilitators
(or the council's questions channel), answered from a button as a briefing note or lesson, the
asker told by DM, App Home showing what is open and what was answered, and the same question
asked again finding the answer."""

import pytest
from sqlmodel import Session, select

from bot.sandbox import Sandbox
from bot.settings import Settings
from handlers.question_flow import ANSWER, ANSWER_VIEW
from handlers.results import WANTED
from storage.models import Entry, LessonWanted
from tests.conftest import assert_messages_are_safe

SAM, PRIYA, JO, ALEX = "U0SHELLSAM", "U0SHELLPRIYA", "U0SHELLJO", "U0SHELLALEX"
GENERAL, RETROFIT, BOARD = "C0SHELLGENERAL", "C0SHELLRETROFIT", "C0SHELLLSPBOARD"
QUESTION = "hackathon frobnicators"


def sandbox(database_url: str, **settings: str) -> Sandbox:
    return Sandbox(Settings(_env_file=None, database_url=database_url, **settings))


@pytest.fixture
def qbox(database_url):
    with sandbox(database_url, partnerbot_facilitators=PRIYA) as box:
        yield box
        assert_messages_are_safe(box)


def rows(box, model):
    with Session(box.bot.engine) as session:
        return list(session.exec(select(model)))


def ask_the_facilitators(box, user=SAM, channel=GENERAL, question=QUESTION):
    box.driver.command(f"ask {question}", user=user, channel=channel)
    box.wait()
    nothing = [c for c in box.emulator.calls_to("response_url") if WANTED in str(c.args)][-1]
    button = nothing.args["blocks"][1]["elements"][0]
    assert button["text"]["text"] == "Ask the facilitators"
    box.driver.block_action(
        {"action_id": WANTED, "type": "button", "value": button["value"]},
        user=user,
        channel=channel,
    )
    box.wait()
    return box.emulator.calls_to("response_url")[-1].args["text"]


def question_posts(box):
    return [c for c in box.emulator.calls_to("chat.postMessage", ok=True) if ANSWER in str(c.args)]


def press_answer(box, post, user):
    button = post.args["blocks"][1]["elements"][0]
    reply = box.driver.block_action(
        {"action_id": ANSWER, "type": "button", "value": button["value"]},
        user=user,
        channel=post.result["channel"],
        message={"ts": post.result["ts"], "text": post.args["text"]},
    )
    box.wait()
    return reply


def answer_form(box):
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    assert view["callback_id"] == ANSWER_VIEW
    return view


def submit(box, view, user, *, body, title="How to run a partnership hackathon", kind="brief"):
    values = {
        "kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": kind}}},
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "body": {"body": {"type": "plain_text_input", "value": body}},
        "tags": {"tags": {"type": "plain_text_input", "value": "#hackathon #engagement"}},
    }
    reply = box.driver.view_submission(view, values, user=user)
    box.wait()
    return reply


def home_of(box, user):
    box.driver.event({"type": "app_home_opened", "user": user, "tab": "home"})
    box.wait()
    return str(box.emulator.calls_to("views.publish", ok=True)[-1].args["view"]["blocks"])


def test_a_question_goes_to_the_facilitator_who_answers_and_the_asker_hears(qbox):
    told = ask_the_facilitators(qbox)
    assert "Sent “hackathon frobnicators” to the facilitator" in told
    [post] = question_posts(qbox)
    assert post.args["channel"] == PRIYA and QUESTION in post.args["text"]
    [question] = rows(qbox, LessonWanted)
    assert question.sent_at is not None and question.answered_at is None

    assert "Questions waiting for an answer" in home_of(qbox, PRIYA)
    assert "waiting for an answer" in home_of(qbox, SAM)

    press_answer(qbox, post, PRIYA)
    form = answer_form(qbox)
    assert QUESTION in str(form["blocks"][0])
    reply = submit(qbox, form, PRIYA, body="Book a hall, invite suppliers, set one challenge.")
    assert reply.status == 200 and reply.json()["response_action"] == "update"

    [answer] = [e for e in rows(qbox, Entry) if e.kind != "library"]
    assert (answer.kind, answer.author_id, answer.title) == (
        "brief",
        PRIYA,
        "How to run a partnership hackathon",
    )
    assert answer.tags == "hackathon engagement" and not answer.private
    [question] = rows(qbox, LessonWanted)
    assert (question.answered_by, question.answer_id) == (PRIYA, answer.id)
    # both Home tabs follow at once, without being opened again
    homes = {c.args["user_id"]: c.args["view"] for c in qbox.emulator.calls_to("views.publish")}
    assert "How to run a partnership hackathon" in str(homes[SAM]["blocks"])
    assert "How to run a partnership hackathon" in str(homes[PRIYA]["blocks"])

    to_sam = [c for c in qbox.emulator.calls_to("chat.postMessage") if c.args["channel"] == SAM]
    assert "Book a hall" in str(to_sam[-1].args["blocks"])
    assert "answered your question" in to_sam[-1].args["text"]
    [updated] = qbox.emulator.calls_to("chat.update", ok=True)
    assert updated.args["ts"] == post.result["ts"] and "answered" in updated.args["text"]
    assert "Answered" in str(qbox.emulator.calls_to("views.update", ok=True)[-1].args["view"])

    # the same question, asked again, finds the answer
    qbox.driver.command(f"ask {QUESTION}", user=JO, channel=RETROFIT)
    qbox.wait()
    assert (
        "How to run a partnership hackathon"
        in qbox.emulator.calls_to("response_url")[-1].args["text"]
    )
    assert "answered with *How to run a partnership hackathon*" in home_of(qbox, SAM)
    assert "Questions waiting for an answer" not in home_of(qbox, PRIYA)


def test_only_facilitators_and_admins_answer(qbox):
    ask_the_facilitators(qbox)
    [post] = question_posts(qbox)
    press_answer(qbox, post, JO)
    assert "Only the workspace's facilitators and admins" in str(
        qbox.emulator.calls_to("response_url")[-1].args
    )
    assert qbox.emulator.calls_to("views.open") == []
    press_answer(qbox, post, ALEX)  # a workspace admin may
    assert answer_form(qbox)


def test_two_answers_at_once_save_one(qbox):
    ask_the_facilitators(qbox)
    [post] = question_posts(qbox)
    press_answer(qbox, post, PRIYA)
    first = answer_form(qbox)
    press_answer(qbox, post, ALEX)
    second = answer_form(qbox)
    submit(qbox, first, PRIYA, body="Priya's answer.")
    submit(qbox, second, ALEX, body="Alex's answer.", title="Another answer")
    assert [e.title for e in rows(qbox, Entry) if e.kind != "library"] == [
        "How to run a partnership hackathon"
    ]
    assert "answered this question first" in str(
        qbox.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    )
    to_sam = [c for c in qbox.emulator.calls_to("chat.postMessage") if c.args["channel"] == SAM]
    assert len(to_sam) == 1


def test_bad_answers_are_refused_and_change_nothing(qbox):
    ask_the_facilitators(qbox)
    [post] = question_posts(qbox)
    press_answer(qbox, post, PRIYA)
    form = answer_form(qbox)
    reply = submit(qbox, form, PRIYA, body="   ")
    assert reply.json()["response_action"] == "errors" and "body" in reply.json()["errors"]
    reply = submit(qbox, form, PRIYA, body="x" * 10, title="")
    assert reply.json()["response_action"] == "errors"
    forged = {**form, "private_metadata": '{"q": 999999}'}
    submit(qbox, forged, PRIYA, body="An answer to nothing.")
    assert "no longer exists" in str(qbox.emulator.calls_to("views.update", ok=True)[-1].args)
    box_reply = qbox.driver.block_action(
        {"action_id": ANSWER, "type": "button", "value": "not-a-number"},
        user=PRIYA,
        channel=GENERAL,
    )
    qbox.wait()
    assert box_reply.status == 200
    assert [e for e in rows(qbox, Entry) if e.kind != "library"] == []
    assert all(q.answered_at is None for q in rows(qbox, LessonWanted))


def test_a_payload_naming_another_workspaces_question_is_refused(qbox):
    from datetime import UTC, datetime

    with Session(qbox.bot.engine) as session:
        theirs = LessonWanted(
            team_id="T0OTHER",
            question="their secret",
            asked_by="U0OTHERSAM",
            created_at=datetime.now(UTC),
        )
        session.add(theirs)
        session.commit()
        their_id = theirs.id
    qbox.driver.block_action(
        {"action_id": ANSWER, "type": "button", "value": str(their_id)}, user=PRIYA, channel=GENERAL
    )
    qbox.wait()
    assert "no longer exists" in qbox.emulator.calls_to("response_url")[-1].args["text"]
    assert qbox.emulator.calls_to("views.open") == []
    ask_the_facilitators(qbox)
    [post] = question_posts(qbox)
    press_answer(qbox, post, PRIYA)
    forged = {**answer_form(qbox), "private_metadata": f'{{"q": {their_id}}}'}
    submit(qbox, forged, PRIYA, body="Answering another council's question.")
    assert [e for e in rows(qbox, Entry) if e.kind != "library"] == []
    assert all(q.answered_at is None for q in rows(qbox, LessonWanted))


def test_a_facilitator_who_has_left_does_not_stop_the_others(database_url):
    with sandbox(database_url, partnerbot_facilitators=f"{PRIYA},U0SHELLGONE") as box:
        assert "Sent" in ask_the_facilitators(box)
        assert [p.args["channel"] for p in question_posts(box)] == [PRIYA]


def test_the_councils_questions_channel_takes_them_but_never_a_private_one(database_url):
    with sandbox(
        database_url, partnerbot_facilitators=PRIYA, partnerbot_questions_channel=RETROFIT
    ) as box:
        told = ask_the_facilitators(box)
        assert f"<#{RETROFIT}>" in told
        ask_the_facilitators(box, channel=BOARD, question="zzqx boardroom secret")
        posts = question_posts(box)
        assert [p.args["channel"] for p in posts] == [RETROFIT, PRIYA]
        assert "private channel" in posts[1].args["text"]
        press_answer(box, posts[1], PRIYA)
        submit(box, answer_form(box), PRIYA, body="Only for the board.", title="Board answer")
        [answer] = [e for e in rows(box, Entry) if e.kind != "library"]
        assert answer.private and answer.channel_id == BOARD  # found only where it was asked
        assert_messages_are_safe(box)


def test_without_facilitators_the_question_waits_on_app_home_for_admins(database_url):
    with sandbox(database_url) as box:
        told = ask_the_facilitators(box)
        assert "No facilitators are set up" in told and question_posts(box) == []
        home = home_of(box, ALEX)
        assert QUESTION in home and ANSWER in home  # an admin gets the Answer button
        assert ANSWER not in home_of(box, JO)
        assert_messages_are_safe(box)


def test_with_slack_answering_slowly_answering_is_acked_at_once(qbox):
    ask_the_facilitators(qbox)
    [post] = question_posts(qbox)
    qbox.emulator.slow(0.4)
    reply = press_answer(qbox, post, PRIYA)
    assert reply.status == 200 and reply.seconds < 1.0
    reply = submit(qbox, answer_form(qbox), PRIYA, body="Book a hall.")
    assert reply.status == 200 and reply.seconds < 1.0
    assert [e.title for e in rows(qbox, Entry) if e.kind != "library"] == [
        "How to run a partnership hackathon"
    ]
