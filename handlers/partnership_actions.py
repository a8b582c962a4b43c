"""A partnership card's buttons and menus (edit, record a review, close, an agreement item's
status, note and link), the review reminder's buttons, and the forms they open."""

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from handlers.blockkit import escape
from handlers.forms import done_view, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse, refuse_field, workspace_of
from handlers.people import person
from handlers.register_blocks import (
    CHECKLIST_BLOCK,
    CLOSE,
    EDIT,
    NOTE,
    OPEN_CHECKLIST,
    REVIEW,
    SET_ITEM,
    SNOOZE_REVIEW,
)
from handlers.register_flow import (
    CLOSED,
    GONE,
    NOT_YOURS,
    card_of,
    checklist_of,
    lead_zone,
    may_manage,
    partnership_named,
)
from handlers.register_forms import (
    CLOSE_VIEW,
    ITEM_VIEW,
    REVIEW_VIEW,
    build_close_form,
    build_item_form,
    build_partnership_form,
    build_review_form,
    read_close_form,
    read_item_form,
    read_review_form,
)
from handlers.sending import tell
from handlers.services import Services
from knowledge.agreement import ITEMS, STATUSES, AgreementError, checklist, set_item
from knowledge.nudges import policy_for
from knowledge.partnerships import PartnershipError, close_partnership
from knowledge.register_facts import FactError, Facts
from knowledge.reviews import ReviewError, record_review, snooze_review
from knowledge.workdays import local_today
from storage.models import Partnership
from storage.rows import team_row


def in_session(session: Session, partnership: Partnership) -> Partnership:
    """The partnership as `session` holds it (the domain changes it there)."""
    fresh = team_row(session, Partnership, team_id=partnership.team_id, row_id=partnership.id)
    if fresh is None:  # deleted between the check and the work
        raise LookupError(GONE)
    return fresh


