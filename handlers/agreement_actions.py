"""The agreement checklist's controls: an item's menu (a status at once, or its note and link in
a form), the card's Open checklist, and the item form's check and work."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.forms import done_view, refilled, working_view
from handlers.listening import refuse_field, workspace_of
from handlers.register_blocks import (
    CHECKLIST_BLOCK,
    NOTE,
)
from handlers.register_flow import (
    CLOSED,
    GONE,
    card_of,
    changeable,
    checklist_of,
    form_partnership,
    in_session,
    partnership_named,
    submitted,
)
from handlers.register_forms import (
    build_item_form,
    read_item_form,
)
from handlers.sending import tell
from handlers.services import Services
from knowledge.agreement import ITEMS, STATUSES, AgreementError, checklist, set_item


def on_item(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    """A choice from an agreement item's menu: a status at once, or its note and link."""
    user_id = body["user"]["id"]
    chosen = ((action.get("selected_option") or {}).get("value") or "").split(":")
    if len(chosen) != 3 or chosen[1] not in ITEMS or chosen[2] not in (*STATUSES, NOTE):
        tell(respond, GONE)
        return
    partnership = changeable(services, context, chosen[0], user_id, client, respond)
    if partnership is None:
        return
    item, choice = chosen[1], chosen[2]
    if choice == NOTE:
        with services.sessions() as session:
            row = dict(checklist(session, partnership))[item]
        client.views_open(
            trigger_id=body["trigger_id"],
            view=build_item_form(
                partnership,
                item,
                row.status if row else "not_started",
                row.note if row else None,
                row.link if row else None,
            ),
        )
        return
    with services.sessions() as session:
        fresh = in_session(session, partnership)
        set_item(session, fresh, item=item, status=choice, actor_id=user_id, now=services.clock())
    if str(action.get("block_id") or "").startswith(CHECKLIST_BLOCK):  # the whole list
        text, blocks = checklist_of(services, client, partnership, user_id=user_id)
    else:
        text, blocks = card_of(
            services,
            client,
            partnership,
            user_id=user_id,
            channel_id=(body.get("channel") or {}).get("id"),
        )
    respond(text=text, blocks=blocks, replace_original=True)


def open_checklist(
    services: Services,
    body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond,
    client: WebClient,
) -> None:  # fmt: skip
    """The card's "Open checklist": every item, with its menu for those who may change it."""
    partnership = partnership_named(services, workspace_of(context), action.get("value"))
    if partnership is None:
        tell(respond, GONE)
        return
    text, blocks = checklist_of(services, client, partnership, user_id=body["user"]["id"])
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def check_item(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    meta = str(view.get("private_metadata") or "").split(":")
    if form_partnership(services, view, context) is None or len(meta) != 2 or meta[1] not in ITEMS:
        refuse_field(ack, context, "status", CLOSED)
        return
    status, note, link = read_item_form(view)
    if status not in STATUSES:
        refuse_field(ack, context, "status", "Pick a status.")
    elif len(note) > 1000:
        refuse_field(ack, context, "note", "Keep the note to 1000 characters.")
    elif link.strip() and not link.strip().startswith(("https://", "http://")):
        refuse_field(ack, context, "link", "The link must be a web address, like https://…")
    else:
        ack(response_action="update", view=working_view("Agreement item", "Saving…"))


def item_submitted(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    user_id = body["user"]["id"]
    partnership = submitted(services, view, context, client, user_id)
    if partnership is None:
        return
    item = str(view["private_metadata"]).split(":")[1]
    status, note, link = read_item_form(view)
    try:
        with services.sessions() as session:
            fresh = in_session(session, partnership)
            set_item(
                session,
                fresh,
                item=item,
                status=status,
                note=note,
                link=link,
                actor_id=user_id,
                now=services.clock(),
            )
    except AgreementError as error:
        client.views_update(view_id=view["id"], view=refilled(view, str(error)))
        return
    client.views_update(
        view_id=view["id"],
        view=done_view(
            "Agreement item",
            f"✅ *{ITEMS[item]}*: {STATUSES[status].lower()}.",
            f"`/partners partnership {partnership.name}` shows the whole checklist.",
        ),
    )
