"""The programme network through the signed path: three councils installed by OAuth (a host and
two members) and one that never joined. A lesson shared by one member is found by the other's
plain question, marked with its council; withdrawn, it is gone by the next search; a council
that leaves stops seeing and showing; every forged id finds nothing and changes nothing."""

import json
import re

import pytest
from sqlmodel import select

from bot.emulator import User, demo_workspace
from bot.sandbox import Sandbox
from handlers.breakout_blocks import ANONYMOUS, ANSWER, CLOSE, TO_NETWORK
from handlers.entry_menu import SHARE_AGAIN
from handlers.network_blocks import (
    COUNCIL_ONLY,
    HELPFUL_SHARED,
    HIDE_SHARED,
    NAMED,
    OPEN_SHARED,
    SHARE_VIEW,
    THEIRS_HEADING,
    WITHDRAW,
)
from handlers.results import MENU
from storage.models import AuditEntry, BreakoutAnswer, BreakoutRound, Entry
from storage.network import Network, NetworkMember, SharedEntry, SharedVote
from tests.handlers.test_ask import buttons

HOST, LUTON, BRUM, AWAY = "T0SHELL", "T0LUTON", "T0BRUM", "T0AWAY"
NAMES = {
    HOST: "LGA Programme Team",
    LUTON: "Luton Borough Council",
    BRUM: "Birmingham City Council",
    AWAY: "Elsewhere District Council",
}
NETWORK = "Retrofit programme 2025-26"
LESSON = "Supplier breakfasts won the contractors over"


@pytest.fixture
def councils(settings):
    spaces = [demo_workspace(team_id, name) for team_id, name in NAMES.items()]
    with Sandbox(settings, *spaces, oauth=True) as box:
        for team_id in NAMES:
            assert box.install(team_id, who(box, team_id, "alex")) == 200
        yield box


def who(box, team_id, name):
    return box.emulator.workspaces[team_id].user_named(name).id


def general(box, team_id):
    return box.emulator.workspaces[team_id].channel_named("general").id


def say(box, team_id, text, name="alex"):
    """`/partners TEXT` from a person of that council, in its #general: what they were told."""
    reply = box.driver.command(
        text, user=who(box, team_id, name), channel=general(box, team_id), team_id=team_id
    )
    box.wait()
    assert reply.status == 200 and reply.seconds < 3
    return box.emulator.calls_to("response_url")[-1].args


def join(box, team_id):
    invited = say(box, HOST, f"network invite {NETWORK}")["text"]
    code = re.search(r"`([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})`", invited)[1]
    assert "joined" in say(box, team_id, f"network join {code}")["text"]
    return code


@pytest.fixture
def network(councils):
    assert "is started" in say(councils, HOST, f"network create {NETWORK}")["text"]
    join(councils, LUTON)
    join(councils, BRUM)
    return councils


def in_blocks(message_or_view, action_id):
    """The buttons with this action in a message's or a view's blocks."""
    return buttons(type("Said", (), {"args": message_or_view})(), action_id)


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def share_form(box, team_id, entry_id, name="sam"):
    """Press Share with a network in the entry's menu (from its answer): the form it opened,
    or None when none opened."""
    before = len(box.emulator.calls_to("views.open", ok=True))
    box.driver.block_action(
        {"action_id": MENU, "type": "overflow", "selected_option": {"value": f"share:{entry_id}"}},
        user=who(box, team_id, name),
        channel=general(box, team_id),
        team_id=team_id,
    )
    box.wait()
    opened = box.emulator.calls_to("views.open", ok=True)
    return opened[-1].result["view"] if len(opened) > before else None


def submit(box, team_id, view, network_id, how, name="sam"):
    values = {
        "network": {
            "value": {"type": "static_select", "selected_option": {"value": str(network_id)}}
        },
        "how": {"value": {"type": "radio_buttons", "selected_option": {"value": how}}},
    }
    reply = box.driver.view_submission(view, values, user=who(box, team_id, name), team_id=team_id)
    box.wait()
    assert reply.status == 200
    return box.emulator.calls_to("views.update", ok=True)[-1].args["view"]


