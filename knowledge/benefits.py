"""The benefits tracker, as Luton keeps one: every project (or partnership) states its financial
and non-financial benefits, how each is measured and when it should be realised; updates record
who, when and the evidence; a benefit due and not updated reminds its owner; and a status says
honestly where each stands (not everything green: green on old evidence needs a reason)."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.nudges import CANCELLED, Decision, Policy, settle
from knowledge.workdays import next_working_day, nudge_instant, previous_working_day
from storage.models import Benefit, BenefitUpdate, Nudge, Partnership, Project
from storage.rows import team_row

KINDS = ("financial", "non_financial")
RAGS = ("green", "amber", "red")
STALE = timedelta(days=90)  # green on evidence older than this needs a reason
RECENT = timedelta(days=14)  # an update this close before the due date counts as the report
BENEFIT_DUE, BENEFIT_LATE = "benefit_due", "benefit_late"
ORDER = {BENEFIT_DUE: 0, BENEFIT_LATE: 1}
TITLE_MAX = 200


class BenefitError(ValueError):
    """A benefit request that cannot be carried out; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Planned:
    """What a new benefit says (financial: planned_gbp; non-financial: measure, baseline,
    target, or a narrative where it can't be measured)."""

    kind: str
    title: str
    owner_id: str
    due: date
    planned_gbp: Decimal | None = None
    measure: str | None = None
    baseline: float | None = None
    target: float | None = None
    narrative: str | None = None


def check_planned(planned: Planned) -> Planned:
    title = " ".join(planned.title.split())
    if not title:
        raise BenefitError("Say what the benefit is.", "title")
    if len(title) > TITLE_MAX:
        raise BenefitError(f"Keep the benefit to {TITLE_MAX} characters.", "title")
    if planned.kind not in KINDS:
        raise BenefitError("A benefit is financial or non-financial.", "kind")
    if not planned.owner_id.startswith(("U", "W")):
        raise BenefitError("Its owner must be a person, not a channel.", "owner")
    measure = (planned.measure or "").strip() or None
    narrative = (planned.narrative or "").strip() or None
    if planned.kind == "financial":
        if planned.planned_gbp is None:
            raise BenefitError("How much should it bring in or save, in pounds?", "planned")
        if planned.planned_gbp < 0:
            raise BenefitError("An amount can't be negative.", "planned")
    elif planned.target is not None and measure is None:
        raise BenefitError("A target needs a measure: say how it will be measured.", "measure")
    elif measure is None and narrative is None:
        raise BenefitError(
            "Say how it will be measured, or describe the capability it creates.", "measure"
        )
    return replace(planned, title=title, measure=measure, narrative=narrative)


def add_benefit(
    session: Session,
    *,
    team_id: str,
    planned: Planned,
    actor_id: str,
    now: datetime,
    owner_tz: str,
    project_id: int | None = None,
    partnership_id: int | None = None,
    region: str = "ENG",
) -> Benefit:
    """Add a benefit to a project or a partnership of this workspace (audited), with the
    reminders its owner will get if it falls due unupdated."""
    if (project_id is None) == (partnership_id is None):
        raise BenefitError("A benefit belongs to one project or one partnership.", "of")
    model = Project if project_id is not None else Partnership
    if team_row(session, model, team_id=team_id, row_id=project_id or partnership_id) is None:
        raise BenefitError("That project or partnership isn't in this workspace.", "of")
    checked = check_planned(planned)
    benefit = Benefit(
        team_id=team_id,
        project_id=project_id,
        partnership_id=partnership_id,
        kind=checked.kind,
        title=checked.title,
        owner_id=checked.owner_id,
        due=checked.due,
        planned_gbp=checked.planned_gbp,
        realised_gbp=Decimal("0.00") if checked.kind == "financial" else None,
        measure=checked.measure,
        baseline=checked.baseline,
        target=checked.target,
        latest=checked.baseline,
        narrative=checked.narrative,
        created_by=actor_id,
        created_at=now,
    )
    session.add(benefit)
    session.flush()
    for nudge in plan_benefit_nudges(benefit, tz=owner_tz, now=now, region=region):
        session.add(nudge)
    record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="create",
        entity="benefit",
        entity_id=benefit.id or 0,
        at=now,
        detail={"kind": checked.kind, "due": checked.due.isoformat()},
    )
    session.commit()
    return benefit


def plan_benefit_nudges(benefit: Benefit, *, tz: str, now: datetime, region: str) -> list[Nudge]:
    """09:30 on the due date (or the working day before), then a week later, where the owner
    is; only those still ahead."""
    days = [
        (BENEFIT_DUE, 0, previous_working_day(benefit.due, region)),
        (BENEFIT_LATE, 1, next_working_day(benefit.due + timedelta(days=7), region)),
    ]
    return [
        Nudge(
            team_id=benefit.team_id,
            benefit_id=benefit.id,
            recipient_id=benefit.owner_id,
            kind=kind,
            number=n,
            due_at=at,
            about=benefit.due,
        )
        for kind, n, day in days
        if (at := nudge_instant(day, tz)) > now
    ]


