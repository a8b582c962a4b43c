"""Projects and a scoring round through the signed Bolt path: three stakeholders score privately,
the facilitator sees who (not what), the close posts medians, ranges and the grid picture with
alt text, scores are revised and the round closed again; outsiders and forgeries change nothing."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import select

from handlers.project_blocks import CLOSE_ROUND, PROJECT_VIEW, SCORE, SCORE_VIEW
from storage.models import AuditEntry, Project, Score, ScoringRound
from tests.handlers import register_kit
from tests.handlers.register_kit import opened_form, rows, run, uid

box, clock = register_kit.box, register_kit.clock  # the fixtures

FRONT = dict(fit=5, reach=5, statutory=3, complexity=2, delivery=2, failure=4, resources=1)


def score_state(projects, values_by_project):
    """The scoring form's state as Slack sends it: one static select per project criterion."""
    state = {}
    for project in projects:
        for key, value in values_by_project[project.name].items():
            state[f"{project.id}:{key}"] = {
                "value": {
                    "type": "static_select",
                    "selected_option": {
                        "value": str(value),
                        "text": {"type": "plain_text", "text": str(value)},
                    },
                }
            }
    return state


def round_message(box):
    [posted] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if "Scoring round" in c.args["text"]
    ]
    updates = [
        c
        for c in box.emulator.calls_to("chat.update", ok=True)
        if c.args["ts"] == posted.result["ts"]
    ]
    latest = updates[-1].args if updates else posted.args
    return posted, latest


def press(box, action_id, scoring_id, user, posted):
    box.driver.block_action(
        {"action_id": action_id, "type": "button", "value": str(scoring_id)},
        user=user,
        channel=posted.args["channel"],
        message={
            "ts": posted.result["ts"],
            "text": posted.args["text"],
            "blocks": posted.args["blocks"],
        },
    )
    box.wait()


def score_as(box, user, scoring, posted, values_by_project):
    press(box, SCORE, scoring.id, user, posted)
    form = opened_form(box)
    assert form["callback_id"] == SCORE_VIEW
    projects = sorted(rows(box, Project), key=lambda p: p.id)
    reply = box.driver.view_submission(form, score_state(projects, values_by_project), user=user)
    box.wait()
    return reply


