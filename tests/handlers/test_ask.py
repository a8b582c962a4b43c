"""`/partners ask`, `@partnerbot`, and every button on an answer, through the real Bolt path."""

import json

import pytest
from sqlmodel import select

from bot.sandbox import Sandbox
from handlers.results import DELETE, HELPFUL, MENU, MORE, SHARE, UNHELPFUL, WANTED
from storage.models import AuditEntry, Entry, LessonWanted, Vote


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def run(box, text, user, channel, **kw):
    reply = box.driver.command(text, user=user, channel=channel, **kw)
    box.wait()
    assert reply.status == 200 and reply.seconds < 3
    return box.emulator.calls_to("response_url")[-1]


def buttons(call, action_id):
    found = []
    for block in call.args.get("blocks") or []:
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                found.append(element)
    return found


def press(box, element, user, channel, value=None, **kw):
    action = {"action_id": element["action_id"], "type": element["type"], "block_id": "b"}
    if element["type"] == "overflow":
        action["selected_option"] = {"value": value}
    else:
        action["value"] = value if value is not None else element.get("value", "")
    reply = box.driver.block_action(action, user=user, channel=channel, **kw)
    box.wait()
    assert reply.status == 200
    return box.emulator.calls_to("response_url")[-1]


def lessons(box, people):
    run(box, "lesson Supplier days won contractors over. #retrofit", people.sam, people.retrofit)
    run(
        box,
        "brief Contractors must be TrustMark registered from April #retrofit",
        people.alex,
        people.general,
    )


def test_answers_show_title_kind_snippet_author_and_buttons(box, people):
    lessons(box, people)
    call = run(box, "ask retorfit contractors", people.priya(box), people.general)
    blocks = call.args["blocks"]
    shown = json.dumps(blocks)
    assert "*Supplier days won contractors over*" in shown and "Lesson learnt" in shown
    assert f"by <@{people.sam}>" in shown and "*contractors*" in shown
    assert buttons(call, SHARE) and buttons(call, HELPFUL) and buttons(call, UNHELPFUL)
    assert not buttons(call, MENU)  # priya wrote none of them and is not an admin
    assert call.args["response_type"] == "ephemeral" and call.args["text"]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("", "What would you like to find?"),
        ("x" * 5000, "keep it under 300"),
        ("?!?! 🙂🙂", "couldn't find any words"),
        ("colour:red trust", "I don't know the filter `colour:`"),
        ("partnership:nonesuch trust", "no partnership called “nonesuch”"),
        ("partnership: trust", "`partnership:` needs a name"),
    ],
)
def test_bad_questions_get_a_clear_message_and_change_nothing(box, people, query, said):
    call = run(box, f"ask {query}", people.sam, people.general)
    assert call.ok and said in call.args["text"]
    assert rows(box, LessonWanted) == [] and rows(box, Vote) == []


def test_sql_looking_text_is_searched_safely(box, people):
    call = run(box, "ask '; DROP TABLE entry; --", people.sam, people.general)
    assert call.ok and rows(box, Entry)  # the library is still there


def test_filters_and_more_results(box, people):
    for n in range(7):
        run(
            box,
            f"lesson Contractor lesson {n} about supply chains #retrofit",
            people.sam,
            people.retrofit,
        )
    call = run(box, "ask kind:lesson #retrofit contractor", people.sam, people.general)
    assert "Answers 1–5 of 7" in call.args["blocks"][0]["text"]["text"]
    [more] = buttons(call, MORE)
    page = press(box, more, people.sam, people.general)
    assert page.args["replace_original"] is True
    assert "Answers 6–7 of 7" in page.args["blocks"][0]["text"]["text"] and not buttons(page, MORE)
    mine = run(box, "ask from:@sam kind:brief contractor", people.sam, people.general)
    assert "Nothing good found" in mine.args["text"]


def test_share_posts_the_answer_in_the_channel(box, people):
    lessons(box, people)
    call = run(box, "ask supplier days", people.priya(box), people.general)
    shared = press(box, buttons(call, SHARE)[0], people.priya(box), people.general)
    assert shared.args["response_type"] == "in_channel"
    assert "shared by <@" in json.dumps(shared.args["blocks"]) and not buttons(shared, HELPFUL)


def test_votes_are_stored_and_shown_only_to_the_author(box, people):
    lessons(box, people)
    call = run(box, "ask supplier days", people.priya(box), people.general)
    press(box, buttons(call, HELPFUL)[0], people.priya(box), people.general)
    [vote] = rows(box, Vote)
    assert vote.helpful and vote.user_id == people.priya(box)
    assert "👍" not in json.dumps(call.args["blocks"])
    authors_view = run(box, "ask supplier days", people.sam, people.general)
    shown = json.dumps(authors_view.args["blocks"], ensure_ascii=False)
    assert "👍 1  👎 0 (only you see this)" in shown


