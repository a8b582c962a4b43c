"""Block Kit for a workspace's settings: the form admins edit (`/partners settings`, or the
button on their Home tab), reading it back, and the summary on an admin's Home tab (pure
builders)."""

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import context, divider, escape, header, section
from knowledge.nudges import Policy
from knowledge.scoring_rules import CRITERIA, KEYS
from knowledge.scoring_rules import Rules as ScoringRules
from knowledge.workspace_settings import (
    MINIMUM_MAX,
    Rules,
    SettingsError,
    check_minimum,
    parse_orgs,
)
from storage.installations import ANONYMOUS_FLOOR
from storage.version import release

SETTINGS_VIEW = "workspace_settings"
OPEN_SETTINGS = "open_settings"
REGIONS = {"ENG": "England and Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}
NUMBERS = ("days_before", "overdue_every", "overdue_max", "impact_threshold", "risk_threshold")


@dataclass(frozen=True)
class Everything:
    """What the settings form holds: the workspace's settings, nudge policy, scoring rules."""

    rules: Rules
    policy: Policy
    scoring: ScoringRules


def _input(block_id: str, label: str, element: Any, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=element, optional=True, hint=hint)


def _number(value: float, *, minimum: float, maximum: float, decimal: bool = False) -> Any:
    return NumberInputElement(
        action_id="value",
        is_decimal_allowed=decimal,
        initial_value=f"{value:g}",
        min_value=f"{minimum:g}",
        max_value=f"{maximum:g}",
    )


def build_settings_form(now: Everything) -> dict[str, Any]:
    """The settings form, filled in with the workspace's settings as they are."""
    rules, policy, scoring = now.rules, now.policy, now.scoring
    regions = [Option(value=code, label=label) for code, label in REGIONS.items()]
    blocks: list[Any] = [
        section("*People*"),
        _input(
            "facilitators",
            "Facilitators",
            UserMultiSelectElement(action_id="value", initial_users=sorted(rules.facilitators)),
            "They manage any lesson or note and answer questions nobody could. The council's "
            "own people only: anyone else is left out when you save.",
        ),
        _input(
            "admins",
            "partnerbot admins",
            UserMultiSelectElement(action_id="value", initial_users=sorted(rules.admins)),
            "They may change these settings too, as the workspace's admins and owners can.",
        ),
        _input(
            "questions_channel",
            "Channel for questions nobody could answer",
            ConversationSelectElement(
                action_id="value",
                initial_conversation=rules.questions_channel,
                filter=ConversationFilter(include=["public"], exclude_bot_users=True),
            ),
            "Leave empty to send them to the facilitators by DM.",
        ),
        divider(),
        section("*Anonymity*"),
        _input(
            "pulse_minimum",
            "Fewest answers before a health pulse shows anything",
            _number(rules.pulse_minimum, minimum=ANONYMOUS_FLOOR, maximum=MINIMUM_MAX),
            f"People, never answers; at least {ANONYMOUS_FLOOR}. A pulse keeps the number it "
            "opened with.",
        ),
        _input(
            "breakout_minimum",
            "Fewest people before anonymous breakout answers show",
            _number(rules.breakout_minimum, minimum=ANONYMOUS_FLOOR, maximum=MINIMUM_MAX),
            f"At least {ANONYMOUS_FLOOR}. A round keeps the number it started with.",
        ),
        divider(),
        section("*Partners from other organisations*"),
        _input(
            "trusted_orgs",
            "Organisations whose people may find what the council knows",
            PlainTextInputElement(
                action_id="value",
                max_length=1000,
                initial_value=" ".join(sorted(rules.trusted_orgs)) or None,
                placeholder="T0123ABCD T0456EFGH",
            ),
            "Their Slack IDs (T…). Everyone else from outside the council, and guests, find only "
            "what was saved in the channel they are in. partnerbot tells a partner their "
            "organisation's ID when it turns them away.",
        ),
        _input(
            "network_approval",
            "Programme networks",
            CheckboxesElement(
                action_id="value",
                options=[APPROVAL],
                initial_options=[APPROVAL] if rules.network_approval else None,
            ),
            "With this ticked, an entry someone shares with a network waits for one of the "
            "workspace's admins to approve it (`/partners network pending`).",
        ),
        divider(),
        section("*Reminders*"),
        _input(
            "days_before",
            "First reminder, working days before the due date",
            _number(policy.days_before, minimum=0, maximum=20),
        ),
        _input(
            "overdue_every",
            "Working days between overdue reminders",
            _number(policy.overdue_every, minimum=1, maximum=20),
        ),
        _input(
            "overdue_max",
            "Overdue reminders at most",
            _number(policy.overdue_max, minimum=0, maximum=10),
        ),
        _input(
            "region",
            "Whose bank holidays",
            StaticSelectElement(
                action_id="value",
                options=regions,
                initial_option=next(o for o in regions if o.value == policy.region),
            ),
        ),
        divider(),
        section("*Scoring projects*"),
        _input(
            "impact_threshold",
            "Impact this high or more is high",
            _number(scoring.impact_threshold, minimum=1, maximum=5, decimal=True),
        ),
        _input(
            "risk_threshold",
            "Risk this high or more is high",
            _number(scoring.risk_threshold, minimum=1, maximum=5, decimal=True),
        ),
        *(
            _input(
                f"weight_{c.key}",
                f"Weight of “{c.label}”",
                _number(scoring.weights[c.key], minimum=0, maximum=10, decimal=True),
            )
            for c in CRITERIA
        ),
        _input(
            "ranges",
            "Names of the four ranges",
            PlainTextInputElement(
                action_id="value", max_length=300, initial_value="; ".join(scoring.ranges)
            ),
            "High impact & low risk; high impact & high risk; low & low; low impact & high "
            "risk, separated by semicolons.",
        ),
    ]
    return View(
        type="modal",
        callback_id=SETTINGS_VIEW,
        title="Workspace settings",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def _value(values: dict[str, Any], block: str, key: str = "value") -> Any:
    return ((values.get(block) or {}).get("value") or {}).get(key)


def _float(values: dict[str, Any], block: str, default: float) -> float:
    raw = _value(values, block)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError("Give a number.", block) from None


APPROVAL = Option(value="approve", label="An admin approves each entry before it is shared")


def _ticked(values: dict[str, Any], block: str, before: bool) -> bool:
    """A checkbox's state, or (a field the form did not send) what was there."""
    given = (values.get(block) or {}).get("value")
    if given is None:
        return before
    return any(o.get("value") == "approve" for o in given.get("selected_options") or [])


def read_settings_form(values: dict[str, Any], before: Everything) -> Everything:
    """The form's values (an empty field keeps what was there); SettingsError naming the
    field when one cannot be used. Only what the form itself says is checked here: who the
    people are is asked of Slack after the answer."""
    rules, policy, scoring = before.rules, before.policy, before.scoring
    minimums = {
        name: check_minimum(_value(values, name) or getattr(rules, name), name)
        for name in ("pulse_minimum", "breakout_minimum")
    }
    ranges = tuple(
        part.strip() for part in (_value(values, "ranges") or "; ".join(scoring.ranges)).split(";")
    )
    if len(ranges) != 4 or not all(ranges) or any(len(r) > 40 for r in ranges):
        raise SettingsError("Name all four ranges, separated by semicolons.", "ranges")
    whole = {}
    for name in ("days_before", "overdue_every", "overdue_max"):
        number = _float(values, name, getattr(policy, name))
        if number != int(number):
            raise SettingsError("A whole number of days, please.", name)
        whole[name] = int(number)

    def kept(block: str, key: str, before: Any) -> Any:
        """What a field says, or (a field the form did not send) what was there."""
        given = (values.get(block) or {}).get("value")
        return before if given is None else given.get(key)

    return Everything(
        rules=Rules(
            facilitators=frozenset(
                kept("facilitators", "selected_users", rules.facilitators) or ()
            ),
            admins=frozenset(kept("admins", "selected_users", rules.admins) or ()),
            questions_channel=kept(
                "questions_channel", "selected_conversation", rules.questions_channel
            ),
            pulse_minimum=minimums["pulse_minimum"],
            breakout_minimum=minimums["breakout_minimum"],
            trusted_orgs=parse_orgs(
                kept("trusted_orgs", "value", " ".join(rules.trusted_orgs)) or ""
            ),
            network_approval=_ticked(values, "network_approval", rules.network_approval),
        ),
        policy=Policy(
            days_before=whole["days_before"],
            overdue_every=whole["overdue_every"],
            overdue_max=whole["overdue_max"],
            region=(_value(values, "region", "selected_option") or {}).get("value")
            or policy.region,
        ),
        scoring=ScoringRules(
            weights={k: _float(values, f"weight_{k}", scoring.weights[k]) for k in KEYS},
            impact_threshold=_float(values, "impact_threshold", scoring.impact_threshold),
            risk_threshold=_float(values, "risk_threshold", scoring.risk_threshold),
            ranges=ranges,  # type: ignore[arg-type]
        ),
    )


def people_words(ids: frozenset[str]) -> str:
    return ", ".join(f"<@{u}>" for u in sorted(ids)) or "none"


def settings_blocks(rules: Rules) -> list[dict[str, Any]]:
    """The workspace's settings in brief, on an admin's Home tab, with a button to change them."""
    orgs = ", ".join(f"`{escape(o)}`" for o in sorted(rules.trusted_orgs)) or "none"
    lines = [
        f"*Facilitators:* {people_words(rules.facilitators)}",
        f"*partnerbot admins:* {people_words(rules.admins)} (besides the workspace's admins)",
        "*Unanswered questions go to:* "
        + (f"<#{rules.questions_channel}>" if rules.questions_channel else "the facilitators"),
        f"*Anonymous results show from:* {rules.pulse_minimum} answers to a health pulse, "
        f"{rules.breakout_minimum} people in a breakout",
        f"*Organisations trusted with what the council knows:* {orgs}",
        "*Sharing with programme networks:* "
        + ("an admin approves each entry" if rules.network_approval else "as each person chooses"),
    ]
    return [
        divider(),
        header("Workspace settings"),
        section("\n".join(lines)),
        context(
            f"You see this as one of the workspace's admins. partnerbot {release()}."
            + ("" if rules.saved else " Nobody has saved settings yet: these are the defaults.")
        ),
        ActionsBlock(
            block_id="settings_actions",
            elements=[ButtonElement(text="Change settings", action_id=OPEN_SETTINGS)],
        ).to_dict(),
    ]
