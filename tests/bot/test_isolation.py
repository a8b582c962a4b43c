"""Two councils installed from one deployment: everything the first keeps is tried from the
second with correctly signed requests (search, lists, cards, the workbook, the report, App Home,
and buttons and forms carrying the first council's ids). Nothing of the first is shown to the
second, and nothing of the first changes."""

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.emulator import demo_workspace
from bot.sandbox import Sandbox
from handlers.benefit_blocks import BENEFIT_UPDATE_VIEW, UPDATE_BENEFIT
from handlers.commitment_blocks import CANT, DONE, SNOOZE_WEEK, UPDATE
from handlers.home_flow import HOME_DONE
from handlers.project_blocks import CLOSE_ROUND, SCORE, SCORE_VIEW
from handlers.pulse_blocks import ANSWER_PULSE, PULSE_VIEW
from handlers.register_blocks import CLOSE, EDIT, REVIEW, SET_ITEM
from handlers.register_forms import EDIT_VIEW
from knowledge.benefits import Planned, add_benefit
from knowledge.projects import add_project
from knowledge.pulses import start_pulse
from knowledge.scoring import start_round
from storage.models import Benefit, Commitment, Partnership, Pulse, ScoringRound

OTHER = "T0OTHER"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SECRET = "Early supplier days built trust"


@pytest.fixture
def two(settings):
    with Sandbox(
        settings, demo_workspace(), demo_workspace(OTHER, "Other Borough Council"), oauth=True
    ) as sandbox:
        for team_id in ("T0SHELL", OTHER):
            assert sandbox.install(team_id, f"U0{team_id[2:]}ALEX") == 200
        yield sandbox


def person(box, team_id, name):
    return box.emulator.workspaces[team_id].user_named(name).id


def channel(box, team_id, name):
    return box.emulator.workspaces[team_id].channel_named(name).id


def as_first(box, text):
    box.driver.command(
        text,
        user=person(box, "T0SHELL", "alex"),
        channel=channel(box, "T0SHELL", "retrofit-partnership"),
        team_id="T0SHELL",
    )
    box.wait()


def first_council(box):
    """What the first council keeps, and its ids."""
    sam = person(box, "T0SHELL", "sam")
    as_first(box, "partnership add Riverside Retrofit Alliance")
    as_first(box, f"lesson {SECRET} #retrofit")
    as_first(box, f"commit <@{sam}|sam> Share the supply-chain map by 12 Dec")
    with box.bot.services.sessions() as session:  # outside any request: the CLI's view
        partnership = session.exec(select(Partnership)).one()
        project = add_project(
            session,
            team_id="T0SHELL",
            name="Loft lagging drive",
            actor_id="U0SHELLALEX",
            now=NOW,
            partnership_id=partnership.id,
        )
        planned = Planned(
            kind="financial",
            title="Lower bills",
            owner_id=sam,
            due=NOW.date(),
            planned_gbp=Decimal("5000"),
        )
        benefit = add_benefit(
            session,
            team_id="T0SHELL",
            planned=planned,
            actor_id="U0SHELLALEX",
            now=NOW,
            owner_tz="Europe/London",
            project_id=project.id,
        )
        pulse = start_pulse(session, partnership, members=[sam], opened_by=None, now=NOW)
        scoring = start_round(
            session,
            team_id="T0SHELL",
            channel_id=channel(box, "T0SHELL", "retrofit-partnership"),
            facilitator_id="U0SHELLALEX",
            projects=[project],
            invited=[sam],
            now=NOW,
        )
        commitment = session.exec(select(Commitment)).one()
        return {
            "partnership": partnership.id,
            "commitment": commitment.id,
            "benefit": benefit.id,
            "pulse": pulse.id,
            "round": scoring.id,
        }


def first_rows(box):
    """Every row the first council has, in every table, as text."""
    rows = []
    with box.bot.services.sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            if "team_id" in table.c and table.name not in {"slack_bots", "slack_installations"}:
                query = text(f'SELECT * FROM "{table.name}" WHERE team_id = :t ORDER BY 1')
                rows += [
                    f"{table.name} {tuple(r)}" for r in session.execute(query, {"t": "T0SHELL"})
                ]
    return rows


def seen_by_second(box, since):
    """Everything the bot sent into the second workspace since `since`, as one string."""
    return json.dumps(
        [c.args for c in box.emulator.calls[since:] if c.team_id == OTHER], default=str
    )


