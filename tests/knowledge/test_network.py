"""The programme network's domain: three councils, a host and two members. Nothing crosses
unless someone shared it; codes work once; leaving withdraws; every change is audited in the
acting workspace and the host's."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from knowledge.entries import BRIEF, LESSON, Draft, delete_entry, save_entry
from knowledge.network import (
    CODE_DAYS,
    NetworkError,
    create_network,
    invite,
    join,
    leave,
    members_of,
    memberships,
    remove_member,
)
from knowledge.shared_entries import hide, share, shared_copies, withdraw
from storage.models import AuditEntry, Workspace
from storage.network import Network, SharedEntry, SharedVote

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
HOST, LUTON, BRUM, STRANGER = "THOST", "TLUTON", "TBRUM", "TSTRANGE"
NAMES = {
    HOST: "LGA Programme Team",
    LUTON: "Luton Borough Council",
    BRUM: "Birmingham City Council",
}


@pytest.fixture
def councils(session):
    for team_id, name in NAMES.items():
        session.add(Workspace(team_id=team_id, name=name, installed_at=NOW))
    session.commit()
    network = create_network(
        session, team_id=HOST, name="Retrofit programme  2025-26", by="UHOST", now=NOW
    )
    for team_id in (LUTON, BRUM):
        _, code = invite(
            session, team_id=HOST, name="retrofit programme 2025-26", by="UHOST", now=NOW
        )
        join(session, team_id=team_id, code=code, by=f"U{team_id}", now=NOW)
    return network


def lesson(session, team_id, title, *, kind=LESSON, channel=None, private=False):
    entry = save_entry(
        session,
        team_id=team_id,
        draft=Draft(kind=kind, title=title, body="Supplier days brought the contractors in."),
        author_id=f"U{team_id}AUTH",
        channel_id=channel,
        now=NOW,
    )
    if private:
        entry.private = True
        session.add(entry)
        session.commit()
    return entry


def share_in_network(session, team_id, entry_id, *, by, author_name=None, pending=False):
    """Share an entry with the councils' network, as its form does."""
    return share(
        session,
        team_id=team_id,
        entry_id=entry_id,
        network="Retrofit programme 2025-26",
        by=by,
        author_name=author_name,
        now=NOW,
        pending=pending,
    )


def audits(session, team_id):
    return [
        a.detail
        for a in session.exec(
            select(AuditEntry)
            .where(AuditEntry.team_id == team_id)
            .where(AuditEntry.entity == "network")
        )
    ]


def test_a_host_invites_two_councils_who_join_by_name(session, councils):
    assert councils.name == "Retrofit programme 2025-26"
    names = [m.council for m in members_of(session, councils.id)]
    assert names == ["Birmingham City Council", "LGA Programme Team", "Luton Borough Council"]
    [held] = memberships(session, LUTON)
    assert held.network.id == councils.id and not held.hosting
    assert memberships(session, STRANGER) == []
    assert any('"did": "join"' in d and LUTON in d for d in audits(session, HOST))


def test_a_code_works_once_within_its_days_and_only_the_hosts_make_them(session, councils):
    _, code = invite(session, team_id=HOST, name="Retrofit programme 2025-26", by="UHOST", now=NOW)
    join(session, team_id=STRANGER, code=code.lower().replace("-", " "), by="US", now=NOW)
    with pytest.raises(NetworkError, match="used or has expired"):
        join(session, team_id="TOTHER", code=code, by="UO", now=NOW)
    _, late = invite(session, team_id=HOST, name="Retrofit programme 2025-26", by="UHOST", now=NOW)
    with pytest.raises(NetworkError, match="expired"):
        join(session, team_id="TOTHER", code=late, by="UO", now=NOW + timedelta(days=CODE_DAYS))
    with pytest.raises(NetworkError, match="Only the hosts"):
        invite(session, team_id=LUTON, name="Retrofit programme 2025-26", by="ULUTON", now=NOW)
    with pytest.raises(NetworkError, match="no network called"):
        invite(session, team_id="TOTHER", name="Retrofit programme 2025-26", by="UO", now=NOW)
    for bad in ("", "NOT-A-CODE", "x" * 500):
        with pytest.raises(NetworkError):
            join(session, team_id="TOTHER", code=bad, by="UO", now=NOW)


