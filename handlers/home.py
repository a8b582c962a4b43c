"""The App Home tab: a personal dashboard (partnerships, my entries and their votes, questions
waiting for an answer, and mine)."""

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.models.blocks import ButtonElement
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
from handlers.listening import listen, workspace_of
from handlers.people import is_manager
from handlers.question_flow import ANSWER
from handlers.register_blocks import describe
from handlers.services import Services
from knowledge.commitments import open_commitments, owners_of
from knowledge.entries import KIND_LABELS, entries_by
from knowledge.partnerships import list_partnerships
from knowledge.questions import open_questions, questions_asked_by
from knowledge.workdays import local_today
from storage.models import Entry, LessonWanted, Partnership

SECTION_BUDGET = 30  # blocks each list may use, so the whole tab stays under Slack's 100


QUESTIONS_SHOWN = 8  # each with its own Answer button


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
        blocks += packed_sections(lines, max_blocks=QUESTIONS_SHOWN)
    return blocks


def build_home(
    partnerships: list[Partnership],
    mine: list[Entry] | None = None,
    wanted: list[LessonWanted] | None = None,
    commitments: list[str] | None = None,
    *,
    asked: list[tuple[LessonWanted, Entry | None]] | None = None,
    manager: bool = False,
) -> dict[str, Any]:
    """The Home tab view."""
    blocks = [
        header("partnerbot"),
        section(
            "What your partnerships know, what they promised, and who is doing what. "
            "Type `/partners help` in any channel to see every command."
        ),
        divider(),
        header("Partnerships"),
    ]
    if partnerships:
        blocks += packed_sections(
            ("• " + describe(p) for p in partnerships), max_blocks=SECTION_BUDGET
        )
    else:
        blocks.append(
            section("None yet: `/partners partnership add Retrofit Partnership` in its channel.")
        )
    blocks += [divider(), header("Your lessons and notes")]
    if mine:
        blocks += packed_sections(
            (
                f"• *{escape(e.title)}* ({KIND_LABELS[e.kind].lower()}, {e.created_at:%d %b %Y})"
                f"  👍 {e.helpful}  👎 {e.unhelpful}"
                for e in mine
            ),
            max_blocks=SECTION_BUDGET,
        )
    else:
        blocks.append(section("None yet. `/partners lesson` keeps what your partnership learnt."))
    blocks += build_questions(wanted or [], asked or [], manager=manager)
    blocks += [divider(), header("Your open commitments")]
    if commitments:
        blocks += packed_sections(("• " + line for line in commitments), max_blocks=SECTION_BUDGET)
        blocks.append(context("`/partners actions` lists them with Done, Snooze and Update."))
    else:
        blocks.append(section("Nothing open. `/partners commit @someone … by …` records one."))
    return View(type="home", blocks=blocks[:SURFACE_BLOCKS]).to_dict()


def register(app: App, services: Services) -> None:
    def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab") != "home":
            return
        team_id, user_id = workspace_of(context), event["user"]
        with services.sessions() as session:
            partnerships = list_partnerships(session, team_id=team_id)
            mine = entries_by(session, team_id=team_id, author_id=user_id)
            wanted = open_questions(session, team_id=team_id, limit=QUESTIONS_SHOWN)
            asked = questions_asked_by(session, team_id=team_id, user_id=user_id)
            owed = []
            for commitment in open_commitments(session, team_id=team_id, owner_id=user_id):
                owners = owners_of(session, commitment.id or 0)
                # "in 3 days" counts from today where the viewer is (their owner row knows)
                tz = next(o.tz for o in owners if o.user_id == user_id)
                today = local_today(services.clock(), tz)
                owed.append(summary(commitment, [o.user_id for o in owners], today))
        # answering is for facilitators and admins: only they are asked about (users.info)
        manager = bool(wanted) and is_manager(client, services, user_id)
        client.views_publish(
            user_id=user_id,
            view=build_home(partnerships, mine, wanted, owed, asked=asked, manager=manager),
        )

    listen(app.event("app_home_opened"), home_opened)
