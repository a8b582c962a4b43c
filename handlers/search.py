"""`/partners ask` (and `search`), `@partnerbot QUESTION`, and the buttons on every answer."""

import json
import logging
import re
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.blockkit import context as block_context
from handlers.blockkit import truncate
from handlers.entry_access import GONE, channel_of, entry_named
from handlers.home_flow import refresh_homes
from handlers.listening import listen, workspace_of
from handlers.metrics import SEARCH_SECONDS, timed
from handlers.outbox import send_owed
from handlers.people import Viewer, is_private_channel, is_shared_channel, pressed_by, viewer
from handlers.question_flow import NOBODY, send_question
from handlers.results import (
    HELPFUL,
    LOOSE,
    MORE,
    SHARE,
    UNHELPFUL,
    WANTED,
    Shown,
    build_results,
    entry_blocks,
)
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from handlers.whole_entry import OPEN, entry_modal, whole_blocks
from knowledge.entries import may_change, vote, want_lesson
from knowledge.query import QueryError, parse_query
from knowledge.questions import mark_sent
from knowledge.search import PAGE, Results
from knowledge.shared_entries import shared_found
from storage.models import Entry
from storage.network import SharedEntry

logger = logging.getLogger(__name__)
MENTION_ANSWERS = 3
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^<>]*)?>")


OUTSIDE = (
    "You're from outside this council (or a guest here), so you see only what was saved in "
    "this channel, and the curated guidance."
)
SHARED = (
    "This channel is shared with other organisations, so I answer here only from what was "
    "saved in it and the curated guidance: `/partners ask` in one of your own channels finds "
    "the rest."
)


def answer(
    services: Services,
    client: WebClient,
    *,
    asker: Viewer,
    channel_id: str | None,
    raw: str,
    offset: int = 0,
    limit: int = PAGE,
    public: bool = False,
) -> tuple[Results, list[Shown], str | None]:
    """Run a search and load the entries to show, marking those the viewer may change; and
    why the answers come only from this channel, if they do: the asker is not a full member,
    or (`public`: an answer everyone in the channel sees) the channel is shared with other
    organisations."""
    note = None if asker.full else OUTSIDE
    if public and note is None and is_shared_channel(client, channel_id, services):
        note = SHARED
    with timed(SEARCH_SECONDS):
        results = services.search.search(
            team_id=asker.team_id,
            query=parse_query(raw),
            channel_id=channel_id,
            now=services.clock(),
            offset=offset,
            limit=limit,
            only_this_channel=note is not None,
        )
    with services.sessions() as session:
        found = [(e, hit) for hit in results.hits if (e := session.get(Entry, hit.entry_id))]
    return (
        results,
        [
            Shown(e, hit.matched, may_change(e, asker.user_id, manager=asker.manager))
            for e, hit in found
        ],
        note,
    )


def run(call: Invocation) -> None:
    """`/partners ask QUERY`: the top answers, only for the asker."""
    try:
        results, shown, note = answer(
            call.services,
            call.client,
            asker=call.viewer,
            channel_id=call.channel_id,
            raw=call.args,
        )
    except QueryError as error:
        call.reply(str(error))
        return
    theirs = shared_of(call.services, call.team_id, results)
    text, blocks = build_results(
        call.args, results, shown, viewer=call.user_id, note=note, theirs=theirs
    )
    call.reply(text, blocks)


def shared_of(services: Services, team_id: str, results: Results) -> dict[int, SharedEntry]:
    """Other councils' shared entries among the results, as the workspace may see them now."""
    if not results.shared:
        return {}
    with services.sessions() as session:
        return shared_found(session, team_id=team_id, ids=[h.shared_id for h in results.shared])


