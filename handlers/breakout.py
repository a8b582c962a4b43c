"""`/partners breakout`: a round of questions in a channel, answered in the card's thread or by
form (named or anonymous), moved on and closed by its facilitator or by the clock."""

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.access import is_manager, is_private_channel
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
    build_card,
    build_commit_form,
    build_decks,
    build_revealed,
    build_summary,
    summary_text,
)
from handlers.commitments import person, record
from handlers.search import tell
from handlers.services import Services
from knowledge import breakout as rounds
from knowledge.commitments import CommitmentError
from knowledge.dates import DueDateError, parse_due
from knowledge.decks import load_decks
from knowledge.entries import BRIEF, Draft, EntryError, save_entry
from knowledge.workdays import local_today
from storage.models import BreakoutRound

if TYPE_CHECKING:
    from handlers.commands import Invocation

logger = logging.getLogger(__name__)
NOT_YOURS = "Only the facilitator who started this round, a workspace admin or a facilitator can."


def run(call: "Invocation") -> None:
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
            )
    except rounds.BreakoutError as error:
        call.reply(str(error))
        return
    post_card(call.services, call.client, round_, question.number)
    call.reply(f"Started “{round_.title}”. Next question and Close are yours to press.")


def post_card(services: Services, client: WebClient, round_: BreakoutRound, number: int) -> None:
    with services.sessions() as session:
        question = rounds.question(session, round_, number)
        text, blocks = build_card(
            round_, question, len(rounds.questions_of(round_)), services.timezone
        )
        posted = client.chat_postMessage(channel=round_.channel_id, text=text, blocks=blocks)
        question.card_ts = posted["ts"]
        session.add(question)
        session.commit()


