"""The one slash command, `/partners`: splits off the subcommand and hands it on."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import breakout, commitments, lessons, search
from handlers import help as help_text
from handlers import register as partnership_register
from handlers.blockkit import escape, truncate
from handlers.services import Services
from knowledge.vocabulary import closest

logger = logging.getLogger(__name__)

COMMAND = "/partners"


@dataclass(frozen=True)
class Invocation:
    """One `/partners …` call, parsed enough for a subcommand to act on it."""

    services: Services
    team_id: str
    user_id: str
    channel_id: str
    args: str
    trigger_id: str
    respond: Respond
    client: WebClient

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral answer to the caller (only they see it)."""
        self.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def run_help(call: Invocation) -> None:
    text, blocks = help_text.build_help(AVAILABLE)
    call.reply(text, blocks)


def coming_soon(what: str) -> Callable[[Invocation], None]:
    def reply(call: Invocation) -> None:
        call.reply(
            f"{what} isn't available yet: it arrives in a coming release. "
            "`/partners help` shows what works today."
        )

    return reply


SUBCOMMANDS: dict[str, Callable[[Invocation], None]] = {
    "help": run_help,
    "partnership": partnership_register.run,
    "ask": search.run,
    "search": search.run,
    "lesson": lessons.run_lesson,
    "brief": lessons.run_brief,
    "commit": commitments.run_commit,
    "actions": commitments.run_actions,
    "away": commitments.run_away,
    "breakout": breakout.run,
    "export": coming_soon("The spreadsheet export"),
}
AVAILABLE = frozenset(
    {
        "help",
        "partnership",
        "ask",
        "search",
        "lesson",
        "brief",
        "commit",
        "actions",
        "away",
        "breakout",
    }
)


def split_subcommand(text: str) -> tuple[str, str]:
    """("partnership", "add Retrofit") from "partnership add Retrofit"; ("", "") from blank."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].casefold(), parts[1].strip() if len(parts) > 1 else ""


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def partners(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        name, args = split_subcommand(command.get("text") or "")
        call = Invocation(
            services=services,
            team_id=command["team_id"],
            user_id=command["user_id"],
            channel_id=command["channel_id"],
            args=args,
            trigger_id=command["trigger_id"],
            respond=respond,
            client=client,
        )
        subcommand = SUBCOMMANDS.get(name)
        if subcommand is not None:
            subcommand(call)
            return
        if not name:
            intro = "Hello! Here is what `/partners` can do."
        else:
            guess = closest(name, SUBCOMMANDS)
            shown = escape(truncate(name.replace("`", ""), 40))
            intro = f"I don't know `{shown}`." + (f" Did you mean `{guess}`?" if guess else "")
        text, blocks = help_text.build_help(AVAILABLE, intro)
        call.reply(text, blocks)
