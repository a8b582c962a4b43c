"""The App Home tab: a personal dashboard (partnerships, my entries and their votes, lessons
people have asked for)."""

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
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
from handlers.register_blocks import describe
from handlers.services import Services
from knowledge.commitments import open_commitments, owners_of
from knowledge.entries import KIND_LABELS, entries_by, wanted_lessons
from knowledge.partnerships import list_partnerships
from knowledge.workdays import local_today
from storage.models import Entry, LessonWanted, Partnership

SECTION_BUDGET = 30  # blocks each list may use, so the whole tab stays under Slack's 100


def build_home(
    partnerships: list[Partnership],
    mine: list[Entry] | None = None,
    wanted: list[LessonWanted] | None = None,
    commitments: list[str] | None = None,
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
    if wanted:
        blocks += [divider(), header("Lessons people have asked for")]
        blocks += packed_sections(
            (f"• “{escape(truncate(w.question, 200))}”, asked by <@{w.asked_by}>" for w in wanted),
            max_blocks=SECTION_BUDGET,
        )
        blocks.append(context("Know the answer? Write it up with `/partners lesson`."))
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
            wanted = wanted_lessons(session, team_id=team_id)
            owed = []
            for commitment in open_commitments(session, team_id=team_id, owner_id=user_id):
                owners = owners_of(session, commitment.id or 0)
                # "in 3 days" counts from today where the viewer is (their owner row knows)
                tz = next(o.tz for o in owners if o.user_id == user_id)
                today = local_today(services.clock(), tz)
                owed.append(summary(commitment, [o.user_id for o in owners], today))
        client.views_publish(user_id=user_id, view=build_home(partnerships, mine, wanted, owed))

    listen(app.event("app_home_opened"), home_opened)
