"""`/partners breakout`: a round of questions in a channel, answered in the card's thread or by
form (named or anonymous), moved on and closed by its facilitator or by the clock."""

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.breakout_blocks import (
    ANONYMOUS,
    ANONYMOUS_VIEW,
    ANSWER,
    ANSWER_VIEW,
    CLOSE,
    COMMIT,
    COMMIT_VIEW,
    NEXT,
    SAVE,
    TO_NETWORK,
    build_answer_form,
    build_decks,
)
from handlers.breakout_flow import (
    NOT_YOURS,
    finish,
    in_thread,
    may_run,
    move_on,
    post_card,
    the_round,
)
from handlers.breakout_themes import (
    check_commitment,
    commitment_chosen,
    save,
    to_commitment,
    to_network,
)
from handlers.forms import once_key
from handlers.listening import listen, refuse, workspace_of
from handlers.outbox import dm_owed
from handlers.people import rules_of
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from knowledge import breakout as rounds
from knowledge import breakout_replies
from knowledge.decks import load_decks
from storage.claims import Repeat

logger = logging.getLogger(__name__)
# message events that are a person's reply (a plain one has no subtype)
REPLY_SUBTYPES = {None, "thread_broadcast", "file_share"}


def run(call: Invocation) -> None:
    """`/partners breakout decks | DECK [for Nm] | "QUESTION" [for Nm]`."""
    if call.args.strip().casefold() == "decks":
        text, blocks = build_decks(load_decks())
        call.reply(text, blocks)
        return
    try:
        plan = rounds.parse_breakout(call.args)
        with call.services.sessions() as session:
            round_, question = rounds.start_round(
                session,
                team_id=call.team_id,
                channel_id=call.channel_id,
                facilitator_id=call.user_id,
                plan=plan,
                now=call.services.clock(),
                minimum=rules_of(call.services, call.team_id).breakout_minimum,
            )
    except rounds.BreakoutError as error:
        call.reply(str(error))
        return
    post_card(call.services, call.client, round_, question.number)
    call.reply(f"Started “{round_.title}”. Next question and Close are yours to press.")


SUBCOMMANDS = (
    Subcommand(
        "breakout",
        'breakout [DECK | "QUESTION"] [for Nm]',
        "run a breakout round here; `breakout decks` lists decks",
        "/partners breakout effective-partnerships for 10m",
        run=run,
        open_to=ANYONE,
    ),
)


def answer_form(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    round_ = the_round(services, context, action.get("value"))
    if round_ is None or round_.status != rounds.OPEN:
        tell(respond, "That round has closed." if round_ else "That round isn't here.")
        return
    with services.sessions() as session:
        question = rounds.question(session, round_)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_answer_form(round_, question, anonymous=action["action_id"] == ANONYMOUS),
    )


def answer_of(view: dict[str, Any]) -> tuple[str, int]:
    text = view["state"]["values"]["answer"]["answer"].get("value") or ""
    number = (view.get("private_metadata") or "0:0").partition(":")[2]
    return text, int(number) if number.isdigit() else -1


