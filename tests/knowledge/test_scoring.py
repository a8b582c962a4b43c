"""Projects and collaborative prioritisation through the domain: three stakeholders score, the
medians, scores and ranges come out as worked by hand, disagreements surface, and the grid is
a real picture."""

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlmodel import select

from knowledge.charts import Point, grid_alt_text, grid_png
from knowledge.projects import ProjectError, add_project, list_projects, resolve_project
from knowledge.scoring import close_round, record_scores, results, start_round, who_scored
from knowledge.scoring_rules import Rules, ScoringError, rules_for, set_rules
from storage.models import AuditEntry, Project, Score

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
T = "T0SHELL"
PEOPLE = ["U0SAM", "U0PRIYA", "U0JO"]


def scores(fit, reach, statutory, complexity, delivery, failure, resources):
    return dict(
        fit=fit,
        reach=reach,
        statutory=statutory,
        complexity=complexity,
        delivery=delivery,
        failure=failure,
        resources=resources,
    )


@pytest.fixture
def projects(session):
    made = [
        add_project(session, team_id=T, name=name, actor_id="U0ALEX", now=NOW, size=size)
        for name, size in (
            ("Digital front door", "major"),
            ("Depot merger", "major"),
            ("Paperless committee", "smaller"),
        )
    ]
    return made


def test_a_project_name_is_unique_and_found_with_a_typo(session, projects):
    with pytest.raises(ProjectError, match="already a project"):
        add_project(session, team_id=T, name="DIGITAL front  door", actor_id="U0ALEX", now=NOW)
    assert resolve_project(session, team_id=T, name="digtal front door")[0] == projects[0]
    assert [p.name for p in list_projects(session, team_id=T)] == [
        "Depot merger",
        "Digital front door",
        "Paperless committee",
    ]
    for bad, said in (("", "needs a name"), ("x" * 81, "81 characters"), ("<@U1>", "mentions")):
        with pytest.raises(ProjectError, match=said):
            add_project(session, team_id=T, name=bad, actor_id="U0ALEX", now=NOW)
    with pytest.raises(ProjectError, match="isn't in this workspace"):
        add_project(session, team_id=T, name="Odd", actor_id="U0ALEX", now=NOW, partnership_id=9999)
    with pytest.raises(ProjectError, match="major or smaller"):
        add_project(session, team_id=T, name="Odd", actor_id="U0ALEX", now=NOW, size="huge")
    assert len(session.exec(select(Project)).all()) == 3


