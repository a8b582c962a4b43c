"""The partnership register as Block Kit: pure builders, no Slack calls."""

from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers.blockkit import MESSAGE_BLOCKS, escape, header, packed_sections, section
from storage.models import PARTNERSHIP_NAME_MAX, Partnership

ADD_VIEW = "partnership_add"
NAME_BLOCK, NAME_INPUT = "partnership_name", "name"
CHANNEL_BLOCK, CHANNEL_INPUT = "partnership_channel", "channel"


def channel_of(channel_id: str | None) -> str | None:
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
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
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