def check_answer(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    text, number = answer_of(view)
    round_ = the_round(services, context, view.get("private_metadata"))
    problem = None
    if round_ is None:
        problem = "That round isn't here any more."
    elif not text.strip():
        problem = "The answer is empty."
    elif len(text.strip()) > rounds.ANSWER_MAX:
        problem = f"Keep an answer under {rounds.ANSWER_MAX:,} characters."
    elif round_.status != rounds.OPEN or number != round_.current:
        problem = "That question has closed; answers go to the current one."
    if problem:
        refuse(ack, context, response_action="errors", errors={"answer": problem})
        return
    ack()


def answered(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    anonymous = view["callback_id"] == ANONYMOUS_VIEW
    text, number = answer_of(view)
    round_ = the_round(services, context, view.get("private_metadata"))
    user_id = body["user"]["id"]
    try:
        if round_ is None:
            raise rounds.BreakoutError("That round isn't here any more.")
        with services.sessions() as session:
            rounds.add_answer(
                session,
                round_,
                number=number,
                text=text,
                person_id=user_id,
                anonymous=anonymous,
                keyring=services.keyring,
                now=services.clock(),
                once=once_key(view),
            )
    except Repeat:
        return
    except rounds.BreakoutError as error:
        # the question closed while the form was open: keep their words, say why
        dm_owed(
            services,
            client,
            team_id=workspace_of(context),
            user_id=user_id,
            text=f"Your answer wasn't counted: {error}\nYou wrote: {text.strip()}",
            about="why an answer was not counted",
        )
        return
    if not anonymous:
        in_thread(services, client, round_, f"💬 <@{user_id}>: {text.strip()}")


def thread_reply(
    services: Services, event: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    subtype = event.get("subtype")
    team_id = workspace_of(context)
    if subtype == "message_changed":
        changed = event.get("message") or {}
        if changed.get("bot_id") or not changed.get("thread_ts"):
            return
        with services.sessions() as session:
            breakout_replies.edit_answer(
                session,
                team_id=team_id,
                channel_id=event["channel"],
                message_ts=changed.get("ts") or "",
                text=changed.get("text") or "",
            )
        return
    if subtype == "message_deleted":
        with services.sessions() as session:
            breakout_replies.remove_answer(
                session,
                team_id=team_id,
                channel_id=event["channel"],
                message_ts=event.get("deleted_ts") or "",
            )
        return
    if (
        subtype not in REPLY_SUBTYPES
        or event.get("bot_id")
        or not event.get("user")
        or not event.get("thread_ts")
        or event.get("thread_ts") == event.get("ts")
    ):
        return
    with services.sessions() as session:
        found = rounds.round_by_card(
            session, team_id=team_id, channel_id=event["channel"], card_ts=event["thread_ts"]
        )
        if found is None:
            return
        round_, question = found
        try:
            rounds.add_answer(
                session,
                round_,
                number=question.number,
                text=event.get("text") or "",
                person_id=event["user"],
                anonymous=False,
                keyring=services.keyring,
                now=services.clock(),
                message_ts=event["ts"],
            )
        except rounds.BreakoutError as error:
            if str(error) != "Already counted.":
                client.chat_postEphemeral(
                    channel=event["channel"],
                    user=event["user"],
                    thread_ts=event["thread_ts"],
                    text=f"Not counted: {error}",
                )


def facilitate(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    user_id = body["user"]["id"]
    round_ = the_round(services, context, action.get("value"))
    if round_ is None:
        tell(respond, "That round isn't here.")
    elif not may_run(services, client, round_, user_id):
        tell(respond, NOT_YOURS)
    elif round_.status != rounds.OPEN:
        tell(respond, "This round is already closed.")
    elif action["action_id"] == NEXT:
        move_on(services, client, round_, user_id)
    else:
        finish(services, client, round_, user_id)


def register(app: App, services: Services) -> None:
    listen(app.action(ANSWER), partial(answer_form, services))
    listen(app.action(ANONYMOUS), partial(answer_form, services))
    listen(
        app.view(ANSWER_VIEW), partial(answered, services), check=partial(check_answer, services)
    )
    listen(
        app.view(ANONYMOUS_VIEW), partial(answered, services), check=partial(check_answer, services)
    )
    listen(app.event("message"), partial(thread_reply, services))
    listen(app.action(NEXT), partial(facilitate, services))
    listen(app.action(CLOSE), partial(facilitate, services))
    listen(app.action(SAVE), partial(save, services))
    listen(app.action(TO_NETWORK), partial(to_network, services))
    listen(app.action(COMMIT), partial(to_commitment, services))
    listen(
        app.view(COMMIT_VIEW),
        partial(commitment_chosen, services),
        check=partial(check_commitment, services),
    )