def test_a_shared_lesson_is_a_fixed_copy_with_the_council_and_the_name_only_if_chosen(
    session, councils
):
    entry = lesson(session, LUTON, "Supplier days won contractors over")
    row, new = share_in_network(session, LUTON, entry.id, by="ULUTON")
    assert new and row.council == "Luton Borough Council" and row.author_name is None
    entry.title = "Edited afterwards"
    session.add(entry)
    session.commit()
    assert session.get(SharedEntry, row.id).title == "Supplier days won contractors over"
    again, new = share_in_network(session, LUTON, entry.id, by="ULUTON", author_name="Sam Patel")
    assert not new and again.id == row.id and again.title == "Edited afterwards"
    assert again.author_name == "Sam Patel"
    assert [n.name for n, _ in shared_copies(session, team_id=LUTON, entry_id=entry.id)] == [
        councils.name
    ]
    assert session.get(Network, councils.id).version == 2
    assert any('"did": "share"' in d for d in audits(session, LUTON))
    assert any('"did": "update"' in d for d in audits(session, HOST))


def test_only_a_members_own_public_lessons_and_notes_can_be_shared(session, councils):
    theirs = lesson(session, BRUM, "Birmingham's own")
    private = lesson(session, LUTON, "Said in a private channel", channel="CPRIV", private=True)
    mine = lesson(session, LUTON, "Luton's own")
    cases = [
        (LUTON, theirs.id, "isn't one of this workspace's"),  # another council's entry id
        (LUTON, 999_999, "isn't one of this workspace's"),
        (LUTON, private.id, "private channel"),
        (STRANGER, mine.id, "no network called"),  # not a member
    ]
    for team_id, entry_id, why in cases:
        with pytest.raises(NetworkError, match=why):
            share_in_network(session, team_id, entry_id, by="U1")
    delete_entry(session, entry=mine, actor_id="ULUTONAUTH", manager=True, now=NOW)
    with pytest.raises(NetworkError, match="deleted"):
        share_in_network(session, LUTON, mine.id, by="U1")
    assert session.exec(select(SharedEntry)).all() == []


def test_a_deleted_entry_is_withdrawn_from_every_network(session, councils):
    entry = lesson(session, LUTON, "Soon deleted")
    share_in_network(session, LUTON, entry.id, by="ULUTON")
    delete_entry(session, entry=entry, actor_id="ULUTONAUTH", manager=True, now=NOW)
    assert session.exec(select(SharedEntry)).all() == []
    assert session.get(Network, councils.id).version == 2
    for team_id in (LUTON, HOST):  # a withdrawal, audited in both
        assert any('"did": "withdraw"' in d for d in audits(session, team_id))


def test_withdrawing_deletes_the_copy_and_only_its_own_council_can(session, councils):
    entry = lesson(session, LUTON, "Supplier days", kind=BRIEF)
    share_in_network(session, LUTON, entry.id, by="ULUTON")
    with pytest.raises(NetworkError, match="isn't shared"):
        withdraw(
            session,
            team_id=BRUM,
            entry_id=entry.id,
            network="Retrofit programme 2025-26",
            by="UBRUM",
            now=NOW,
        )
    withdraw(
        session,
        team_id=LUTON,
        entry_id=entry.id,
        network="Retrofit programme 2025-26",
        by="ULUTON",
        now=NOW,
    )
    assert session.exec(select(SharedEntry)).all() == []
    assert any('"did": "withdraw"' in d for d in audits(session, HOST))


def test_a_council_that_leaves_withdraws_all_it_shared_and_the_host_cannot_leave(session, councils):
    for title in ("One", "Two"):
        entry = lesson(session, LUTON, title)
        share_in_network(session, LUTON, entry.id, by="ULUTON")
    kept = lesson(session, BRUM, "Birmingham's")
    share_in_network(session, BRUM, kept.id, by="UBRUM")
    _, withdrawn = leave(
        session, team_id=LUTON, name="Retrofit programme 2025-26", by="ULUTON", now=NOW
    )
    assert withdrawn == 2 and memberships(session, LUTON) == []
    assert [r.from_team for r in session.exec(select(SharedEntry))] == [BRUM]
    with pytest.raises(NetworkError, match="hosts"):
        leave(session, team_id=HOST, name="Retrofit programme 2025-26", by="UHOST", now=NOW)
    with pytest.raises(NetworkError, match="no network called"):
        leave(session, team_id=LUTON, name="Retrofit programme 2025-26", by="ULUTON", now=NOW)


