"""Collaborative prioritisation, as Luton does it: each project scored 1-5 on impact criteria and
on risk criteria, privately, by the people it affects; the medians give an impact and a risk
score, and those place it in one of four ranges the council names. The thresholds and weights
are shown with the result, so it can be explained and challenged."""

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.scoring_rules import CRITERIA, KEYS, Rules, ScoringError, rules_for
from storage.models import Project, Score, ScoringRound

MAX_PROJECTS = 10  # a round's form holds 7 scores a project within Slack's 100 blocks
MAX_INVITED = 30
# Fewer scorers than this and a project's "medians" are one or two people's own scores: they
# are not shown (a round's facilitator, or anyone who scored, could read them back).
MEDIANS_FROM = 3


def start_round(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    facilitator_id: str,
    projects: list[Project],
    invited: list[str],
    now: datetime,
) -> ScoringRound:
    """Open a scoring round in a channel (one at a time there), audited."""
    if not projects:
        raise ScoringError(
            "There are no open projects to score here. Add one with `/partners project add NAME`."
        )
    if len(projects) > MAX_PROJECTS:
        raise ScoringError(
            f"A round scores at most {MAX_PROJECTS} projects; this would be {len(projects)}."
        )
    people = list(dict.fromkeys(invited))
    if not people:
        raise ScoringError("Say who scores: `/partners prioritise @sam @priya @jo`.")
    if len(people) > MAX_INVITED:
        raise ScoringError(f"Invite at most {MAX_INVITED} people to one round.")
    if open_round(session, team_id=team_id, channel_id=channel_id) is not None:
        raise ScoringError("A scoring round is already open in this channel; close it first.")
    scoring = ScoringRound(
        team_id=team_id,
        channel_id=channel_id,
        facilitator_id=facilitator_id,
        project_ids=" ".join(str(p.id) for p in projects),
        invited=" ".join(people),
        created_at=now,
    )
    session.add(scoring)
    session.flush()
    record_change(
        session,
        team_id=team_id,
        actor_id=facilitator_id,
        action="create",
        entity="scoring_round",
        entity_id=scoring.id or 0,
        at=now,
        detail={"projects": [p.id for p in projects], "invited": len(people)},
    )
    session.commit()
    return scoring


def open_round(session: Session, *, team_id: str, channel_id: str) -> ScoringRound | None:
    return session.exec(
        select(ScoringRound)
        .where(ScoringRound.team_id == team_id)
        .where(ScoringRound.channel_id == channel_id)
        .where(ScoringRound.status == "open")
    ).first()


def project_ids(scoring: ScoringRound) -> list[int]:
    return [int(p) for p in scoring.project_ids.split()]


def invited(scoring: ScoringRound) -> list[str]:
    return scoring.invited.split()


def check_values(raw: dict[str, object]) -> dict[str, int]:
    """Every criterion's score as an int 1-5, or a ScoringError."""
    values = {}
    for criterion in CRITERIA:
        value = raw.get(criterion.key)
        try:
            number = int(str(value))
        except ValueError:
            raise ScoringError(f"Score “{criterion.label}” from 1 to 5.", criterion.key) from None
        if not 1 <= number <= 5:
            raise ScoringError(
                f"Scores are 1 to 5; “{criterion.label}” was {number}.", criterion.key
            )
        values[criterion.key] = number
    return values


def record_scores(
    session: Session,
    scoring: ScoringRound,
    *,
    user_id: str,
    scores: dict[int, dict[str, object]],
    now: datetime,
) -> list[int]:
    """Store one person's scores, {project id: {criterion: 1-5}}, all or nothing, replacing
    earlier ones; each project's change is audited without the values (they only ever show as
    medians). The projects whose scores changed."""
    if user_id not in invited(scoring):
        raise ScoringError("You weren't invited to score in this round; ask its facilitator.")
    if not scores:
        raise ScoringError("There were no scores in that form.")
    if any(project_id not in project_ids(scoring) for project_id in scores):
        raise ScoringError("That project isn't part of this round.")
    checked = {project_id: check_values(values) for project_id, values in scores.items()}
    changed_projects = []
    for project_id, values in checked.items():
        existing = {
            s.criterion: s
            for s in session.exec(
                select(Score)
                .where(Score.round_id == scoring.id)
                .where(Score.project_id == project_id)
                .where(Score.user_id == user_id)
            )
        }
        changed = [k for k, v in values.items() if k not in existing or existing[k].value != v]
        if not changed:
            continue
        for key in changed:
            row = existing.get(key) or Score(
                team_id=scoring.team_id,
                round_id=scoring.id or 0,
                project_id=project_id,
                user_id=user_id,
                criterion=key,
                value=0,
                scored_at=now,
            )
            row.value, row.scored_at = values[key], now
            session.add(row)
        record_change(
            session,
            team_id=scoring.team_id,
            actor_id=user_id,
            action="edit" if existing else "create",
            entity="score",
            entity_id=scoring.id or 0,
            at=now,
            detail={"project": project_id, "criteria": changed},
        )
        changed_projects.append(project_id)
    session.commit()
    return changed_projects


def who_scored(session: Session, scoring: ScoringRound) -> dict[str, set[int]]:
    """Who has scored which projects (never what they gave)."""
    found: dict[str, set[int]] = {}
    for user_id, project_id in session.exec(
        select(Score.user_id, Score.project_id).where(Score.round_id == scoring.id).distinct()
    ):
        found.setdefault(user_id, set()).add(project_id)
    return found


