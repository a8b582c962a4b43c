"""Trust across councils and people, through Slack's signed path: two councils installed by
OAuth share a Slack Connect channel; Bea facilitates for the other council and is a partner
from another organisation in this council's shared channel; Kim is from a housing
association; Gus is a guest. Nothing of this council reaches them beyond the shared channel,
one council's settings never apply to another's, and a shared channel's digests go out for
both councils."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.digesting import post_digests
from bot.emulator import Channel, User, demo_workspace
from bot.sandbox import Sandbox
from bot.scheduler import scheduler_clients
from handlers.results import DELETE, SHARE, WANTED
from handlers.settings_blocks import SETTINGS_VIEW
from storage.models import Commitment, Entry, LessonWanted
from storage.version import release

A, B = "T0SHELL", "T0OTHER"  # this council, and the other one
HOUSING = "T0HOUSINGASSOC"  # Kim's own organisation
SHARED = "C0SHAREDRETROFIT"  # the Slack Connect channel both councils are in
BEA, GUS = "U0OTHERBEA", "U0SHELLGUS"


@pytest.fixture
def councils(settings):
    ours, theirs = demo_workspace(A), demo_workspace(B, "Other Borough Council")
    theirs.add_user(User(id=BEA, name="bea", real_name="Bea Other"))
    # in this council's Slack, Bea is a partner from another organisation
    ours.add_user(User(id=BEA, name="bea", real_name="Bea Other", is_external=True, team_id=B))
    ours.add_user(User(id=GUS, name="gus", real_name="Gus Guest", is_restricted=True))
    for ws in (ours, theirs):
        people = [u.id for u in ws.users.values() if u.name in ("alex", "sam", "kim", "bea")]
        ws.add_channel(
            Channel(id=SHARED, name="retrofit-shared", is_ext_shared=True, members=people)
        )
    # what one deployment's environment says: before per-workspace settings, every council's
    deployment = settings.model_copy(
        update={
            "partnerbot_facilitators": frozenset({BEA}),
            "partnerbot_questions_channel": theirs.channel_named("general").id,
        }
    )
    with Sandbox(deployment, ours, theirs, oauth=True) as box:
        for team_id, ws in ((A, ours), (B, theirs)):
            assert box.install(team_id, ws.user_named("alex").id) == 200
        yield box


def uid(box, name, team_id=A):
    return box.emulator.workspaces[team_id].user_named(name).id


def cid(box, name, team_id=A):
    return box.emulator.workspaces[team_id].channel_named(name).id


def run(box, text, user, channel, team_id=A):
    """`/partners TEXT`: what it answered (the arguments of its reply), if it answered."""
    mark = box.emulator.next_seq
    reply = box.driver.command(text, user=user, channel=channel, team_id=team_id)
    box.wait()
    assert reply.status == 200
    said = [c.args for c in box.emulator.since(mark) if c.method == "response_url"]
    return said[-1] if said else {}


def press(box, action_id, value, user, channel, *, team_id=A, user_team=None):
    reply = box.driver.block_action(
        {"action_id": action_id, "type": "button", "value": value},
        user=user,
        channel=channel,
        team_id=team_id,
        user_team=user_team,
    )
    box.wait()
    assert reply.status == 200
    return box.emulator.calls_to("response_url")[-1].args


def entries(box):
    with box.bot.services.sessions() as session:
        return {e.title: e for e in session.exec(select(Entry)) if e.kind != "library"}


def save_settings(box, admin, values, team_id=A):
    """An admin opens `/partners settings` and saves it with `values` changed."""
    run(box, "settings", admin, cid(box, "general", team_id), team_id)
    form = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    assert form["callback_id"] == SETTINGS_VIEW
    reply = box.driver.view_submission(form, values, user=admin, team_id=team_id)
    box.wait()
    assert reply.status == 200 and "errors" not in reply.body, reply.body
    return box.emulator.calls_to("views.update", ok=True)[-1].args["view"]


def people_field(*users):
    return {"value": {"type": "multi_users_select", "selected_users": list(users)}}


def test_one_councils_facilitators_and_questions_channel_are_not_anothers(councils):
    box = councils
    # the other council names Bea its facilitator, in its own settings
    save_settings(box, uid(box, "alex", B), {"facilitators": people_field(BEA)}, team_id=B)
    run(box, "lesson Joint site visits built trust #retrofit", uid(box, "sam"), SHARED)
    lesson = entries(box)["Joint site visits built trust"]
    # Bea presses Delete on this council's lesson in the shared channel: refused, kept
    refused = press(
        box, DELETE, f"delete:{lesson.id}", BEA, SHARED, user_team=B
    )  # as Slack sends it: her own organisation in user.team_id
    assert "Only the author" in refused["text"]
    assert "Joint site visits built trust" in entries(box)
    # this council has no facilitators or questions channel of its own yet: a question nobody
    # could answer stays on its App Home, and goes to neither Bea nor the other council
    run(box, "ask the asbestos survey backlog", uid(box, "sam"), cid(box, "general"))
    press(box, WANTED, "the asbestos survey backlog", uid(box, "sam"), cid(box, "general"))
    other_general = cid(box, "general", B)
    sent = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if "asbestos" in json.dumps(c.args)
    ]
    assert sent == []
    assert BEA not in {c.args.get("channel") for c in box.emulator.calls_to("chat.postMessage")}
    # this council's admin names its own: the next question goes to its own channel
    save_settings(
        box,
        uid(box, "alex"),
        {
            "facilitators": people_field(uid(box, "priya"), BEA),  # Bea is left out: not ours
            "questions_channel": {
                "value": {"type": "conversations_select", "selected_conversation": SHARED}
            },
        },
    )
    done = box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    assert "Left out" in json.dumps(done) and BEA in json.dumps(done)
    run(box, "ask the damp survey backlog", uid(box, "sam"), cid(box, "general"))
    press(box, WANTED, "the damp survey backlog", uid(box, "sam"), cid(box, "general"))
    [posted] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if "damp" in json.dumps(c.args)
    ]
    assert posted.team_id == A and posted.args["channel"] == SHARED
    assert other_general not in {c.args.get("channel") for c in box.emulator.calls}
    with box.bot.services.sessions() as session:
        asked = {q.question: q.team_id for q in session.exec(select(LessonWanted))}
    assert asked == {"the asbestos survey backlog": A, "the damp survey backlog": A}


def test_partners_and_guests_find_only_what_belongs_to_their_channel(councils):
    box = councils
    alex, sam, kim = uid(box, "alex"), uid(box, "sam"), uid(box, "kim")
    general = cid(box, "general")
    run(box, "lesson Cabinet papers go out late, so book the slot early", alex, general)
    run(box, "lesson Joint site visits built trust with the contractors", sam, SHARED)
    run(box, "partnership add Retrofit Partnership", alex, SHARED)
    run(box, "partnership add LSP Board", alex, cid(box, "lsp-board"))
    # Kim, from the housing association, asks in the shared channel
    found = json.dumps(run(box, "ask contractors trust cabinet papers", kim, SHARED))
    assert "Joint site visits" in found and "Cabinet papers" not in found
    assert "You're from outside this council" in found
    listed = json.dumps(run(box, "partnership list", kim, SHARED))
    assert "Retrofit Partnership" in listed and "LSP Board" not in listed
    named = json.dumps(run(box, "partnership LSP Board", kim, SHARED))
    assert "LSP Board" not in named and "Retrofit Partnership" in named
    for refused in ("export", "report Retrofit Partnership", "project list", "benefits"):
        said = run(box, refused, kim, SHARED)["text"]
        assert "for the council's own people" in said and HOUSING in said
    assert box.emulator.workspaces[A].files == {}
    # a forged Share naming the general channel's lesson, pressed in the shared channel
    cabinet = entries(box)["Cabinet papers go out late, so book the slot early"]
    gone = press(box, SHARE, f"share:{cabinet.id}", kim, SHARED, user_team=HOUSING)
    assert "isn't available here" in gone["text"]
    assert "Cabinet papers" not in json.dumps(box.emulator.calls_to("chat.postMessage"))
    # her Home tab holds what is hers, none of the register
    box.driver.event({"type": "app_home_opened", "user": kim, "tab": "home"}, team_id=A)
    box.wait()
    home = json.dumps(box.emulator.workspaces[A].home[kim])
    assert "Partnerships you lead" not in home and "LSP Board" not in home
    # Gus, a guest in #general, finds what was saved there and nothing of the shared channel
    guest = json.dumps(run(box, "ask contractors trust cabinet papers", GUS, general))
    assert "Cabinet papers" in guest and "Joint site visits" not in guest
    # Bea mentions the bot in the shared channel: the thread holds only the channel's own
    box.driver.mention("cabinet papers", user=BEA, channel=SHARED, team_id=A, user_team=B)
    box.wait()
    # and so does a member's mention there, which everyone in the channel reads
    box.driver.mention("cabinet papers contractors", user=alex, channel=SHARED, team_id=A)
    box.wait()
    threads = [
        c.args
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args.get("thread_ts") and c.args["channel"] == SHARED
    ]
    assert len(threads) == 2 and "Cabinet papers" not in json.dumps(threads)
    assert "shared with other organisations" in json.dumps(threads[1])
    # the council trusts the housing association: Kim now finds what members find
    save_settings(
        box, alex, {"trusted_orgs": {"value": {"type": "plain_text_input", "value": HOUSING}}}
    )
    trusted = json.dumps(run(box, "ask cabinet papers", kim, SHARED))
    assert "Cabinet papers" in trusted
    assert "for the council's own people" in run(box, "export", kim, SHARED)["text"]  # still


def test_a_shared_channel_gets_each_councils_digest(councils):
    box = councils
    for team_id in (A, B):
        sam = uid(box, "sam", team_id)
        run(
            box,
            f"commit <@{sam}|sam> Share the supply-chain map by 30 Nov 2027",
            uid(box, "alex", team_id),
            SHARED,
            team_id,
        )
    with box.bot.services.sessions() as session:
        assert sorted(c.team_id for c in session.exec(select(Commitment))) == sorted([A, B])
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    clients = scheduler_clients(box.bot.settings, box.bot.engine)
    lines = post_digests(box.bot.services, clients, monday)
    assert len(lines) == 2 and all(SHARED in line for line in lines)
    digests = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == SHARED and "week of" in json.dumps(c.args.get("blocks"))
    ]
    assert sorted(c.team_id for c in digests) == sorted([A, B])
    assert post_digests(box.bot.services, clients, monday + timedelta(hours=1)) == []  # once


def test_the_settings_are_for_admins_and_bad_values_change_nothing(councils):
    box = councils
    sam, alex = uid(box, "sam"), uid(box, "alex")
    assert "Only the workspace's admins" in run(box, "settings", sam, cid(box, "general"))["text"]
    assert "for the council's own people" in run(box, "settings", BEA, SHARED)["text"]
    run(box, "settings", alex, cid(box, "general"))
    form = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    for values, block, said in (
        ({"pulse_minimum": {"value": {"type": "number_input", "value": "2"}}}, "pulse_minimum",
         "Between 3 and 50"),
        ({"breakout_minimum": {"value": {"type": "number_input", "value": "x"}}},
         "breakout_minimum", "whole number"),
        ({"trusted_orgs": {"value": {"type": "plain_text_input", "value": "housing assoc"}}},
         "trusted_orgs", "isn't an organisation's Slack ID"),
        ({"ranges": {"value": {"type": "plain_text_input", "value": "Only; three; names"}}},
         "ranges", "all four ranges"),
        ({"days_before": {"value": {"type": "number_input", "value": "2.5"}}}, "days_before",
         "whole number of days"),
    ):  # fmt: skip
        reply = box.driver.view_submission(form, values, user=alex, team_id=A)
        box.wait()
        assert said in reply.json()["errors"][block]
    # the admin's Home tab shows the workspace's settings; a member's does not
    for person, shown in ((alex, True), (sam, False)):
        box.driver.event({"type": "app_home_opened", "user": person, "tab": "home"}, team_id=A)
        box.wait()
        home = json.dumps(box.emulator.workspaces[A].home[person])
        assert ("Workspace settings" in home) is shown
        assert (f"partnerbot {release()}" in home) is shown  # the version, for admins only
    from storage.installations import WorkspaceSettings

    with box.bot.services.sessions() as session:
        assert session.exec(select(WorkspaceSettings)).all() == []


def test_saving_the_settings_is_audited_and_changes_only_this_council(councils):
    from knowledge.nudges import policy_for
    from storage.installations import WorkspaceSettings
    from storage.models import AuditEntry

    box = councils
    alex = uid(box, "alex")
    save_settings(
        box,
        alex,
        {
            "pulse_minimum": {"value": {"type": "number_input", "value": "7"}},
            "days_before": {"value": {"type": "number_input", "value": "5"}},
            "region": {"value": {"type": "static_select", "selected_option": {"value": "SCT"}}},
        },
    )
    with box.bot.services.sessions() as session:
        [saved] = session.exec(select(WorkspaceSettings)).all()
        assert (saved.team_id, saved.pulse_minimum, saved.updated_by) == (A, 7, alex)
        assert (policy_for(session, A).days_before, policy_for(session, A).region) == (5, "SCT")
        assert policy_for(session, B).days_before == 3  # the other council's is untouched
        audited = {a.entity: a.team_id for a in session.exec(select(AuditEntry))}
    assert {audited.get(e) for e in ("settings", "nudge_policy", "scoring_policy")} == {A}