def test_the_hosts_remove_a_council_and_hide_an_entry_with_a_reason_its_sharer_sees(
    session, councils
):
    entry = lesson(session, BRUM, "Off topic")
    row, _ = share_in_network(session, BRUM, entry.id, by="UBRUM")
    with pytest.raises(NetworkError, match="hosts"):
        hide(session, team_id=LUTON, shared_id=row.id, reason="no", by="ULUTON", now=NOW)
    with pytest.raises(NetworkError, match="why"):
        hide(session, team_id=HOST, shared_id=row.id, reason="  ", by="UHOST", now=NOW)
    hide(session, team_id=HOST, shared_id=row.id, reason="Not about retrofit", by="UHOST", now=NOW)
    assert session.get(SharedEntry, row.id).hidden_reason == "Not about retrofit"
    assert any("Not about retrofit" in d for d in audits(session, BRUM))
    with pytest.raises(NetworkError, match="Only the hosts"):
        remove_member(
            session,
            team_id=LUTON,
            name="Retrofit programme 2025-26",
            council="Birmingham City Council",
            by="ULUTON",
            now=NOW,
        )
    remove_member(
        session,
        team_id=HOST,
        name="Retrofit programme 2025-26",
        council="birmingham city council",
        by="UHOST",
        now=NOW,
    )
    assert memberships(session, BRUM) == [] and session.exec(select(SharedEntry)).all() == []
    assert any('"did": "removed"' in d for d in audits(session, BRUM))


def test_a_shared_lesson_is_found_by_the_other_council_after_its_own_until_withdrawn(
    engine, session, councils
):
    from knowledge.query import QueryError, parse_query
    from knowledge.search import KnowledgeSearch
    from storage.db import session_factory

    search = KnowledgeSearch(session_factory(engine), lambda: NOW)

    def ask(team_id, text):
        return search.search(team_id=team_id, query=parse_query(text), channel_id=None, now=NOW)

    entry = lesson(session, LUTON, "Supplier breakfasts won the contractors over")
    lesson(session, BRUM, "Our supplier breakfasts")  # Birmingham's own
    lesson(session, STRANGER, "A stranger's supplier breakfasts")  # never shared: never seen
    assert ask(BRUM, "supplier breakfasts").shared == ()  # nothing shared yet
    share_in_network(session, LUTON, entry.id, by="ULUTON")

    found = ask(BRUM, "supplier breakfasts")
    assert [h.entry_id for h in found.hits] and len(found.shared) == 1  # its own, then Luton's
    shared = session.get(SharedEntry, found.shared[0].shared_id)
    assert shared.council == "Luton Borough Council" and shared.entry_id == entry.id
    assert ask(LUTON, "supplier breakfasts").shared == ()  # its own is not shown twice
    assert ask(STRANGER, "supplier breakfasts").shared == ()  # not a member
    only = ask(BRUM, "from:network supplier")
    assert (
        only.network_only and only.hits == [] and [h.shared_id for h in only.shared] == [shared.id]
    )
    assert [h.shared_id for h in ask(BRUM, "council:luton supplier").shared] == [shared.id]
    assert ask(BRUM, "council:luton kind:brief supplier").shared == ()
    with pytest.raises(QueryError, match="No council called"):
        ask(BRUM, "council:atlantis supplier")

    withdraw(
        session,
        team_id=LUTON,
        entry_id=entry.id,
        network="Retrofit programme 2025-26",
        by="ULUTON",
        now=NOW,
    )
    assert ask(BRUM, "supplier breakfasts").shared == ()  # gone by the very next search

    share_in_network(session, LUTON, entry.id, by="ULUTON")
    assert len(ask(BRUM, "supplier breakfasts").shared) == 1
    leave(session, team_id=BRUM, name="Retrofit programme 2025-26", by="UBRUM", now=NOW)
    assert ask(BRUM, "supplier breakfasts").shared == ()  # a council that left sees none


