"""How a workspace scores projects: the criteria (impact and risk, each 1-5), the weight of each,
the thresholds that make impact or risk high, and the names of the four ranges."""

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from knowledge.audit import record_change
from storage.models import ScoringPolicy


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    scale: str  # what 1 and 5 mean, shown beside the score


IMPACT = (
    Criterion("fit", "Fit with the council's priorities", "1 = little, 5 = central to them"),
    Criterion("reach", "Whole organisation or one part", "1 = one team, 5 = the whole council"),
    Criterion("statutory", "Legal or statutory implications", "1 = none, 5 = a legal duty"),
)
RISK = (
    Criterion("complexity", "Complexity", "1 = simple, 5 = very complex"),
    Criterion("delivery", "Risk of non-delivery", "1 = unlikely to slip, 5 = likely to fail"),
    Criterion("failure", "Impact of failure", "1 = slight, 5 = severe"),
    Criterion("resources", "Resources and skills", "1 = all in place, 5 = we lack them"),
)
CRITERIA = IMPACT + RISK
KEYS = tuple(c.key for c in CRITERIA)
# high impact & low risk, high impact & high risk, low impact & low risk, low & high
DEFAULT_RANGES = ("Do now", "Plan and resource", "Quick wins", "Phase later")


class ScoringError(ValueError):
    """A scoring request that cannot be carried out; said to the person as it is. `field`
    names the criterion a bad score was given for, if that is what was wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Rules:
    """A workspace's weights (per criterion), thresholds and names of the four ranges."""

    weights: dict[str, float] = field(default_factory=lambda: {k: 1.0 for k in KEYS})
    impact_threshold: float = 3.0
    risk_threshold: float = 3.0
    ranges: tuple[str, str, str, str] = DEFAULT_RANGES

    def impact(self, values: dict[str, float]) -> float:
        return _weighted(values, IMPACT, self.weights)

    def risk(self, values: dict[str, float]) -> float:
        return _weighted(values, RISK, self.weights)

    def range_index(self, impact: float, risk: float) -> int:
        """0-3: which of the four ranges (impact and risk at or above a threshold are high)."""
        return (0 if impact >= self.impact_threshold else 2) + (
            1 if risk >= self.risk_threshold else 0
        )

    def explained(self) -> str:
        """The thresholds and weights in words, shown with every result."""
        t_i, t_r = self.impact_threshold, self.risk_threshold
        names = self.ranges
        weights = ", ".join(f"{c.label.lower()} ×{self.weights[c.key]:g}" for c in CRITERIA)
        return (
            f"Impact {t_i:g} or more is high, risk {t_r:g} or more is high. "
            f"{names[0]}: high impact, low risk. {names[1]}: high impact, high risk. "
            f"{names[2]}: low impact, low risk. {names[3]}: low impact, high risk. "
            f"Each score is the weighted mean of its criteria's medians ({weights})."
        )


def _weighted(
    values: dict[str, float], criteria: tuple[Criterion, ...], weights: dict[str, float]
) -> float:
    total = sum(weights[c.key] for c in criteria)
    return sum(values[c.key] * weights[c.key] for c in criteria) / total


def rules_for(session: Session, team_id: str) -> Rules:
    """The workspace's scoring rules, or the defaults."""
    row = session.get(ScoringPolicy, team_id)
    if row is None:
        return Rules()
    return Rules(
        weights={**Rules().weights, **json.loads(row.weights)},
        impact_threshold=row.impact_threshold,
        risk_threshold=row.risk_threshold,
        ranges=tuple(json.loads(row.ranges)),  # type: ignore[arg-type]
    )


def set_rules(
    session: Session,
    *,
    team_id: str,
    rules: Rules,
    actor_id: str,
    now: datetime,
    commit: bool = True,
) -> None:
    """Store a workspace's scoring rules (audited); a ScoringError if they make no sense."""
    if set(rules.weights) != set(KEYS) or any(not 0 <= w <= 10 for w in rules.weights.values()):
        raise ScoringError(f"Give each of {', '.join(KEYS)} a weight from 0 to 10.")
    if not any(rules.weights[c.key] for c in IMPACT) or not any(rules.weights[c.key] for c in RISK):
        raise ScoringError("Impact and risk each need at least one criterion weighted above 0.")
    if not (1 <= rules.impact_threshold <= 5 and 1 <= rules.risk_threshold <= 5):
        raise ScoringError("Thresholds are scores, from 1 to 5.")
    if len(rules.ranges) != 4 or not all(name.strip() for name in rules.ranges):
        raise ScoringError("Name all four ranges.")
    row = session.get(ScoringPolicy, team_id) or ScoringPolicy(
        team_id=team_id, weights="", ranges=""
    )
    row.weights = json.dumps(rules.weights)
    row.impact_threshold, row.risk_threshold = rules.impact_threshold, rules.risk_threshold
    row.ranges = json.dumps(list(rules.ranges))
    session.add(row)
    record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="edit",
        entity="scoring_policy",
        entity_id=0,
        at=now,
        detail={"weights": rules.weights, "ranges": list(rules.ranges)},
    )
    if commit:
        session.commit()
