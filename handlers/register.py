"""`/partners partnership …`: the partnership register (add, list, show) and its add form."""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.blockkit import context, escape, section
from handlers.forms import refilled, working_view
from handlers.listening import listen, refuse, workspace_of
from handlers.register_blocks import (
    ADD_VIEW,
    CHANNEL_BLOCK,
    CHANNEL_INPUT,
    NAME_BLOCK,
    NAME_INPUT,
    build_add_modal,
    build_added_modal,
    build_list,
    channel_of,
    describe,
)
from handlers.services import Services
from handlers.subcommands import Invocation, Subcommand
from knowledge.partnerships import (
    PartnershipError,
    add_partnership,
    check_new_name,
    find_partnership,
    list_partnerships,
)
from knowledge.vocabulary import closest
from storage.models import PARTNERSHIP_NAME_MAX

USAGE = (
    "Try `/partners partnership add Retrofit Partnership`, `/partners partnership list` "
    "or `/partners partnership Retrofit Partnership`."
)


def run(call: Invocation) -> None:
    """`/partners partnership add NAME | list | NAME`."""
    verb, _, rest = call.args.partition(" ")
    verb = verb.casefold()
    if verb == "add" and not rest.strip():
        call.client.views_open(
            trigger_id=call.trigger_id, view=build_add_modal(channel_of(call.channel_id))
        )
    elif verb == "add":
        _add_from_command(call, rest)
    elif verb in {"list", ""}:
        with call.services.sessions() as session:
            text, blocks = build_list(list_partnerships(session, team_id=call.team_id))
        call.reply(text, blocks)
    else:
        _show(call, call.args)


def _add_from_command(call: Invocation, name: str) -> None:
    try:
        with call.services.sessions() as session:
            partnership = add_partnership(
                session,
                team_id=call.team_id,
                name=name,
                channel_id=channel_of(call.channel_id),
                actor_id=call.user_id,
                now=call.services.clock(),
            )
    except PartnershipError as error:
        call.reply(f"{error} {USAGE}")
        return
    text = f"<@{call.user_id}> registered the partnership {partnership.name}."
    # Said in the channel: a partnership is the channel's business, not the caller's alone.
    call.respond(
        text=text,
        blocks=[section("🤝 " + describe(partnership))],
        response_type="in_channel",
        replace_original=False,
    )


def _show(call: Invocation, name: str) -> None:
    with call.services.sessions() as session:
        partnership = find_partnership(session, team_id=call.team_id, name=name)
        names = [p.name for p in list_partnerships(session, team_id=call.team_id)]
    if partnership is None:
        guess = closest(name, names)
        hint = f" Did you mean *{escape(guess)}*?" if guess else ""
        call.reply(
            f"There is no partnership called “{escape(name[:PARTNERSHIP_NAME_MAX])}”.{hint} {USAGE}"
        )
        return
    call.reply(
        partnership.name,
        [
            section(describe(partnership)),
            context("The full register (partners, lead, reviews) is coming soon."),
        ],
    )


SUBCOMMANDS = (
    Subcommand(
        "partnership",
        "partnership add NAME | list | NAME",
        "the partnership register",
        "/partners partnership add Retrofit Partnership",
        run=run,
    ),
)


def register(app: App, services: Services) -> None:
    def check_add(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        name = view["state"]["values"][NAME_BLOCK][NAME_INPUT].get("value") or ""
        try:
            with services.sessions() as session:
                check_new_name(session, team_id=workspace_of(context), raw=name)
        except PartnershipError as error:
            refuse(ack, context, response_action="errors", errors={NAME_BLOCK: str(error)})
            return
        ack(response_action="update", view=working_view("Add a partnership", "Adding it…"))

    def add_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        values = view["state"]["values"]
        name = values[NAME_BLOCK][NAME_INPUT].get("value") or ""
        channel_id = (
            values.get(CHANNEL_BLOCK, {}).get(CHANNEL_INPUT, {}).get("selected_conversation")
        )
        try:
            with services.sessions() as session:
                partnership = add_partnership(
                    session,
                    team_id=workspace_of(context),
                    name=name,
                    channel_id=channel_of(channel_id),
                    actor_id=body["user"]["id"],
                    now=services.clock(),
                )
        except PartnershipError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(view_id=view["id"], view=build_added_modal(partnership))

    listen(app.view(ADD_VIEW), add_submitted, check=check_add)
