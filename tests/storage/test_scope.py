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


def test_core_sql_and_text_on_a_workspaces_tables_are_refused_while_serving(engine):
    from sqlalchemy import delete, insert, text, update

    from storage.scope import Unscoped

    sessions = session_factory(engine)
    with sessions() as session:
        for team in ("T0SHELL", "T0OTHER"):
            add_partnership(
                session, team_id=team, name="Retrofit", channel_id=None, actor_id="U1", now=NOW
            )
    table = Partnership.__table__
    with serving("T0OTHER"), sessions() as session:
        for statement in (
            table.select(),  # Core: the loader criteria cannot see into it
            update(table).values(name="Mine now"),
            delete(table),
            text("SELECT name FROM partnership"),
            text("UPDATE partnership SET name = 'x'"),
        ):
            with pytest.raises(Unscoped):
                session.execute(statement)
        # ORM statements are scoped, updates and deletes included
        session.execute(update(Partnership).values(name="Ours, renamed"))
        session.commit()
        # an insert naming another workspace is refused, one naming its own goes through
        with pytest.raises(OtherWorkspace):
            session.execute(
                insert(Entry).values(
                    team_id="T0SHELL", kind="lesson", title="x", created_at=NOW,
                    updated_at=NOW, changed_at=NOW,
                )
            )  # fmt: skip
    with sessions() as session:  # unscoped (the scheduler, the command line): all allowed
        names = dict(session.execute(text("SELECT team_id, name FROM partnership")).all())
    assert names == {"T0SHELL": "Retrofit", "T0OTHER": "Ours, renamed"}


def test_tables_keyed_by_the_workspace_are_scoped_too(engine):
    from knowledge.nudges import Policy, set_policy
    from storage.models import NudgePolicy, SearchSnapshot

    sessions = session_factory(engine)
    with sessions() as session:
        for team in ("T0SHELL", "T0OTHER"):
            set_policy(session, team, Policy(days_before=1))
        session.add(
            SearchSnapshot(
                team_id="T0SHELL", format="f", seen_until=NOW, taken_at=NOW, signature="", data=b""
            )
        )
        session.commit()
    with serving("T0OTHER"), sessions() as session:
        assert session.get(NudgePolicy, "T0SHELL") is None
        assert session.get(SearchSnapshot, "T0SHELL") is None
        assert [p.team_id for p in session.exec(select(NudgePolicy))] == ["T0OTHER"]
        theirs = NudgePolicy(team_id="T0SHELL", days_before=9)
        session.merge(theirs)
        with pytest.raises(OtherWorkspace):
            session.commit()
