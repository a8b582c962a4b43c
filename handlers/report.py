"""`/partners report NAME`: the committee report for one partnership, a Word document sent to the
caller by DM (files_upload_v2), with a progress message that moves as each section is written.
Its lead, admins, facilitators and the people in its channel may ask for it."""

import io

from slack_bolt import App
from slack_sdk import WebClient

from handlers.blockkit import escape
from handlers.outbox import send_owed
from handlers.people import channel_members, names, person
from handlers.register_flow import may_manage, named
from handlers.sending import Progress
from handlers.services import Services
from handlers.subcommands import MEMBERS, Invocation, Subcommand
from knowledge.report import SECTIONS, write_report
from knowledge.report import Progress as ReportStep
from knowledge.workdays import local_today
from storage.models import Partnership
from storage.outbox import UPLOAD

USAGE = "Try `/partners report Retrofit Partnership`."
NOT_YOURS = (
    "Only its lead officer, the people in its channel, workspace admins and facilitators can "
    "have a partnership's committee report."
)


def may_read(client: WebClient, services: Services, partnership: Partnership, user_id: str) -> bool:
    """Its lead, admins and facilitators, and anyone in its channel."""
    if may_manage(client, services, partnership, user_id):
        return True
    if not partnership.channel_id:
        return False
    return user_id in (channel_members(client, partnership.channel_id) or set())


def run(call: Invocation) -> None:
    """Write the report and DM it; a progress message moves as each section is written."""
    partnership = named(call, call.args.strip(), USAGE)
    if partnership is None:
        return
    client, services = call.client, call.services
    if not may_read(client, services, partnership, call.user_id):
        call.reply(NOT_YOURS)
        return
    call.reply(f"Preparing the committee report for *{escape(partnership.name)}*: I'll DM it.")
    progress = Progress(
        client, call.user_id, f"⏳ Writing the report: 0 of {len(SECTIONS)} sections…"
    )

    def moved(step: ReportStep) -> None:
        progress.say(
            f"⏳ Writing the report: {step.done} of {step.total} sections ({step.section})…"
        )

    now = services.clock()
    today = local_today(now, person(client, services, call.user_id)[0])
    buffer = io.BytesIO()
    with services.sessions() as session:
        fresh = session.get(Partnership, partnership.id)
        assert fresh is not None
        write_report(
            session,
            fresh,
            buffer,
            today=today,
            now=now,
            name_of=names(client, services, call.team_id),
            progress=moved,
        )
    title = f"Committee report: {partnership.name}, {today:%d %b %Y}"
    delivered = send_owed(
        services,
        client,
        team_id=call.team_id,
        channel=call.user_id,
        kind=UPLOAD,
        content=buffer.getvalue(),
        text="Here is the committee report: facts, governance, the agreement, "
        "commitments, benefits, health, prioritisation and breakout themes.",
        upload={"filename": f"committee-report-{today:%Y-%m-%d}.docx", "title": title},
        about=f"the {title.lower()}",
        author_id=call.user_id,
    )
    progress.say(
        f"✅ Report written: {len(SECTIONS)} sections."
        + ("" if delivered.sent else " It comes to you as soon as Slack lets me send it.")
    )


SUBCOMMANDS = (
    Subcommand(
        "report",
        "report NAME",
        "the committee report for a partnership (.docx), by DM",
        "/partners report Retrofit Partnership",
        run=run,
        open_to=MEMBERS,
    ),
)


def register(app: App, services: Services) -> None:
    """Nothing to bind: the report is a subcommand only."""
