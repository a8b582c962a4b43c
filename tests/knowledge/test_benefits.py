"""The benefits tracker through the domain: financial and non-financial benefits, their rules,
updates with evidence, honest standing, and the reminders owed when one falls due unupdated."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from knowledge.benefits import (
    BENEFIT_DUE,
    BENEFIT_LATE,
    BenefitError,
    Planned,
    add_benefit,
    benefits_of,
    decide_benefit,
    standing,
    update_benefit,
)
from knowledge.nudges import Policy
from knowledge.projects import add_project
from storage.models import Benefit, BenefitUpdate, Nudge

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
T = "T0SHELL"


@pytest.fixture
def project(session):
    return add_project(session, team_id=T, name="Digital front door", actor_id="U0ALEX", now=NOW)


def saving(**changes):
    fields = dict(
        kind="financial",
        title="Fewer calls to the contact centre",
        owner_id="U0SAM",
        due=date(2027, 3, 31),
        planned_gbp=Decimal("120000"),
    )
    return Planned(**{**fields, **changes})


def add(session, project, planned, **kw):
    return add_benefit(
        session,
        team_id=T,
        planned=planned,
        actor_id="U0ALEX",
        now=NOW,
        owner_tz="Europe/London",
        project_id=project.id,
        **kw,
    )


def test_a_financial_benefit_is_planned_updated_and_realised(session, project):
    benefit = add(session, project, saving())
    assert (benefit.realised_gbp, standing(benefit, NOW.date())) == (Decimal("0.00"), "on track")
    reminders = session.exec(select(Nudge).where(Nudge.benefit_id == benefit.id)).all()
    # 31 Mar 2027 is a Wednesday: 09:30 BST (08:30 UTC) that day, then a week later
    assert [(n.kind, n.due_at) for n in reminders] == [
        (BENEFIT_DUE, datetime(2027, 3, 31, 8, 30, tzinfo=UTC)),
        (BENEFIT_LATE, datetime(2027, 4, 7, 8, 30, tzinfo=UTC)),
    ]
    update_benefit(
        session, benefit, actor_id="U0SAM", now=NOW, realised_gbp=Decimal("40000"), rag="amber"
    )
    assert standing(benefit, NOW.date()) == "at risk"
    update_benefit(
        session,
        benefit,
        actor_id="U0SAM",
        now=NOW + timedelta(days=30),
        realised_gbp=Decimal("125000"),
        rag="green",
        evidence_link="https://council.example/finance/q3",
    )
    assert standing(benefit, date(2027, 5, 1)) == "realised"
    assert len(session.exec(select(BenefitUpdate)).all()) == 2


def test_a_non_financial_benefit_needs_a_measure_for_its_target(session, project):
    with pytest.raises(BenefitError, match="A target needs a measure"):
        add(session, project, saving(kind="non_financial", planned_gbp=None, target=80))
    with pytest.raises(BenefitError, match="how it will be measured, or describe"):
        add(session, project, saving(kind="non_financial", planned_gbp=None))
    kpi = add(
        session,
        project,
        saving(
            kind="non_financial",
            title="Residents served online",
            planned_gbp=None,
            measure="% of requests completed online",
            baseline=35,
            target=70,
        ),
    )
    capability = add(
        session,
        project,
        saving(
            kind="non_financial",
            title="Staff can redesign a service themselves",
            planned_gbp=None,
            narrative="Two teams trained in service design",
        ),
    )
    assert kpi.latest == 35 and standing(kpi, NOW.date()) == "on track"
    update_benefit(
        session, kpi, actor_id="U0SAM", now=NOW, latest=72, evidence_link="https://x.example/kpi"
    )
    assert standing(kpi, NOW.date()) == "realised"
    assert standing(capability, date(2027, 4, 1)) == "missed"  # due, nothing to show
    assert [b.title for b in benefits_of(session, team_id=T, project_id=project.id)] == [
        "Residents served online",
        "Staff can redesign a service themselves",
    ]


@pytest.mark.parametrize(
    ("planned", "said"),
    [
        (saving(planned_gbp=Decimal("-5")), "negative"),
        (saving(planned_gbp=None), "How much"),
        (saving(title="  "), "Say what the benefit is"),
        (saving(owner_id="C0GENERAL"), "a person"),
        (saving(kind="vibes"), "financial or non-financial"),
    ],
)
def test_bad_benefits_are_refused_and_nothing_is_stored(session, project, planned, said):
    with pytest.raises(BenefitError, match=said):
        add(session, project, planned)
    assert session.exec(select(Benefit)).all() == []
    assert session.exec(select(Nudge)).all() == []


def test_another_workspaces_project_is_refused(session, project):
    with pytest.raises(BenefitError, match="isn't in this workspace"):
        add_benefit(
            session,
            team_id="T0OTHER",
            planned=saving(),
            actor_id="U0ALEX",
            now=NOW,
            owner_tz="Europe/London",
            project_id=project.id,
        )
    assert session.exec(select(Benefit)).all() == []


def test_green_on_old_evidence_needs_a_reason_and_bad_updates_change_nothing(session, project):
    benefit = add(session, project, saving())
    with pytest.raises(BenefitError, match="Green needs recent evidence"):
        update_benefit(session, benefit, actor_id="U0SAM", now=NOW, rag="green")
    update_benefit(
        session,
        benefit,
        actor_id="U0SAM",
        now=NOW,
        rag="amber",
        evidence_link="https://x.example/1",
    )
    later = NOW + timedelta(days=91)
    with pytest.raises(BenefitError, match="Green needs recent evidence"):
        update_benefit(session, benefit, actor_id="U0SAM", now=later, rag="green")
    update_benefit(
        session,
        benefit,
        actor_id="U0SAM",
        now=later,
        rag="green",
        reason="Savings booked; audit due in May",
    )
    assert (benefit.rag, benefit.rag_reason) == ("green", "Savings booked; audit due in May")
    for bad, said in (
        (dict(realised_gbp=Decimal("-1")), "negative"),
        (dict(rag="purple"), "green, amber or red"),
        (dict(evidence_link="javascript:alert(1)"), "web address"),
        ({}, "Nothing to update"),
    ):
        with pytest.raises(BenefitError, match=said):
            update_benefit(session, benefit, actor_id="U0SAM", now=later, **bad)
    assert len(session.exec(select(BenefitUpdate)).all()) == 2


def test_a_reminder_is_dropped_once_the_benefit_was_updated_near_its_due_date(session, project):
    benefit = add(session, project, saving())
    due, late = sorted(session.exec(select(Nudge)).all(), key=lambda n: n.due_at)
    at = due.due_at
    assert decide_benefit(
        session, due, benefit=benefit, tz="Europe/London", now=at, policy=Policy()
    ).send
    update_benefit(
        session, benefit, actor_id="U0SAM", now=at, realised_gbp=Decimal("60000"), rag="amber"
    )
    decision = decide_benefit(
        session, late, benefit=benefit, tz="Europe/London", now=late.due_at, policy=Policy()
    )
    assert (decision.send, decision.change) == (False, {"status": "cancelled"})