def shared_lesson(box):
    say(box, LUTON, f"lesson {LESSON}. We invited forty local firms. #retrofit", name="sam")
    [entry] = [e for e in rows(box, Entry) if e.team_id == LUTON and e.kind == "lesson"]
    view = share_form(box, LUTON, entry.id)
    [network] = rows(box, Network)
    done = submit(box, LUTON, view, network.id, NAMED)
    assert "Shared with" in json.dumps(done)
    return entry, network


def test_a_host_invites_two_councils_and_each_sees_the_network_by_council_name(network):
    listed = json.dumps(say(network, BRUM, "network", name="sam"))
    for name in ("LGA Programme Team", "Luton Borough Council", "Birmingham City Council"):
        assert name in listed
    assert "Elsewhere" not in listed
    assert "isn't in a programme network" in say(network, AWAY, "network")["text"]
    assert {m.member_team for m in rows(network, NetworkMember)} == {HOST, LUTON, BRUM}


def test_only_admins_manage_membership_and_a_code_works_once(network):
    said = say(network, AWAY, f"network invite {NETWORK}")["text"]
    assert "no network called" in said
    assert "admins" in say(network, AWAY, "network join ABCD-EFGH-JKLM", name="sam")["text"]
    code = join(network, AWAY)  # the hosts invite a fourth; it joins with its code
    say(network, AWAY, f"network leave {NETWORK}")
    assert "used" in say(network, AWAY, f"network join {code}")["text"]  # once only
    assert "hosts" in say(network, HOST, f"network leave {NETWORK}")["text"]
    assert "I don't know" in say(network, LUTON, "network frobnicate")["text"]


def test_a_shared_lesson_is_found_by_the_other_council_marked_with_its_council(network):
    entry, _ = shared_lesson(network)
    found = say(network, BRUM, "ask supplier breakfasts contractors", name="priya")
    text = json.dumps(found["blocks"])
    assert THEIRS_HEADING in text and LESSON in text
    assert "from Luton Borough Council, shared" in text and "Sam Okafor" in text
    [opener] = in_blocks(found, OPEN_SHARED)
    network.driver.block_action(
        {"action_id": OPEN_SHARED, "type": "button", "value": opener["value"]},
        user=who(network, BRUM, "priya"),
        channel=general(network, BRUM),
        team_id=BRUM,
    )
    network.wait()
    modal = json.dumps(network.emulator.calls_to("views.open", ok=True)[-1].result["view"])
    assert "forty local firms" in modal and "Luton Borough Council" in modal
    # the filters: from:network, council:NAME; and Luton's own ask shows its lesson once
    assert LESSON in json.dumps(say(network, BRUM, "ask from:network supplier")["blocks"])
    assert LESSON in json.dumps(say(network, BRUM, "ask council:luton supplier")["blocks"])
    assert "No council called" in say(network, BRUM, "ask council:atlantis supplier")["text"]
    own = json.dumps(say(network, LUTON, "ask supplier breakfasts")["blocks"])
    assert THEIRS_HEADING not in own
    # never to a council outside the network
    outside = json.dumps(say(network, AWAY, "ask supplier breakfasts contractors"))
    assert LESSON not in outside and "forty" not in outside
    audits = [a for a in rows(network, AuditEntry) if a.entity == "network"]
    assert {a.team_id for a in audits if '"did": "share"' in a.detail} == {LUTON, HOST}
    assert entry.id == rows(network, SharedEntry)[0].entry_id


def test_withdrawn_it_is_gone_from_the_next_search_and_forged_ids_find_nothing(network):
    entry, net = shared_lesson(network)
    [shared] = rows(network, SharedEntry)
    # Birmingham forges Luton's entry into its own share form: refused, nothing changes
    assert share_form(network, BRUM, entry.id) is None  # its own menu, Luton's entry: no form
    # its own form (for its own lesson), its metadata changed to name Luton's entry
    say(network, BRUM, "lesson Birmingham's own breakfasts", name="sam")
    [mine] = [e for e in rows(network, Entry) if e.team_id == BRUM]
    real = share_form(network, BRUM, mine.id)
    forged = {**real, "private_metadata": json.dumps({"entry": entry.id})}
    done = submit(network, BRUM, forged, net.id, COUNCIL_ONLY)
    assert "Not shared" in json.dumps(done)
    assert [(r.from_team, r.entry_id) for r in rows(network, SharedEntry)] == [(LUTON, entry.id)]
    # a council outside the network opens the shared id: nothing shown
    network.driver.block_action(
        {"action_id": OPEN_SHARED, "type": "button", "value": str(shared.id)},
        user=who(network, AWAY, "alex"),
        channel=general(network, AWAY),
        team_id=AWAY,
    )
    network.wait()
    assert "forty" not in json.dumps(network.emulator.calls_to("views.open", ok=True)[-1].result)

    view = share_form(network, LUTON, entry.id)
    submit(network, LUTON, view, net.id, WITHDRAW)
    assert rows(network, SharedEntry) == []
    after = json.dumps(say(network, BRUM, "ask supplier breakfasts contractors", name="priya"))
    assert LESSON not in after