def test_the_second_council_can_reach_nothing_of_the_first(two):
    ids = first_council(two)
    before = first_rows(two)
    alex, general = person(two, OTHER, "alex"), channel(two, OTHER, "general")  # an admin
    mark = len(two.emulator.calls)

    def say(text):
        two.driver.command(text, user=alex, channel=general, team_id=OTHER)
        two.wait()

    # names typed a little wrong: a "did you mean" naming the first council's would be a leak
    for command in (
        "ask supplier days trust",
        "partnership list",
        "partnership Riverside Retrofit Aliance",
        "partnership edit Riverside Retrofit Aliance",
        "project list all",
        "project Loft lagging driv",
        "benefits",
        "benefits Loft lagging driv",
        "actions all",
        "pulse Riverside Retrofit Aliance",
        "pulse close Riverside Retrofit Aliance",
        "report Riverside Retrofit Aliance",
        "export",
    ):
        say(command)
    two.driver.event({"type": "app_home_opened", "user": alex, "tab": "home"}, team_id=OTHER)
    two.wait()
    shown = seen_by_second(two, mark)
    for theirs in (
        SECRET,
        "Riverside Retrofit Alliance",
        "Loft lagging drive",
        "Lower bills",
        "supply-chain",
    ):
        assert theirs not in shown
    # the workbook the second council got holds none of the first council's rows
    [book] = [
        f["content"]
        for f in two.emulator.workspaces[OTHER].files.values()
        if f["name"].endswith(".xlsx")
    ]
    cells = [
        str(value)
        for sheet in load_workbook(io.BytesIO(book)).worksheets[1:]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        for value in row
    ]
    assert not [c for c in cells if "Riverside" in c or SECRET in c]
    # buttons and forms naming the first council's rows, from the second's people
    pressed = len(two.emulator.calls)
    for action_id, value in (
        (DONE, ids["commitment"]),
        (SNOOZE_WEEK, ids["commitment"]),
        (UPDATE, ids["commitment"]),
        (CANT, ids["commitment"]),
        (HOME_DONE, ids["commitment"]),
        (EDIT, ids["partnership"]),
        (REVIEW, ids["partnership"]),
        (CLOSE, ids["partnership"]),
        (SET_ITEM, f"{ids['partnership']}:partners:agreed"),
        (UPDATE_BENEFIT, ids["benefit"]),
        (ANSWER_PULSE, ids["pulse"]),
        (SCORE, ids["round"]),
        (CLOSE_ROUND, ids["round"]),
    ):
        action = {"action_id": action_id, "block_id": "b", "type": "button", "value": str(value)}
        if action_id == SET_ITEM:
            action = {**action, "type": "overflow", "selected_option": {"value": str(value)}}
        two.driver.block_action(action, user=alex, channel=general, team_id=OTHER)
        two.wait()
    told = [c.args.get("text") for c in two.emulator.calls[pressed:] if c.team_id == OTHER]
    refusals = [t for t in told if t and ("isn't" in t or "another workspace" in t)]
    assert len(refusals) >= 12 and not [t for t in told if t and t.startswith("Sorry")]
    # forms naming them (the forged view id is unknown to Slack, so the refusal can't be
    # shown in it; what matters is what is stored)
    for callback_id, metadata in (
        (EDIT_VIEW, ids["partnership"]),
        (BENEFIT_UPDATE_VIEW, ids["benefit"]),
        (PULSE_VIEW, ids["pulse"]),
        (SCORE_VIEW, ids["round"]),
    ):
        view = {
            "id": "V0FORGED",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": str(metadata),
            "blocks": [],
        }
        two.driver.view_submission(view, {}, user=alex, team_id=OTHER)
        two.wait()
    # the first council's rows are exactly as they were: nothing changed, nothing added
    assert first_rows(two) == before
    # and nothing of theirs was shown in the second workspace by any of it
    shown = seen_by_second(two, mark)
    for theirs in (
        SECRET,
        "Riverside Retrofit Alliance",
        "Loft lagging drive",
        "Lower bills",
        "supply-chain",
    ):
        assert theirs not in shown
    # the first council's own people still see their things
    with two.bot.services.sessions() as session:
        assert session.get(Pulse, ids["pulse"]).status == "open"
        assert session.get(ScoringRound, ids["round"]).status == "open"
        assert session.get(Benefit, ids["benefit"]).realised_gbp is not None


def test_the_workspace_scope_holds_in_listeners_and_ends_with_the_request(two):
    """Bolt runs listeners after every middleware has returned: the scope the middleware sets
    must still hold in the listener's check and in its work in the listener pool, and must not
    outlive the request (the next one, from the other council, sees only its own rows)."""
    from handlers.listening import listen
    from storage.scope import serving_now

    first_council(two)
    seen: list[tuple[str, str | None, list[str]]] = []

    def visible(stage: str) -> None:
        with two.bot.services.sessions() as session:
            names = [p.name for p in session.exec(select(Partnership))]
        seen.append((stage, serving_now(), names))

    def check(ack, context) -> None:
        visible("check")
        ack()

    def work(context) -> None:
        visible("work")

    listen(two.bot.app.action("scope_probe"), work, check=check)
    probe = {"type": "button", "action_id": "scope_probe", "block_id": "probe", "value": "1"}
    for team_id in (OTHER, "T0SHELL"):
        reply = two.driver.block_action(
            probe, user=person(two, team_id, "alex"), team_id=team_id,
            channel=channel(two, team_id, "general"),
        )  # fmt: skip
        two.wait()
        assert reply.status == 200
    assert seen == [
        ("check", OTHER, []),
        ("work", OTHER, []),
        ("check", "T0SHELL", ["Riverside Retrofit Alliance"]),
        ("work", "T0SHELL", ["Riverside Retrofit Alliance"]),
    ]
    assert serving_now() is None  # nothing leaks out of a request
