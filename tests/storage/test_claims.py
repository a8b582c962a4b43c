"""A run's claims, a batch at a time: claimed in one statement, held and marked together, and
nothing written to a row another run has taken since."""

from datetime import UTC, date, datetime

from sqlmodel import select

from knowledge.commitments import Owner, record_commitment
from knowledge.nudges import sent
from storage.claims import Lease
from storage.db import session_factory
from storage.models import Nudge

RECORDED = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # after the "before" reminders
RUN_AT = datetime(2026, 11, 23, 9, 31, tzinfo=UTC)  # each "due today" reminder is at 09:30


def owed(session, people: int) -> None:
    for n in range(people):
        record_commitment(
            session,
            team_id="T1",
            created_by="U0ALEX",
            creator_tz="Europe/London",
            channel_id=None,
            owners=[Owner(f"U0P{n:02d}", "Europe/London")],
            action=f"Action {n}",
            due=date(2026, 11, 23),
            now=RECORDED,
        )


def statuses(session) -> dict[str, int]:
    found: dict[str, int] = {}
    session.expire_all()
    for nudge in session.exec(select(Nudge).where(Nudge.due_at <= RUN_AT)):
        found[nudge.status] = found.get(nudge.status, 0) + 1
    return found


def test_a_batch_is_claimed_held_and_marked_together_and_never_over_another_runs(engine, session):
    owed(session, 6)
    sessions = session_factory(engine)
    with Lease(sessions, Nudge, now=RUN_AT, batch=4) as first:
        batch = next(first.batches())
        assert len(batch) == 4 and statuses(session) == {"claimed": 4, "pending": 2}
        with Lease(sessions, Nudge, now=RUN_AT, batch=4) as second:
            [*others] = next(second.batches())
            assert len(others) == 2  # only what the first does not hold
            # the second run's rows are not the first's: holding them changes nothing
            assert first.hold_all(others) == []
            assert first.hold_all(batch) == batch
            assert first.finish_all(batch[:2], sending_at=RUN_AT) == {n.id for n in batch[:2]}
            for nudge in batch[:2]:
                first.finish_later(nudge, **sent(channel="D1", ts="1.0", now=RUN_AT))
            first.finish_later(others[0], **sent(channel="D1", ts="2.0", now=RUN_AT))
            assert statuses(session) == {"claimed": 6}  # nothing written until the flush
            assert first.flush() == 2  # the other run's row was not marked
            assert statuses(session) == {"claimed": 4, "sent": 2}
        # the second run ended without finishing its rows: they are free again
        assert statuses(session) == {"claimed": 2, "pending": 2, "sent": 2}
    # the first run ended: what it held and had not marked goes back too
    assert statuses(session) == {"pending": 4, "sent": 2}
    marked = session.exec(select(Nudge).where(Nudge.status == "sent")).all()
    assert {n.message_ts for n in marked} == {"1.0"} and all(n.sending_at for n in marked)


def test_changes_kept_for_later_are_written_when_the_run_ends(engine, session):
    owed(session, 3)
    with Lease(session_factory(engine), Nudge, now=RUN_AT) as lease:
        for nudge in next(lease.batches()):
            lease.finish_later(nudge, **sent(channel="D1", ts="1.0", now=RUN_AT))
    assert statuses(session) == {"sent": 3}
