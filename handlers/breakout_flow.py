"""A breakout round in its channel: posting question cards, saying things in the current
question's thread, closing a question and the round. Used by the breakout buttons and by the
scheduler's timers."""

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from handlers.blockkit import MESSAGE_BLOCKS, packed_sections
from handlers.breakout_blocks import (
    build_card,
    build_revealed,
    build_summary,
)
from handlers.listening import workspace_of
from handlers.outbox import send_owed
from handlers.people import is_manager
from handlers.services import Services
from knowledge import breakout as rounds
from storage.models import BreakoutRound
from storage.rows import team_row

NOT_YOURS = "Only the facilitator who started this round, a workspace admin or a facilitator can."


def fresh_round(services: Services, round_: BreakoutRound) -> BreakoutRound:
    """The round as the database has it now (another process may have moved it on)."""
    with services.sessions() as session:
        found = team_row(session, BreakoutRound, team_id=round_.team_id, row_id=round_.id)
    assert found is not None, "rounds are never deleted"
    return found


def post_card(services: Services, client: WebClient, round_: BreakoutRound, number: int) -> None:
    """Post a question's card in the channel; replies in its thread are answers."""
    with services.sessions() as session:
        question = rounds.question(session, round_, number)
        text, blocks = build_card(
            round_, question, len(rounds.questions_of(round_)), services.timezone
        )
    # sent now or by the outbox, which then keeps its ts: replies in its thread are answers
    send_owed(
        services,
        client,
        team_id=round_.team_id,
        channel=round_.channel_id,
        text=text,
        blocks=blocks,
        record=f"breakout_question:{question.id}",
        about=f"question {number + 1} of “{round_.title[:80]}”",
        author_id=round_.facilitator_id,
    )


def in_thread(
    services: Services,
    client: WebClient,
    round_: BreakoutRound,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Post in the current question's thread (once its card is posted)."""
    with services.sessions() as session:
        current = rounds.question(session, round_)
    send_owed(
        services,
        client,
        team_id=round_.team_id,
        channel=round_.channel_id,
        text=text,
        blocks=blocks,
        thread_of=f"breakout_question:{current.id}",
        about=f"a post in the thread of “{round_.title[:80]}”",
        author_id=round_.facilitator_id,
    )


def close_current(services: Services, client: WebClient, round_: BreakoutRound) -> None:
    """Close the question being answered and reveal its anonymous answers (if it may)."""
    with services.sessions() as session:
        closed = rounds.close_question(session, round_, services.clock(), services.keyring)
    if closed is not None:
        message = build_revealed(closed.revealed, closed.held_back, round_.minimum)
        if message:
            # every revealed answer is shown: one line each, packed into as many sections as needed
            blocks = packed_sections(message.split("\n"), max_blocks=MESSAGE_BLOCKS)
            in_thread(services, client, round_, message, blocks)


def finish(services: Services, client: WebClient, round_: BreakoutRound, actor_id: str) -> None:
    """Close the round and post the themes that emerged."""
    close_current(services, client, round_)
    with services.sessions() as session:
        round_ = (
            team_row(session, BreakoutRound, team_id=round_.team_id, row_id=round_.id) or round_
        )
        rounds.close_round(session, round_, actor_id=actor_id, now=services.clock())
        parts = rounds.summary(session, round_)
    text, blocks = build_summary(round_, parts)
    in_thread(services, client, round_, text, blocks)


def move_on(services: Services, client: WebClient, round_: BreakoutRound, actor_id: str) -> None:
    """Next question, or the summary after the last."""
    close_current(services, client, round_)
    with services.sessions() as session:
        round_ = (
            team_row(session, BreakoutRound, team_id=round_.team_id, row_id=round_.id) or round_
        )
        asked = rounds.next_question(session, round_, services.clock())
    if asked is None:
        finish(services, client, round_, actor_id)
    else:
        post_card(services, client, round_, asked.number)


def the_round(services: Services, context: BoltContext, value: Any) -> BreakoutRound | None:
    """The round a button or form names, if it is this workspace's."""
    with services.sessions() as session:
        return team_row(
            session,
            BreakoutRound,
            team_id=workspace_of(context),
            row_id=str(value or "").split(":")[0],
        )


def may_run(services: Services, client: WebClient, round_: BreakoutRound, user_id: str) -> bool:
    return round_.facilitator_id == user_id or is_manager(client, services, round_.team_id, user_id)
