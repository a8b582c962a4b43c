"""Block Kit for projects and scoring rounds: the project form, list and card, the round's
message, the scoring form, and the result (pure builders, testable without Slack)."""

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import MESSAGE_BLOCKS, context, escape, header, section, truncate
from knowledge.scoring import MEDIANS_FROM, Placed, Result
from knowledge.scoring_rules import CRITERIA, IMPACT, RISK, Rules
from storage.models import PROJECT_NAME_MAX, Partnership, Project, ScoringRound

PROJECT_VIEW = "project_form"
SCORE_VIEW = "score_form"
SCORE, CLOSE_ROUND = "score_projects", "close_scoring_round"
SIZE_WORDS = {"major": "Major project", "smaller": "Smaller project"}


def build_project_form(partnerships: list[Partnership], default: int | None) -> dict[str, Any]:
    """`/partners project add`: name, description, owner, partnership, size."""
    options = [Option(value=str(p.id), label=truncate(p.name, 75)) for p in partnerships[:100]]
    initial = next((o for o in options if o.value == str(default)), None)
    blocks: list[Any] = [
        InputBlock(
            block_id="name",
            label="Project or opportunity",
            element=PlainTextInputElement(action_id="value", max_length=PROJECT_NAME_MAX),
        ),
        InputBlock(
            block_id="description",
            label="What it is and what it should change",
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            optional=True,
        ),
        InputBlock(
            block_id="owner",
            label="Owner",
            element=UserSelectElement(action_id="value"),
            optional=True,
        ),
        InputBlock(
            block_id="size",
            label="Size",
            element=RadioButtonsElement(
                action_id="value",
                options=[Option(value=k, label=v) for k, v in SIZE_WORDS.items()],
                initial_option=Option(value="smaller", label=SIZE_WORDS["smaller"]),
            ),
        ),
    ]
    if options:
        blocks.append(
            InputBlock(
                block_id="partnership",
                label="Partnership",
                element=StaticSelectElement(
                    action_id="value", options=options, initial_option=initial
                ),
                optional=True,
            )
        )
    return View(
        type="modal",
        callback_id=PROJECT_VIEW,
        title="Add a project",
        submit="Add",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def project_line(project: Project, placed: str | None) -> str:
    size = "major" if project.size == "major" else "smaller"
    owner = f", owner <@{project.owner_id}>" if project.owner_id else ""
    scored = f" · *{escape(placed)}*" if placed else " · not scored yet"
    return f"• *{escape(project.name)}* ({size}, {project.status}{owner}){scored}"


def build_project_list(
    projects: list[Project], placed: dict[int, str]
) -> tuple[str, list[dict[str, Any]]]:
    """`/partners project list`: each project, its size, status and latest range."""
    if not projects:
        text = "No projects yet. Add one with `/partners project add NAME`."
        return text, [section(text)]
    lines = [project_line(p, placed.get(p.id or 0)) for p in projects]
    shown = lines[: MESSAGE_BLOCKS - 2]
    blocks = [section(f"*Projects* ({len(projects)})")] + [section(line) for line in shown]
    if len(lines) > len(shown):
        blocks.append(context(f"…and {len(lines) - len(shown)} more."))
    return f"{len(projects)} projects.", blocks


def build_project_card(
    project: Project, partnership: Partnership | None, latest: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """`/partners project NAME`: its facts and its latest scores, explained."""
    facts = [
        f"*{SIZE_WORDS.get(project.size, project.size)}*, {project.status}",
        f"*Owner:* <@{project.owner_id}>" if project.owner_id else "*Owner:* not named",
        f"*Partnership:* {escape(partnership.name)}" if partnership else "*Partnership:* none",
    ]
    blocks = [header(truncate(project.name, 150)), section("\n".join(facts))]
    if project.description:
        blocks.append(section(truncate(escape(project.description), 3000)))
    blocks.append(
        section(latest or "Not scored yet: `/partners prioritise @someone…` runs a round.")
    )
    return f"Project: {project.name}", blocks


def build_round_message(
    scoring: ScoringRound, projects: list[Project], scored: dict[str, set[int]]
) -> tuple[str, list[dict[str, Any]]]:
    """The round's message in the channel: what is scored, by whom, who has scored (never
    what), and the buttons."""
    invited = scoring.invited.split()
    total = len(projects)
    done = [u for u in invited if len(scored.get(u, set())) >= total]
    names = ", ".join(escape(p.name) for p in projects)
    state = "closed" if scoring.status == "closed" else "open"
    lines = [
        f"🎯 *Scoring round ({state})*, run by <@{scoring.facilitator_id}>",
        f"*Projects:* {truncate(names, 1500)}",
        "*Invited:* " + ", ".join(f"<@{u}>" for u in invited),
        f"*Scored so far:* {len(done)} of {len(invited)}"
        + (": " + ", ".join(f"<@{u}>" for u in done) if done else ""),
    ]
    blocks = [
        section("\n".join(lines)),
        context(
            "Each person scores privately; only the medians and how far people differed are "
            "shown. Scores can be revised, and the round closed again."
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Score the projects",
                    action_id=SCORE,
                    value=str(scoring.id),
                    style="primary",
                ),
                ButtonElement(text="Close round", action_id=CLOSE_ROUND, value=str(scoring.id)),
            ]
        ).to_dict(),
    ]
    return f"Scoring round: {len(done)} of {len(invited)} have scored.", blocks


