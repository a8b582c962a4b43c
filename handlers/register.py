"""`/partners partnership …`: the partnership register (add, list, show) and its add form."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk.models.blocks import (
    ContextBlock,
    ConversationSelectElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers.blockkit import MESSAGE_BLOCKS, context, escape, header, packed_sections, section
from handlers.services import Services
from knowledge.partnerships import (
    PartnershipError,
    add_partnership,
    find_partnership,
    list_partnerships,
)
from knowledge.vocabulary import closest
from storage.models import PARTNERSHIP_NAME_MAX, Partnership

if TYPE_CHECKING:
    from handlers.commands import Invocation

ADD_VIEW = "partnership_add"
NAME_BLOCK, NAME_INPUT = "partnership_name", "name"
CHANNEL_BLOCK, CHANNEL_INPUT = "partnership_channel", "channel"

USAGE = (
    "Try `/partners partnership add Retrofit Partnership`, `/partners partnership list` "
    "or `/partners partnership Retrofit Partnership`."
)


def _channel_of(channel_id: str | None) -> str | None:
    # A DM with the bot is nobody's partnership channel.
    return channel_id if channel_id and not channel_id.startswith("D") else None


def describe(partnership: Partnership) -> str:
    """One line about a partnership, in mrkdwn."""
    where = f" in <#{partnership.channel_id}>" if partnership.channel_id else ""
    return (
        f"*{escape(partnership.name)}*{where}, added by <@{partnership.created_by}> "
        f"on {partnership.created_at:%d %b %Y}"
    )


def build_list(partnerships: list[Partnership]) -> tuple[str, list[dict[str, Any]]]:
    """The register as a message."""
    if not partnerships:
        text = (
            "No partnerships are registered yet. "
            "Add one: `/partners partnership add Retrofit Partnership`"
        )
        return text, [section(text)]
    blocks = [header(f"Partnerships ({len(partnerships)})")]
    blocks += packed_sections(
        ("• " + describe(p) for p in partnerships), max_blocks=MESSAGE_BLOCKS - 2
    )
    count = len(partnerships)
    return f"{count} partnership{'s are' if count != 1 else ' is'} registered.", blocks


def build_add_modal(channel_id: str | None) -> dict[str, Any]:
    """The form behind `/partners partnership add` with no name."""
    channel_select = ConversationSelectElement(
        action_id=CHANNEL_INPUT,
        initial_conversation=channel_id,
        filter={"include": ["public", "private"], "exclude_bot_users": True},
    )
    return View(
        type="modal",
        callback_id=ADD_VIEW,
        title="Add a partnership",
        submit="Add",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=NAME_BLOCK,
                label="Name",
                element=PlainTextInputElement(
                    action_id=NAME_INPUT,
                    max_length=PARTNERSHIP_NAME_MAX,
                    placeholder="e.g. Retrofit Partnership",
                ),
            ),
            InputBlock(
                block_id=CHANNEL_BLOCK,
                label="Its channel",
                optional=True,
                element=channel_select,
                hint="Things recorded in this channel will belong to it by default.",
            ),
        ],
    ).to_dict()


def build_added_modal(partnership: Partnership) -> dict[str, Any]:
    """What the form turns into once the partnership is added."""
    return View(
        type="modal",
        title="Partnership added",
        close="Done",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text="✅ " + describe(partnership))),
            ContextBlock(
                elements=[MarkdownTextObject(text="`/partners partnership list` shows them all.")]
            ),
        ],
    ).to_dict()


def run(call: "Invocation") -> None:
    """`/partners partnership add NAME | list | NAME`."""
    verb, _, rest = call.args.partition(" ")
    verb = verb.casefold()
    if verb == "add" and not rest.strip():
        call.client.views_open(
            trigger_id=call.trigger_id, view=build_add_modal(_channel_of(call.channel_id))
        )
    elif verb == "add":
        _add_from_command(call, rest)
    elif verb in {"list", ""}:
        with call.services.sessions() as session:
            text, blocks = build_list(list_partnerships(session, team_id=call.team_id))
        call.reply(text, blocks)
    else:
        _show(call, call.args)


def _add_from_command(call: "Invocation", name: str) -> None:
    try:
        with call.services.sessions() as session:
            partnership = add_partnership(
                session,
                team_id=call.team_id,
                name=name,
                channel_id=_channel_of(call.channel_id),
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


def _show(call: "Invocation", name: str) -> None:
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


def register(app: App, services: Services) -> None:
    @app.view(ADD_VIEW)
    def add_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        name = values[NAME_BLOCK][NAME_INPUT].get("value") or ""
        channel_id = (
            values.get(CHANNEL_BLOCK, {}).get(CHANNEL_INPUT, {}).get("selected_conversation")
        )
        try:
            with services.sessions() as session:
                partnership = add_partnership(
                    session,
                    team_id=body["team"]["id"],
                    name=name,
                    channel_id=_channel_of(channel_id),
                    actor_id=body["user"]["id"],
                    now=services.clock(),
                )
        except PartnershipError as error:
            ack(response_action="errors", errors={NAME_BLOCK: str(error)})
            return
        ack(response_action="update", view=build_added_modal(partnership))