@pytest.fixture
def three_projects(box, people):
    run(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    run(box, "project add Digital front door", people.alex, people.retrofit)
    run(box, "project add Paperless committee", people.alex, people.retrofit)
    run(box, "project add", people.alex, people.retrofit)
    form = opened_form(box)
    assert form["callback_id"] == PROJECT_VIEW
    [chooser] = [b for b in form["blocks"] if b["block_id"] == "partnership"]
    partnership_id = chooser["element"]["initial_option"]["value"]
    box.driver.view_submission(
        form,
        {
            "name": {"value": {"type": "plain_text_input", "value": "Depot merger"}},
            "size": {"value": {"type": "radio_buttons", "selected_option": {"value": "major"}}},
            "owner": {"value": {"type": "users_select", "selected_user": people.sam}},
            # the form opened in the partnership's channel offers it already chosen
            "partnership": {
                "value": {
                    "type": "static_select",
                    "selected_option": {"value": str(partnership_id)},
                }
            },
        },
        user=people.alex,
    )
    box.wait()
    made = {p.name: p for p in rows(box, Project)}
    assert made["Depot merger"].size == "major" and made["Depot merger"].owner_id == people.sam
    assert made["Digital front door"].partnership_id is not None  # the channel's partnership
    return made


def test_three_stakeholders_score_privately_and_the_close_posts_ranges_and_the_grid(
    box, people, three_projects, clock
):
    sam, priya, jo = people.sam, uid(box, "priya"), uid(box, "jo")
    run(box, "prioritise @sam @priya @jo", people.alex, people.retrofit)
    [scoring] = rows(box, ScoringRound)
    assert scoring.invited.split() == [sam, priya, jo]
    posted, _ = round_message(box)
    given = {
        sam: {
            "Digital front door": FRONT,
            "Depot merger": dict(
                fit=4, reach=3, statutory=4, complexity=5, delivery=4, failure=4, resources=4
            ),
            "Paperless committee": dict(
                fit=2, reach=2, statutory=1, complexity=1, delivery=2, failure=1, resources=2
            ),
        },
        priya: {
            "Digital front door": dict(
                fit=4, reach=5, statutory=4, complexity=3, delivery=1, failure=3, resources=2
            ),
            "Depot merger": dict(
                fit=3, reach=3, statutory=5, complexity=4, delivery=5, failure=3, resources=5
            ),
            "Paperless committee": dict(
                fit=1, reach=2, statutory=1, complexity=2, delivery=1, failure=1, resources=1
            ),
        },
        jo: {
            "Digital front door": dict(
                fit=5, reach=4, statutory=2, complexity=2, delivery=2, failure=5, resources=2
            ),
            "Depot merger": dict(
                fit=4, reach=2, statutory=4, complexity=5, delivery=3, failure=4, resources=4
            ),
            "Paperless committee": dict(
                fit=5, reach=2, statutory=1, complexity=1, delivery=1, failure=2, resources=1
            ),
        },
    }
    for user in (sam, priya):
        assert score_as(box, user, scoring, posted, given[user]).status == 200
    _, latest = round_message(box)
    shown = str(latest["blocks"])
    assert "2 of 3" in shown and f"<@{sam}>" in shown and "(5)" not in shown  # who, not what
    assert score_as(box, jo, scoring, posted, given[jo]).status == 200
    assert "3 of 3" in str(round_message(box)[1]["blocks"])
    assert len(rows(box, Score)) == 3 * 3 * 7

    press(box, CLOSE_ROUND, scoring.id, people.alex, posted)
    [result] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if "Prioritisation result" in c.args["text"]
    ]
    assert result.args["thread_ts"] == posted.result["ts"]
    assert (
        result.args["text"]
        == "Prioritisation result: 1 do now, 1 plan and resource, 1 quick wins, 0 phase later."
    )
    blocks = str(result.args["blocks"])
    # worked by hand in tests/knowledge/test_scoring.py: the same three sets of scores
    assert "*Digital front door*: impact 4.33, risk 2.50" in blocks
    assert "*Depot merger* (major): impact 3.67, risk 4.25" in blocks
    assert "*Paperless committee*: impact 1.67, risk 1.00" in blocks
    assert "Paperless committee, fit with the council's priorities: scores 4 points apart" in blocks
    assert "Impact 3 or more is high, risk 3 or more is high" in blocks
    [grid] = [
        f for f in box.emulator.workspace.files.values() if f["name"] == "prioritisation-grid.png"
    ]
    assert grid["shared_in"] == people.retrofit
    assert "Do now: Digital front door (impact 4.3, risk 2.5)." in grid["alt_txt"]
    assert "Plan and resource: Depot merger (impact 3.7, risk 4.2, major)." in grid["alt_txt"]
    image = Image.open(io.BytesIO(grid["content"]))
    assert image.format == "PNG" and image.size == (800, 600)
    assert sum(1 for n in image.convert("L").histogram() if n) > 20  # drawn, not blank
    # the card shows the latest place, with the rules that placed it
    card = run(box, "project digtal front door", jo, people.general).args
    assert "*Do now*: impact 4.33, risk 2.50 (medians of 3 people's scores)" in str(card["blocks"])

    # closed again with nothing changed: said to be closed, nothing posted twice
    press(box, CLOSE_ROUND, scoring.id, people.alex, posted)
    said = box.emulator.calls_to("response_url")[-1].args["text"]
    assert said.startswith("This round is already closed, and no scores have changed since")
    # revised and closed again: Priya now thinks the front door is very risky
    clock.now += timedelta(minutes=5)
    score_as(
        box,
        priya,
        scoring,
        posted,
        {
            **given[priya],
            "Digital front door": dict(FRONT, complexity=5, delivery=5, failure=5, resources=5),
        },
    )
    press(box, CLOSE_ROUND, scoring.id, people.alex, posted)
    again = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if "Prioritisation result" in c.args["text"]
    ]
    assert len(again) == 2 and "updated" in str(again[-1].args["blocks"])
    # medians of (2, 5, 2), (2, 5, 2), (4, 5, 5), (1, 5, 2): risk (2 + 2 + 5 + 2) / 4 = 2.75;
    # one dissenter moves a median only as far as the middle score
    assert "*Digital front door*: impact 4.33, risk 2.75" in str(again[-1].args["blocks"])
    audited = [
        (a.entity, a.action)
        for a in rows(box, AuditEntry)
        if a.entity in ("score", "scoring_round")
    ]
    assert audited.count(("score", "create")) == 9 and audited.count(("score", "edit")) == 1
    assert audited.count(("scoring_round", "edit")) == 2  # closed, and closed again