def _score_options() -> list[Option]:
    return [Option(value=str(n), label=str(n)) for n in range(1, 6)]


def build_score_form(
    scoring: ScoringRound,
    projects: list[Project],
    mine: dict[tuple[int, str], int],
    *,
    project_id: int,
    left: list[int],
) -> dict[str, Any]:
    """The form for one project of the round (seven scores), filled in with the person's
    earlier scores, saying which it is and what they have left; saving it moves on to the
    next one left. Closing the form keeps what was saved, to resume later."""
    names = {p.id: p.name for p in projects}
    project = next(p for p in projects if p.id == project_id)
    position = [p.id for p in projects].index(project_id) + 1
    others = [names[i] for i in left if i != project_id and i in names]
    remaining = (
        "Left after this one: " + ", ".join(escape(n) for n in others) + "."
        if others
        else "This is the last one you have left."
        if project_id in left
        else "You have scored every project; revise this one, or close the form."
    )
    blocks: list[Any] = [
        SectionBlock(text=f"*{escape(project.name)}* (project {position} of {len(projects)})"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=truncate(
                        f"{remaining} Score each from 1 to 5. Only medians and spreads are "
                        "ever shown; nobody sees your scores.",
                        2000,
                    )
                )
            ]
        ),
    ]
    for criterion in CRITERIA:
        given = mine.get((project_id, criterion.key))
        options = _score_options()
        blocks.append(
            InputBlock(
                block_id=f"{project_id}:{criterion.key}",
                label=truncate(f"{criterion.label} ({criterion.scale})", 2000),
                element=StaticSelectElement(
                    action_id="value",
                    options=options,
                    initial_option=options[given - 1] if given else None,
                ),
            )
        )
    more = bool(others)
    return View(
        type="modal",
        callback_id=SCORE_VIEW,
        private_metadata=f"{scoring.id}:{project_id}",
        title="Score the projects",
        submit="Save and next" if more else "Save scores",
        close="Later" if more else "Cancel",
        blocks=blocks,
    ).to_dict()


def latest_words(placed: Placed, rules: Rules) -> str:
    """A project's place in a round's result, in words, with the rules that placed it."""
    return (
        f"*{escape(rules.ranges[placed.range_index])}*: impact {placed.impact:.2f}, "
        f"risk {placed.risk:.2f} (medians of {placed.people} people's scores)\n"
        f"_{escape(rules.explained())}_"
    )


def build_result(result: Result, *, updated: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """The round's result: ranked by range, medians, where people disagreed most, and the
    thresholds, so the outcome can be explained and challenged. `updated`: closed again after
    scores were revised."""
    rules: Rules = result.rules
    blocks = [
        section(
            "🎯 *Prioritisation result, updated* (scores were revised since it was closed)"
            if updated
            else "🎯 *Prioritisation result*"
        )
    ]
    for index, name in enumerate(rules.ranges):
        inside = [p for p in result.placed if p.range_index == index]
        if not inside:
            continue
        lines = [
            f"{n}. *{escape(p.project.name)}*{' (major)' if p.project.size == 'major' else ''}: "
            f"impact {p.impact:.2f}, risk {p.risk:.2f}; medians "
            + ", ".join(f"{c.key} {p.medians[c.key]:g}" for c in IMPACT + RISK)
            for n, p in enumerate(inside, start=1)
        ]
        blocks.append(section(truncate(f"*{escape(name)}*\n" + "\n".join(lines), 3000)))
    if result.disagreements:
        label = {c.key: c.label.lower() for c in CRITERIA}
        lines = [
            f"• {escape(p.project.name)}, {label[k]}: scores {p.spread[k]} points apart "
            f"(median {p.medians[k]:g})"
            for p, k in result.disagreements
        ]
        blocks.append(
            section("*Where people disagreed most* (worth discussing first)\n" + "\n".join(lines))
        )
    if result.too_few:
        blocks.append(
            context(
                f"🔒 Scored by fewer than {MEDIANS_FROM} people, so no medians are shown (they "
                "would be those people's own scores): "
                + ", ".join(escape(p.name) for p in result.too_few)
            )
        )
    if result.unscored:
        blocks.append(
            context(
                "Not scored by anyone yet: " + ", ".join(escape(p.name) for p in result.unscored)
            )
        )
    blocks.append(context(truncate(escape(rules.explained()), 3000)))
    counts = ", ".join(
        f"{sum(1 for p in result.placed if p.range_index == i)} {name.lower()}"
        for i, name in enumerate(rules.ranges)
    )
    return f"Prioritisation result: {counts}.", blocks
