"""Lessons learnt and briefing notes: `/partners lesson|brief [TEXT]`, their forms, the
"Save as lesson learnt" message shortcut, and editing or deleting from a search result."""

import contextlib
from dataclasses import replace
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from handlers.blockkit import escape
from handlers.entry_forms import FORM_VIEW, FormContext, read_form
from handlers.entry_menu import (
    SHARE_AGAIN,
    delete,
    edit_pressed,
    keep,
    menu,
    open_form,
    share_again,
)
from handlers.forms import done_view, once_key, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse_field, workspace_of
from handlers.people import is_manager, is_private_channel, pressed_by
from handlers.results import DELETE, EDIT, KEEP, MENU, build_saved
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from knowledge.entries import (
    BRIEF,
    KIND_LABELS,
    LESSON,
    EntryError,
    check_draft,
    draft_from_text,
    edit_entry,
    find_visible,
    save_entry,
)
from knowledge.partnerships import channel_partnership
from knowledge.shared_entries import shared_copies
from storage.claims import Repeat
from storage.models import Entry
from storage.rows import team_row

SAVE_AS_LESSON = "save_as_lesson"
EXAMPLES = {
    LESSON: "`/partners lesson Early supplier days won contractors over #retrofit`",
    BRIEF: "`/partners brief LAA refresh goes to cabinet in March #lsp`",
}


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


def build_done(entry: Entry, shared_in: list[str] | None = None) -> dict[str, Any]:
    """The form once saved; for an edit of an entry shared with networks, the offer to
    update their copy (which stays as it was until then)."""
    noun = KIND_LABELS[entry.kind].lower()
    where = "only searches in its channel" if entry.private else "anyone in the workspace"
    blocks: list[Any] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"✅ Your {noun} *{escape(entry.title)}* is saved; "
                f"{where} can find it with `/partners ask`."
            )
        )
    ]
    if shared_in:
        names = ", ".join(f"*{escape(n)}*" for n in shared_in)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"It is shared with {names}: the copy there is as it was when shared. "
                    "Update it too?"
                ),
                accessory=ButtonElement(
                    text="Update the shared copy", action_id=SHARE_AGAIN, value=str(entry.id)
                ),
            )
        )
    return View(type="modal", title="Saved", close="Done", blocks=blocks).to_dict()


def read(view: dict[str, Any]) -> tuple[FormContext, Any]:
    context = FormContext.load(view.get("private_metadata") or "{}")
    return context, read_form(context, view["state"]["values"])


def check_form(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    try:
        _, draft = read(view)
        with services.sessions() as session:
            check_draft(session, team_id=workspace_of(context), draft=draft)
    except EntryError as error:
        field = (
            error.field if error.field in {b.get("block_id") for b in view["blocks"]} else "title"
        )
        refuse_field(ack, context, field, str(error))
        return
    except (ValueError, KeyError, TypeError):
        refuse_field(ack, context, "title")
        return
    ack(response_action="update", view=working_view("Saving", "Saving it…"))


def form_submitted(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
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
            entry = edit(services, client, form, draft, team_id=team_id, user_id=user_id)
    except Repeat:  # the same form sent twice: it is saved once, and says so
        client.views_update(
            view_id=view["id"], view=done_view("Saved", "✅ This was saved already.")
        )
        return
    except EntryError as error:
        client.views_update(view_id=view["id"], view=refilled(view, str(error)))
        return
    shared_in: list[str] = []
    if form.entry_id is not None:  # an edit: its shared copies stay as they were until asked
        with services.sessions() as session:
            shared_in = [
                n.name for n, _ in shared_copies(session, team_id=team_id, entry_id=entry.id or 0)
            ]
    client.views_update(view_id=view["id"], view=build_done(entry, shared_in))
    refresh_homes(client, services, team_id, entry.author_id)


def edit(
    services: Services,
    client: WebClient,
    form: FormContext,
    draft: Any,
    *,
    team_id: str,
    user_id: str,
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


def save_as_lesson(
    services: Services, shortcut: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
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


def register(app: App, services: Services) -> None:
    listen(
        app.view(FORM_VIEW), partial(form_submitted, services), check=partial(check_form, services)
    )
    listen(app.shortcut(SAVE_AS_LESSON), partial(save_as_lesson, services))
    listen(app.action(EDIT), partial(edit_pressed, services))
    listen(app.action(SHARE_AGAIN), partial(share_again, services))
    listen(app.action(MENU), partial(menu, services))
    listen(app.action(DELETE), partial(delete, services))
    listen(app.action(KEEP), keep)
