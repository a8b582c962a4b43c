"""`/partners benefit add` (the form) and `/partners benefits [PARTNERSHIP or PROJECT]`: the
benefits tracker, with an Update button on each benefit and on the owner's reminder."""

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.benefit_blocks import (
    BENEFIT_UPDATE_VIEW,
    BENEFIT_VIEW,
    UPDATE_BENEFIT,
    build_benefit_form,
    build_benefits,
    build_update_form,
)
from handlers.blockkit import escape
from handlers.forms import done_view, field_value, once_key, refilled, working_view
from handlers.listening import listen, refuse, workspace_of
from handlers.people import is_manager, person
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import Invocation, Subcommand
from knowledge.benefits import BenefitError, Planned, add_benefit, benefits_of, update_benefit
from knowledge.nudges import policy_for
from knowledge.partnerships import list_partnerships, resolve_partnership
from knowledge.projects import list_projects, resolve_project
from knowledge.register_facts import FactError, money
from knowledge.workdays import local_today
from storage import claims
from storage.models import Benefit
from storage.rows import team_row

NOT_YOURS = "Only its owner, whoever added it, admins and facilitators can update a benefit."


def run_add(call: Invocation) -> None:
    """`/partners benefit add [TITLE]`: the form (the title filled in if given)."""
    verb, _, rest = call.args.partition(" ")
    if verb.casefold() != "add":
        call.reply("Try `/partners benefit add`, or `/partners benefits` to see them.")
        return
    with call.services.sessions() as session:
        projects = list_projects(session, team_id=call.team_id)
        partnerships = list_partnerships(session, team_id=call.team_id)
    if not projects and not partnerships:
        call.reply("Add a project or a partnership first: `/partners project add NAME`.")
        return
    form = build_benefit_form(projects, partnerships, rest.strip()[:200])
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def run_list(call: Invocation) -> None:
    """`/partners benefits [NAME]`: every benefit, or one project's or partnership's."""
    name = call.args.strip()
    today = local_today(call.services.clock(), person(call.client, call.services, call.user_id)[0])
    with call.services.sessions() as session:
        if not name:
            title, found = "Benefits", benefits_of(session, team_id=call.team_id)
        else:
            project, maybe_project = resolve_project(session, team_id=call.team_id, name=name)
            partnership, maybe = resolve_partnership(session, team_id=call.team_id, name=name)
            if project is None and partnership is None:
                guess = maybe_project or maybe
                hint = f" Did you mean *{escape(guess)}*?" if guess else ""
                call.reply(f"No project or partnership is called “{escape(name[:80])}”.{hint}")
                return
            if project is not None:
                title = project.name
                found = benefits_of(session, team_id=call.team_id, project_id=project.id)
            else:
                assert partnership is not None
                title = partnership.name
                found = benefits_of(session, team_id=call.team_id, partnership_id=partnership.id)
    call.reply(*build_benefits(title, found, today))


def _number(values: dict[str, Any], block: str) -> float | None:
    raw = field_value(values, block)
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise FactError("Give a number.", block) from None


def read_benefit_form(view: dict[str, Any]) -> tuple[str, int, Planned]:
    """(project | partnership, its id, the benefit) from the form; FactError for a bad field."""
    values = view["state"]["values"]
    of = ((field_value(values, "of", "selected_option") or {}).get("value") or "").partition(":")
    if of[0] not in ("project", "partnership") or not of[2].isdigit():
        raise FactError("Choose a project or partnership.", "of")
    due = field_value(values, "due", "selected_date")
    if not due:
        raise FactError("When should it be realised?", "due")
    planned = Planned(
        kind=(field_value(values, "kind", "selected_option") or {}).get("value") or "",
        title=field_value(values, "title") or "",
        owner_id=field_value(values, "owner", "selected_user") or "",
        due=date.fromisoformat(due),
        planned_gbp=money(field_value(values, "planned"), "planned"),
        measure=field_value(values, "measure"),
        baseline=_number(values, "baseline"),
        target=_number(values, "target"),
        narrative=field_value(values, "narrative"),
    )
    return of[0], int(of[2]), planned