def test_a_council_that_leaves_stops_seeing_and_showing(network):
    shared_lesson(network)
    say(network, BRUM, "lesson Birmingham's tenant liaison breakfasts worked too", name="sam")
    [theirs] = [e for e in rows(network, Entry) if e.team_id == BRUM and e.kind == "lesson"]
    submit(network, BRUM, share_form(network, BRUM, theirs.id), rows(network, Network)[0].id, NAMED)
    assert "Birmingham" in json.dumps(say(network, LUTON, "ask from:network breakfasts"))
    left = say(network, LUTON, f"network leave {NETWORK}")["text"]
    assert "1 shared entry withdrawn" in left
    assert LESSON not in json.dumps(say(network, BRUM, "ask supplier breakfasts", name="priya"))
    assert "tenant liaison" not in json.dumps(say(network, LUTON, "ask from:network breakfasts"))


def open_shared(box, team_id, shared_id, name):
    box.driver.block_action(
        {"action_id": OPEN_SHARED, "type": "button", "value": str(shared_id)},
        user=who(box, team_id, name),
        channel=general(box, team_id),
        team_id=team_id,
    )
    box.wait()
    return box.emulator.calls_to("views.open", ok=True)[-1].result["view"]


def test_the_hosts_hide_a_shared_entry_with_a_reason_its_council_sees(network):
    entry, net = shared_lesson(network)
    [shared] = rows(network, SharedEntry)
    hides = lambda view: in_blocks(view, HIDE_SHARED)  # noqa: E731
    theirs = open_shared(network, BRUM, shared.id, "alex")
    assert hides(theirs) == []  # an admin, not a host
    assert hides(open_shared(network, HOST, shared.id, "sam")) == []  # a host, not an admin
    modal = open_shared(network, HOST, shared.id, "alex")
    [button] = hides(modal)
    network.driver.block_action(
        {"action_id": HIDE_SHARED, "type": "button", "value": button["value"]},
        user=who(network, HOST, "alex"),
        view={
            **modal,
            "id": network.emulator.calls_to("views.open", ok=True)[-1].result["view"]["id"],
        },
        team_id=HOST,
    )
    network.wait()
    form = network.emulator.calls_to("views.push", ok=True)[-1].result["view"]
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "Not about retrofit"}}}
    # Birmingham's admin forges the hosts' reason form in a view of its own: refused
    forged = {
        **theirs,
        "callback_id": form["callback_id"],
        "private_metadata": form["private_metadata"],
    }
    network.driver.view_submission(forged, reason, user=who(network, BRUM, "alex"), team_id=BRUM)
    network.wait()
    assert "Not hidden" in json.dumps(network.emulator.calls_to("views.update", ok=True)[-1].args)
    assert rows(network, SharedEntry)[0].hidden_at is None
    network.driver.view_submission(form, reason, user=who(network, HOST, "alex"), team_id=HOST)
    network.wait()
    assert rows(network, SharedEntry)[0].hidden_reason == "Not about retrofit"
    assert LESSON not in json.dumps(say(network, BRUM, "ask supplier breakfasts", name="priya"))
    # Luton sees why, where it shares
    again = share_form(network, LUTON, entry.id)
    assert "hidden by its hosts: Not about retrofit" in json.dumps(again)


