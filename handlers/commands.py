"""The one slash command, `/partners`: finds the subcommand in the registry and hands it on."""

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.blockkit import escape, truncate
from handlers.help import build_help
from handlers.listening import listen, workspace_of
from handlers.people import Viewer, pressed_by, viewer
from handlers.services import Services
from handlers.subcommands import (
    ANYONE,
    MEMBERS,
    RUN_SUGGESTED,
    RUN_VALUE_MAX,
    Invocation,
    Registry,
    Subcommand,
    split_subcommand,
    suggestion,
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


# a plural typed for a list: "/partners partnerships" is "/partners partnership list"
PLURALS = {"partnerships": ("partnership", "list"), "projects": ("project", "list")}


def dispatch(registry: Registry, call: Invocation, name: str) -> None:
    """Run the subcommand `name` for `call`, or say kindly what there is instead."""
    if name in PLURALS and registry.find(name) is None:
        name, verb = PLURALS[name]
        call = replace(call, args=f"{verb} {call.args}".strip())
    found = registry.find(name) if name else None
    if found is not None:
        call = replace(call, name=found.name)
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
    guess = registry.guess(name) if name else None
    if guess is not None:
        shown = escape(truncate(name.replace("`", ""), 40))
        meant = f"{guess} {call.args}".strip()
        text = f"I don't know `{shown}`. Did you mean `{COMMAND} {escape(truncate(meant, 80))}`?"
        call.reply(text, suggestion(text, meant))
        return
    intro = (
        "Hello! Here is what `/partners` can do."
        if not name
        else f"I don't know `{escape(truncate(name.replace('`', ''), 40))}`."
    )
    text, blocks = build_help(registry, intro)
    call.reply(text, blocks)


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
        dispatch(registry, call, name)

    def suggested(
        body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        """A "did you mean" button: the command it offers, run as if typed where it was shown,
        by whoever pressed it (their own rights, as if they had typed it)."""
        action = (body.get("actions") or [{}])[0]
        name, args = split_subcommand(str(action.get("value") or "")[:RUN_VALUE_MAX])
        team_id, user_id = workspace_of(context), body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id") or user_id
        call = Invocation(
            services=services,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            args=args,
            trigger_id=str(body.get("trigger_id") or ""),
            respond=respond,
            client=client,
            find_viewer=lambda: pressed_by(client, services, team_id, body),
        )
        dispatch(registry, call, name)

    listen(app.command(COMMAND), partners)
    listen(app.action(RUN_SUGGESTED), suggested)