def in_thread(
    services: Services,
    client: WebClient,
    round_: BreakoutRound,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Post in the current question's thread."""
    with services.sessions() as session:
        card = rounds.question(session, round_).card_ts
    client.chat_postMessage(channel=round_.channel_id, thread_ts=card, text=text, blocks=blocks)


def close_current(services: Services, client: WebClient, round_: BreakoutRound) -> None:
    """Close the question being answered and reveal its anonymous answers (if it may)."""
    with services.sessions() as session:
        closed = rounds.close_question(session, session.merge(round_), services.clock())
    if closed is not None:
        message = build_revealed(closed.revealed, closed.held_back)
        if message:
            in_thread(
                services,
                client,
                round_,
                message,
                [{"type": "section", "text": {"type": "mrkdwn", "text": message[:3000]}}],
            )


def finish(services: Services, client: WebClient, round_: BreakoutRound, actor_id: str) -> None:
    """Close the round and post the themes that emerged."""
    close_current(services, client, round_)
    with services.sessions() as session:
        round_ = session.merge(round_)
        rounds.close_round(session, round_, actor_id=actor_id, now=services.clock())
        parts = rounds.summary(session, round_)
    text, blocks = build_summary(round_, parts)
    in_thread(services, client, round_, text, blocks)


def move_on(services: Services, client: WebClient, round_: BreakoutRound, actor_id: str) -> None:
    """Next question, or the summary after the last."""
    close_current(services, client, round_)
    with services.sessions() as session:
        round_ = session.merge(round_)
        asked = rounds.next_question(session, round_, services.clock())
    if asked is None:
        finish(services, client, round_, actor_id)
    else:
        post_card(services, client, round_, asked.number)


def register(app: App, services: Services) -> None:
    def the_round(body: dict[str, Any], value: str | None) -> BreakoutRound | None:
        try:
            round_id = int((value or "").split(":")[0])
        except ValueError:
            return None
        with services.sessions() as session:
            found = session.get(BreakoutRound, round_id)
        return found if found is not None and found.team_id == body["team"]["id"] else None

    def may_run(client: WebClient, round_: BreakoutRound, user_id: str) -> bool:
        return round_.facilitator_id == user_id or is_manager(client, services, user_id)

    @app.action(ANSWER)
    @app.action(ANONYMOUS)
    def answer_form(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        round_ = the_round(body, action.get("value"))
        if round_ is None or round_.status != rounds.OPEN:
            tell(respond, "That round has closed." if round_ else "That round isn't here.")
            return
        with services.sessions() as session:
            question = rounds.question(session, round_)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=build_answer_form(round_, question, anonymous=action["action_id"] == ANONYMOUS),
        )

    @app.view(ANSWER_VIEW)
    @app.view(ANONYMOUS_VIEW)
    def answered(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        anonymous = view["callback_id"] == ANONYMOUS_VIEW
        text = view["state"]["values"]["answer"]["answer"].get("value") or ""
        round_id, _, number = (view.get("private_metadata") or "0:0").partition(":")
        round_ = the_round(body, round_id)
        user_id = body["user"]["id"]
        try:
            if round_ is None:
                raise rounds.BreakoutError("That round isn't here any more.")
            with services.sessions() as session:
                rounds.add_answer(
                    session,
                    session.merge(round_),
                    number=int(number or 0),
                    text=text,
                    author_id=None if anonymous else user_id,
                    now=services.clock(),
                )
        except rounds.BreakoutError as error:
            ack(response_action="errors", errors={"answer": str(error)})
            return
        ack()
        assert round_ is not None
        if not anonymous:
            in_thread(services, client, round_, f"💬 <@{user_id}>: {text.strip()}")

    @app.event("message")
    def thread_reply(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        if event.get("subtype") or not event.get("thread_ts") or event.get("bot_id"):
            return
        with services.sessions() as session:
            found = rounds.round_by_card(
                session,
                team_id=context["team_id"],
                channel_id=event["channel"],
                card_ts=event["thread_ts"],
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
                    author_id=event["user"],
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

    @app.action(NEXT)
    @app.action(CLOSE)
    def facilitate(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        round_ = the_round(body, action.get("value"))
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

    @app.action(SAVE)
    def save(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        round_ = the_round(body, action.get("value"))
        if round_ is None:
            tell(respond, "That round isn't here.")
            return
        if not may_run(client, round_, user_id):
            tell(respond, NOT_YOURS)
            return
        if round_.note_id is not None:
            tell(respond, "This summary is already saved as a briefing note.")
            return
        with services.sessions() as session:
            round_ = session.merge(round_)
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
                        private=is_private_channel(client, round_.channel_id),
                    ),
                )
            except EntryError as error:
                tell(respond, f"Couldn't save it: {error}")
                return
            round_.note_id = entry.id
            session.add(round_)
            session.commit()
        in_thread(
            services,
            client,
            round_,
            f"📄 Saved as a briefing note by <@{user_id}>: "
            f"`/partners ask {round_.title[:60]}` finds it.",
        )

    @app.action(COMMIT)
    def to_commitment(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        round_ = the_round(body, action.get("value"))
        if round_ is None or not may_run(client, round_, body["user"]["id"]):
            tell(respond, NOT_YOURS if round_ else "That round isn't here.")
            return
        with services.sessions() as session:
            texts = _answer_texts(rounds.summary(session, round_))
        if not texts:
            tell(respond, "There are no answers to turn into commitments.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=build_commit_form(round_, texts))

    @app.view(COMMIT_VIEW)
    def commitment_chosen(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        values = view["state"]["values"]
        round_ = the_round(body, view.get("private_metadata"))
        if round_ is None:
            ack(response_action="errors", errors={"answer": "That round isn't here any more."})
            return
        with services.sessions() as session:
            texts = _answer_texts(rounds.summary(session, round_))
        picked = (values["answer"]["answer"].get("selected_option") or {}).get("value") or "0"
        action = values["action"]["action"].get("value") or texts[min(int(picked), len(texts) - 1)]
        try:
            tz, _ = person(client, services, body["user"]["id"])
            due = parse_due(
                values["due"]["due"].get("selected_date") or "", local_today(services.clock(), tz)
            )
            record(
                services,
                client,
                team_id=round_.team_id,
                user_id=body["user"]["id"],
                channel_id=round_.channel_id,
                owner_ids=values["owners"]["owners"].get("selected_users") or [],
                action=action[:500],
                due=due,
                partnership=None,
            )
        except DueDateError as error:
            ack(response_action="errors", errors={"due": str(error)})
            return
        except CommitmentError as error:
            ack(
                response_action="errors",
                errors={"owners" if error.field == "owners" else "action": str(error)},
            )
            return
        ack()


def _answer_texts(parts: list[Any]) -> list[str]:
    texts: list[str] = []
    for _, themes, _ in parts:
        for theme in themes.themes:
            texts.extend(theme.answers)
        texts.extend(themes.unthemed)
    return texts