def test_an_edit_leaves_the_shared_copy_as_it_was_and_offers_to_update_it(network):
    entry, net = shared_lesson(network)
    sam = who(network, LUTON, "sam")
    network.driver.block_action(
        {"action_id": MENU, "type": "overflow", "selected_option": {"value": f"edit:{entry.id}"}},
        user=sam,
        channel=general(network, LUTON),
        team_id=LUTON,
    )
    network.wait()
    form = network.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "Supplier breakfasts, revised"}},
        "body": {"body": {"type": "plain_text_input", "value": "Forty firms, then sixty."}},
    }
    network.driver.view_submission(form, values, user=sam, team_id=LUTON)
    network.wait()
    done = network.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    assert NETWORK in json.dumps(done) and "Update the shared copy" in json.dumps(done)
    assert rows(network, SharedEntry)[0].title == LESSON  # fixed until asked
    [again] = in_blocks(done, SHARE_AGAIN)
    network.driver.block_action(
        {"action_id": SHARE_AGAIN, "type": "button", "value": again["value"]},
        user=sam,
        view={**done, "id": form["id"]},
        team_id=LUTON,
    )
    network.wait()
    pushed = network.emulator.calls_to("views.push", ok=True)[-1].result["view"]
    assert pushed["callback_id"] == SHARE_VIEW
    submit(network, LUTON, pushed, net.id, NAMED)
    assert rows(network, SharedEntry)[0].title == "Supplier breakfasts, revised"


@pytest.fixture
def regional(settings):
    """The host's coaching channel, shared by Slack Connect with two member councils' people."""
    spaces = [demo_workspace(team_id, name) for team_id, name in NAMES.items()]
    host = spaces[0]
    for team_id in (LUTON, BRUM):
        for name in ("sam", "priya"):
            theirs = f"U{team_id[1:]}{name.upper()}"
            host.add_user(
                User(
                    id=theirs,
                    name=f"{name}-{team_id[2:].lower()}",
                    real_name=name.title(),
                    is_external=True,
                    team_id=team_id,
                )
            )
    with Sandbox(settings, *spaces, oauth=True) as box:
        for team_id in NAMES:
            assert box.install(team_id, who(box, team_id, "alex")) == 200
        assert "is started" in say(box, HOST, f"network create {NETWORK}")["text"]
        join(box, LUTON)
        join(box, BRUM)
        yield box


def answer_in(box, round_, user, own, text, how):
    """Someone answers a round in the host's channel (of `own` council, by Slack Connect),
    named (ANSWER) or anonymously (ANONYMOUS), through the form."""
    box.driver.block_action(
        {"action_id": how, "type": "button", "value": str(round_.id)},
        user=user,
        user_team=own,
        channel=general(box, HOST),
        team_id=HOST,
    )
    box.wait()
    form = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    answer = {"answer": {"answer": {"type": "plain_text_input", "value": text}}}
    box.driver.view_submission(form, answer, user=user, user_team=own, team_id=HOST)
    box.wait()


def test_a_regional_breakout_across_councils_saves_its_themes_to_the_network(regional):
    box, channel = regional, general(regional, HOST)
    say(box, HOST, 'breakout "What brought contractors to the table?"')
    [round_] = rows(box, BreakoutRound)
    # anonymous answers from three people of three organisations: enough people to show them
    answers = [
        (who(box, HOST, "sam"), None, "Supplier breakfasts with the contractors", ANONYMOUS),
        ("U0LUTONSAM", LUTON, "Supplier breakfasts and a local contractors list", ANONYMOUS),
        ("U0BRUMSAM", BRUM, "Paying contractors within ten days", ANONYMOUS),
        ("U0BRUMPRIYA", BRUM, "Supplier breakfasts every quarter", ANSWER),
    ]
    for user, own, text, how in answers:
        answer_in(box, round_, user, own, text, how)
    assert len(rows(box, BreakoutAnswer)) == 4
    alex = who(box, HOST, "alex")
    for action in (CLOSE, TO_NETWORK):
        box.driver.block_action(
            {"action_id": action, "type": "button", "value": str(round_.id)},
            user=alex,
            channel=channel,
            team_id=HOST,
        )
        box.wait()
    summary = json.dumps([c.args for c in box.emulator.calls_to("chat.postMessage", ok=True)])
    assert "Paying contractors within ten days" in summary  # three people: shown
    assert "held back" not in summary
    form = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    assert form["callback_id"] == SHARE_VIEW
    submit(box, HOST, form, rows(box, Network)[0].id, COUNCIL_ONLY, name="alex")
    [shared] = rows(box, SharedEntry)
    assert shared.from_team == HOST and shared.title.startswith("Breakout themes")
    # Birmingham's own people, in their own workspace, find the session's themes
    found = json.dumps(say(box, BRUM, "ask from:network supplier breakfasts contractors", "priya"))
    assert "Breakout themes" in found and "from LGA Programme Team" in found
    # never by a council outside the network
    outside = json.dumps(say(box, AWAY, "ask paying contractors supplier breakfasts"))
    assert "Paying contractors" not in outside and "Breakout themes" not in outside


