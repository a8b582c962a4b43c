"""`/partners report NAME`: the committee report for one partnership. The command opens a form
for what only the officer can write (the meeting, the contact officer, recommendations,
implications; filled in with the last report's answers); on submit the Word document is sent to
them by DM (files_upload_v2) with a progress message that moves as each section is written.
Its lead, admins, facilitators and the people in its channel may ask for it."""

import io
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.blockkit import escape
from handlers.forms import done_view, refilled, working_view
from handlers.listening import listen, refuse, refuse_field, workspace_of
from handlers.outbox import send_owed
from handlers.people import channel_members, names, person
from handlers.register_flow import may_manage, named, partnership_named
from handlers.report_form import REPORT_VIEW, build_report_form, form_errors, read_report_form
from handlers.sending import Progress
from handlers.services import Services
from handlers.subcommands import MEMBERS, Invocation, Subcommand
from knowledge.report import SECTIONS, write_report
from knowledge.report import Progress as ReportStep
from knowledge.report_answers import Answers, keep_answers, last_answers
from knowledge.workdays import local_today
from storage.models import Partnership
from storage.outbox import UPLOAD

USAGE = "Try `/partners report Retrofit Partnership`."
GONE = "That partnership is no longer in the register."
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
    """Open the report's form, filled in with the partnership's last answers."""
    partnership = named(call, call.args.strip(), USAGE)
    if partnership is None:
        return
    if not may_read(call.client, call.services, partnership, call.user_id):
        call.reply(NOT_YOURS)
        return
    with call.services.sessions() as session:
        last = last_answers(session, partnership)
    form = build_report_form(partnership, last or Answers(), remembered=last is not None)
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def deliver(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    partnership: Partnership,
    answers: Answers,
) -> bool:
    """Keep the answers, write the report and DM it, a progress message moving as each section
    is written; whether Slack took it now (else it comes when Slack lets it)."""
    progress = Progress(client, user_id, f"⏳ Writing the report: 0 of {len(SECTIONS)} sections…")

    def moved(step: ReportStep) -> None:
        progress.say(
            f"⏳ Writing the report: {step.done} of {step.total} sections ({step.section})…"
        )

    now = services.clock()
    today = local_today(now, person(client, services, user_id)[0])
    buffer = io.BytesIO()
    name_of = names(client, services, team_id)
    with services.sessions() as session:
        fresh = session.get(Partnership, partnership.id)
        assert fresh is not None
        keep_answers(session, fresh, answers, by=user_id, now=now)
        write_report(
            session, fresh, buffer, today=today, now=now, name_of=name_of, answers=answers,
            progress=moved,
        )  # fmt: skip
    state = "final" if answers.final else "draft"
    title = f"Committee report ({state}): {partnership.name}, {today:%d %b %Y}"
    delivered = send_owed(
        services,
        client,
        team_id=team_id,
        channel=user_id,
        kind=UPLOAD,
        content=buffer.getvalue(),
        text=f"Here is the committee report ({state}): the cover, summary, purpose, "
        "recommendations, background, progress from the register, implications and appendices.",
        upload={
            "filename": f"committee-report-{state}-{today:%Y-%m-%d}.docx",
            "title": title,
        },
        about=f"the {title.lower()}",
        author_id=user_id,
    )
    progress.say(
        f"✅ Report written ({state}): {len(SECTIONS)} sections."
        + ("" if delivered.sent else " It comes to you as soon as Slack lets me send it.")
    )
    return delivered.sent


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
    """The report's form: checked before the ack (each field's problem shown under it), the
    report written after it."""

    def check(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        partnership = partnership_named(
            services, workspace_of(context), view.get("private_metadata")
        )
        if partnership is None:
            refuse_field(ack, context, "committee", GONE)
            return
        _, errors = form_errors(read_report_form(view))
        if errors:
            refuse(ack, context, response_action="errors", errors=errors)
            return
        ack(response_action="update", view=working_view("Committee report", "Writing the report…"))

    def submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        partnership = partnership_named(services, team_id, view.get("private_metadata"))
        if partnership is None or not may_read(client, services, partnership, user_id):
            problem = GONE if partnership is None else NOT_YOURS
            client.views_update(view_id=view["id"], view=refilled(view, problem))
            return
        answers, _ = form_errors(read_report_form(view))
        assert answers is not None  # checked before the ack
        sent = deliver(
            services, client, team_id=team_id, user_id=user_id, partnership=partnership,
            answers=answers,
        )  # fmt: skip
        later = "" if sent else " It comes as soon as Slack lets me send it."
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Committee report",
                f"✅ The {'final' if answers.final else 'draft'} report for "
                f"*{escape(partnership.name)}* is in your DMs.{later}",
                "Your answers are kept: the next report's form starts from them.",
            ),
        )

    listen(app.view(REPORT_VIEW), submitted, check=check)
