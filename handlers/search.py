"""`/partners ask` (and `search`), `@partnerbot QUESTION`, and the buttons on every answer."""

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from handlers.access import is_manager, is_private_channel
from handlers.blockkit import context as block_context
from handlers.blockkit import truncate
from handlers.results import (
    HELPFUL,
    MORE,
    SHARE,
    UNHELPFUL,
    WANTED,
    Shown,
    build_results,
    entry_blocks,
)
from handlers.services import Services
from knowledge.entries import find_visible, may_change, vote, want_lesson
from knowledge.query import QueryError, parse_query
from knowledge.search import PAGE, Results
from storage.models import Entry

if TYPE_CHECKING:
    from handlers.commands import Invocation

logger = logging.getLogger(__name__)
MENTION_ANSWERS = 3
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
GONE = "That entry isn't available here any more (it may have been deleted). Try `/partners ask` again."


def answer(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    raw: str,
    offset: int = 0,
    limit: int = PAGE,
) -> tuple[Results, list[Shown]]:
    """Run a search and load the entries to show, marking those the viewer may change."""
    results = services.search.search(
        team_id=team_id,
        query=parse_query(raw),
        channel_id=channel_id,
        now=services.clock(),
        offset=offset,
        limit=limit,
    )
    with services.sessions() as session:
        found = [(e, hit) for hit in results.hits if (e := session.get(Entry, hit.entry_id))]
    # ask Slack whether the viewer is an admin only when it could matter
    manager = any(e.kind != "library" and e.author_id != user_id for e, _ in found) and (
        is_manager(client, services, user_id)
    )
    return results, [
        Shown(e, hit.matched, may_change(e, user_id, manager=manager)) for e, hit in found
    ]


def run(call: "Invocation") -> None:
    """`/partners ask QUERY`: the top answers, only for the asker."""
    try:
        results, shown = answer(
            call.services,
            call.client,
            team_id=call.team_id,
            user_id=call.user_id,
            channel_id=call.channel_id,
            raw=call.args,
        )
    except QueryError as error:
        call.reply(str(error))
        return
    text, blocks = build_results(call.args, results, shown, viewer=call.user_id)
    call.reply(text, blocks)


def _ids(body: dict[str, Any]) -> tuple[str, str, str | None]:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return body["team"]["id"], body["user"]["id"], channel


def entry_named(session: Session, body: dict[str, Any], value: str) -> Entry | None:
    """The entry a button names, if it is this workspace's and may be seen from here: a
    payload naming another workspace's entry, or a private one elsewhere, finds nothing."""
    team_id, _, channel_id = _ids(body)
    try:
        entry_id = int(value.rpartition(":")[2])
    except ValueError:
        return None
    return find_visible(session, team_id=team_id, entry_id=entry_id, channel_id=channel_id)


def tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def register(app: App, services: Services) -> None:
    @app.action(MORE)
    def more(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        team_id, user_id, channel_id = _ids(body)
        try:
            wanted = json.loads(action.get("value") or "")
            raw, offset = str(wanted["q"]), max(0, int(wanted["o"]))
            results, shown = answer(
                services,
                client,
                team_id=team_id,
                user_id=user_id,
                channel_id=channel_id,
                raw=raw,
                offset=offset,
            )
        except (ValueError, KeyError, TypeError, QueryError):
            tell(respond, "I couldn't tell which results you wanted. Try `/partners ask` again.")
            return
        text, blocks = build_results(raw, results, shown, viewer=user_id)
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)

    @app.action(SHARE)
    def share(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        with services.sessions() as session:
            entry = entry_named(session, body, action.get("value") or "")
        if entry is None:
            tell(respond, GONE)
            return
        _, user_id, _ = _ids(body)
        blocks = entry_blocks(Shown(entry, frozenset()), viewer=None, buttons=False)
        blocks[-1]["elements"][0]["text"] += f" · shared by <@{user_id}>"
        respond(
            text=f"<@{user_id}> shared “{entry.title}”",
            blocks=blocks,
            response_type="in_channel",
            replace_original=False,
        )

    def record_vote(
        body: dict[str, Any], action: dict[str, Any], respond: Respond, helpful: bool
    ) -> None:
        with services.sessions() as session:
            entry = entry_named(session, body, action.get("value") or "")
            if entry is not None:
                vote(
                    session,
                    entry=entry,
                    user_id=body["user"]["id"],
                    helpful=helpful,
                    now=services.clock(),
                )
        if entry is None:
            tell(respond, GONE)
            return
        verb = "helpful" if helpful else "not helpful"
        tell(respond, f"Thanks: you marked “{entry.title}” as {verb}. The author will see it.")

    @app.action(HELPFUL)
    def helpful(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        record_vote(body, action, respond, True)

    @app.action(UNHELPFUL)
    def unhelpful(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        record_vote(body, action, respond, False)

    @app.action(WANTED)
    def lesson_wanted(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        team_id, user_id, channel_id = _ids(body)
        question = " ".join((action.get("value") or "").split())
        if not question:
            tell(respond, "There was no question to save.")
            return
        with services.sessions() as session:
            want_lesson(
                session,
                team_id=team_id,
                question=question,
                user_id=user_id,
                channel_id=channel_id,
                now=services.clock(),
                private=is_private_channel(client, channel_id),
            )
        respond(
            text=f"Saved “{question}” as a lesson wanted. When someone writes it up with "
            "`/partners lesson`, it will be found here.",
            response_type="ephemeral",
            replace_original=True,
        )

    @app.event("app_mention")
    def mentioned(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        thread = event.get("thread_ts") or event["ts"]
        team_id, channel_id = context["team_id"], event["channel"]
        raw = MENTION.sub(" ", event.get("text") or "").strip()
        try:
            results, shown = answer(
                services,
                client,
                team_id=team_id,
                user_id=event["user"],
                channel_id=channel_id,
                raw=raw,
                limit=MENTION_ANSWERS,
            )
        except QueryError as error:
            client.chat_postMessage(channel=channel_id, thread_ts=thread, text=str(error))
            return
        text, blocks = build_results(raw, results, shown, viewer="")
        if shown:  # in a thread everyone sees: votes only, and a pointer to the rest
            blocks = blocks[:1] + [
                b for item in shown for b in entry_blocks(item, viewer=None, votes_only=True)
            ]
            if results.total > len(shown):
                more = f"{results.total - len(shown)} more: `/partners ask {truncate(raw, 200)}`"
                blocks.append(block_context(more))
        else:
            blocks = blocks[:1]  # no "ask for a lesson" button in a public thread
        client.chat_postMessage(channel=channel_id, thread_ts=thread, text=text, blocks=blocks)
