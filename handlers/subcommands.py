"""`/partners` subcommands: each feature declares its own (name, usage, example, run) beside its
code; routing, "did you mean" and help all read the one registry built from those declarations."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from handlers.blockkit import section, truncate
from handlers.people import Viewer
from handlers.services import Services
from knowledge.vocabulary import closest

# who may run a subcommand (see handlers/people.Viewer)
ANYONE = "anyone"  # guests and other organisations' people too: it limits what they see itself
READERS = "readers"  # the council's members, and people of organisations it trusts
MEMBERS = "members"  # the council's own members only


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
    find_viewer: Callable[[], Viewer]  # who typed it (asks Slack: only when it matters)
    name: str = ""  # the subcommand it was found to be ("partnership"), once found

    @cached_property
    def viewer(self) -> Viewer:
        """Who typed it, as this workspace sees them."""
        return self.find_viewer()

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral answer to the caller (only they see it)."""
        self.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


@dataclass(frozen=True)
class Subcommand:
    """One `/partners NAME …`; `run` None means listed in help as coming soon."""

    name: str
    usage: str
    does: str
    example: str
    run: Callable[[Invocation], None] | None
    aliases: tuple[str, ...] = ()
    open_to: str = READERS  # ANYONE, READERS or MEMBERS

    def allows(self, call: "Invocation") -> bool:
        """Whether this person may run it here (asking who they are only when it matters)."""
        if self.open_to == ANYONE:
            return True
        return call.viewer.member if self.open_to == MEMBERS else call.viewer.full


@dataclass(frozen=True)
class Registry:
    """Every subcommand, in the order help shows them."""

    subcommands: tuple[Subcommand, ...]
    _by_name: dict[str, Subcommand] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Subcommand] = {}
        for sub in self.subcommands:
            for name in (sub.name, *sub.aliases):
                if name in by_name:
                    raise ValueError(f"two subcommands are called {name!r}")
                by_name[name] = sub
        object.__setattr__(self, "_by_name", by_name)

    @classmethod
    def of(cls, declared: Iterable[Subcommand]) -> "Registry":
        return cls(tuple(declared))

    def find(self, name: str) -> Subcommand | None:
        return self._by_name.get(name.casefold())

    def guess(self, name: str) -> str | None:
        """The subcommand someone probably meant by a word we don't know."""
        return closest(name, list(self._by_name))


def split_subcommand(text: str) -> tuple[str, str]:
    """("partnership", "add Retrofit") from "partnership add Retrofit"; ("", "") from blank."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].casefold(), parts[1].strip() if len(parts) > 1 else ""


RUN_SUGGESTED = "run_suggested"
RUN_VALUE_MAX = 2000  # a button's value holds at most 2,000 characters
BUTTON_TEXT_MAX = 75


def suggestion(text: str, command: str, *, label: str | None = None) -> list[dict[str, Any]]:
    """A "did you mean" answer: what was said, and a button that runs `/partners COMMAND`
    (handlers/commands.py runs it for whoever presses it, with their own rights)."""
    run = ButtonElement(
        text=label or truncate(f"/partners {command}", BUTTON_TEXT_MAX),
        action_id=RUN_SUGGESTED,
        value=command[:RUN_VALUE_MAX],
        style="primary",
    )
    return [section(text), ActionsBlock(elements=[run]).to_dict()]
