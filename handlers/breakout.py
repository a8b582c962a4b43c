"""`/partners breakout`: a round of questions in a channel, answered in the card's thread or by
form (named or anonymous), moved on and closed by its facilitator or by the clock."""

import copy
import logging
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
    build_answer_form,
    build_commit_form,
    build_decks,
    summary_text,
)
from handlers.breakout_flow import finish, in_thread, move_on, post_card
from handlers.commitment_flow import read_commit_form, record_form
from handlers.forms import once_key, working_view
from handlers.listening import listen, refuse, workspace_of
from handlers.outbox import dm_owed
from handlers.people import is_manager, is_private_channel, rules_of
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from knowledge import breakout as rounds
from knowledge import breakout_replies
from knowledge.decks import load_decks
from knowledge.entries import BRIEF, Draft, EntryError, save_entry
from storage.claims import Repeat
from storage.models import BreakoutRound
from storage.rows import team_row

logger = logging.getLogger(__name__)
NOT_YOURS = "Only the facilitator who started this round, a workspace admin or a facilitator can."
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


def _answer_texts(parts: list[Any]) -> list[str]:
    texts: list[str] = []
    for _, themes, _ in parts:
        for theme in themes.themes:
            texts.extend(theme.answers)
        texts.extend(themes.unthemed)
    return texts


def register(app: App, services: Services) -> None:
    def the_round(context: BoltContext, value: Any) -> BreakoutRound | None:
        """The round a button or form names, if it is this workspace's."""
        with services.sessions() as session:
            return team_row(
                session,
                BreakoutRound,
                team_id=workspace_of(context),
                row_id=str(value or "").split(":")[0],
            )

    def may_run(client: WebClient, round_: BreakoutRound, user_id: str) -> bool:
        return round_.facilitator_id == user_id or is_manager(
            client, services, round_.team_id, user_id
        )

    def answer_form(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        round_ = the_round(context, action.get("value"))
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

    def check_answer(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        text, number = answer_of(view)
        round_ = the_round(context, view.get("private_metadata"))
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
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        anonymous = view["callback_id"] == ANONYMOUS_VIEW
        text, number = answer_of(view)
        round_ = the_round(context, view.get("private_metadata"))
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

    def thread_reply(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
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
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        user_id = body["user"]["id"]
        round_ = the_round(context, action.get("value"))
        if round_ is None:
            tell(respond, "That round isn't here.")
        elif not may_run(client, round_, user_id):
            tell(respond, NOT_YOURS)
        elif round_.status != rounds.OPEN:
            tell(respond, "This round is already closed.")
        elif action["action_id"] == NEXT:
            move_on(services, client, round_, user_id)
        else:
            finish(services, client, round_, user_id)

    def save(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        user_id = body["user"]["id"]
        round_ = the_round(context, action.get("value"))
        if round_ is None:
            tell(respond, "That round isn't here.")
            return
        if not may_run(client, round_, user_id):
            tell(respond, NOT_YOURS)
            return
        if round_.note_id is not None:
            tell(respond, "This summary is already saved as a briefing note.")
            return
        private = is_private_channel(client, round_.channel_id, services)
        with services.sessions() as session:
            parts = rounds.summary(session, round_)
            tags = ("breakout", *((round_.deck,) if round_.deck else ()))
            try:
                entry = save_entry(
                    session,
                    team_id=round_.team_id,
                    author_id=user_id,
                    channel_id=round_.channel_id,
                    now=services.clock(),
                    draft=Draft(
                        kind=BRIEF,
                        title=f"Breakout themes: {round_.title}"[:150],
                        body=summary_text(round_, parts, services.clock()),
                        tags=tags,
                        note_date=services.clock().date(),
                        private=private,
                    ),
                )
            except EntryError as error:
                tell(respond, f"Couldn't save it: {error}")
                return
            rounds.save_note(session, round_, entry.id or 0)
        in_thread(
            services,
            client,
            round_,
            f"📄 Saved as a briefing note by <@{user_id}>: "
            f"`/partners ask {round_.title[:60]}` finds it.",
        )

    def to_commitment(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        round_ = the_round(context, action.get("value"))
        if round_ is None or not may_run(client, round_, body["user"]["id"]):
            tell(respond, NOT_YOURS if round_ else "That round isn't here.")
            return
        with services.sessions() as session:
            texts = _answer_texts(rounds.summary(session, round_))
        if not texts:
            tell(respond, "There are no answers to turn into commitments.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=build_commit_form(round_, texts))

    def chosen_values(view: dict[str, Any], round_: BreakoutRound) -> dict[str, Any]:
        """The form's values, with the chosen answer as the action when none was typed."""
        values = copy.deepcopy(view["state"]["values"])
        if not (values.get("action") or {}).get("action", {}).get("value"):
            with services.sessions() as session:
                texts = _answer_texts(rounds.summary(session, round_))
            picked = (values["answer"]["answer"].get("selected_option") or {}).get("value") or "0"
            index = int(picked) if picked.isdigit() else 0
            text = texts[min(index, len(texts) - 1)] if texts else ""
            values["action"] = {"action": {"value": text[:500]}}
        return values

    def check_commitment(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        round_ = the_round(context, view.get("private_metadata"))
        if round_ is None:
            refuse(
                ack,
                context,
                response_action="errors",
                errors={"answer": "That round isn't here any more."},
            )
            return
        form, errors = read_commit_form(chosen_values(view, round_), services.clock())
        if form is None:
            refuse(ack, context, response_action="errors", errors=errors)
            return
        ack(response_action="update", view=working_view("Turn into commitment", "Recording it…"))

    def commitment_chosen(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        round_ = the_round(context, view.get("private_metadata"))
        assert round_ is not None  # the check refused anything else
        form, _ = read_commit_form(chosen_values(view, round_), services.clock())
        assert form is not None
        record_form(
            services,
            client,
            view,
            form,
            title="Turn into commitment",
            team_id=round_.team_id,
            user_id=body["user"]["id"],
            channel_id=round_.channel_id,
            partnership=None,
        )

    listen(app.action(ANSWER), answer_form)
    listen(app.action(ANONYMOUS), answer_form)
    listen(app.view(ANSWER_VIEW), answered, check=check_answer)
    listen(app.view(ANONYMOUS_VIEW), answered, check=check_answer)
    listen(app.event("message"), thread_reply)
    listen(app.action(NEXT), facilitate)
    listen(app.action(CLOSE), facilitate)
    listen(app.action(SAVE), save)
    listen(app.action(COMMIT), to_commitment)
    listen(app.view(COMMIT_VIEW), commitment_chosen, check=check_commitment)