def test_outsiders_other_closers_forged_scores_and_other_workspaces_change_nothing(
    box, people, three_projects
):
    run(box, "prioritise @sam @priya", people.alex, people.retrofit)
    [scoring] = rows(box, ScoringRound)
    posted, _ = round_message(box)
    jo = uid(box, "jo")
    press(box, SCORE, scoring.id, jo, posted)
    assert "weren't invited" in box.emulator.calls_to("response_url")[-1].args["text"]
    press(box, CLOSE_ROUND, scoring.id, people.sam, posted)
    assert "Only the round's facilitator" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert rows(box, ScoringRound)[0].status == "open"
    # a forged form with a 7 is refused at the ack, nothing stored
    press(box, SCORE, scoring.id, people.sam, posted)
    form = opened_form(box)
    projects = sorted(rows(box, Project), key=lambda p: p.id)
    values = {p.name: dict(FRONT) for p in projects}
    values["Depot merger"]["fit"] = 7
    reply = box.driver.view_submission(form, score_state(projects, values), user=people.sam)
    box.wait()
    depot = next(p for p in projects if p.name == "Depot merger")
    assert reply.json()["response_action"] == "errors"
    assert "Scores are 1 to 5" in reply.json()["errors"][f"{depot.id}:fit"]
    assert rows(box, Score) == []
    # someone not invited submits a form made for another: refused after the ack
    box.driver.view_submission(
        form, score_state(projects, {p.name: FRONT for p in projects}), user=jo
    )
    box.wait()
    assert "weren't invited" in str(box.emulator.calls_to("views.update", ok=True)[-1].args["view"])
    assert rows(box, Score) == []
    # a button naming a round id that is not this workspace's
    press(box, CLOSE_ROUND, 9999, people.alex, posted)
    assert "isn't in this workspace" in box.emulator.calls_to("response_url")[-1].args["text"]
    # no projects, no people
    assert "Say who scores" in run(box, "prioritise", people.alex, people.retrofit).args["text"]
    # outside a partnership's channel, the partnership must be named
    elsewhere = run(box, f"prioritise <@{people.sam}>", people.alex, people.general).args["text"]
    assert elsewhere.startswith("Which partnership's projects? Name it")
    unknown = run(box, f"prioritise <@{people.sam}> in Parks", people.alex, people.general)
    assert "There is no partnership called “Parks”" in unknown.args["text"]
    assert "already open" in run(box, "prioritise @jo", people.alex, people.retrofit).args["text"]
    assert len(rows(box, ScoringRound)) == 1


def test_project_commands_refuse_bad_names_and_list_the_latest_range(box, people, three_projects):
    dup = run(box, "project add digital FRONT door", people.alex, people.retrofit).args["text"]
    assert "already a project" in dup
    huge = run(box, "project add " + "x" * 5000, people.alex, people.retrofit).args["text"]
    assert "keep it to 80 or fewer" in huge
    assert len(rows(box, Project)) == 3
    listed = run(box, "project list", people.sam, people.general).args
    assert listed["text"] == "3 projects." and "not scored yet" in str(listed["blocks"])
    unknown = run(box, "project frobnicate", people.sam, people.general).args["text"]
    assert "There is no project called “frobnicate”" in unknown