def test_with_approval_required_a_share_waits_for_an_admin(network):
    from handlers.network_blocks import APPROVE
    from handlers.settings_blocks import SETTINGS_VIEW

    alex = who(network, LUTON, "alex")
    say(network, LUTON, "settings")
    form = network.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    assert form["callback_id"] == SETTINGS_VIEW
    ticked = {"type": "checkboxes", "selected_options": [{"value": "approve"}]}
    network.driver.view_submission(
        form, {"network_approval": {"value": ticked}}, user=alex, team_id=LUTON
    )
    network.wait()
    say(network, LUTON, f"lesson {LESSON}. Forty firms came.", name="sam")
    [entry] = [e for e in rows(network, Entry) if e.team_id == LUTON and e.kind == "lesson"]
    done = submit(
        network, LUTON, share_form(network, LUTON, entry.id), rows(network, Network)[0].id, NAMED
    )
    assert "Waiting for one of the workspace's admins" in json.dumps(done)
    assert LESSON not in json.dumps(say(network, BRUM, "ask from:network supplier", "priya"))
    assert "admins" in say(network, LUTON, "network pending", name="sam")["text"]  # not sam's
    listed = say(network, LUTON, "network pending")
    [approve] = in_blocks(listed, APPROVE)
    # Birmingham's admin presses Luton's Approve, forged into its own channel: refused
    network.driver.block_action(
        {"action_id": APPROVE, "type": "button", "value": approve["value"]},
        user=who(network, BRUM, "alex"),
        channel=general(network, BRUM),
        team_id=BRUM,
    )
    network.wait()
    assert rows(network, SharedEntry)[0].pending
    network.driver.block_action(
        {"action_id": APPROVE, "type": "button", "value": approve["value"]},
        user=alex,
        channel=general(network, LUTON),
        team_id=LUTON,
    )
    network.wait()
    assert not rows(network, SharedEntry)[0].pending
    assert LESSON in json.dumps(say(network, BRUM, "ask from:network supplier", "priya"))


def test_each_member_hears_the_weeks_shares_in_the_channel_it_chose_once(network):
    from datetime import timedelta

    from bot.digesting import post_network_digests
    from bot.scheduler import scheduler_clients

    shared_lesson(network)  # Luton's, shared now
    [shared] = rows(network, SharedEntry)
    # Birmingham's people find it helpful (twice by one counts once); Luton's own vote is not
    for team_id, name in ((BRUM, "priya"), (BRUM, "priya"), (BRUM, "sam"), (LUTON, "sam")):
        network.driver.block_action(
            {"action_id": HELPFUL_SHARED, "type": "button", "value": str(shared.id)},
            user=who(network, team_id, name),
            channel=general(network, team_id),
            team_id=team_id,
        )
        network.wait()
    assert len(rows(network, SharedVote)) == 2
    assert "admins" in say(network, BRUM, f"network digest {NETWORK}", name="sam")["text"]
    chosen = say(network, BRUM, f"network digest {NETWORK}")["text"]
    assert "Every Monday" in chosen
    say(network, LUTON, f"network digest {NETWORK}")  # Luton's own share is not news to it
    clients = scheduler_clients(network.bot.settings, network.bot.engine)
    monday = network.bot.services.clock() + timedelta(days=1)
    lines = post_network_digests(network.bot.services, clients, monday)
    assert len(lines) == 1 and general(network, BRUM) in lines[0]
    [posted] = [
        c
        for c in network.emulator.calls_to("chat.postMessage", ok=True)
        if "This week in" in c.args["text"]
    ]
    assert posted.team_id == BRUM and LESSON in json.dumps(posted.args["blocks"])
    assert "Most helpful this month" in json.dumps(posted.args["blocks"])
    assert "found helpful 2 times" in json.dumps(posted.args["blocks"])
    assert post_network_digests(network.bot.services, clients, monday) == []  # once a week
    said = say(network, BRUM, f"network digest {NETWORK} off")["text"]
    assert "any more" in said
    later = monday + timedelta(days=1)
    assert post_network_digests(network.bot.services, clients, later) == []


