"""An entry's menu and buttons after it is saved: Edit (the form again, filled in), Delete (with a
confirmation), Share with a network (a form), and Keep it (the confirmation dismissed). Only its author, admins and
facilitators may change an entry."""

from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from handlers.entry_access import GONE, channel_of, entry_named
from handlers.entry_forms import FormContext, build_form
from handlers.home_flow import refresh_homes
from handlers.listening import workspace_of
from handlers.network_blocks import share_form
from handlers.people import person, pressed_by
from handlers.results import build_delete_confirm
from handlers.sending import tell
from handlers.services import Services
from knowledge.directory import person_name
from knowledge.entries import (
    delete_entry,
    may_change,
)
from knowledge.network import SHAREABLE, memberships
from knowledge.partnerships import channel_partnership, choosable
from knowledge.shared_entries import shared_copies
from storage.models import Entry
from storage.rows import team_row

SHARE_AGAIN = "entry_share_again"  # after an edit: update the networks' copy
NOT_YOURS = "Only the author, a workspace admin or a facilitator can change this."


def changeable(
    services: Services,
    body: dict[str, Any],
    context: BoltContext,
    value: str,
    client: WebClient,
    respond: Respond,
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
    services: Services,
    body: dict[str, Any],
    context: BoltContext,
    value: str,
    client: WebClient,
    respond: Respond,
) -> None:
    entry = changeable(services, body, context, value, client, respond)
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
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    start_edit(services, body, context, action.get("value") or "", client, respond)


def menu(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    choice = (action.get("selected_option") or {}).get("value") or ""
    if choice.startswith("edit:"):
        start_edit(services, body, context, choice, client, respond)
    elif choice.startswith("share:"):
        start_share(services, body, context, choice, client, respond)
    elif choice.startswith("delete:"):
        entry = changeable(services, body, context, choice, client, respond)
        if entry is not None:
            text, blocks = build_delete_confirm(entry)
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def delete(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    entry = changeable(services, body, context, action.get("value") or "", client, respond)
    if entry is None:
        return
    with services.sessions() as session:
        fresh = team_row(session, Entry, team_id=entry.team_id, row_id=entry.id)
        if fresh is None:
            tell(respond, GONE)
            return
        # changeable(services, ) has checked this person may; manager=True only skips asking again
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


def start_share(
    services: Services,
    body: dict[str, Any],
    context: BoltContext,
    value: str,
    client: WebClient,
    respond: Respond,
) -> None:
    """The form to share an entry with one of the workspace's networks (or withdraw it)."""
    entry = changeable(services, body, context, value, client, respond)
    if entry is None:
        return
    if entry.kind not in SHAREABLE or entry.private:
        tell(
            respond, "Only lessons and briefing notes saved outside private channels can be shared."
        )
        return
    with services.sessions() as session:
        held = memberships(session, entry.team_id)
        copies = {
            n.id or 0: row
            for n, row in shared_copies(session, team_id=entry.team_id, entry_id=entry.id or 0)
        }
    if not held:
        tell(
            respond,
            "This workspace isn't in a programme network yet: `/partners network` says how to join one.",
        )
        return
    record = person(client, services, entry.author_id)[1] if entry.author_id else None
    name = person_name(record or {})
    form = share_form(entry, held, copies, name)
    if (body.get("container") or {}).get("type") == "view":
        client.views_push(trigger_id=body["trigger_id"], view=form)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=form)


def share_again(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """Update the shared copy, offered after an edit: the share form, over the saved one."""
    start_share(services, body, context, f"share:{action.get('value') or ''}", client, respond)
