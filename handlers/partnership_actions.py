"""A partnership card's buttons and menus (edit, record a review, close, an agreement item's
status, note and link), the review reminder's buttons, and the forms they open."""

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.agreement_actions import check_item, item_submitted, on_item, open_checklist
from handlers.blockkit import escape
from handlers.forms import done_view, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse, refuse_field
from handlers.people import person
from handlers.register_blocks import (
    CLOSE,
    EDIT,
    OPEN_CHECKLIST,
    REVIEW,
    SET_ITEM,
    SNOOZE_REVIEW,
)
from handlers.register_flow import (
    CLOSED,
    changeable,
    form_partnership,
    in_session,
    lead_zone,
    submitted,
)
from handlers.register_forms import (
    CLOSE_VIEW,
    ITEM_VIEW,
    REVIEW_VIEW,
    build_close_form,
    build_partnership_form,
    build_review_form,
    read_close_form,
    read_review_form,
)
from handlers.sending import tell
from handlers.services import Services
from knowledge.nudges import policy_for
from knowledge.partnerships import PartnershipError, close_partnership
from knowledge.register_facts import FactError, Facts
from knowledge.reviews import ReviewError, record_review, snooze_review
from knowledge.workdays import local_today


def open_form(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    user_id = body["user"]["id"]
    partnership = changeable(services, context, action.get("value"), user_id, client, respond)
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


def snooze_pressed(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    user_id = body["user"]["id"]
    partnership = changeable(services, context, action.get("value"), user_id, client, respond)
    if partnership is None:
        return
    tz = person(client, services, user_id)[0]
    with services.sessions() as session:
        until = snooze_review(session, partnership, user_id=user_id, tz=tz, now=services.clock())
    if until is None:
        tell(respond, "Already snoozed, or there is no review date to remind you about.")
    else:
        tell(respond, f"Snoozed: I'll remind you about the review again on {until:%a %d %b}.")


def check_review(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    partnership = form_partnership(services, view, context)
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


def check_close(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    partnership = form_partnership(services, view, context)
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


def register(app: App, services: Services) -> None:
    for action_id in (EDIT, REVIEW, CLOSE):
        listen(app.action(action_id), partial(open_form, services))
    listen(app.action(SET_ITEM), partial(on_item, services))
    listen(app.action(OPEN_CHECKLIST), partial(open_checklist, services))
    listen(app.action(SNOOZE_REVIEW), partial(snooze_pressed, services))
    listen(
        app.view(REVIEW_VIEW),
        partial(review_submitted, services),
        check=partial(check_review, services),
    )
    listen(
        app.view(CLOSE_VIEW),
        partial(close_submitted, services),
        check=partial(check_close, services),
    )
    listen(
        app.view(ITEM_VIEW), partial(item_submitted, services), check=partial(check_item, services)
    )
