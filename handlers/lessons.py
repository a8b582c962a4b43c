"""Lessons learnt and briefing notes: `/partners lesson|brief [TEXT]`, their forms, the
"Save as lesson learnt" message shortcut, and editing or deleting from a search result."""

import contextlib
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from handlers.blockkit import escape
from handlers.entry_access import GONE, channel_of, entry_named
from handlers.entry_forms import FORM_VIEW, FormContext, build_form, read_form
from handlers.forms import done_view, once_key, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse_field, workspace_of
from handlers.people import is_manager, is_private_channel, pressed_by
from handlers.results import DELETE, EDIT, KEEP, MENU, build_delete_confirm, build_saved
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from knowledge.entries import (
    BRIEF,
    KIND_LABELS,
    LESSON,
    EntryError,
    check_draft,
    delete_entry,
    draft_from_text,
    edit_entry,
    find_visible,
    may_change,
    save_entry,
)
from knowledge.partnerships import channel_partnership, choosable
from storage.claims import Repeat
from storage.models import Entry
from storage.rows import team_row

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
    everything: bool,
    draft: Any = None,
    over_a_view: bool = False,
) -> None:
    """Open the lesson or briefing-note form, with the channel's partnership chosen (and, for
    someone from outside the council, the only one offered); `over_a_view`: pushed over the
    modal the button was pressed in (Slack opens a modal from a modal only by views.push)."""
    with services.sessions() as session:
        partnerships = choosable(
            session, team_id=team_id, channel_id=context.channel_id, everything=everything
        )
        default = channel_partnership(session, team_id=team_id, channel_id=context.channel_id or "")
    form = build_form(
        context,
        partnerships=partnerships,
        default_partnership=default.id if default else None,
        draft=draft,
    )
    if over_a_view:
        client.views_push(trigger_id=trigger_id, view=form)
    else:
        client.views_open(trigger_id=trigger_id, view=form)


