"""A workspace's own settings: who facilitates, who else may change the settings, where questions
nobody could answer go, how many people must answer before anything anonymous is shown, and
which other organisations' people may find what the council's own people find. Each council
sets its own (`/partners settings`); nothing of one applies to another.

The environment's PARTNERBOT_FACILITATORS and PARTNERBOT_QUESTIONS_CHANNEL are the defaults of a
single-workspace install only, until its admins save settings of their own."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from knowledge.audit import record_change
from knowledge.nudges import Policy, set_policy
from knowledge.scoring_rules import Rules as ScoringRules
from knowledge.scoring_rules import ScoringError, set_rules
from storage.installations import ANONYMOUS_FLOOR, IDS_MAX, WorkspaceSettings

MINIMUM_MAX = 50
AUDITED = (
    "facilitators",
    "admins",
    "questions_channel",
    "pulse_minimum",
    "breakout_minimum",
    "trusted_orgs",
    "network_approval",
)
_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_TEAM = re.compile(r"^[TE][A-Z0-9]{2,31}$")


class SettingsError(ValueError):
    """A setting that cannot be saved; `field` names the form field to point at."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Defaults:
    """What a workspace with no settings of its own starts from (the environment's, for a
    single-workspace install; nothing, with OAuth)."""

    facilitators: frozenset[str] = frozenset()
    questions_channel: str | None = None


@dataclass(frozen=True)
class Rules:
    """A workspace's settings as every feature reads them."""

    facilitators: frozenset[str] = frozenset()
    admins: frozenset[str] = frozenset()
    questions_channel: str | None = None
    pulse_minimum: int = 5
    breakout_minimum: int = ANONYMOUS_FLOOR
    trusted_orgs: frozenset[str] = field(default_factory=frozenset)
    network_approval: bool = False  # an admin approves each entry shared with a network
    saved: bool = False  # False: the defaults, nobody has saved settings yet


def _ids(text: str) -> frozenset[str]:
    return frozenset(text.split())


def rules_for(session: Session, team_id: str, defaults: Defaults = Defaults()) -> Rules:
    """The workspace's settings: its own once saved, else the defaults."""
    row = session.get(WorkspaceSettings, team_id)
    if row is None:
        return Rules(
            facilitators=defaults.facilitators, questions_channel=defaults.questions_channel
        )
    return Rules(
        facilitators=_ids(row.facilitators),
        admins=_ids(row.admins),
        questions_channel=row.questions_channel,
        pulse_minimum=max(ANONYMOUS_FLOOR, row.pulse_minimum),
        breakout_minimum=max(ANONYMOUS_FLOOR, row.breakout_minimum),
        trusted_orgs=_ids(row.trusted_orgs),
        network_approval=bool(row.network_approval),
        saved=True,
    )


def parse_orgs(text: str) -> frozenset[str]:
    """Organisations' Slack IDs (T… or E…), separated by spaces or commas."""
    found = frozenset(part.strip().upper() for part in re.split(r"[\s,]+", text) if part.strip())
    wrong = sorted(o for o in found if not _TEAM.match(o))
    if wrong:
        raise SettingsError(
            f"“{wrong[0][:40]}” isn't an organisation's Slack ID: those start with T (or E for "
            "an Enterprise Grid org), like T0123ABCD.",
            "trusted_orgs",
        )
    return found


def check_minimum(value: object, field_name: str) -> int:
    """A minimum number of people: a whole number from ANONYMOUS_FLOOR to MINIMUM_MAX."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingsError("Give a whole number, like 5.", field_name) from None
    if not ANONYMOUS_FLOOR <= number <= MINIMUM_MAX:
        raise SettingsError(
            f"Between {ANONYMOUS_FLOOR} and {MINIMUM_MAX}: below {ANONYMOUS_FLOOR}, an "
            "anonymous answer could be worked out.",
            field_name,
        )
    return number


def check_rules(rules: Rules) -> None:
    """SettingsError (naming the field) unless the settings can be kept as they are."""
    for name, people in (("facilitators", rules.facilitators), ("admins", rules.admins)):
        if any(not _USER.match(p) for p in people):
            raise SettingsError("Choose people from the workspace.", name)
        if len(" ".join(people)) > IDS_MAX:
            raise SettingsError("That is too many people for one list.", name)
    check_minimum(rules.pulse_minimum, "pulse_minimum")
    check_minimum(rules.breakout_minimum, "breakout_minimum")
    if any(not _TEAM.match(org) for org in rules.trusted_orgs):
        raise SettingsError("Organisations are named by their Slack IDs (T…).", "trusted_orgs")
    if len(" ".join(rules.trusted_orgs)) > IDS_MAX:
        raise SettingsError("That is too many organisations.", "trusted_orgs")


def save_all(
    session: Session,
    *,
    team_id: str,
    rules: Rules,
    policy: Policy,
    scoring: ScoringRules,
    actor_id: str,
    now: datetime,
) -> Rules:
    """Keep everything the settings form holds, all or nothing: the workspace's settings, its
    nudge policy and its scoring rules (each checked first, each change audited); commits
    once."""
    check_rules(rules)
    try:
        set_policy(session, team_id, policy, commit=False)
    except ValueError as error:
        session.rollback()
        raise SettingsError(str(error), "nudges") from None
    record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="edit",
        entity="nudge_policy",
        entity_id=team_id,
        at=now,
        detail={
            "days_before": policy.days_before,
            "overdue_every": policy.overdue_every,
            "overdue_max": policy.overdue_max,
            "region": policy.region,
        },
    )
    try:
        set_rules(session, team_id=team_id, rules=scoring, actor_id=actor_id, now=now, commit=False)
    except ScoringError as error:
        session.rollback()
        raise SettingsError(str(error), "scoring") from None
    return save_rules(session, team_id=team_id, rules=rules, actor_id=actor_id, now=now)


def save_rules(
    session: Session, *, team_id: str, rules: Rules, actor_id: str, now: datetime
) -> Rules:
    """Keep a workspace's settings (checked) and audit what changed; commits."""
    check_rules(rules)
    row = session.get(WorkspaceSettings, team_id) or WorkspaceSettings(team_id=team_id)
    before = rules_for(session, team_id) if row.updated_at else None
    row.facilitators = " ".join(sorted(rules.facilitators))
    row.admins = " ".join(sorted(rules.admins))
    row.questions_channel = rules.questions_channel
    row.pulse_minimum, row.breakout_minimum = rules.pulse_minimum, rules.breakout_minimum
    row.trusted_orgs = " ".join(sorted(rules.trusted_orgs))
    row.network_approval = rules.network_approval
    row.updated_by, row.updated_at = actor_id, now
    session.add(row)
    changed = {
        name: _audited(getattr(rules, name))
        for name in AUDITED
        if before is None or getattr(before, name) != getattr(rules, name)
    }
    record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="edit" if before else "create",
        entity="settings",
        entity_id=team_id,
        at=now,
        detail=changed,
    )
    session.commit()
    return rules_for(session, team_id)


def _audited(value: object) -> object:
    if isinstance(value, frozenset):
        return sorted(value)
    return value
