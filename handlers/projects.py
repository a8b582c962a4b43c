"""`/partners project …`: add a project (by name or the form), list them with their latest
range, and a project's card with its scores explained."""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.blockkit import escape
from handlers.forms import done_view, field_value, once_key, refilled, working_view
from handlers.listening import listen, refuse, workspace_of
from handlers.project_blocks import (
    PROJECT_VIEW,
    build_project_card,
    build_project_form,
    build_project_list,
    latest_words,
)
from handlers.services import Services
from handlers.subcommands import Invocation, Subcommand
from knowledge.partnerships import channel_partnership, list_partnerships
from knowledge.projects import ProjectError, add_project, list_projects, resolve_project
from knowledge.scoring import latest_results
from storage import claims
from storage.models import Partnership, Project

USAGE = (
    "Try `/partners project add Digital front door`, `/partners project list` or "
    "`/partners project Digital front door`."
)


def run(call: Invocation) -> None:
    """`/partners project add [NAME] | list [all] | NAME`."""
    verb, _, rest = call.args.partition(" ")
    verb, rest = verb.casefold(), rest.strip()
    if verb == "add" and not rest:
        with call.services.sessions() as session:
            partnerships = list_partnerships(session, team_id=call.team_id)
            here = channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
        form = build_project_form(partnerships, here.id if here else None)
        call.client.views_open(trigger_id=call.trigger_id, view=form)
    elif verb == "add":
        _add(call, rest)
    elif verb in ("list", ""):
        with call.services.sessions() as session:
            projects = list_projects(session, team_id=call.team_id, every=rest == "all")
            placed = {
                pid: rules.ranges[p.range_index]
                for pid, (p, rules) in latest_results(session, team_id=call.team_id).items()
            }
        call.reply(*build_project_list(projects, placed))
    else:
        _show(call, call.args)


def _add(call: Invocation, name: str) -> None:
    try:
        with call.services.sessions() as session:
            here = channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
            project = add_project(
                session,
                team_id=call.team_id,
                name=name,
                actor_id=call.user_id,
                now=call.services.clock(),
                owner_id=call.user_id,
                partnership_id=here.id if here else None,
            )
    except ProjectError as error:
        call.reply(f"{error} {USAGE}")
        return
    call.reply(
        f"✅ Added *{escape(project.name)}* (smaller, owner <@{call.user_id}>"
        + (f", {escape(here.name)}" if here else "")
        + "). `/partners project add` alone opens the form with size, owner and description."
    )


def _show(call: Invocation, name: str) -> None:
    with call.services.sessions() as session:
        project, guess = resolve_project(session, team_id=call.team_id, name=name)
        if project is None:
            hint = f" Did you mean *{escape(guess)}*?" if guess else ""
            call.reply(f"There is no project called “{escape(name[:80])}”.{hint} {USAGE}")
            return
        partnership = session.get(Partnership, project.partnership_id or 0)
        latest = latest_results(session, team_id=call.team_id).get(project.id or 0)
    words = latest_words(*latest) if latest is not None else None
    call.reply(*build_project_card(project, partnership, words))


def read_project_form(view: dict[str, Any]) -> dict[str, Any]:
    values = view["state"]["values"]

    def given(block: str, key: str = "value") -> Any:
        return field_value(values, block, key)

    partnership = (given("partnership", "selected_option") or {}).get("value")
    return {
        "name": given("name") or "",
        "description": given("description"),
        "owner_id": given("owner", "selected_user"),
        "size": (given("size", "selected_option") or {}).get("value") or "smaller",
        "partnership_id": int(partnership) if partnership else None,
    }


SUBCOMMANDS = (
    Subcommand(
        "project",
        "project add NAME | project list | project NAME",
        "projects and transformation opportunities, with their impact and risk scores",
        "/partners project add Digital front door",
        run,
        aliases=("projects",),
    ),
)


def register(app: App, services: Services) -> None:
    def check_form(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        form = read_project_form(view)
        if not form["name"].strip():
            refuse(ack, context, response_action="errors", errors={"name": "Name the project."})
            return
        if form["owner_id"] and not str(form["owner_id"]).startswith(("U", "W")):
            refuse(ack, context, response_action="errors", errors={"owner": "Choose a person."})
            return
        ack(response_action="update", view=working_view("Add a project", "Saving…"))

    def form_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        form = read_project_form(view)
        try:
            with services.sessions() as session:
                claims.done_once(session, team_id=team_id, key=once_key(view), at=services.clock())
                project: Project = add_project(
                    session, team_id=team_id, actor_id=user_id, now=services.clock(), **form
                )
        except claims.Repeat:
            client.views_update(view_id=view["id"], view=done_view("Added", "✅ Added already."))
            return
        except ProjectError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Project added",
                f"✅ Added *{escape(project.name)}*.",
                f"`/partners project {project.name}` shows it; `/partners prioritise` scores it.",
            ),
        )

    listen(app.view(PROJECT_VIEW), form_submitted, check=check_form)
