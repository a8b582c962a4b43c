"""`/partners commit`, `/partners actions`, `/partners away`, and the commitment form."""

from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.commitment_blocks import COMMIT_VIEW, build_form, build_list
from handlers.commitment_flow import read_commit_form, record, record_form
from handlers.forms import working_view
from handlers.listening import listen, refuse, workspace_of
from handlers.people import person
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from knowledge.commit_text import parse_commit, split_partnership
from knowledge.commitments import (
    EXAMPLE,
    CommitmentError,
    open_commitments,
    owners_of,
)
from knowledge.dates import DueDateError, parse_due
from knowledge.nudges import set_away
from knowledge.partnerships import channel_partnership, choosable
from knowledge.workdays import local_today, next_working_day
from storage.models import Partnership
from storage.rows import team_row


def run_commit(call: Invocation) -> None:
    """`/partners commit @USER… ACTION by DATE [in PARTNERSHIP]`, or the form."""
    services, client = call.services, call.client
    if not call.args.strip():
        with services.sessions() as session:
            partnerships = choosable(
                session,
                team_id=call.team_id,
                channel_id=call.channel_id,
                everything=call.viewer.full,
            )
            default = channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
        client.views_open(
            trigger_id=call.trigger_id,
            view=build_form(partnerships, default.id if default else None, call.channel_id),
        )
        return
    try:
        request = parse_commit(call.args)
        with services.sessions() as session:
            when, partnership = split_partnership(
                session,
                team_id=call.team_id,
                when=request.when,
                today=local_today(services.clock(), services.timezone),
            )
        record(
            services,
            client,
            team_id=call.team_id,
            user_id=call.user_id,
            channel_id=call.channel_id,
            owner_ids=list(request.owners),
            action=request.action,
            raw_due=when,
            partnership=partnership,
        )
    except (CommitmentError, DueDateError) as error:
        example = "" if EXAMPLE in str(error) else f" For example: {EXAMPLE}"
        call.reply(f"{error}{example}")
        return
    call.reply("Recorded. Its owners will be reminded by DM; `/partners actions` lists yours.")


def run_actions(call: Invocation) -> None:
    """`/partners actions` (mine) or `/partners actions all` (this channel's partnership's)."""
    services = call.services
    tz, _ = person(call.client, services, call.user_id)
    today = local_today(services.clock(), tz)
    with services.sessions() as session:
        if call.args.strip().casefold() == "all":
            # someone from outside the council sees only what was recorded in this channel
            partnership = (
                channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
                if call.viewer.full
                else None
            )
            found = open_commitments(
                session,
                team_id=call.team_id,
                partnership_id=partnership.id if partnership else None,
                channel_id=call.channel_id,
            )
            title = (
                f"Open commitments of {partnership.name}"
                if partnership
                else "Open commitments in this channel"
            )
        else:
            found = open_commitments(session, team_id=call.team_id, owner_id=call.user_id)
            title = "Your open commitments"
        items = [(c, [o.user_id for o in owners_of(session, c.id or 0)]) for c in found]
    text, blocks = build_list(title, items, today)
    call.reply(text, blocks)


def run_away(call: Invocation) -> None:
    """`/partners away until DATE` or `/partners away off`."""
    words = call.args.strip()
    services = call.services
    if words.casefold() in {"off", "back", "end"}:
        with services.sessions() as session:
            set_away(
                session,
                team_id=call.team_id,
                user_id=call.user_id,
                until=None,
                now=services.clock(),
            )
        call.reply("Welcome back: your reminders are on again.")
        return
    tz, _ = person(call.client, services, call.user_id)
    text = words[len("until") :].strip() if words.casefold().startswith("until") else words
    try:
        until = parse_due(text, local_today(services.clock(), tz))
    except DueDateError as error:
        call.reply(f"{error} For example: `/partners away until 2 Jan`, or `/partners away off`.")
        return
    with services.sessions() as session:
        set_away(
            session, team_id=call.team_id, user_id=call.user_id, until=until, now=services.clock()
        )
    back = next_working_day(until + timedelta(days=1))
    call.reply(
        f"Away until {until:%a %d %b %Y}: your reminders pause and resume on "
        f"{back:%a %d %b}. Whoever recorded your commitments still hears if one is overdue."
    )


SUBCOMMANDS = (
    Subcommand(
        "commit",
        "commit @USER ACTION by DATE [in PARTNERSHIP]",
        "record a commitment; alone, opens the form",
        "/partners commit @sam Share the supply-chain map by 12 Dec",
        run=run_commit,
        open_to=ANYONE,
    ),
    Subcommand(
        "actions",
        "actions [all]",
        "my open commitments (or the channel's partnership's)",
        "/partners actions all",
        run=run_actions,
        open_to=ANYONE,
    ),
    Subcommand(
        "away",
        "away until DATE | away off",
        "pause my reminders while I am away",
        "/partners away until 2 Jan",
        run=run_away,
        open_to=ANYONE,
    ),
)


def register(app: App, services: Services) -> None:
    def check_form(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        form, errors = read_commit_form(view["state"]["values"], services.clock())
        if form is None:
            refuse(ack, context, response_action="errors", errors=errors)
            return
        ack(response_action="update", view=working_view("New commitment", "Recording it…"))

    def form_submitted(
        view: dict[str, Any], body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        form, _ = read_commit_form(view["state"]["values"], services.clock())
        assert form is not None  # the check refused anything else
        team_id = workspace_of(context)
        with services.sessions() as session:
            partnership = team_row(
                session, Partnership, team_id=team_id, row_id=form.partnership_id
            )
        record_form(
            services,
            client,
            view,
            form,
            title="New commitment",
            team_id=team_id,
            user_id=body["user"]["id"],
            channel_id=view.get("private_metadata") or None,
            partnership=partnership,
        )

    listen(app.view(COMMIT_VIEW), form_submitted, check=check_form)