def update_benefit(
    session: Session,
    benefit: Benefit,
    *,
    actor_id: str,
    now: datetime,
    realised_gbp: Decimal | None = None,
    latest: float | None = None,
    narrative: str | None = None,
    rag: str | None = None,
    reason: str | None = None,
    evidence_link: str | None = None,
) -> BenefitUpdate:
    """Record an update (who, when, the evidence), audited; green on evidence older than 90
    days (or none) needs a reason."""
    link = (evidence_link or "").strip() or None
    reason = (reason or "").strip() or None
    if realised_gbp is not None and realised_gbp < 0:
        raise BenefitError("An amount can't be negative.", "realised")
    if rag is not None and rag not in RAGS:
        raise BenefitError("Choose green, amber or red.", "rag")
    if link is not None and (not link.startswith(("https://", "http://")) or len(link) > 500):
        raise BenefitError("The evidence link must be a web address (https://…).", "evidence")
    evidence_at = now if link else benefit.evidence_at
    if rag == "green" and reason is None and (evidence_at is None or now - evidence_at > STALE):
        raise BenefitError(
            "Green needs recent evidence: add a link to it, or say why it is still green.",
            "reason",
        )
    if all(v is None for v in (realised_gbp, latest, narrative, rag, link)):
        raise BenefitError("Nothing to update: give an amount, a value, a note or a RAG.", "rag")
    update = BenefitUpdate(
        team_id=benefit.team_id,
        benefit_id=benefit.id or 0,
        updated_by=actor_id,
        updated_at=now,
        realised_gbp=realised_gbp,
        latest=latest,
        narrative=(narrative or "").strip() or None,
        rag=rag,
        rag_reason=reason,
        evidence_link=link,
    )
    session.add(update)
    if realised_gbp is not None:
        benefit.realised_gbp = realised_gbp
    if latest is not None:
        benefit.latest = latest
    if update.narrative:
        benefit.narrative = update.narrative
    if rag is not None:
        benefit.rag, benefit.rag_reason = rag, reason
    benefit.evidence_link, benefit.evidence_at = link or benefit.evidence_link, evidence_at
    benefit.updated_by, benefit.updated_at = actor_id, now
    session.add(benefit)
    record_change(
        session,
        team_id=benefit.team_id,
        actor_id=actor_id,
        action="edit",
        entity="benefit",
        entity_id=benefit.id or 0,
        at=now,
        detail={"rag": rag, "evidence": bool(link)},
    )
    session.commit()
    return update


def realised(benefit: Benefit) -> bool:
    if benefit.kind == "financial":
        return (benefit.realised_gbp or 0) >= (benefit.planned_gbp or 0) > 0
    if benefit.target is None or benefit.latest is None:
        return False
    rising = benefit.baseline is None or benefit.target >= benefit.baseline
    return benefit.latest >= benefit.target if rising else benefit.latest <= benefit.target


def standing(benefit: Benefit, today: date) -> str:
    """realised, missed (due and not realised), at risk (amber or red), or on track."""
    if realised(benefit):
        return "realised"
    if benefit.due < today:
        return "missed"
    if benefit.rag in ("amber", "red"):
        return "at risk"
    return "on track"


def benefits_of(
    session: Session,
    *,
    team_id: str,
    project_id: int | None = None,
    partnership_id: int | None = None,
) -> list[Benefit]:
    """A workspace's benefits (a project's or partnership's only, if given), soonest due first."""
    statement = select(Benefit).where(Benefit.team_id == team_id)
    if project_id is not None:
        statement = statement.where(Benefit.project_id == project_id)
    if partnership_id is not None:
        statement = statement.where(Benefit.partnership_id == partnership_id)
    return list(session.exec(statement.order_by(col(Benefit.due), col(Benefit.id))))


def decide_benefit(
    session: Session,
    nudge: Nudge,
    *,
    benefit: Benefit | None,
    tz: str,
    now: datetime,
    policy: Policy,
) -> Decision:
    """Send now, put off (away, out of hours), or drop (gone, realised, its date or owner
    changed, or updated since shortly before it fell due)."""
    if (
        benefit is None
        or realised(benefit)
        or benefit.due != nudge.about
        or benefit.owner_id != nudge.recipient_id
        or (benefit.updated_at is not None and benefit.updated_at.date() >= benefit.due - RECENT)
    ):
        return Decision(False, {"status": CANCELLED})
    return settle(session, nudge, order=ORDER, tz=tz, now=now, policy=policy)
