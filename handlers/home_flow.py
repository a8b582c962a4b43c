"""The App Home tab, a personal dashboard, built and published: on opening the tab, and again
by any listener whose change shows on someone's tab (a commitment done, a partnership edited,
a lesson saved). Within Slack's 100 blocks however much there is."""

import logging
from datetime import date
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement
from slack_sdk.models.views import View

from handlers.blockkit import (
    SURFACE_BLOCKS,
    context,
    divider,
    escape,
    header,
    packed_sections,
    section,
    truncate,
)
from handlers.commitment_blocks import summary
from handlers.people import rules_of, viewer
from handlers.pulse_blocks import health_blocks
from handlers.pulse_flow import trend_words
from handlers.question_flow import ANSWER
from handlers.register_blocks import line_of, review_words
from handlers.services import Services
from handlers.settings_blocks import settings_blocks
from knowledge.commitments import open_commitments, owners_of
from knowledge.entries import KIND_LABELS, entries_by
from knowledge.partnerships import list_partnerships
from knowledge.pulses import health
from knowledge.questions import open_questions, questions_asked_by
from knowledge.register import Standing, register_list, reviews_due
from knowledge.workdays import local_today
from knowledge.workspace_settings import Rules
from storage.models import Commitment, Entry, LessonWanted, Partnership
from storage.outbox import OutboxMessage, undelivered

logger = logging.getLogger(__name__)

HOME_DONE, HOME_SNOOZE = "home_done", "home_snooze"
HOME_COMMIT, HOME_LESSON, HOME_PARTNERSHIP = "home_commit", "home_lesson", "home_partnership"
COMMITMENTS_SHOWN = 12  # each a section and its buttons
LINES_SHOWN = 10  # partnerships, reviews, lessons: one line each
QUESTIONS_SHOWN = 8
HEALTH_SHOWN = 3  # partnerships I lead whose pulse the tab shows


def _more(shown: int, total: int, command: str) -> list[dict[str, Any]]:
    if total <= shown:
        return []
    return [context(f"…and {total - shown} more: `{command}`")]


def build_questions(
    waiting: list[LessonWanted], asked: list[tuple[LessonWanted, Entry | None]], *, manager: bool
) -> list[dict[str, Any]]:
    """Questions waiting for an answer (with Answer buttons for facilitators and admins), and
    the viewer's own questions with what became of them."""
    blocks: list[dict[str, Any]] = []
    if waiting:
        blocks += [divider(), header("Questions waiting for an answer")]
        for w in waiting[:QUESTIONS_SHOWN]:
            line = f"• “{escape(truncate(w.question, 200))}”, asked by <@{w.asked_by}>"
            block = section(line)
            if manager:
                block["accessory"] = ButtonElement(
                    text="Answer it", action_id=ANSWER, value=str(w.id)
                ).to_dict()
            blocks.append(block)
        if not manager:
            blocks.append(context("Know the answer? Write it up with `/partners lesson`."))
    if asked:
        blocks += [divider(), header("Your questions")]
        lines = []
        for question, answer in asked:
            asked_text = f"“{escape(truncate(question.question, 200))}”"
            if question.answered_at is None:
                lines.append(f"• {asked_text}: ⏳ waiting for an answer")
            elif answer is None:
                lines.append(f"• {asked_text}: ✅ answered by <@{question.answered_by}>")
            else:
                lines.append(
                    f"• {asked_text}: ✅ <@{question.answered_by}> answered with "
                    f"*{escape(answer.title)}*"
                )
        blocks += packed_sections(lines, max_blocks=2)
    return blocks


