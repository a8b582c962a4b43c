"""Workspace isolation in one place: while a request is served, a session sees and changes only
that workspace's rows, whatever its query forgot to filter; outside a request (the scheduler,
the command line) a session sees everything."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from knowledge.partnerships import add_partnership
from storage.db import session_factory
from storage.models import Entry, Partnership
from storage.scope import OtherWorkspace, serving

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_served_request_sees_and_writes_only_its_own_workspace(engine):
    sessions = session_factory(engine)
    with sessions() as session:
        for team in ("T0SHELL", "T0OTHER"):
            add_partnership(
                session, team_id=team, name="Retrofit", channel_id=None, actor_id="U1", now=NOW
            )
    with serving("T0OTHER"), sessions() as session:
        # a query with no filter at all
        assert [p.team_id for p in session.exec(select(Partnership))] == ["T0OTHER"]
        # a row named by id, as a forged button would
        theirs = 1 if session.get(Partnership, 2) else 2
        assert session.get(Partnership, theirs) is None
        # writing one of another workspace's rows is refused before it reaches the database
        session.add(
            Entry(team_id="T0SHELL", kind="lesson", title="Sneaky", created_at=NOW, updated_at=NOW)
        )
        with pytest.raises(OtherWorkspace):
            session.commit()
    with sessions() as session:  # unscoped: the scheduler's view
        assert sorted(p.team_id for p in session.exec(select(Partnership))) == [
            "T0OTHER",
            "T0SHELL",
        ]
        assert session.exec(select(Entry)).all() == []


def test_new_rows_carry_their_workspaces_org(engine):
    from storage.installations import Workspace
    from storage.models import Nudge

    sessions = session_factory(engine)
    with sessions() as session:
        session.add(Workspace(team_id="T0GRID1", enterprise_id="E0COUNTY", installed_at=NOW))
        session.commit()
    with serving("T0GRID2", "E0COUNTY"), sessions() as session:  # a request from the org
        made = add_partnership(
            session, team_id="T0GRID2", name="Parks", channel_id=None, actor_id="U1", now=NOW
        )
        assert made.enterprise_id == "E0COUNTY"
    with sessions() as session:  # the scheduler, knowing the workspace's org from its install
        nudge = Nudge(team_id="T0GRID1", recipient_id="U1", kind="due", due_at=NOW)
        session.add(nudge)
        session.commit()
        assert nudge.enterprise_id == "E0COUNTY"
        outside = Nudge(team_id="T0SHELL", recipient_id="U1", kind="due", due_at=NOW)
        session.add(outside)
        session.commit()
        assert outside.enterprise_id is None  # not in an org