def test_only_the_author_or_an_admin_may_edit_or_delete(box, people):
    lessons(box, people)
    sams = run(box, "ask supplier days", people.sam, people.general)
    [menu] = buttons(sams, MENU)
    entry_id = [e.id for e in rows(box, Entry) if e.kind == "lesson"][0]
    # priya forges the overflow choice on sam's lesson
    refused = press(box, menu, people.priya(box), people.general, value=f"delete:{entry_id}")
    assert "Only the author" in refused.args["text"]
    # sam edits it: the form opens filled in, and saving changes it
    press(box, menu, people.sam, people.general, value=f"edit:{entry_id}")
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Supplier days won contractors over"
    box.driver.view_submission(
        view,
        {
            "title": {"title": {"type": "plain_text_input", "value": "Supplier breakfasts"}},
            "body": {"body": {"type": "plain_text_input", "value": "They work."}},
        },
        user=people.sam,
    )
    box.wait()
    assert [e.title for e in rows(box, Entry) if e.id == entry_id] == ["Supplier breakfasts"]
    # alex, a workspace admin, deletes it after confirming
    confirm = press(box, menu, people.alex, people.general, value=f"delete:{entry_id}")
    done = press(box, buttons(confirm, DELETE)[0], people.alex, people.general)
    assert "Deleted" in done.args["text"]
    assert (
        "Nothing good found"
        in run(box, "ask supplier breakfasts", people.sam, people.general).args["text"]
    )
    audit = sorted(rows(box, AuditEntry), key=lambda a: a.id)  # PostgreSQL keeps no order
    assert [a.action for a in audit if a.entity_id == str(entry_id)] == [
        "create",
        "edit",
        "delete",
    ]


def test_a_facilitator_in_settings_may_edit_anyones_entry(settings):
    facilitated = settings.model_copy(
        update={"partnerbot_facilitators": frozenset({"U0SHELLPRIYA"})}
    )
    with Sandbox(facilitated) as box:
        ws = box.emulator.workspace
        sam, general = ws.user_named("sam").id, ws.channel_named("general").id
        box.driver.command("lesson Supplier days won contractors over", user=sam, channel=general)
        box.wait()
        box.driver.command("ask supplier days", user="U0SHELLPRIYA", channel=general)
        box.wait()
        assert buttons(box.emulator.calls_to("response_url")[-1], MENU)


def test_private_channel_entries_are_found_only_there_and_buttons_cannot_reach_them(box, people):
    run(box, "lesson The chair resigned after the budget row", people.sam, people.board)
    assert (
        "The chair resigned"
        in run(box, "ask chair resigned", people.sam, people.board).args["text"]
    )
    elsewhere = run(box, "ask chair resigned", people.sam, people.general)
    assert "Nothing good found" in elsewhere.args["text"]
    entry_id = next(e.id for e in rows(box, Entry) if e.kind == "lesson")
    forged = press(
        box, {"action_id": SHARE, "type": "button"}, people.sam, people.general, value=str(entry_id)
    )
    assert "isn't available here" in forged.args["text"]
    assert forged.args["response_type"] == "ephemeral"


def test_another_workspace_sees_none_of_it_and_cannot_vote_on_it(box, people):
    from knowledge.entries import LESSON, Draft, save_entry

    with box.bot.services.sessions() as session:
        theirs = save_entry(
            session,
            team_id="T0ELSEWHERE",
            draft=Draft(kind=LESSON, title="Supplier days won contractors over", body="x"),
            author_id="UOTHER",
            channel_id=None,
            now=box.bot.services.clock(),
        )
    call = run(box, "ask supplier days", people.sam, people.general)
    assert "Supplier days" not in str(call.args)
    # a correctly signed button from this workspace, naming the other workspace's entry
    box.driver.block_action(
        {"action_id": HELPFUL, "type": "button", "value": str(theirs.id)},
        user=people.sam,
        channel=people.general,
    )
    box.wait()
    assert "isn't available here" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert rows(box, Vote) == []


def test_nothing_found_suggests_words_and_offers_to_ask_for_a_lesson(box, people):
    call = run(box, "ask kind:brief goverence frobnicate", people.sam, people.general)
    assert "Nothing good found" in call.args["blocks"][0]["text"]["text"]
    press(box, buttons(call, WANTED)[0], people.sam, people.general)
    [wanted] = rows(box, LessonWanted)
    assert (wanted.question, wanted.asked_by) == ("kind:brief goverence frobnicate", people.sam)
    # a misspelt word is still found, and the answer says how it was read
    found = run(box, "ask goverence frobnicate", people.sam, people.general)
    assert "I also looked for *governance*" in json.dumps(found.args["blocks"])
    assert buttons(found, SHARE)
    # one misspelt word alone, nothing found: did you mean…?
    run(box, "lesson Supplier days won contractors over", people.sam, people.general)
    typo = run(box, "ask kind:lesson suplier", people.sam, people.general)
    assert "Did you mean *supplier*?" in typo.args["blocks"][0]["text"]["text"]


def test_a_mention_is_answered_in_its_thread_with_three_answers(box, people):
    reply = box.driver.mention(
        "what makes a good partnership", user=people.sam, channel=people.general
    )
    box.wait()
    assert reply.status == 200
    [answer] = box.emulator.calls_to("chat.postMessage", ok=True)
    assert answer.args["thread_ts"] and answer.args["channel"] == people.general
    titles = [b for b in answer.args["blocks"] if b["type"] == "section"][1:]
    assert 1 <= len(titles) <= 3
    assert "/partners ask" in json.dumps(answer.args["blocks"]) or len(titles) < 3


def test_a_mention_with_no_question_gets_a_kind_reply(box, people):
    box.driver.mention("", user=people.sam, channel=people.general)
    box.wait()
    [answer] = box.emulator.calls_to("chat.postMessage", ok=True)
    assert "What would you like to find?" in answer.args["text"]