def _register_part(
    today: date,
    led: list[Standing],
    register: list[Partnership],
    due: list[Partnership],
    health: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Partnerships I lead (with their health pulses), or the register's names, and reviews due:
    the council's business, so never on an outsider's tab."""
    blocks = [divider(), header(f"Partnerships you lead ({len(led)})")]
    if led:
        blocks += packed_sections((line_of(s, today) for s in led[:LINES_SHOWN]), max_blocks=2)
        blocks += _more(LINES_SHOWN, len(led), "/partners partnership list mine")
        blocks += health
    elif register:
        names = ", ".join(f"*{escape(p.name)}*" for p in register[:LINES_SHOWN])
        more = f" and {len(register) - LINES_SHOWN} more" if len(register) > LINES_SHOWN else ""
        blocks.append(
            section(
                f"You lead none of the {len(register)} in the register: {names}{more}. "
                "`/partners partnership list` shows them all."
            )
        )
    else:
        blocks.append(
            section("None yet: `/partners partnership add Retrofit Partnership` in its channel.")
        )
    if due:
        blocks += [divider(), header(f"Reviews due ({len(due)})")]
        lines = [
            f"• *{escape(p.name)}*: {review_words(p, today)}"
            + (f", led by <@{p.lead_id}>" if p.lead_id else ", no lead")
            for p in due[:LINES_SHOWN]
        ]
        blocks += packed_sections(lines, max_blocks=2)
        blocks += _more(LINES_SHOWN, len(due), "/partners partnership list due")
    return blocks


def build_home(
    *,
    today: date,
    commitments: list[tuple[Commitment, list[str]]],
    open_count: int,
    led: list[Standing],
    due: list[Partnership],
    register: list[Partnership] | None = None,
    mine: list[Entry],
    wanted: list[LessonWanted] | None = None,
    asked: list[tuple[LessonWanted, Entry | None]] | None = None,
    manager: bool = False,
    health: list[dict[str, Any]] | None = None,
    settings: Rules | None = None,
    outsider: bool = False,
    undelivered: list[OutboxMessage] | None = None,
) -> dict[str, Any]:
    """The Home tab view: my commitments (Done and Snooze right there), partnerships I lead
    (with their health pulses), reviews due, my lessons, questions, buttons for the common
    actions, and for admins the workspace's settings. `outsider`: someone from outside the
    council, who sees none of the register."""
    blocks = [
        header("partnerbot"),
        section(
            "What your partnerships know, what they promised, and who is doing what. "
            "Type `/partners help` in any channel to see every command."
        ),
        ActionsBlock(
            block_id="home_actions",
            elements=[
                ButtonElement(text="Record a commitment", action_id=HOME_COMMIT, style="primary"),
                ButtonElement(text="Save a lesson", action_id=HOME_LESSON),
                ButtonElement(text="Add a partnership", action_id=HOME_PARTNERSHIP),
            ],
        ).to_dict(),
        divider(),
        header(f"Your open commitments ({open_count})"),
    ]
    if commitments:
        for commitment, owner_ids in commitments:
            value = str(commitment.id)
            blocks.append(section(summary(commitment, owner_ids, today)))
            blocks.append(
                ActionsBlock(
                    block_id=f"home-commitment-{value}",
                    elements=[
                        ButtonElement(
                            text="✅ Done", action_id=HOME_DONE, value=value, style="primary"
                        ),
                        ButtonElement(text="Snooze a week", action_id=HOME_SNOOZE, value=value),
                    ],
                ).to_dict()
            )
        blocks += _more(len(commitments), open_count, "/partners actions")
    else:
        blocks.append(section("Nothing open. `/partners commit @someone … by …` records one."))
    if not outsider:
        blocks += _register_part(today, led, register or [], due, health or [])
    blocks += [divider(), header("Your lessons and notes")]
    if mine:
        blocks += packed_sections(
            (
                f"• *{escape(e.title)}* ({KIND_LABELS[e.kind].lower()}, {e.created_at:%d %b %Y})"
                f"  👍 {e.helpful}  👎 {e.unhelpful}"
                for e in mine[:LINES_SHOWN]
            ),
            max_blocks=2,
        )
    else:
        blocks.append(section("None yet. `/partners lesson` keeps what your partnership learnt."))
    blocks += build_questions(wanted or [], asked or [], manager=manager)
    if undelivered:
        lines = [
            f"• {escape(m.about)} ({m.created_at:%d %b %H:%M} UTC): Slack said "
            f"`{escape(m.error or 'no')}`"
            for m in undelivered
        ]
        blocks += [
            divider(),
            header("Messages I couldn't deliver for you"),
            *packed_sections(lines, max_blocks=2),
            context(
                "I tried several times over an hour. Check the channel or the person, then "
                "do it again."
            ),
        ]
    if settings is not None:
        blocks += settings_blocks(settings)
    return View(type="home", blocks=blocks[:SURFACE_BLOCKS]).to_dict()


def refresh_homes(
    client: WebClient, services: Services, team_id: str, *user_ids: str | None
) -> None:
    """Something on these people's Home tabs changed: publish each once, as it is now."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        publish_home(client, services, team_id, user_id)


def publish_home(client: WebClient, services: Services, team_id: str, user_id: str) -> None:
    """Build someone's Home tab as it is now and publish it (a failure is logged, not raised:
    the change that asked for it has already been made and told). Someone from outside the
    council (or a guest) sees what is theirs (commitments, lessons, questions asked), never the
    register, reviews or others' questions; the workspace's admins see its settings."""
    seer = viewer(client, services, team_id, user_id)
    today = local_today(services.clock(), seer.tz)
    with services.sessions() as session:
        owed = open_commitments(session, team_id=team_id, owner_id=user_id)
        commitments = [
            (c, [o.user_id for o in owners_of(session, c.id or 0)])
            for c in owed[:COMMITMENTS_SHOWN]
        ]
        mine = entries_by(session, team_id=team_id, author_id=user_id, limit=LINES_SHOWN)
        asked = questions_asked_by(session, team_id=team_id, user_id=user_id)
        failed = undelivered(session, team_id=team_id, author_id=user_id, now=services.clock())
        led: list[Standing] = []
        due: list[Partnership] = []
        every: list[Partnership] = []
        wanted: list[LessonWanted] = []
        if seer.full:
            led = register_list(
                session, team_id=team_id, today=today, which="mine", user_id=user_id
            )
            due = reviews_due(session, team_id=team_id, today=today)
            every = [] if led else list_partnerships(session, team_id=team_id)
            wanted = open_questions(session, team_id=team_id, limit=QUESTIONS_SHOWN)
        healths = [(s.partnership, health(session, s.partnership)) for s in led[:HEALTH_SHOWN]]
    pulses = [
        block
        for p, found in healths
        for block in health_blocks(found, alt_text=trend_words(p, found), name=p.name)
    ]
    view = build_home(
        today=today,
        commitments=commitments,
        open_count=len(owed),
        led=led,
        due=due,
        register=every,
        mine=mine,
        wanted=wanted,
        asked=asked,
        manager=seer.manager,
        health=pulses,
        settings=rules_of(services, team_id) if seer.admin else None,
        outsider=not seer.full,
        undelivered=failed,
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        logger.warning("could not publish a Home tab", extra={"error": error.response.get("error")})
