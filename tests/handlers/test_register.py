"""`/partners partnership …` end to end."""

import pytest
from sqlmodel import select

from handlers.register import ADD_VIEW, CHANNEL_BLOCK, CHANNEL_INPUT, NAME_BLOCK, NAME_INPUT
from storage.models import AuditEntry, Partnership


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def responses(box):
    return box.emulator.calls_to("response_url")


def command(box, text, user, channel, **kw):
    reply = box.driver.command(text, user=user, channel=channel, **kw)
    box.wait()
    assert reply.status == 200
    return reply


def test_adding_a_partnership_tells_the_channel_and_stores_it(box, people):
    command(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    [call] = responses(box)
    assert call.args["response_type"] == "in_channel"
    assert f"<@{people.alex}>" in call.args["text"] and "Retrofit Partnership" in call.args["text"]
    [stored] = rows(box, Partnership)
    assert (stored.team_id, stored.name, stored.channel_id, stored.created_by) == (
        people.team,
        "Retrofit Partnership",
        people.retrofit,
        people.alex,
    )
    [audit] = rows(box, AuditEntry)
    assert (audit.action, audit.entity, audit.actor_id) == ("create", "partnership", people.alex)


def test_a_partnership_added_in_a_dm_has_no_channel(box, people):
    command(box, "partnership add Parks Partnership", people.sam, "D" + people.sam[1:])
    assert rows(box, Partnership)[0].channel_id is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "partnership add retrofit partnership",
            "already a partnership called “Retrofit Partnership”",
        ),
        ("partnership add " + "x" * 5000, "keep it to 80 or fewer"),
        ("partnership add @sam's board", "can't contain mentions"),
        ("partnership add ''", "needs a name"),
    ],
)
def test_bad_names_get_a_clear_message_and_change_nothing(box, people, text, said):
    command(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    command(box, text, people.sam, people.general)
    last = responses(box)[-1]
    assert last.ok and last.args["response_type"] == "ephemeral"
    assert said in last.args["text"]
    assert "/partners partnership add Retrofit Partnership" in last.args["text"]  # an example
    assert len(rows(box, Partnership)) == 1 and len(rows(box, AuditEntry)) == 1


def test_the_list_shows_this_workspaces_partnerships_only(box, people):
    command(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    command(box, "partnership add LSP Board", people.alex, people.board)
    command(box, "partnership list", people.sam, people.general)
    listed = responses(box)[-1].args
    assert listed["response_type"] == "ephemeral"
    assert "Partnerships (2)" in str(listed["blocks"])
    assert "*LSP Board* in <#" + people.board in str(listed["blocks"])


def test_a_request_for_a_workspace_not_served_is_ignored_with_a_log_line(box, people, caplog):
    import logging

    command(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    before = box.emulator.next_seq
    other = box.driver.command_body("partnership list", user=people.alex, channel=people.general)
    forged_team = other.replace(f"team_id={people.team}", "team_id=T0ELSEWHERE")
    with caplog.at_level(logging.INFO, logger="partnerbot.requests"):
        reply = box.driver.post(forged_team, "application/x-www-form-urlencoded")
        box.wait()
    assert reply.status == 200 and reply.body == ""
    assert box.emulator.since(before) == []  # nothing answered into the other workspace
    assert any(r.message == "request for a workspace not served" for r in caplog.records)


def test_showing_one_partnership_and_suggesting_a_near_name(box, people):
    command(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    command(box, "partnership RETROFIT partnership", people.sam, people.general)
    card = str(responses(box)[-1].args["blocks"])
    assert "'text': 'Retrofit Partnership'" in card and f"*Channel:* <#{people.retrofit}>" in card
    command(box, "partnership Retrofit Partnrship", people.sam, people.general)  # a typo: sure
    assert responses(box)[-1].args["text"].startswith("Retrofit Partnership: no review date")
    command(box, "partnership retro partners", people.sam, people.general)  # the only near one
    assert responses(box)[-1].args["text"].startswith("Retrofit Partnership: no review date")
    command(box, "partnership add Retrofit Partners Board", people.alex, people.general)
    command(box, "partnership retro partners", people.sam, people.general)  # two near: asks
    assert "Did you mean *Retrofit Partners Board*?" in responses(box)[-1].args["text"]


def test_add_alone_opens_a_form_that_adds_on_submit(box, people):
    command(box, "partnership add", people.sam, people.board)
    [opened] = box.emulator.calls_to("views.open")
    view = opened.result["view"]
    assert view["callback_id"] == ADD_VIEW
    element = view["blocks"][1]["element"]
    assert element["initial_conversation"] == people.board
    reply = box.driver.view_submission(
        view,
        {
            NAME_BLOCK: {NAME_INPUT: {"type": "plain_text_input", "value": "LSP Board"}},
            CHANNEL_BLOCK: {
                CHANNEL_INPUT: {
                    "type": "conversations_select",
                    "selected_conversation": people.board,
                }
            },
        },
        user=people.sam,
    )
    assert reply.status == 200
    assert reply.json()["response_action"] == "update"  # "Adding it…" at once
    box.wait()
    [done] = box.emulator.calls_to("views.update", ok=True)
    assert done.args["view_id"] == view["id"] and "LSP Board" in str(done.args["view"]["blocks"])
    [stored] = rows(box, Partnership)
    assert (stored.name, stored.channel_id, stored.created_by) == (
        "LSP Board",
        people.board,
        people.sam,
    )


def test_the_form_shows_a_duplicate_as_a_field_error_and_saves_nothing(box, people):
    command(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    command(box, "partnership add", people.sam, people.general)
    view = box.emulator.calls_to("views.open")[0].result["view"]
    reply = box.driver.view_submission(
        view,
        {
            NAME_BLOCK: {
                NAME_INPUT: {"type": "plain_text_input", "value": "retrofit  PARTNERSHIP"}
            },
        },
        user=people.sam,
    )
    assert reply.json() == {
        "response_action": "errors",
        "errors": {NAME_BLOCK: "There is already a partnership called “Retrofit Partnership”."},
    }
    assert len(rows(box, Partnership)) == 1