SUBCOMMANDS = (
    Subcommand(
        "benefit",
        "benefit add",
        "the benefits tracker: add a financial or non-financial benefit (the form)",
        "/partners benefit add",
        run_add,
    ),
    Subcommand(
        "benefits",
        "benefits [PARTNERSHIP or PROJECT]",
        "benefits planned against realised, on track, at risk or missed",
        "/partners benefits Digital front door",
        run_list,
    ),
)


def register(app: App, services: Services) -> None:
    def check_add(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        try:
            read_benefit_form(view)
        except (FactError, ValueError) as error:
            field = getattr(error, "field", "due")
            refuse(ack, context, response_action="errors", errors={field: str(error)})
            return
        ack(response_action="update", view=working_view("Add a benefit", "Saving…"))

    def add_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        of, row_id, planned = read_benefit_form(view)
        tz = person(client, services, planned.owner_id)[0] if planned.owner_id else "Europe/London"
        where = {"project_id": row_id} if of == "project" else {"partnership_id": row_id}
        try:
            with services.sessions() as session:
                claims.done_once(session, team_id=team_id, key=once_key(view), at=services.clock())
                benefit = add_benefit(
                    session,
                    team_id=team_id,
                    planned=planned,
                    actor_id=user_id,
                    now=services.clock(),
                    owner_tz=tz,
                    region=policy_for(session, team_id).region,
                    **where,
                )
        except claims.Repeat:
            client.views_update(view_id=view["id"], view=done_view("Added", "✅ Added already."))
            return
        except BenefitError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Benefit added",
                f"✅ Added *{escape(benefit.title)}*, to be realised by {benefit.due:%a %d %b %Y}.",
                f"<@{benefit.owner_id}> will be reminded if it falls due without an update.",
            ),
        )

    def update_pressed(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        with services.sessions() as session:
            benefit = team_row(
                session, Benefit, team_id=workspace_of(context), row_id=action.get("value")
            )
        if benefit is None:
            tell(respond, "That benefit isn't in this workspace any more.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=build_update_form(benefit))

    def check_update(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        values = view["state"]["values"]
        try:
            money(field_value(values, "realised"), "realised")
            _number(values, "latest")
        except FactError as error:
            refuse(ack, context, response_action="errors", errors={error.field: str(error)})
            return
        ack(response_action="update", view=working_view("Update a benefit", "Saving…"))

    def update_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        values = view["state"]["values"]
        metadata = view.get("private_metadata")
        with services.sessions() as session:
            benefit = team_row(session, Benefit, team_id=team_id, row_id=metadata)
        problem = None
        if benefit is None:
            problem = "That benefit is gone."
        elif user_id not in (benefit.owner_id, benefit.created_by) and not is_manager(
            client, services, team_id, user_id
        ):
            problem = NOT_YOURS
        if problem:
            client.views_update(view_id=view["id"], view=done_view("Not saved", problem))
            return
        try:
            with services.sessions() as session:
                fresh = team_row(session, Benefit, team_id=team_id, row_id=metadata)
                if fresh is None:
                    raise BenefitError("That benefit is gone.")
                update_benefit(
                    session,
                    fresh,
                    actor_id=user_id,
                    now=services.clock(),
                    realised_gbp=money(field_value(values, "realised"), "realised"),
                    latest=_number(values, "latest"),
                    narrative=field_value(values, "narrative"),
                    rag=(field_value(values, "rag", "selected_option") or {}).get("value"),
                    reason=field_value(values, "reason"),
                    evidence_link=field_value(values, "evidence"),
                )
                title = fresh.title
        except BenefitError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(
            view_id=view["id"], view=done_view("Benefit updated", f"✅ Updated *{escape(title)}*.")
        )

    listen(app.view(BENEFIT_VIEW), add_submitted, check=check_add)
    listen(app.action(UPDATE_BENEFIT), update_pressed)
    listen(app.view(BENEFIT_UPDATE_VIEW), update_submitted, check=check_update)