def close_round(session: Session, scoring: ScoringRound, *, actor_id: str, now: datetime) -> bool:
    """Close a round (its facilitator only; audited). Closing it again is for scores revised
    since: then True (the result is posted again, as updated); with nothing changed since, a
    ScoringError saying it is closed. False the first time."""
    if actor_id != scoring.facilitator_id:
        raise ScoringError(
            f"Only the round's facilitator, <@{scoring.facilitator_id}>, can close it."
        )
    again = scoring.status == "closed"
    if again and not _changed_since(session, scoring):
        raise ScoringError(
            "This round is already closed, and no scores have changed since: its result is in "
            "the round's thread."
        )
    scoring.status, scoring.closed_at = "closed", now
    session.add(scoring)
    record_change(
        session,
        team_id=scoring.team_id,
        actor_id=actor_id,
        action="edit",
        entity="scoring_round",
        entity_id=scoring.id or 0,
        at=now,
        detail={"closed": "again" if again else "first"},
    )
    session.commit()
    return again


def _changed_since(session: Session, scoring: ScoringRound) -> bool:
    """Whether anyone scored after the round was last closed."""
    if scoring.closed_at is None:
        return True
    return (
        session.exec(
            select(Score.id)
            .where(Score.round_id == scoring.id)
            .where(col(Score.scored_at) > scoring.closed_at)
            .limit(1)
        ).first()
        is not None
    )


def latest_round(session: Session, *, team_id: str, channel_id: str) -> ScoringRound | None:
    """A channel's open round, else its most recently closed one."""
    return session.exec(
        select(ScoringRound)
        .where(ScoringRound.team_id == team_id)
        .where(ScoringRound.channel_id == channel_id)
        .order_by(col(ScoringRound.status) == "closed", col(ScoringRound.id).desc())
    ).first()


def left_to_score(session: Session, scoring: ScoringRound, user_id: str) -> list[int]:
    """The round's projects this person has not scored in full, in the round's order."""
    done = {
        project_id
        for project_id, count in session.exec(
            select(Score.project_id, func.count(col(Score.id)))
            .where(Score.round_id == scoring.id)
            .where(Score.user_id == user_id)
            .group_by(col(Score.project_id))
        )
        if count >= len(CRITERIA)
    }
    return [p for p in project_ids(scoring) if p not in done]


@dataclass
class Placed:
    """A project's result: criterion medians and spreads, its scores and range."""

    project: Project
    people: int
    medians: dict[str, float]
    spread: dict[str, int]  # highest minus lowest score given, per criterion
    impact: float
    risk: float
    range_index: int


@dataclass
class Result:
    rules: Rules
    placed: list[Placed]  # ranked: by range, then impact (high first), then risk (low first)
    unscored: list[Project]
    disagreements: list[tuple[Placed, str]]  # (project, criterion) with the widest spreads
    too_few: list[Project] = field(default_factory=list)  # scored, by fewer than MEDIANS_FROM


def results(session: Session, scoring: ScoringRound, rules: Rules) -> Result:
    """Medians, spreads, scores and ranges for a round's projects, from complete score sets,
    for each project scored by MEDIANS_FROM people or more (the rest are only named)."""
    projects = {
        p.id: p
        for p in session.exec(select(Project).where(col(Project.id).in_(project_ids(scoring))))
    }
    given: dict[int, dict[str, dict[str, int]]] = {}
    for score in session.exec(select(Score).where(Score.round_id == scoring.id)):
        given.setdefault(score.project_id, {}).setdefault(score.user_id, {})[score.criterion] = (
            score.value
        )
    placed, unscored, too_few = [], [], []
    for project_id in project_ids(scoring):
        project = projects.get(project_id)
        if project is None:
            continue
        complete = [v for v in given.get(project_id, {}).values() if set(v) == set(KEYS)]
        if not complete:
            unscored.append(project)
            continue
        if len(complete) < MEDIANS_FROM:
            too_few.append(project)
            continue
        medians = {k: float(statistics.median(v[k] for v in complete)) for k in KEYS}
        spread = {k: max(v[k] for v in complete) - min(v[k] for v in complete) for k in KEYS}
        impact, risk = rules.impact(medians), rules.risk(medians)
        placed.append(
            Placed(
                project,
                len(complete),
                medians,
                spread,
                impact,
                risk,
                rules.range_index(impact, risk),
            )
        )
    placed.sort(key=lambda p: (p.range_index, -p.impact, p.risk, p.project.name_key))
    wide = [(p, k) for p in placed for k in KEYS if p.spread[k] >= 2]
    wide.sort(key=lambda pk: (-pk[0].spread[pk[1]], pk[0].project.name_key, KEYS.index(pk[1])))
    return Result(rules, placed, unscored, wide[:3], too_few)


def latest_results(session: Session, *, team_id: str) -> dict[int, tuple[Placed, Rules]]:
    """Each project's place in the newest closed round that scored it."""
    rules = rules_for(session, team_id)
    found: dict[int, tuple[Placed, Rules]] = {}
    rounds = session.exec(
        select(ScoringRound)
        .where(ScoringRound.team_id == team_id)
        .where(ScoringRound.status == "closed")
        .order_by(col(ScoringRound.closed_at).desc(), col(ScoringRound.id).desc())
    )
    for scoring in rounds:
        for placed in results(session, scoring, rules).placed:
            found.setdefault(placed.project.id or 0, (placed, rules))
    return found


def set_round_message(session: Session, scoring: ScoringRound, ts: str) -> None:
    """Where the round's message is, so it can show who has scored."""
    scoring.message_ts = ts
    session.add(scoring)
    session.commit()