def test_three_stakeholders_give_medians_scores_and_ranges_worked_by_hand(session, projects):
    front, depot, paper = projects
    scoring = start_round(
        session,
        team_id=T,
        channel_id="C0RETRO",
        facilitator_id="U0ALEX",
        projects=projects,
        invited=PEOPLE,
        now=NOW,
    )
    given = {
        front.id: [
            scores(5, 5, 3, 2, 2, 4, 1),
            scores(4, 5, 4, 3, 1, 3, 2),
            scores(5, 4, 2, 2, 2, 5, 2),
        ],
        depot.id: [
            scores(4, 3, 4, 5, 4, 4, 4),
            scores(3, 3, 5, 4, 5, 3, 5),
            scores(4, 2, 4, 5, 3, 4, 4),
        ],
        paper.id: [
            scores(2, 2, 1, 1, 2, 1, 2),
            scores(1, 2, 1, 2, 1, 1, 1),
            scores(5, 2, 1, 1, 1, 2, 1),
        ],
    }
    for project_id, sets in given.items():
        for user_id, values in zip(PEOPLE, sets, strict=True):
            record_scores(session, scoring, user_id=user_id, scores={project_id: values}, now=NOW)
    assert who_scored(session, scoring) == {u: {front.id, depot.id, paper.id} for u in PEOPLE}
    close_round(session, scoring, actor_id="U0ALEX", now=NOW)
    result = results(session, scoring, rules_for(session, T))
    by_name = {p.project.name: p for p in result.placed}
    # Digital front door: medians fit 5, reach 5, statutory 3 → impact 13/3; risk medians 2, 2, 4, 2 → 2.5
    front_placed = by_name["Digital front door"]
    assert front_placed.medians == dict(
        fit=5, reach=5, statutory=3, complexity=2, delivery=2, failure=4, resources=2
    )
    assert front_placed.impact == pytest.approx(13 / 3) and front_placed.risk == pytest.approx(2.5)
    assert front_placed.range_index == 0  # do now
    # Depot merger: impact (4 + 3 + 4) / 3 = 3.67, risk (5 + 4 + 4 + 4) / 4 = 4.25: plan and resource
    depot_placed = by_name["Depot merger"]
    assert (depot_placed.impact, depot_placed.risk) == (pytest.approx(11 / 3), pytest.approx(4.25))
    assert depot_placed.range_index == 1
    # Paperless committee: impact (2 + 2 + 1) / 3 = 1.67, risk (1 + 1 + 1 + 1) / 4 = 1: quick wins
    paper_placed = by_name["Paperless committee"]
    assert (paper_placed.impact, paper_placed.risk, paper_placed.range_index) == (
        pytest.approx(5 / 3),
        pytest.approx(1.0),
        2,
    )
    assert [p.project.name for p in result.placed] == [
        "Digital front door",
        "Depot merger",
        "Paperless committee",
    ]
    # the widest disagreement: paperless committee's fit, scored 2, 1 and 5
    top, criterion = result.disagreements[0]
    assert (top.project.name, criterion, top.spread[criterion]) == ("Paperless committee", "fit", 4)
    assert result.unscored == []


def test_weights_thresholds_and_names_change_the_ranges_and_are_explained(session, projects):
    rules = Rules(
        weights={**Rules().weights, "statutory": 3.0},
        impact_threshold=4.0,
        risk_threshold=2.0,
        ranges=("Now", "Resource it", "Easy", "Later"),
    )
    set_rules(session, team_id=T, rules=rules, actor_id="U0ALEX", now=NOW)
    stored = rules_for(session, T)
    assert stored == rules
    # fit 5, reach 5, statutory 3 weighted 1:1:3 → (5 + 5 + 9) / 5 = 3.8: below 4, low impact
    values = dict(fit=5, reach=5, statutory=3, complexity=2, delivery=2, failure=4, resources=2)
    assert stored.impact(values) == pytest.approx(3.8)
    assert stored.range_index(stored.impact(values), stored.risk(values)) == 3
    assert "Impact 4 or more is high, risk 2 or more is high" in stored.explained()
    assert "legal or statutory implications ×3" in stored.explained()
    for bad in (
        Rules(weights={"fit": 1.0}),
        Rules(impact_threshold=7),
        Rules(ranges=("A", "B", "C", " ")),
        Rules(weights={**Rules().weights, "fit": 0, "reach": 0, "statutory": 0}),
    ):
        with pytest.raises(ScoringError):
            set_rules(session, team_id=T, rules=bad, actor_id="U0ALEX", now=NOW)
    assert rules_for(session, T) == rules