def test_a_round_with_one_scorer_shows_nobodys_scores_as_medians(box, people, three_projects):
    """With fewer than three scorers a median is one person's own score: the result names the
    projects and shows no medians, ranges or grid for them."""
    run(box, "prioritise @sam", people.alex, people.retrofit)
    [scoring] = rows(box, ScoringRound)
    posted, _ = round_message(box)
    mine = {name: FRONT for name in three_projects}
    assert score_as(box, people.sam, scoring, posted, mine).status == 200
    press(box, CLOSE_ROUND, scoring.id, people.alex, posted)
    [result] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if "Prioritisation result" in c.args["text"]
    ]
    shown = str(result.args["blocks"])
    assert "Scored by fewer than 3 people, so no medians are shown" in shown
    assert "medians fit" not in shown and "impact 4" not in shown
    assert box.emulator.calls_to("files.getUploadURLExternal") == []  # no grid of one person


def test_status_close_and_scoring_one_project_at_a_time(box, people, three_projects, clock):
    sam, priya, jo = people.sam, uid(box, "priya"), uid(box, "jo")
    # another partnership with its own project: never part of the retrofit round
    run(box, "partnership add Parks Trust", people.alex, people.general)
    run(box, "project add Tree survey", people.alex, people.general)
    with box.bot.services.sessions() as session:
        from knowledge.partnerships import find_partnership

        parks = find_partnership(session, team_id=people.team, name="Parks Trust")
        tree = session.exec(select(Project).where(Project.name == "Tree survey")).one()
        tree.partnership_id = parks.id
        session.add(tree)
        session.commit()
    # started from #general, naming the partnership: its three projects, not the parks one
    run(
        box,
        f"prioritise <@{sam}> <@{priya}> <@{jo}> in retrofit partnership",
        people.alex,
        people.general,
    )
    [scoring] = rows(box, ScoringRound)
    retrofit_projects = {p.id for p in rows(box, Project) if p.name != "Tree survey"}
    assert set(map(int, scoring.project_ids.split())) == retrofit_projects
    posted, _ = round_message(box)
    # one project at a time: the form holds seven scores and says what is left
    press(box, SCORE, scoring.id, sam, posted)
    form = opened_form(box)
    inputs = [b for b in form["blocks"] if b["type"] == "input"]
    assert len(inputs) == 7 and form["submit"]["text"] == "Save and next"
    assert "Left after this one:" in str(form["blocks"])
    first = int(inputs[0]["block_id"].split(":")[0])
    projects = sorted(rows(box, Project), key=lambda p: p.id)
    by_id = {p.id: p for p in projects}
    box.driver.view_submission(
        form, score_state([by_id[first]], {by_id[first].name: FRONT}), user=sam
    )
    box.wait()
    following = box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    second = int(
        next(b for b in following["blocks"] if b["type"] == "input")["block_id"].split(":")[0]
    )
    assert second != first and following["callback_id"] == SCORE_VIEW
    # Sam closes the form ("Later") and comes back: it opens at what he has left
    press(box, SCORE, scoring.id, sam, posted)
    resumed = opened_form(box)
    assert (
        int(next(b for b in resumed["blocks"] if b["type"] == "input")["block_id"].split(":")[0])
        == second
    )
    # the round's message was lost: status shows it again, with its buttons
    shown = run(box, "prioritise status", people.alex, people.general).args
    assert "Scoring round (open)" in str(shown["blocks"])
    assert SCORE in str(shown["blocks"]) and CLOSE_ROUND in str(shown["blocks"])
    # only its facilitator closes it
    refused = run(box, "prioritise close", sam, people.general).args["text"]
    assert "Only the round's facilitator" in refused
    assert (
        run(box, "prioritise close", people.alex, people.general).args["text"].startswith("Closed")
    )
    assert rows(box, ScoringRound)[0].status == "closed"
    again = run(box, "prioritise close", people.alex, people.general).args["text"]
    assert "already closed, and no scores have changed since" in again
    assert (
        "no scoring round in this channel"
        in run(box, "prioritise status", people.alex, people.board).args["text"]
    )
