"""The scheduler is built unstarted, with stable job IDs, and its jobs work on the database."""

from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlmodel import select

from bot.scheduler import build_scheduler, prune_processed_events
from bot.services import build_services
from storage.events import claim_event
from storage.models import ProcessedEvent
from tests.conftest import NOW


def test_the_scheduler_comes_back_unstarted_with_its_jobs(settings, engine):
    services = build_services(settings, engine, clock=lambda: NOW)
    scheduler = build_scheduler(services)
    assert not scheduler.running
    assert [job.id for job in scheduler.get_jobs()] == ["prune-processed-events"]
    assert isinstance(build_scheduler(services, blocking=True), BlockingScheduler)


def test_pruning_forgets_only_old_events(settings, engine, session):
    claim_event(session, team_id="T1", event_id="old", at=NOW - timedelta(days=3))
    claim_event(session, team_id="T1", event_id="recent", at=NOW - timedelta(hours=1))
    prune_processed_events(build_services(settings, engine, clock=lambda: NOW))
    session.expire_all()
    assert [e.event_id for e in session.exec(select(ProcessedEvent))] == ["recent"]


def test_known_workspaces_have_their_search_warmed_at_start(settings, engine, session):
    from bot.factory import warm_search
    from knowledge.partnerships import add_partnership

    add_partnership(session, team_id="T1", name="Parks", channel_id=None, actor_id="U", now=NOW)
    services = build_services(settings, engine, clock=lambda: NOW)
    assert not services.search.ready("T1")
    warm_search(services).join(timeout=30)
    assert services.search.ready("T1")  # built by the warm-up, not by this test's asking
    assert len(services.search.index("T1")) >= 40  # the library was loaded and indexed
