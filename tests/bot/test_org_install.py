"""An Enterprise Grid org installs the bot once, org-wide, for all its councils' workspaces:
payloads then name no workspace in places (an event's authorization, an action's `team`), and
the bot still files each thing under the right workspace, with the org beside it; each is served
and reminded with the org's token, and kept from the other; an org uninstall covers them all."""

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.emulator import demo_workspace
from bot.emulator.oauth import revoke
from bot.nudging import send_due_nudges
from bot.sandbox import Sandbox
from bot.scheduler import scheduler_clients
from storage.installations import Workspace, bots
from storage.models import Entry

ORG = "E0COUNTY"


@pytest.fixture
def org(settings):
    north = demo_workspace("T0NORTH", "North District Council")
    south = demo_workspace("T0SOUTH", "South District Council")
    north.enterprise_id = south.enterprise_id = ORG
    with Sandbox(settings, north, south, oauth=True) as sandbox:
        state, cookie = sandbox.start_install()
        code = sandbox.emulator.installs.consent_org(ORG, north.user_named("alex").id)
        assert sandbox.come_back(code, state, cookie) == 200
        yield sandbox


def say(box, team_id, text, who="alex"):
    ws = box.emulator.workspaces[team_id]
    box.driver.command(
        text,
        user=ws.user_named(who).id,
        channel=ws.channel_named("general").id,
        team_id=team_id,
        org_install=ORG,
    )
    box.wait()


def test_an_org_wide_install_serves_each_workspace_as_its_own(org):
    with org.bot.services.sessions() as session:
        [install] = session.execute(select(bots)).all()
    assert (install.enterprise_id, install.team_id, install.is_enterprise_install) == (
        ORG,
        None,
        True,
    )
    say(org, "T0NORTH", "lesson Shared depots cut costs")
    say(org, "T0SOUTH", "lesson Parish councils want early sight of plans")
    with org.bot.services.sessions() as session:
        lessons = {
            (e.team_id, e.enterprise_id, e.title)
            for e in session.exec(select(Entry))
            if e.kind == "lesson"
        }
        workspaces = {(w.team_id, w.enterprise_id) for w in session.exec(select(Workspace))}
    assert lessons == {
        ("T0NORTH", ORG, "Shared depots cut costs"),
        ("T0SOUTH", ORG, "Parish councils want early sight of plans"),
    }
    assert workspaces == {("T0NORTH", ORG), ("T0SOUTH", ORG)}
    # the south cannot find the north's lesson
    mark = len(org.emulator.calls)
    say(org, "T0SOUTH", "ask shared depots")
    assert "Shared depots" not in str([c.args for c in org.emulator.calls[mark:]])
    # an event whose authorization names no workspace: the App Home is the north's own
    north = org.emulator.workspaces["T0NORTH"]
    alex = north.user_named("alex").id
    org.driver.event(
        {"type": "app_home_opened", "user": alex, "tab": "home"}, team_id="T0NORTH", org_install=ORG
    )
    org.wait()
    assert alex in north.home and "Shared depots cut costs" in str(north.home[alex])


def test_the_org_token_reminds_each_workspace_and_an_org_uninstall_covers_them_all(org):
    south = org.emulator.workspaces["T0SOUTH"]
    sam = south.user_named("sam").id
    say(org, "T0SOUTH", f"commit <@{sam}|sam> Send the depot costs by friday")
    say(org, "T0NORTH", "lesson Shared depots cut costs")
    clients = scheduler_clients(org.bot.settings, org.bot.engine)
    later = working_morning(org.bot.services.clock() + timedelta(days=10))
    assert send_due_nudges(org.bot.services, clients, later)
    org.wait()
    dms = [c for c in org.emulator.calls if c.method == "chat.postMessage" and c.ok]
    assert dms and {c.team_id for c in dms} == {"T0SOUTH"}
    # the org removes the app: one event, no workspace named; every workspace of it has left
    for ws in org.emulator.workspaces.values():
        revoke(ws)
    org.driver.event({"type": "app_uninstalled"}, org_install=ORG)
    org.wait()
    with org.bot.services.sessions() as session:
        assert session.execute(select(bots)).all() == []
        left = {w.team_id: w.uninstalled_at for w in session.exec(select(Workspace))}
    assert set(left) == {"T0NORTH", "T0SOUTH"}
    assert all(when is not None for when in left.values())
    mark = len(org.emulator.calls)
    say(org, "T0SOUTH", "lesson After leaving")
    [refused] = [c for c in org.emulator.calls[mark:] if c.method == "response_url"]
    assert refused.args["text"].startswith("partnerbot isn't installed in this workspace")


def working_morning(when):
    """10:00 UTC on the first working day from `when`: reminders go out in working hours, so a
    test run in the evening must not ask for them then."""
    from datetime import UTC, datetime, time

    from knowledge.workdays import next_working_day

    return datetime.combine(next_working_day(when.date()), time(10, 0), UTC)
