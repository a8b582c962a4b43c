"""Events API dedupe: one row per (workspace, event id)."""

from datetime import timedelta

from sqlmodel import select

from storage.events import claim_event, prune_events
from storage.models import ProcessedEvent
from tests.conftest import NOW


def test_an_event_is_claimed_once(session):
    assert claim_event(session, team_id="T1", event_id="Ev1", at=NOW) is True
    assert claim_event(session, team_id="T1", event_id="Ev1", at=NOW) is False
    # the same id in another workspace is another event
    assert claim_event(session, team_id="T2", event_id="Ev1", at=NOW) is True


def test_old_events_are_forgotten(session):
    claim_event(session, team_id="T1", event_id="old", at=NOW - timedelta(days=3))
    claim_event(session, team_id="T1", event_id="new", at=NOW)
    assert prune_events(session, before=NOW - timedelta(days=2)) == 1
    assert [e.event_id for e in session.exec(select(ProcessedEvent))] == ["new"]


def test_times_come_back_in_utc(session):
    claim_event(session, team_id="T1", event_id="Ev", at=NOW)
    session.expire_all()
    stored = session.exec(select(ProcessedEvent)).one()
    assert stored.received_at == NOW and stored.received_at.tzinfo is not None