def test_every_network_surface_from_outside_finds_nothing_and_changes_nothing(network):
    entry, net = shared_lesson(network)
    [shared] = rows(network, SharedEntry)
    gone = "No longer shared"
    # never shared: an entry's own id, or an id no row has
    for bogus in (entry.id + 1000, 0, -1):
        assert gone in json.dumps(open_shared(network, BRUM, bogus, "priya"))
    # a council outside the network, at every door
    assert gone in json.dumps(open_shared(network, AWAY, shared.id, "alex"))
    for text in (
        f"network leave {NETWORK}",
        f"network invite {NETWORK}",
        f"network remove Luton Borough Council from {NETWORK}",
        f"network digest {NETWORK}",
    ):
        assert "no network called" in say(network, AWAY, text)["text"]
    # a member that is not a host cannot remove or invite
    said = say(network, BRUM, f"network remove Luton Borough Council from {NETWORK}")["text"]
    assert "Only the hosts" in said
    assert len(rows(network, NetworkMember)) == 3 and len(rows(network, SharedEntry)) == 1
    # a council that has left: nothing shown, from the button it still has
    say(network, BRUM, f"network leave {NETWORK}")
    assert gone in json.dumps(open_shared(network, BRUM, shared.id, "priya"))
    # withdrawn: gone for those still in, from the same button
    submit(network, LUTON, share_form(network, LUTON, entry.id), net.id, WITHDRAW)
    assert gone in json.dumps(open_shared(network, HOST, shared.id, "alex"))
    with network.bot.services.sessions() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.team_id == AWAY)).all()
    assert [a for a in audit if a.entity == "network"] == []  # nothing happened to outsiders


def test_a_regional_round_counts_people_not_answers_across_councils(regional):
    box, channel = regional, general(regional, HOST)
    say(box, HOST, 'breakout "What held you back?"')
    [round_] = rows(box, BreakoutRound)
    for user, own, text in (
        ("U0BRUMSAM", BRUM, "Slow procurement"),
        ("U0BRUMSAM", BRUM, "Slow procurement again"),  # one person twice
        ("U0LUTONSAM", LUTON, "No surveyors"),
    ):
        answer_in(box, round_, user, own, text, ANONYMOUS)
    box.driver.block_action(
        {"action_id": CLOSE, "type": "button", "value": str(round_.id)},
        user=who(box, HOST, "alex"),
        channel=channel,
        team_id=HOST,
    )
    box.wait()
    summary = json.dumps([c.args for c in box.emulator.calls_to("chat.postMessage", ok=True)])
    assert "held back" in summary  # two people, whatever their organisations: not enough
    assert "Slow procurement" not in summary and "No surveyors" not in summary


def test_an_admin_may_share_someone_elses_entry_and_its_author_is_told(network):
    say(network, LUTON, f"lesson {LESSON}. Forty firms came.", name="sam")
    [entry] = [e for e in rows(network, Entry) if e.team_id == LUTON]
    assert share_form(network, LUTON, entry.id, name="priya") is None  # not hers, not an admin
    form = share_form(network, LUTON, entry.id, name="alex")  # an admin
    submit(network, LUTON, form, rows(network, Network)[0].id, COUNCIL_ONLY, name="alex")
    [copy] = rows(network, SharedEntry)
    assert copy.shared_by == who(network, LUTON, "alex")
    sam = who(network, LUTON, "sam")
    [told] = [
        c.args
        for c in network.emulator.calls_to("chat.postMessage", ok=True)
        if c.team_id == LUTON and "changed how your" in c.args["text"]
    ]
    assert told["channel"] == sam  # a DM to the author (posting to a user ID opens it)
    assert LESSON in told["text"] and f"<@{who(network, LUTON, 'alex')}>" in told["text"]
