"""Lessons learnt and briefing notes: `/partners lesson|brief [TEXT]`, their forms, the
"Save as lesson learnt" message shortcut, and editing or deleting from a search result."""

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from handlers.access import is_manager, is_private_channel
from handlers.blockkit import escape
from handlers.entry_forms import FORM_VIEW, FormContext, build_form, read_form
from handlers.results import DELETE, EDIT, KEEP, MENU, build_delete_confirm, build_saved
from handlers.search import GONE, entry_named, tell
from handlers.services import Services
from knowledge.entries import (
    BRIEF,
    KIND_LABELS,
    LESSON,
    EntryError,
    delete_entry,
    draft_from_text,
    edit_entry,
    find_visible,
    may_change,
    save_entry,
)
from knowledge.partnerships import channel_partnership, list_partnerships
from storage.models import Entry

if TYPE_CHECKING:
    from handlers.commands import Invocation

SAVE_AS_LESSON = "save_as_lesson"
EXAMPLES = {
    LESSON: "`/partners lesson Early supplier days won contractors over #retrofit`",
    BRIEF: "`/partners brief LAA refresh goes to cabinet in March #lsp`",
}
NOT_YOURS = "Only the author, a workspace admin or a facilitator can change this."


def open_form(
    services: Services,
    client: WebClient,
    *,
    trigger_id: str,
    team_id: str,
    context: FormContext,
    draft: Any = None,
) -> None:
    """Open the lesson or briefing-note form, with the channel's partnership chosen."""
    with services.sessions() as session:
        partnerships = list_partnerships(session, team_id=team_id)
        default = channel_partnership(session, team_id=team_id, channel_id=context.channel_id or "")
    client.views_open(
        trigger_id=trigger_id,
        view=build_form(
            context,
            partnerships=partnerships,
            default_partnership=default.id if default else None,
            draft=draft,
        ),
    )


def capture(call: "Invocation", kind: str) -> None:
    """`/partners lesson TEXT` saves at once; `/partners lesson` alone opens the form."""
    private = is_private_channel(call.client, call.channel_id)
    context = FormContext(kind=kind, channel_id=call.channel_id, private_channel=private)
    if not call.args.strip():
        open_form(
            call.services,
            call.client,
            trigger_id=call.trigger_id,
            team_id=call.team_id,
            context=context,
        )
        return
    draft = draft_from_text(kind, call.args)
    try:
        with call.services.sessions() as session:
            default = channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
            entry = save_entry(
                session,
                team_id=call.team_id,
                author_id=call.user_id,
                channel_id=call.channel_id,
                now=call.services.clock(),
                draft=replace(
                    draft, private=private, partnership_id=default.id if default else None
                ),
            )
    except EntryError as error:
        call.reply(
            f"{error} For example: {EXAMPLES[kind]}, or `/partners {kind}` alone for the form."
        )
        return
    text, blocks = build_saved(entry)
    call.reply(text, blocks)


def run_lesson(call: "Invocation") -> None:
    capture(call, LESSON)


def run_brief(call: "Invocation") -> None:
    capture(call, BRIEF)


def build_done(entry: Entry) -> dict[str, Any]:
    noun = KIND_LABELS[entry.kind].lower()
    where = "only searches in its channel" if entry.private else "anyone in the workspace"
    return View(
        type="modal",
        title="Saved",
        close="Done",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"✅ Your {noun} *{escape(entry.title)}* is saved; "
                    f"{where} can find it with `/partners ask`."
                )
            )
        ],
    ).to_dict()


def register(app: App, services: Services) -> None:
    @app.view(FORM_VIEW)
    def form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        context = FormContext.load(view.get("private_metadata") or "{}")
        draft = read_form(context, view["state"]["values"])
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        try:
            with services.sessions() as session:
                if context.entry_id is None:
                    entry = save_entry(
                        session,
                        team_id=team_id,
                        author_id=user_id,
                        channel_id=context.channel_id,
                        draft=draft,
                        now=services.clock(),
                    )
                else:
                    found = find_visible(
                        session,
                        team_id=team_id,
                        entry_id=context.entry_id,
                        channel_id=context.channel_id,
                    )
                    if found is None:
                        raise EntryError("This entry no longer exists.", "title")
                    manager = found.author_id != user_id and is_manager(client, services, user_id)
                    entry = edit_entry(
                        session,
                        entry=found,
                        draft=draft,
                        actor_id=user_id,
                        manager=manager,
                        now=services.clock(),
                    )
        except EntryError as error:
            field = (
                error.field
                if error.field in {b.get("block_id") for b in view["blocks"]}
                else "title"
            )
            ack(response_action="errors", errors={field: str(error)})
            return
        ack(response_action="update", view=build_done(entry))

    @app.shortcut(SAVE_AS_LESSON)
    def save_as_lesson(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        channel_id = shortcut["channel"]["id"]
        message = shortcut.get("message") or {}
        try:
            permalink = client.chat_getPermalink(
                channel=channel_id, message_ts=message.get("ts", "")
            )["permalink"]
        except SlackApiError:
            permalink = None  # the lesson is still worth saving without its link
        draft = draft_from_text(LESSON, message.get("text") or "")
        context = FormContext(
            kind=LESSON,
            channel_id=channel_id,
            permalink=permalink,
            private_channel=is_private_channel(client, channel_id),
        )
        open_form(
            services,
            client,
            trigger_id=shortcut["trigger_id"],
            team_id=shortcut["team"]["id"],
            context=context,
            draft=draft,
        )

    def changeable(
        body: dict[str, Any], value: str, client: WebClient, respond: Respond
    ) -> Entry | None:
        with services.sessions() as session:
            entry = entry_named(session, body, value)
        if entry is None:
            tell(respond, GONE)
            return None
        user_id = body["user"]["id"]
        manager = entry.author_id != user_id and is_manager(client, services, user_id)
        if not may_change(entry, user_id, manager=manager):
            tell(respond, NOT_YOURS)
            return None
        return entry

    def start_edit(body: dict[str, Any], value: str, client: WebClient, respond: Respond) -> None:
        entry = changeable(body, value, client, respond)
        if entry is not None:
            context = FormContext(
                kind=entry.kind,
                channel_id=entry.channel_id
                if entry.private
                else (body.get("channel") or {}).get("id"),
                private_channel=entry.private,
                entry_id=entry.id,
            )
            open_form(
                services,
                client,
                trigger_id=body["trigger_id"],
                team_id=entry.team_id,
                context=context,
                draft=entry,
            )

    @app.action(EDIT)
    def edit(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        start_edit(body, action.get("value") or "", client, respond)

    @app.action(MENU)
    def menu(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        choice = (action.get("selected_option") or {}).get("value") or ""
        if choice.startswith("edit:"):
            start_edit(body, choice, client, respond)
        elif choice.startswith("delete:"):
            entry = changeable(body, choice, client, respond)
            if entry is not None:
                text, blocks = build_delete_confirm(entry)
                respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    @app.action(DELETE)
    def delete(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        entry = changeable(body, action.get("value") or "", client, respond)
        if entry is None:
            return
        with services.sessions() as session:
            entry = session.merge(entry)
            # changeable() has checked this person may; manager=True only skips asking again
            delete_entry(
                session,
                entry=entry,
                actor_id=body["user"]["id"],
                manager=True,
                now=services.clock(),
            )
        respond(text=f"Deleted “{entry.title}”.", response_type="ephemeral", replace_original=True)

    @app.action(KEEP)
    def keep(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Kept it.", response_type="ephemeral", replace_original=True)
