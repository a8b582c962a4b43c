"""`/partners pulse NAME` (and `pulse close NAME`): a partnership's health pulse now, besides the
monthly one. Members get a DM with an anonymous form; nothing records who answered (the request
log leaves out the person for these IDs, bot/middleware.py), and a second answer replaces the
first. When it closes the channel gets the averages and the trend, from three answers up."""

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.blockkit import escape
from handlers.forms import done_view, field_value, refilled, working_view
from handlers.listening import listen, refuse, workspace_of
from handlers.pulse_blocks import ANSWER_PULSE, PULSE_VIEW, build_pulse_form
from handlers.pulse_flow import close_and_tell, open_pulse
from handlers.register_flow import may_manage, named
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import Invocation, Subcommand
from knowledge.pulses import DIMENSIONS, PulseError, answer, answerable, open_pulse_of
from storage.models import Partnership

USAGE = (
    "Try `/partners pulse Retrofit partnership`, or `/partners pulse close Retrofit partnership`."
)
NOT_YOURS = (
    "Only its lead officer, workspace admins and facilitators can run a partnership's pulse."
)


def run(call: Invocation) -> None:
    """`/partners pulse NAME`: ask its members now; `pulse close NAME`: close the open one."""
    args = call.args.strip()
    closing = args.casefold().startswith("close ")
    name = args[len("close ") :].strip() if closing else args
    partnership = named(call, name, USAGE)
    if partnership is None:
        return
    if not may_manage(call.client, call.services, partnership, call.user_id):
        call.reply(NOT_YOURS)
        return
    if closing:
        _close(call, partnership)
        return
    try:
        pulse = open_pulse(call.client, call.services, partnership, opened_by=call.user_id)
    except PulseError as error:
        call.reply(str(error))
        return
    if pulse is None:  # the monthly one started at this very moment
        call.reply(f"A pulse for *{escape(partnership.name)}* has just started.")
        return
    asked = len(pulse.invited.split())
    too_few = (
        f" Only {asked} can be asked, so with fewer than {pulse.minimum} it can show nothing: "
        "add people to its channel, or run it with a bigger group."
        if asked < pulse.minimum
        else ""
    )
    call.reply(
        f"📋 Pulse started for *{escape(partnership.name)}*: {asked} member"
        f"{'s' if asked != 1 else ''} will get a DM asking for an anonymous rating, open until "
        f"{pulse.closes_at:%a %d %b %Y}. Results are shown when it closes, if {pulse.minimum} or "
        "more answered; it closes earlier only once everyone has answered." + too_few
    )


def _close(call: Invocation, partnership: Partnership) -> None:
    with call.services.sessions() as session:
        pulse = open_pulse_of(session, partnership)
    if pulse is None:
        call.reply(
            f"*{escape(partnership.name)}* has no open pulse. Start one: `/partners pulse NAME`."
        )
        return
    try:
        found = close_and_tell(call.client, call.services, pulse, by=call.user_id)
    except PulseError as error:
        call.reply(str(error))
        return
    if found is None:
        call.reply(f"The pulse for *{escape(partnership.name)}* has just closed.")
        return
    where = "its channel" if partnership.channel_id else "a DM to its lead"
    shown = "the results" if found.shown else f"only that fewer than {found.minimum} answered"
    call.reply(f"Closed the pulse for *{escape(partnership.name)}*: {shown} went to {where}.")


def _ratings(values: dict[str, Any]) -> dict[str, int]:
    ratings = {}
    for key in DIMENSIONS:
        option = field_value(values, key, "selected_option") or {}
        if str(option.get("value", "")).isdigit():
            ratings[key] = int(option["value"])
    return ratings


SUBCOMMANDS = (
    Subcommand(
        "pulse",
        "pulse NAME | pulse close NAME",
        "ask a partnership's members for an anonymous health rating now (monthly by default), "
        "or close the open pulse and show its results",
        "/partners pulse Retrofit partnership",
        run=run,
    ),
)


def register(app: App, services: Services) -> None:
    """Bind the pulse's button and form."""

    def answer_pressed(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        team_id = workspace_of(context)
        try:
            with services.sessions() as session:
                pulse = answerable(
                    session, team_id, action.get("value"), user_id=body["user"]["id"]
                )
                partnership = session.get(Partnership, pulse.partnership_id)
        except PulseError as error:
            tell(respond, str(error))
            return
        assert partnership is not None
        client.views_open(trigger_id=body["trigger_id"], view=build_pulse_form(partnership, pulse))

    def check_answer(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        ratings = _ratings(view["state"]["values"])
        missing = [key for key in DIMENSIONS if key not in ratings]
        if missing:
            errors = {key: "Pick a rating from 1 to 5." for key in missing}
            refuse(ack, context, response_action="errors", errors=errors)
            return
        try:
            with services.sessions() as session:
                answerable(
                    session,
                    workspace_of(context),
                    view.get("private_metadata"),
                    user_id=body["user"]["id"],
                )
        except PulseError as error:
            refuse(ack, context, response_action="update", view=done_view("Not sent", str(error)))
            return
        ack(response_action="update", view=working_view("Partnership pulse", "Sending…"))

    def answer_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        values = view["state"]["values"]
        try:
            with services.sessions() as session:
                replaced = answer(
                    session,
                    workspace_of(context),
                    view.get("private_metadata"),
                    user_id=body["user"]["id"],
                    keyring=services.keyring,
                    ratings=_ratings(values),
                    comment=field_value(values, "comment"),
                    now=services.clock(),
                )
        except PulseError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        said = "Your new answer replaces your earlier one." if replaced else "Your answer is in."
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Thank you",
                f"✅ {said} Thank you.",
                "It is anonymous. Results are shown when the pulse closes, if enough people "
                "answered.",
            ),
        )

    listen(app.action(ANSWER_PULSE), answer_pressed)
    listen(app.view(PULSE_VIEW), answer_submitted, check=check_answer)