def register(app: App, services: Services) -> None:
    def changeable(
        context: BoltContext, value: Any, user_id: str, client: WebClient, respond: Respond
    ) -> Partnership | None:
        """The open partnership a button names, if this person may change it; else None after
        saying why not."""
        partnership = partnership_named(services, workspace_of(context), value)
        if partnership is None or partnership.status != "open":
            tell(respond, GONE if partnership is None else CLOSED)
            return None
        if not may_manage(client, services, partnership, user_id):
            tell(respond, NOT_YOURS)
            return None
        return partnership

    def open_form(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        respond: Respond,
        client: WebClient,
    ) -> None:
        user_id = body["user"]["id"]
        partnership = changeable(context, action.get("value"), user_id, client, respond)
        if partnership is None:
            return
        today = local_today(services.clock(), person(client, services, user_id)[0])
        if action["action_id"] == EDIT:
            view = build_partnership_form(
                Facts.of(partnership), name=partnership.name, editing=partnership
            )
        elif action["action_id"] == REVIEW:
            view = build_review_form(partnership, today)
        else:
            view = build_close_form(partnership, today)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def on_item(
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
        partnership = changeable(context, chosen[0], user_id, client, respond)
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
            set_item(
                session, fresh, item=item, status=choice, actor_id=user_id, now=services.clock()
            )
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

    def snooze_pressed(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        respond: Respond,
        client: WebClient,
    ) -> None:
        user_id = body["user"]["id"]
        partnership = changeable(context, action.get("value"), user_id, client, respond)
        if partnership is None:
            return
        tz = person(client, services, user_id)[0]
        with services.sessions() as session:
            until = snooze_review(
                session, partnership, user_id=user_id, tz=tz, now=services.clock()
            )
        if until is None:
            tell(respond, "Already snoozed, or there is no review date to remind you about.")
        else:
            tell(respond, f"Snoozed: I'll remind you about the review again on {until:%a %d %b}.")

    def form_partnership(view: dict[str, Any], context: BoltContext) -> Partnership | None:
        meta = str(view.get("private_metadata") or "").split(":")[0]
        found = partnership_named(services, workspace_of(context), meta)
        return found if found is not None and found.status == "open" else None

    def submitted(
        view: dict[str, Any], context: BoltContext, client: WebClient, user_id: str
    ) -> Partnership | None:
        """The open partnership a submitted form is about, if this person may change it; else
        None, with the form shown again saying why not."""
        partnership = form_partnership(view, context)
        if partnership is None or not may_manage(client, services, partnership, user_id):
            problem = CLOSED if partnership is None else NOT_YOURS
            client.views_update(view_id=view["id"], view=refilled(view, problem))
            return None
        return partnership

    def check_review(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        partnership = form_partnership(view, context)
        if partnership is None:
            refuse_field(ack, context, "outcome", CLOSED)
            return
        try:
            on, outcome, nxt = read_review_form(view)
        except FactError as error:
            refuse_field(ack, context, error.field, str(error))
            return
        errors = {}
        if on is None:
            errors["date"] = "When did the review happen?"
        elif nxt is not None and nxt <= on:
            errors["next"] = "The next review must come after this one."
        if not outcome.strip():
            errors["outcome"] = "Say in a line or two what the review found."
        if errors:
            refuse(ack, context, response_action="errors", errors=errors)
            return
        ack(response_action="update", view=working_view("Record a review", "Saving…"))

    def review_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        partnership = submitted(view, context, client, user_id)
        if partnership is None:
            return
        on, outcome, nxt = read_review_form(view)
        assert on is not None
        tz = lead_zone(client, services, partnership.lead_id)
        try:
            with services.sessions() as session:
                fresh = in_session(session, partnership)
                record_review(
                    session,
                    fresh,
                    reviewed_on=on,
                    outcome=outcome,
                    next_review=nxt,
                    actor_id=user_id,
                    lead_tz=tz,
                    now=services.clock(),
                    region=policy_for(session, partnership.team_id).region,
                )
        except ReviewError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        after = f" Next review: {nxt:%a %d %b %Y}." if nxt else " No next review is set."
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Review recorded",
                f"✅ Review of *{escape(partnership.name)}* on {on:%d %b %Y} recorded.{after}",
            ),
        )
        refresh_homes(client, services, partnership.team_id, user_id, partnership.lead_id)

    def check_close(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        partnership = form_partnership(view, context)
        if partnership is None:
            refuse_field(ack, context, "end_date", CLOSED)
            return
        try:
            end, _ = read_close_form(view)
        except FactError as error:
            refuse_field(ack, context, error.field, str(error))
            return
        if end is None:
            refuse_field(ack, context, "end_date", "When does it end?")
        elif partnership.start_date and end < partnership.start_date:
            refuse_field(
                ack,
                context,
                "end_date",
                f"The end date can't be before the start ({partnership.start_date:%d %b %Y}).",
            )
        else:
            ack(response_action="update", view=working_view("Close partnership", "Closing it…"))

    def close_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        partnership = submitted(view, context, client, user_id)
        if partnership is None:
            return
        end, note = read_close_form(view)
        assert end is not None
        try:
            with services.sessions() as session:
                fresh = in_session(session, partnership)
                close_partnership(
                    session, fresh, end_date=end, note=note, actor_id=user_id, now=services.clock()
                )
        except PartnershipError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Partnership closed",
                f"*{escape(partnership.name)}* is closed from {end:%d %b %Y}. Its history stays, "
                "and it can still be searched.",
            ),
        )
        refresh_homes(client, services, partnership.team_id, user_id, partnership.lead_id)

    def check_item(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        meta = str(view.get("private_metadata") or "").split(":")
        if form_partnership(view, context) is None or len(meta) != 2 or meta[1] not in ITEMS:
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
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        partnership = submitted(view, context, client, user_id)
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

    for action_id in (EDIT, REVIEW, CLOSE):
        listen(app.action(action_id), open_form)
    listen(app.action(SET_ITEM), on_item)
    listen(app.action(OPEN_CHECKLIST), open_checklist)
    listen(app.action(SNOOZE_REVIEW), snooze_pressed)
    listen(app.view(REVIEW_VIEW), review_submitted, check=check_review)
    listen(app.view(CLOSE_VIEW), close_submitted, check=check_close)
    listen(app.view(ITEM_VIEW), item_submitted, check=check_item)