def capture(call: Invocation, kind: str) -> None:
    """`/partners lesson TEXT` saves at once; `/partners lesson` alone opens the form."""
    private = is_private_channel(call.client, call.channel_id, call.services)
    context = FormContext(kind=kind, channel_id=call.channel_id, private_channel=private)
    if not call.args.strip():
        open_form(
            call.services,
            call.client,
            trigger_id=call.trigger_id,
            team_id=call.team_id,
            context=context,
            everything=call.viewer.full,
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
    refresh_homes(call.client, call.services, call.team_id, call.user_id)  # "my lessons"


def run_lesson(call: Invocation) -> None:
    capture(call, LESSON)


def run_brief(call: Invocation) -> None:
    capture(call, BRIEF)


SUBCOMMANDS = (
    Subcommand(
        "lesson",
        "lesson [TEXT]",
        "save a lesson learnt (`#tags` allowed), or open the form",
        "/partners lesson Early supplier days built trust #retrofit",
        run=run_lesson,
        open_to=ANYONE,
    ),
    Subcommand(
        "brief",
        "brief [TEXT]",
        "save a briefing note, or open the form",
        "/partners brief LAA refresh goes to cabinet in March #lsp",
        run=run_brief,
        open_to=ANYONE,
    ),
)


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
    def read(view: dict[str, Any]) -> tuple[FormContext, Any]:
        context = FormContext.load(view.get("private_metadata") or "{}")
        return context, read_form(context, view["state"]["values"])

    def check_form(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        try:
            _, draft = read(view)
            with services.sessions() as session:
                check_draft(session, team_id=workspace_of(context), draft=draft)
        except EntryError as error:
            field = (
                error.field
                if error.field in {b.get("block_id") for b in view["blocks"]}
                else "title"
            )
            refuse_field(ack, context, field, str(error))
            return
        except (ValueError, KeyError, TypeError):
            refuse_field(ack, context, "title")
            return
        ack(response_action="update", view=working_view("Saving", "Saving it…"))

    def form_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        form, draft = read(view)
        team_id, user_id = workspace_of(context), body["user"]["id"]
        try:
            if form.entry_id is None:
                with services.sessions() as session:
                    entry = save_entry(
                        session,
                        team_id=team_id,
                        author_id=user_id,
                        channel_id=form.channel_id,
                        draft=draft,
                        now=services.clock(),
                        once=once_key(view),
                    )
            else:
                entry = edit(client, form, draft, team_id=team_id, user_id=user_id)
        except Repeat:  # the same form sent twice: it is saved once, and says so
            client.views_update(
                view_id=view["id"], view=done_view("Saved", "✅ This was saved already.")
            )
            return
        except EntryError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(view_id=view["id"], view=build_done(entry))
        refresh_homes(client, services, team_id, entry.author_id)

    def edit(
        client: WebClient, form: FormContext, draft: Any, *, team_id: str, user_id: str
    ) -> Entry:
        with services.sessions() as session:
            found = find_visible(
                session, team_id=team_id, entry_id=form.entry_id or 0, channel_id=form.channel_id
            )
        if found is None:
            raise EntryError("This entry no longer exists.", "title")
        manager = found.author_id != user_id and is_manager(client, services, team_id, user_id)
        with services.sessions() as session:
            entry = team_row(session, Entry, team_id=team_id, row_id=found.id)
            if entry is None:
                raise EntryError("This entry no longer exists.", "title")
            return edit_entry(
                session,
                entry=entry,
                draft=draft,
                actor_id=user_id,
                manager=manager,
                now=services.clock(),
            )

    def save_as_lesson(shortcut: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """The message shortcut: the form filled in with the message and its link. Chosen as a
        global shortcut (the same callback, no message, no channel): the empty lesson form."""
        channel_id = (shortcut.get("channel") or {}).get("id")
        message = shortcut.get("message") or {}
        permalink = None
        # the lesson is still worth saving without its link
        with contextlib.suppress(SlackApiError):
            if channel_id and message.get("ts"):
                found = client.chat_getPermalink(channel=channel_id, message_ts=message["ts"])
                permalink = found["permalink"]
        draft = draft_from_text(LESSON, message.get("text") or "") if message else None
        form = FormContext(
            kind=LESSON,
            channel_id=channel_id,
            permalink=permalink,
            private_channel=bool(channel_id) and is_private_channel(client, channel_id, services),
        )
        team_id = workspace_of(context)
        open_form(
            services,
            client,
            trigger_id=shortcut["trigger_id"],
            team_id=team_id,
            context=form,
            everything=pressed_by(client, services, team_id, shortcut).full,
            draft=draft,
        )

    def changeable(
        body: dict[str, Any], context: BoltContext, value: str, client: WebClient, respond: Respond
    ) -> Entry | None:
        with services.sessions() as session:
            entry = entry_named(
                session, team_id=workspace_of(context), channel_id=channel_of(body), value=value
            )
        if entry is None:
            tell(respond, GONE)
            return None
        user_id = body["user"]["id"]
        # only the council's own admins and facilitators manage others' entries (people.py)
        manager = (
            entry.author_id != user_id
            and pressed_by(client, services, workspace_of(context), body).manager
        )
        if not may_change(entry, user_id, manager=manager):
            tell(respond, NOT_YOURS)
            return None
        return entry

    def start_edit(
        body: dict[str, Any], context: BoltContext, value: str, client: WebClient, respond: Respond
    ) -> None:
        entry = changeable(body, context, value, client, respond)
        if entry is not None:
            form = FormContext(
                kind=entry.kind,
                channel_id=entry.channel_id if entry.private else channel_of(body),
                private_channel=entry.private,
                entry_id=entry.id,
            )
            open_form(
                services,
                client,
                trigger_id=body["trigger_id"],
                team_id=entry.team_id,
                context=form,
                everything=pressed_by(client, services, entry.team_id, body).full,
                draft=entry,
                over_a_view=(body.get("container") or {}).get("type") == "view",
            )

    def edit_pressed(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        start_edit(body, context, action.get("value") or "", client, respond)

    def menu(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        choice = (action.get("selected_option") or {}).get("value") or ""
        if choice.startswith("edit:"):
            start_edit(body, context, choice, client, respond)
        elif choice.startswith("delete:"):
            entry = changeable(body, context, choice, client, respond)
            if entry is not None:
                text, blocks = build_delete_confirm(entry)
                respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    def delete(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        entry = changeable(body, context, action.get("value") or "", client, respond)
        if entry is None:
            return
        with services.sessions() as session:
            fresh = team_row(session, Entry, team_id=entry.team_id, row_id=entry.id)
            if fresh is None:
                tell(respond, GONE)
                return
            # changeable() has checked this person may; manager=True only skips asking again
            delete_entry(
                session,
                entry=fresh,
                actor_id=body["user"]["id"],
                manager=True,
                now=services.clock(),
            )
        respond(text=f"Deleted “{entry.title}”.", response_type="ephemeral", replace_original=True)
        refresh_homes(client, services, entry.team_id, entry.author_id)

    def keep(respond: Respond) -> None:
        respond(text="Kept it.", response_type="ephemeral", replace_original=True)

    listen(app.view(FORM_VIEW), form_submitted, check=check_form)
    listen(app.shortcut(SAVE_AS_LESSON), save_as_lesson)
    listen(app.action(EDIT), edit_pressed)
    listen(app.action(MENU), menu)
    listen(app.action(DELETE), delete)
    listen(app.action(KEEP), keep)
