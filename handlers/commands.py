"""The one slash command, `/partners`: finds the subcommand in the registry and hands it on."""

from collections.abc import Iterable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.blockkit import escape, truncate
from handlers.help import build_help
from handlers.listening import listen, workspace_of
from handlers.people import Viewer, viewer
from handlers.services import Services
from handlers.subcommands import (
    ANYONE,
    MEMBERS,
    Invocation,
    Registry,
    Subcommand,
    split_subcommand,
)

COMMAND = "/partners"
STILL_TO_COME: tuple[Subcommand, ...] = ()


def not_for(sub: Subcommand, asker: Viewer) -> str:
    """Why someone may not run a subcommand here, kindly, and what they can do instead."""
    if asker.member:
        return f"`{sub.name}` is for the workspace's admins."
    who = (
        "a guest in this workspace"
        if asker.standing == "guest"
        else "from another organisation" + (f" (Slack ID {asker.org})" if asker.org else "")
    )
    return (
        f"`{sub.name}` is for the council's own people, and you're {who}. In this channel you "
        "can `ask` about what was saved here, save a `lesson`, record and update commitments "
        "(`commit`, `actions`) and answer breakouts and pulses."
        + (
            " If your organisation works closely with the council, its admins can add it to "
            "the organisations they trust in `/partners settings`."
            if asker.org and sub.open_to != MEMBERS
            else ""
        )
    )


def build_registry(declared: Iterable[Subcommand]) -> Registry:
    """help first, then every feature's subcommands in the order given, then what is to come."""
    registry: Registry

    def run_help(call: Invocation) -> None:
        text, blocks = build_help(registry)
        call.reply(text, blocks)

    help_ = Subcommand("help", "help", "this list", "/partners help", run=run_help, open_to=ANYONE)
    registry = Registry.of([help_, *declared, *STILL_TO_COME])
    return registry


def register(app: App, services: Services, registry: Registry) -> None:
    def partners(
        command: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        name, args = split_subcommand(command.get("text") or "")
        team_id = workspace_of(context)
        call = Invocation(
            services=services,
            team_id=team_id,
            user_id=command["user_id"],
            channel_id=command["channel_id"],
            args=args,
            trigger_id=command["trigger_id"],
            respond=respond,
            client=client,
            find_viewer=lambda: viewer(client, services, team_id, command["user_id"]),
        )
        found = registry.find(name) if name else None
        if found is not None and found.run is not None and not found.allows(call):
            call.reply(not_for(found, call.viewer))
            return
        if found is not None and found.run is not None:
            found.run(call)
            return
        if found is not None:
            call.reply(
                f"`{found.name}` isn't available yet: it arrives in a coming release. "
                "`/partners help` shows what works today."
            )
            return
        if not name:
            intro = "Hello! Here is what `/partners` can do."
        else:
            guess = registry.guess(name)
            shown = escape(truncate(name.replace("`", ""), 40))
            intro = f"I don't know `{shown}`." + (f" Did you mean `{guess}`?" if guess else "")
        text, blocks = build_help(registry, intro)
        call.reply(text, blocks)

    listen(app.command(COMMAND), partners)