def test_bad_scores_outsiders_and_other_closers_change_nothing(session, projects):
    scoring = start_round(
        session,
        team_id=T,
        channel_id="C0RETRO",
        facilitator_id="U0ALEX",
        projects=projects[:1],
        invited=PEOPLE,
        now=NOW,
    )
    pid = projects[0].id
    for values, said in (
        (scores(6, 1, 1, 1, 1, 1, 1), "1 to 5"),
        (scores(0, 1, 1, 1, 1, 1, 1), "1 to 5"),
        ({**scores(1, 1, 1, 1, 1, 1, 1), "fit": "high"}, "from 1 to 5"),
        ({"fit": 3}, "from 1 to 5"),
    ):
        with pytest.raises(ScoringError, match=said):
            record_scores(session, scoring, user_id="U0SAM", scores={pid: values}, now=NOW)
    with pytest.raises(ScoringError, match="weren't invited"):
        record_scores(
            session, scoring, user_id="U0KIM", scores={pid: scores(3, 3, 3, 3, 3, 3, 3)}, now=NOW
        )
    with pytest.raises(ScoringError, match="isn't part of this round"):
        record_scores(
            session,
            scoring,
            user_id="U0SAM",
            scores={projects[1].id: scores(3, 3, 3, 3, 3, 3, 3)},
            now=NOW,
        )
    assert session.exec(select(Score)).all() == []
    # all or nothing: a good project's scores are not kept when another's are bad
    two = start_round(
        session,
        team_id=T,
        channel_id="C0OTHER",
        facilitator_id="U0ALEX",
        projects=projects[:2],
        invited=PEOPLE,
        now=NOW,
    )
    with pytest.raises(ScoringError):
        record_scores(
            session,
            two,
            user_id="U0SAM",
            scores={
                projects[0].id: scores(3, 3, 3, 3, 3, 3, 3),
                projects[1].id: scores(9, 3, 3, 3, 3, 3, 3),
            },
            now=NOW,
        )
    assert session.exec(select(Score)).all() == []
    with pytest.raises(ScoringError, match="Only the round's facilitator"):
        close_round(session, scoring, actor_id="U0SAM", now=NOW)
    assert scoring.status == "open"
    with pytest.raises(ScoringError, match="already open"):
        start_round(
            session,
            team_id=T,
            channel_id="C0RETRO",
            facilitator_id="U0SAM",
            projects=projects,
            invited=PEOPLE,
            now=NOW,
        )


def test_a_revised_score_replaces_the_first_and_is_audited_without_its_values(session, projects):
    scoring = start_round(
        session,
        team_id=T,
        channel_id="C0RETRO",
        facilitator_id="U0ALEX",
        projects=projects[:1],
        invited=PEOPLE,
        now=NOW,
    )
    pid = projects[0].id
    assert record_scores(
        session, scoring, user_id="U0SAM", scores={pid: scores(3, 3, 3, 3, 3, 3, 3)}, now=NOW
    )
    assert not record_scores(
        session, scoring, user_id="U0SAM", scores={pid: scores(3, 3, 3, 3, 3, 3, 3)}, now=NOW
    )
    assert record_scores(
        session, scoring, user_id="U0SAM", scores={pid: scores(5, 3, 3, 3, 3, 3, 1)}, now=NOW
    )
    stored = {s.criterion: s.value for s in session.exec(select(Score))}
    assert (stored["fit"], stored["resources"], len(stored)) == (5, 1, 7)
    audits = [
        a for a in session.exec(select(AuditEntry).order_by(AuditEntry.id)) if a.entity == "score"
    ]
    assert [a.action for a in audits] == ["create", "edit"]
    assert '"criteria": ["fit", "resources"]' in audits[1].detail and "5" not in audits[1].detail


def test_the_grid_is_a_real_picture_and_its_alt_text_lists_each_range():
    points = [
        Point("Digital front door", 4.3, 2.5, True, 0),
        Point("Depot merger", 3.7, 4.25, True, 1),
        Point("Paperless committee", 1.7, 1.0, False, 2),
    ]
    png = grid_png(
        points,
        ranges=("Do now", "Plan and resource", "Quick wins", "Phase later"),
        impact_threshold=3,
        risk_threshold=3,
        title="Retrofit projects",
    )
    assert png is not None and png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (800, 600)
    low, high = image.getextrema()
    assert (
        high - low > 100
        and len(image.histogram()) == 256
        and sum(1 for n in image.histogram() if n) > 20
    )  # drawn, not blank
    alt = grid_alt_text(points, ("Do now", "Plan and resource", "Quick wins", "Phase later"))
    assert "Do now: Digital front door (impact 4.3, risk 2.5, major)." in alt
    assert "Phase later: none." in alt
    assert (
        grid_png([], ranges=("a", "b", "c", "d"), impact_threshold=3, risk_threshold=3, title="x")
        is None
    )
    assert grid_alt_text([], ("a", "b", "c", "d")).startswith("No projects have been scored")