def test_forgetting_someone_takes_their_name_from_what_their_council_shared(session, councils):
    from knowledge.data_rights import FORMER, forget, held_about

    entry = save_entry(
        session,
        team_id=LUTON,
        draft=Draft(kind=LESSON, title="Supplier days", body="Ask <@ULUTONSAM> for the list."),
        author_id="ULUTONSAM",
        channel_id=None,
        now=NOW,
    )
    share_in_network(session, LUTON, entry.id, by="ULUTONSAM", author_name="Sam Patel")
    version = session.get(Network, councils.id).version
    assert "shared_entry" in held_about(session, team_id=LUTON, user_id="ULUTONSAM")
    from knowledge.shared_entries import found_helpful

    [row] = session.exec(select(SharedEntry)).all()
    assert found_helpful(session, team_id=BRUM, user_id="UBRUMSAM", shared_id=row.id, now=NOW)
    assert (
        found_helpful(session, team_id=LUTON, user_id="ULUTONSAM", shared_id=row.id, now=NOW)
        is None
    )
    forget(session, team_id=BRUM, user_id="UBRUMSAM", now=NOW)  # Birmingham forgets its voter
    assert session.exec(select(SharedVote)).all() == []
    forget(session, team_id=LUTON, user_id="ULUTONSAM", now=NOW)
    session.expire_all()
    [row] = session.exec(select(SharedEntry)).all()
    assert row.author_id == FORMER and row.shared_by == FORMER and row.author_name is None
    assert "ULUTONSAM" not in row.body and "a former member" in row.body
    assert session.get(Network, councils.id).version > version  # indexes rebuilt without them
    # another council's forgetting of its own person touches nothing Luton shared
    forget(session, team_id=BRUM, user_id="ULUTONAUTH", now=NOW)
    assert session.exec(select(SharedEntry)).one().title == "Supplier days"


def test_a_purged_workspace_takes_what_it_shared_and_a_purged_host_its_network(session, councils):
    from storage.teams import purge

    for team_id in (LUTON, BRUM):
        entry = lesson(session, team_id, f"{team_id} lesson")
        share_in_network(session, team_id, entry.id, by="U1")
    [brum] = [r for r in session.exec(select(SharedEntry)) if r.from_team == BRUM]
    from knowledge.shared_entries import found_helpful

    assert found_helpful(session, team_id=LUTON, user_id="ULUTONX", shared_id=brum.id, now=NOW)
    purge(session, LUTON)
    assert [r.from_team for r in session.exec(select(SharedEntry))] == [BRUM]
    assert session.exec(select(SharedVote)).all() == []  # its people's votes go with it
    assert memberships(session, LUTON) == []
    purge(session, HOST)
    assert session.exec(select(Network)).all() == []
    assert session.exec(select(SharedEntry)).all() == [] and memberships(session, BRUM) == []


def test_a_share_waiting_for_approval_is_shown_to_nobody_until_an_admin_approves(
    engine, session, councils
):
    from knowledge.query import parse_query
    from knowledge.search import KnowledgeSearch
    from knowledge.shared_entries import decide_share, pending_shares
    from storage.db import session_factory

    search = KnowledgeSearch(session_factory(engine), lambda: NOW)
    entry = lesson(session, LUTON, "Supplier breakfasts won the contractors over")
    row, _ = share_in_network(session, LUTON, entry.id, by="ULUTON", pending=True)

    def found():
        return search.search(
            team_id=BRUM, query=parse_query("from:network supplier"), channel_id=None, now=NOW
        ).shared

    assert found() == () and [r.id for _, r in pending_shares(session, team_id=LUTON)] == [row.id]
    assert not any('"did": "share"' in d for d in audits(session, HOST))  # nothing has left
    with pytest.raises(NetworkError, match="waiting"):  # another council's admin cannot
        decide_share(session, team_id=BRUM, shared_id=row.id, approve=True, by="UBRUM", now=NOW)
    decide_share(session, team_id=LUTON, shared_id=row.id, approve=True, by="ULUTONADMIN", now=NOW)
    assert [h.shared_id for h in found()] == [row.id]
    assert any('"did": "share"' in d for d in audits(session, HOST))
    with pytest.raises(NetworkError, match="waiting"):  # decided once
        decide_share(session, team_id=LUTON, shared_id=row.id, approve=False, by="U1", now=NOW)

    other = lesson(session, LUTON, "Declined one")
    row, _ = share_in_network(session, LUTON, other.id, by="ULUTON", pending=True)
    decide_share(session, team_id=LUTON, shared_id=row.id, approve=False, by="ULUTONADMIN", now=NOW)
    assert session.get(SharedEntry, row.id) is None
