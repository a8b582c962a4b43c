"""Commitments and their nudges, straight through the domain (the clock is a parameter)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from knowledge.commit_text import parse_commit, split_partnership
from knowledge.commitments import (
    CommitmentError,
    Owner,
    close,
    may_change,
    open_commitments,
    record_commitment,
)
from knowledge.nudges import Policy, decide, set_away, snooze
from knowledge.partnerships import add_partnership
from storage import claims
from storage.models import AuditEntry, Nudge

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def claim_due(session, *, now):
    return claims.claim_due(
        session, Nudge, now=now, stale_after=claims.LEASE, extra={"claim": claims.claim_token()}
    )


def apply(session, nudge, decision):
    """What the sender does with a decision not to send: change the nudge as it says."""
    for key, value in decision.change.items():
        setattr(nudge, key, value)
    session.add(nudge)
    session.commit()
    return decision.send


def commit(session, due=date(2026, 12, 11), owners=(("U1", "Europe/London"),), **extra):
    return record_commitment(
        session,
        team_id="T1",
        created_by="UC",
        creator_tz="Europe/London",
        channel_id="C1",
        owners=[Owner(u, tz) for u, tz in owners],
        action="Share the supply-chain map",
        due=due,
        now=extra.pop("now", MONDAY_10),
        **extra,
    )


def nudges(session, commitment_id=None):
    rows = session.exec(select(Nudge).order_by(Nudge.due_at)).all()
    return [n for n in rows if commitment_id is None or n.commitment_id == commitment_id]


def test_the_command_text_splits_into_owners_action_and_date():
    request = parse_commit("<@U1|sam> <@U2|kim> Share the map by the end by 12 Dec in Retrofit")
    assert request.owners == ("U1", "U2")
    assert request.action == "Share the map by the end"
    assert request.when == "12 Dec in Retrofit"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Share the map by friday", "Who will do it?"),
        ("<#C1|general> Share the map by friday", "is a channel, not a person"),
        ("@bob Share the map by friday", "I don't know anyone called @bob"),
        ("<@U1|sam> Share the map", "By when?"),
        ("<@U1|sam> Share the map by ", "By when?"),
    ],
)
def test_bad_commands_say_what_is_missing(text, said):
    with pytest.raises(CommitmentError, match=said):
        parse_commit(text)


def test_in_partnership_is_split_off_only_when_it_names_one(session):
    retrofit = add_partnership(
        session,
        team_id="T1",
        name="Retrofit Partnership",
        channel_id=None,
        actor_id="U",
        now=MONDAY_10,
    )
    assert split_partnership(session, team_id="T1", when="12 Dec in retrofit partnership") == (
        "12 Dec",
        retrofit,
    )
    assert split_partnership(session, team_id="T1", when="in 2 weeks") == ("in 2 weeks", None)


def test_an_action_must_be_there_and_not_huge(session):
    def record(action):
        return record_commitment(
            session,
            team_id="T1",
            created_by="UC",
            creator_tz="Europe/London",
            channel_id="C1",
            owners=[Owner("U1", "Europe/London")],
            action=action,
            due=date(2026, 12, 11),
            now=MONDAY_10,
        )

    with pytest.raises(CommitmentError, match="What is the action"):
        record("  ")
    with pytest.raises(CommitmentError, match="500 characters"):
        record("x" * 4000)
    assert nudges(session) == []


def test_the_default_policy_plans_before_due_overdue_and_escalation(session):
    commitment = commit(session)  # due Friday 11 December
    planned = [(n.recipient_id, n.kind, n.number, n.due_at) for n in nudges(session)]
    at = lambda d: datetime(2026, 12, d, 9, 30, tzinfo=UTC)  # noqa: E731
    assert planned == [
        ("U1", "before", 0, at(8)),
        ("U1", "due", 0, at(11)),
        ("U1", "overdue", 1, at(15)),
        ("U1", "overdue", 2, at(17)),
        ("U1", "overdue", 3, at(21)),
        ("UC", "escalation", 0, at(23)),
    ]
    assert [a.action for a in session.exec(select(AuditEntry)).all()] == ["create"]
    assert open_commitments(session, team_id="T1", owner_id="U1")[0].id == commitment.id


def test_each_owner_is_nudged_in_their_own_time_zone(session):
    commit(session, owners=(("U1", "Europe/London"), ("U2", "America/New_York")))
    due_day = [n for n in nudges(session) if n.kind == "due"]
    assert {n.recipient_id: n.due_at.hour for n in due_day} == {"U1": 9, "U2": 14}


def test_a_commitment_due_today_is_nudged_at_once_in_working_hours(session):
    commit(session, due=date(2026, 11, 23))
    first = nudges(session)[0]
    assert (first.kind, first.due_at) == ("due", MONDAY_10)


def test_claiming_twice_at_once_sends_each_nudge_once(engine):
    with Session(engine) as session:
        for _ in range(20):
            commit(session, due=date(2026, 11, 23))
    due_now = MONDAY_10 + timedelta(minutes=1)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker():
        with Session(engine) as session:
            got = [n.id for n in claim_due(session, now=due_now)]
        with lock:
            claimed.extend(got)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 20 and len(set(claimed)) == 20


def test_done_cancels_every_nudge_still_owed(session):
    commitment = commit(session)
    close(session, commitment, status="done", actor_id="U1", now=MONDAY_10)
    assert {n.status for n in nudges(session)} == {"cancelled"}
    with pytest.raises(CommitmentError, match="already done"):
        close(session, commitment, status="done", actor_id="U1", now=MONDAY_10)


def test_nudges_missed_during_an_outage_send_only_the_newest(session):
    commitment = commit(session)
    back = datetime(2026, 12, 16, 10, 0, tzinfo=UTC)  # after before, due and overdue 1
    claimed = claim_due(session, now=back)
    decisions = [
        apply(
            session,
            n,
            decide(
                session, n, commitment=commitment, tz="Europe/London", now=back, policy=Policy()
            ),
        )
        for n in claimed
    ]
    assert decisions == [False, False, True]
    assert [n.status for n in nudges(session)][:3] == ["superseded", "superseded", "claimed"]


def test_out_of_hours_catch_up_waits_for_the_morning(session):
    commitment = commit(session)
    saturday = datetime(2026, 12, 12, 20, 0, tzinfo=UTC)
    [due] = [n for n in claim_due(session, now=saturday) if n.kind == "due"]
    decision = decide(
        session, due, commitment=commitment, tz="Europe/London", now=saturday, policy=Policy()
    )
    assert not apply(session, due, decision)
    assert (due.status, due.due_at) == ("pending", datetime(2026, 12, 14, 9, 30, tzinfo=UTC))


def test_away_puts_nudges_off_but_not_the_escalation(session):
    commitment = commit(session)
    set_away(session, team_id="T1", user_id="U1", until=date(2026, 12, 18), now=MONDAY_10)
    when = datetime(2026, 12, 11, 9, 31, tzinfo=UTC)
    [due] = claim_due(session, now=when)[-1:]
    decision = decide(
        session, due, commitment=commitment, tz="Europe/London", now=when, policy=Policy()
    )
    assert not apply(session, due, decision)
    assert due.due_at == datetime(2026, 12, 21, 9, 30, tzinfo=UTC)  # next working day after


def test_snooze_reminds_again_later_once_and_leaves_the_due_date(session):
    commitment = commit(session)
    until = datetime(2026, 12, 12, 9, 30, tzinfo=UTC)  # past the before and due reminders
    assert snooze(session, commitment=commitment, user_id="U1", until=until)
    assert not snooze(session, commitment=commitment, user_id="U1", until=until)
    mine = [n for n in nudges(session) if n.recipient_id == "U1"]
    assert [(n.kind, n.status) for n in mine][:3] == [
        ("before", "superseded"),
        ("due", "superseded"),
        ("snoozed", "pending"),
    ]
    assert commitment.due_date == date(2026, 12, 11)


def test_owners_creator_and_managers_may_change_it(session):
    commitment = commit(session)
    assert may_change(session, commitment, "U1", manager=False)
    assert may_change(session, commitment, "UC", manager=False)
    assert not may_change(session, commitment, "U9", manager=False)
    assert may_change(session, commitment, "U9", manager=True)
