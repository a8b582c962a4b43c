"""The programme network's buttons and forms: sharing an entry (or updating or withdrawing its
copy), Open on another council's shared entry, the hosts' Hide with its reason, and an admin's
Approve or Decline of a share waiting for approval. Bound in handlers/network.py."""

import json
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.blockkit import context as block_context
from handlers.blockkit import escape
from handlers.forms import done_view, field_value, working_view
from handlers.listening import refuse, workspace_of
from handlers.network_blocks import (
    NAMED,
    WITHDRAW,
    hide_form,
    pending_list,
    shared_modal,
)
from handlers.people import person, pressed_by, rules_of
from handlers.sending import dm, tell
from handlers.services import Services
from knowledge.directory import person_name
from knowledge.entries import may_change
from knowledge.network import (
    NetworkError,
    memberships,
)
from knowledge.shared_entries import (
    decide_share,
    found_helpful,
    hide,
    pending_shares,
    share,
    shared_found,
    withdraw,
)
from storage.models import Entry
from storage.network import Network

ADMINS_ONLY = "Only the workspace's admins (and partnerbot admins) can {what}."


def check_share(ack: Ack) -> None:
    ack(response_action="update", view=working_view("Share with a network", "Sharing…"))


def share_submitted(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    """Share (or update, or withdraw) the entry the form was opened for: only an entry of the
    submitting workspace that the person may change; the network only one it belongs to."""
    team_id, user_id = workspace_of(context), body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    try:
        entry_id = int(json.loads(view.get("private_metadata") or "{}")["entry"])
        network_id = int((field_value(values, "network", "selected_option") or {})["value"])
        how = str((field_value(values, "how", "selected_option") or {})["value"])
    except (ValueError, KeyError, TypeError):
        client.views_update(
            view_id=view["id"],
            view=done_view("Not shared", "I couldn't read that form: try again."),
        )
        return
    asker = pressed_by(client, services, team_id, body)
    now = services.clock()
    try:
        with services.sessions() as session:
            entry = session.get(Entry, entry_id)  # scoped: only this workspace's
            network = session.get(Network, network_id)
            if entry is None or not may_change(entry, user_id, manager=asker.manager):
                raise NetworkError(
                    "Only the author, a workspace admin or a facilitator can share this."
                )
            name = network.name if network else ""
            if how == WITHDRAW:
                withdraw(
                    session, team_id=team_id, entry_id=entry_id, network=name, by=user_id, now=now
                )
                said = f"Withdrawn from *{escape(name)}*: no council there sees it any more."
            else:
                author_name = None
                if how == NAMED and entry.author_id:
                    author_name = person_name(person(client, services, entry.author_id)[1] or {})
                pending = rules_of(services, team_id).network_approval and not asker.admin
                _, new = share(
                    session,
                    team_id=team_id,
                    entry_id=entry_id,
                    network=name,
                    by=user_id,
                    author_name=author_name,
                    now=now,
                    pending=pending,
                )
                said = (
                    f"✅ Shared with *{escape(name)}*"
                    if new
                    else f"✅ The copy in *{escape(name)}* is updated"
                ) + (
                    " with the author's name." if author_name else " with the council's name only."
                )
                if pending:
                    said = (
                        f"⏳ Waiting for one of the workspace's admins to approve sharing it with "
                        f"*{escape(name)}*: until then no other council sees it. Admins: "
                        "`/partners network pending`."
                    )
    except NetworkError as error:
        client.views_update(view_id=view["id"], view=done_view("Not shared", str(error)))
        return
    client.views_update(view_id=view["id"], view=done_view("Share with a network", said))
    if entry.author_id and entry.author_id != user_id and entry.author_id.startswith(("U", "W")):
        dm(
            client,
            entry.author_id,
            f"<@{user_id}> changed how your “{entry.title}” is shared: {said}",
        )


def open_shared(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    """The whole of another council's shared entry: only while this workspace is in its
    network, and it is still shared (a forged or stale id finds nothing)."""
    team_id = workspace_of(context)
    try:
        shared_id = int(action.get("value") or "")
    except ValueError:
        shared_id = 0
    with services.sessions() as session:
        row = shared_found(session, team_id=team_id, ids=[shared_id]).get(shared_id)
        hosted = {m.network.id for m in memberships(session, team_id) if m.hosting}
    may_hide = row is not None and row.network_id in hosted
    may_hide = may_hide and pressed_by(client, services, team_id, body).admin
    view = (
        shared_modal(row, may_hide=may_hide)
        if row
        else done_view("No longer shared", "That entry is no longer shared with your networks.")
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def hide_pressed(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    """The hosts' Hide, in the shared entry's modal: the form for the reason, over it."""
    team_id = workspace_of(context)
    shared_id = int(action.get("value") or 0) if (action.get("value") or "").isdigit() else 0
    with services.sessions() as session:
        row = shared_found(session, team_id=team_id, ids=[shared_id]).get(shared_id)
    if row is not None:
        client.views_push(trigger_id=body["trigger_id"], view=hide_form(shared_id, row.title))


def check_hide(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    reason = field_value(view.get("state", {}).get("values", {}), "reason") or ""
    if not reason.strip():
        refuse(ack, context, response_action="errors", errors={"reason": "Say why."})
        return
    ack(response_action="update", view=working_view("Hide from the network", "Hiding…"))


def hide_submitted(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    """Hide a shared entry: only an admin of the workspace that hosts its network."""
    team_id, user_id = workspace_of(context), body["user"]["id"]
    reason = field_value(view.get("state", {}).get("values", {}), "reason") or ""
    try:
        shared_id = int(json.loads(view.get("private_metadata") or "{}")["shared"])
        if not pressed_by(client, services, team_id, body).admin:
            raise NetworkError(ADMINS_ONLY.format(what="hide what councils shared"))
        with services.sessions() as session:
            row = hide(
                session,
                team_id=team_id,
                shared_id=shared_id,
                reason=reason,
                by=user_id,
                now=services.clock(),
            )
    except (ValueError, KeyError, TypeError) as error:
        said = str(error) if isinstance(error, NetworkError) else "I couldn't read that form."
        client.views_update(view_id=view["id"], view=done_view("Not hidden", said))
        return
    said = f"Hidden: *{escape(row.title)}*. Its council sees your reason when it shares again."
    client.views_update(view_id=view["id"], view=done_view("Hidden", said))


def decided(
    approve: bool,
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """Approve or Decline on a waiting share: the workspace's admins only."""
    team_id = workspace_of(context)
    if not pressed_by(client, services, team_id, body).admin:
        tell(respond, ADMINS_ONLY.format(what="approve what is shared"))
        return
    value = action.get("value") or ""
    try:
        with services.sessions() as session:
            row = decide_share(
                session,
                team_id=team_id,
                shared_id=int(value) if value.isdigit() else 0,
                approve=approve,
                by=body["user"]["id"],
                now=services.clock(),
            )
            waiting = pending_shares(session, team_id=team_id)
    except NetworkError as error:
        tell(respond, str(error))
        return
    text, blocks = pending_list(waiting)
    done = "Approved: it is shared now" if approve else "Declined: nothing was shared"
    respond(
        text=f"{done} (“{row.title}”). {text}",
        blocks=[block_context(f"{done}: *{escape(row.title)}*."), *blocks],
        replace_original=True,
    )


def helpful(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
) -> None:
    """👍 Helpful on another council's shared entry: counted once per person, only on one the
    workspace may see (it goes into the network's "most helpful this month")."""
    team_id, user_id = workspace_of(context), body["user"]["id"]
    value = action.get("value") or ""
    with services.sessions() as session:
        row = found_helpful(
            session,
            team_id=team_id,
            user_id=user_id,
            shared_id=int(value) if value.isdigit() else 0,
            now=services.clock(),
        )
    if row is None:
        tell(respond, "That isn't another council's entry shared with your networks (any more).")
        return
    tell(respond, f"Thanks: “{row.title}” counts towards the network's most helpful this month.")