def mention_answer(
    raw: str, results: Results, shown: list[Shown], note: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The answer to a mention, in the thread everyone sees: votes only, and a pointer to the
    rest (no "ask for a lesson" button in a public thread); why only this channel's, if so."""
    text, blocks = build_results(raw, results, shown, viewer="", note=note)
    if shown:
        blocks = blocks[:1] + [
            b for item in shown for b in entry_blocks(item, viewer=None, votes_only=True)
        ]
        if not results.close:
            blocks.append(block_context(LOOSE.split(" If nobody")[0]))
        if results.total > len(shown):
            more = f"{results.total - len(shown)} more: `/partners ask {truncate(raw, 200)}`"
            blocks.append(block_context(more))
    else:
        blocks = blocks[:1]
    if note:
        blocks.append(block_context(note))
    return text, blocks


def pressed_entry(
    services: Services,
    client: WebClient,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
) -> tuple[Viewer, Entry | None]:
    """Who pressed a button on an answer, and the entry it names as they may see it (None: not
    theirs to see from here, or gone)."""
    team_id = workspace_of(context)
    asker = pressed_by(client, services, team_id, body)
    with services.sessions() as session:
        entry = entry_named(
            session,
            team_id=team_id,
            channel_id=channel_of(body),
            value=action.get("value") or "",
            outsider=not asker.full,
        )
    return asker, entry


SUBCOMMANDS = (
    Subcommand(
        "ask",
        "ask QUERY",
        "find lessons, briefing notes and guidance (also `search`)",
        "/partners ask what derails a partnership",
        run=run,
        aliases=("search",),
        open_to=ANYONE,
    ),
)


def more(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    asker = pressed_by(client, services, workspace_of(context), body)
    try:
        wanted = json.loads(action.get("value") or "")
        raw, offset = str(wanted["q"]), max(0, int(wanted["o"]))
        results, shown, note = answer(
            services, client, asker=asker, channel_id=channel_of(body), raw=raw, offset=offset
        )
    except (ValueError, KeyError, TypeError, QueryError):
        tell(respond, "I couldn't tell which results you wanted. Try `/partners ask` again.")
        return
    theirs = shared_of(services, asker.team_id, results)
    text, blocks = build_results(
        raw, results, shown, viewer=asker.user_id, note=note, theirs=theirs
    )
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


def share(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    _, entry = pressed_entry(services, client, body, action, context)
    if entry is None:
        tell(respond, GONE)
        return
    user_id = body["user"]["id"]
    blocks = whole_blocks(entry, shared_by=user_id)  # the whole entry, never a cut one
    respond(
        text=f"<@{user_id}> shared “{entry.title}”",
        blocks=blocks,
        response_type="in_channel",
        replace_original=False,
    )


def open_entry(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    asker, entry = pressed_entry(services, client, body, action, context)
    if entry is None:
        tell(respond, GONE)
        return
    changeable = may_change(entry, asker.user_id, manager=asker.manager)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=entry_modal(entry, channel_id=channel_of(body), may_change=changeable),
    )


def record_vote(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    helpful: bool,
) -> None:
    team_id = workspace_of(context)
    outsider = not pressed_by(client, services, team_id, body).full
    with services.sessions() as session:
        entry = entry_named(
            session,
            team_id=team_id,
            channel_id=channel_of(body),
            value=action.get("value") or "",
            outsider=outsider,
        )
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


def helpful(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    record_vote(services, body, action, context, respond, client, True)


def unhelpful(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    record_vote(services, body, action, context, respond, client, False)


def lesson_wanted(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    team_id, user_id, channel_id = workspace_of(context), body["user"]["id"], channel_of(body)
    question = " ".join((action.get("value") or "").split())
    if not question:
        tell(respond, "There was no question to save.")
        return
    with services.sessions() as session:
        wanted = want_lesson(
            session,
            team_id=team_id,
            question=question,
            user_id=user_id,
            channel_id=channel_id,
            now=services.clock(),
            private=is_private_channel(client, channel_id, services),
        )
    where = send_question(client, services, wanted)
    if where:
        with services.sessions() as session:
            mark_sent(session, team_id=team_id, question_id=wanted.id or 0, now=services.clock())
        text = (
            f"Sent “{question}” to {where}. When someone answers, you'll get a DM, and "
            "the answer is saved so the next person who asks finds it."
        )
    else:
        text = f"Kept “{question}”. {NOBODY}"
    respond(text=text, response_type="ephemeral", replace_original=True)
    refresh_homes(client, services, team_id, user_id)  # "questions I asked"


def mentioned(
    services: Services, event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if event.get("bot_id") or not event.get("user"):
        return  # another app mentioning us is not a person asking
    thread = event.get("thread_ts") or event["ts"]
    channel_id = event["channel"]
    raw = MENTION.sub(" ", event.get("text") or "").strip()
    # in a shared channel, Slack names the person's own organisation as `user_team`
    asker = viewer(
        client,
        services,
        workspace_of(context),
        event["user"],
        their_team=event.get("user_team"),
    )
    try:
        results, shown, note = answer(
            services,
            client,
            asker=asker,
            channel_id=channel_id,
            raw=raw,
            limit=MENTION_ANSWERS,
            public=True,  # everyone in the channel sees the answer
        )
    except QueryError as error:
        text, blocks = str(error), None
    else:
        text, blocks = mention_answer(raw, results, shown, note)
    # sent now, or by the outbox once Slack lets us (a 429 at 09:30 loses no answer)
    send_owed(
        services,
        client,
        team_id=asker.team_id,
        channel=channel_id,
        thread_ts=thread,
        text=text,
        blocks=blocks,
        about="an answer to a question put to @partnerbot",
        author_id=asker.user_id,
    )


def register(app: App, services: Services) -> None:
    listen(app.action(MORE), partial(more, services))
    listen(app.action(SHARE), partial(share, services))
    listen(app.action(OPEN), partial(open_entry, services))
    listen(app.action(HELPFUL), partial(helpful, services))
    listen(app.action(UNHELPFUL), partial(unhelpful, services))
    listen(app.action(WANTED), partial(lesson_wanted, services))
    listen(app.event("app_mention"), partial(mentioned, services))
