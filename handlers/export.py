"""`/partners export`: the workspace's workbook, sent to the caller by DM as a file (uploaded
with files.getUploadURLExternal and files.completeUploadExternal, through slack_sdk's
files_upload_v2), with a progress message that moves as each sheet is written."""

import io
import logging
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from handlers.outbox import send_owed
from handlers.people import channel_members, names
from handlers.sending import Progress
from handlers.services import Services
from handlers.subcommands import MEMBERS, Invocation, Subcommand
from knowledge.workbook import SHEETS, write_workbook
from storage.models import Entry
from storage.outbox import UPLOAD

logger = logging.getLogger(__name__)


def visible_channels(client: WebClient, services: Services, team_id: str, user_id: str) -> set[str]:
    """The private channels (and DMs) holding entries that this person is a member of: only
    their entries go into the person's export (conversations.members, every page)."""
    with services.sessions() as session:
        channels: set[str] = {
            str(channel)
            for channel in session.exec(
                select(Entry.channel_id)
                .where(Entry.team_id == team_id)
                .where(col(Entry.private).is_(True))
                .where(col(Entry.channel_id).is_not(None))
                .distinct()
            )
            if channel
        }
    # a channel the bot has left (None) keeps its entries out: the safe mistake
    return {c for c in channels if user_id in (channel_members(client, c) or set())}


def run(call: Invocation) -> None:
    """Build the workbook and DM it; progress moves on a DM message while it is written."""
    client, services = call.client, call.services
    call.reply("Preparing your workbook: I'll send it to you by DM in a moment.")
    progress = Progress(
        client, call.user_id, f"⏳ Exporting the register: 0 of {len(SHEETS)} sheets written…"
    )
    written: list[str] = []

    def moved(sheet: str, rows: int) -> None:
        written.append(f"{sheet} ({rows})")
        progress.say(
            f"⏳ Exporting the register: {len(written)} of {len(SHEETS)} sheets written "
            f"({', '.join(written)})…"
        )

    now = services.clock()
    visible = visible_channels(client, services, call.team_id, call.user_id)
    workspace = _workspace_name(client, call.team_id)
    buffer = io.BytesIO()
    name_of = names(client, services, call.team_id)
    with services.sessions() as session:
        write_workbook(
            session,
            buffer,
            team_id=call.team_id,
            workspace=workspace,
            now=now,
            visible_channels=visible,
            progress=moved,
            name_of=name_of,
        )
    name = f"partnerships-{now:%Y-%m-%d}.xlsx"
    delivered = send_owed(
        services,
        client,
        team_id=call.team_id,
        channel=call.user_id,
        kind=UPLOAD,
        content=buffer.getvalue(),
        text="Here is your workbook: the register, agreement checklists, reviews, "
        "commitments, lessons and briefing notes.",
        upload={"filename": name, "title": f"Partnership register, {workspace}, {_when(now)}"},
        about=f"the workbook {name}",
        author_id=call.user_id,
    )
    progress.say(
        f"✅ Exported: {', '.join(written)}."
        + ("" if delivered.sent else " It comes to you as soon as Slack lets me send it.")
    )


def _when(now: datetime) -> str:
    return f"{now:%d %b %Y %H:%M} UTC"


def _workspace_name(client: WebClient, team_id: str) -> str:
    try:
        return str(client.auth_test().get("team") or team_id)
    except SlackApiError:
        return team_id


SUBCOMMANDS = (
    Subcommand(
        "export",
        "export",
        "the register, commitments, lessons and notes as a spreadsheet, by DM",
        "/partners export",
        run=run,
        open_to=MEMBERS,
    ),
)


def register(app: App, services: Services) -> None:
    """Nothing to bind: the export is a subcommand only."""
