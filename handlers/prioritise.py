"""`/partners prioritise @USER…`: a scoring round in the channel. Invited people score each
project privately in one form; the round's message shows who has scored, never what; its
facilitator closes it, and the channel gets the medians, the spreads, the four ranges and the
grid picture (with alt text). Scores can be revised and the round closed again."""

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from handlers.blockkit import escape
from handlers.forms import done_view, working_view
from handlers.listening import listen, refuse, refuse_field, workspace_of
from handlers.outbox import send_owed
from handlers.project_blocks import (
    CLOSE_ROUND,
    SCORE,
    SCORE_VIEW,
    build_result,
    build_round_message,
    build_score_form,
)
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import Invocation, Subcommand
from knowledge.charts import placed_grid
from knowledge.partnerships import channel_partnership, resolve_partnership
from knowledge.projects import list_projects
from knowledge.scoring import (
    check_values,
    close_round,
    invited,
    latest_round,
    left_to_score,
    project_ids,
    record_scores,
    results,
    start_round,
    who_scored,
)
from knowledge.scoring_rules import ScoringError, rules_for
from storage.models import Project, Score, ScoringRound
from storage.outbox import UPLOAD
from storage.rows import team_row

logger = logging.getLogger(__name__)
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
USAGE = "Try `/partners prioritise @sam @priya @jo` in the partnership's channel."


IN_PARTNERSHIP = re.compile(r"\s+in\s+(?P<name>[^<>]+?)\s*$", re.IGNORECASE)
NO_ROUND = "There is no scoring round in this channel yet. " + USAGE


def run(call: Invocation) -> None:
    """`prioritise @USER… [in PARTNERSHIP]` starts a round; `prioritise status` shows this
    channel's round again (with its buttons); `prioritise close` closes it."""
    verb = call.args.strip().casefold()
    if verb in ("status", "close"):
        with call.services.sessions() as session:
            scoring = latest_round(session, team_id=call.team_id, channel_id=call.channel_id)
        if scoring is None:
            call.reply(NO_ROUND)
        elif verb == "status":
            with call.services.sessions() as session:
                scored = who_scored(session, scoring)
            call.reply(
                *build_round_message(scoring, round_projects(call.services, scoring), scored)
            )
        else:
            problem = close_and_post(call.services, call.client, scoring, call.user_id)
            call.reply(problem or "Closed: the result is in the round's thread.")
        return
    start(call)


def start(call: Invocation) -> None:
    """Start a round for a partnership's open projects: the channel's, or the one named."""
    people = MENTION.findall(call.args)
    named = IN_PARTNERSHIP.search(MENTION.sub(" ", call.args))
    try:
        with call.services.sessions() as session:
            if named:
                partnership, guess = resolve_partnership(
                    session, team_id=call.team_id, name=named["name"]
                )
                if partnership is None:
                    hint = f" Did you mean *{escape(guess)}*?" if guess else ""
                    call.reply(
                        f"There is no partnership called “{escape(named['name'][:80])}”.{hint}"
                    )
                    return
            else:
                partnership = channel_partnership(
                    session, team_id=call.team_id, channel_id=call.channel_id
                )
            if partnership is None:
                call.reply(
                    "Which partnership's projects? Name it, or run this in its channel: "
                    "`/partners prioritise @sam @priya @jo in Retrofit Partnership`."
                )
                return
            projects = list_projects(session, team_id=call.team_id, partnership_id=partnership.id)
            scoring = start_round(
                session,
                team_id=call.team_id,
                channel_id=call.channel_id,
                facilitator_id=call.user_id,
                projects=projects,
                invited=people,
                now=call.services.clock(),
            )
    except ScoringError as error:
        call.reply(f"{error} {USAGE}")
        return
    text, blocks = build_round_message(scoring, projects, {})
    # sent now or by the outbox, which keeps its ts: the round's message shows who has scored
    send_owed(
        call.services,
        call.client,
        team_id=call.team_id,
        channel=call.channel_id,
        text=text,
        blocks=blocks,
        record=f"scoring_round:{scoring.id}",
        about="the scoring round's message",
        author_id=call.user_id,
    )


def refresh_message(services: Services, client: WebClient, scoring: ScoringRound) -> None:
    """The round's message, showing who has scored now."""
    if not scoring.message_ts:
        return
    with services.sessions() as session:
        scored = who_scored(session, scoring)
    text, blocks = build_round_message(scoring, round_projects(services, scoring), scored)
    try:
        client.chat_update(
            channel=scoring.channel_id, ts=scoring.message_ts, text=text, blocks=blocks
        )
    except SlackApiError as error:  # the message was deleted: the round goes on
        logger.info("round message not updated: %s", error.response.get("error"))


def close_and_post(
    services: Services, client: WebClient, scoring: ScoringRound, user_id: str
) -> str | None:
    """Close the round and post its result and grid in its thread; what was wrong, if it
    could not be closed (not its facilitator; closed already with nothing changed)."""
    try:
        with services.sessions() as session:
            fresh = session.get(ScoringRound, scoring.id)
            assert fresh is not None
            again = close_round(session, fresh, actor_id=user_id, now=services.clock())
            result = results(session, fresh, rules_for(session, fresh.team_id))
    except ScoringError as error:
        return str(error)
    refresh_message(services, client, fresh)
    text, blocks = build_result(result, updated=again)
    owed: dict[str, Any] = {
        "team_id": fresh.team_id,
        "channel": fresh.channel_id,
        "thread_of": f"scoring_round:{fresh.id}",
        "author_id": user_id,
    }
    send_owed(services, client, text=text, blocks=blocks, about="a scoring round's result", **owed)
    png, alt = placed_grid(result.placed, result.rules)
    if png is None:
        send_owed(
            services,
            client,
            text="Nobody has scored a project yet, so there is no grid to draw.",
            about="a scoring round's result",
            **owed,
        )
        return None
    send_owed(
        services,
        client,
        kind=UPLOAD,
        text="",
        content=png,
        upload={
            "filename": "prioritisation-grid.png",
            "title": "Prioritisation grid",
            "alt_txt": alt,
        },
        about="a scoring round's grid",
        **owed,
    )
    return None


def score_form(
    services: Services, scoring: ScoringRound, user_id: str, project_id: int | None = None
) -> dict[str, Any] | None:
    """The form for one project: `project_id`, else the first this person has left (or the
    first of all, to revise); None when the round has no projects left to show."""
    projects = round_projects(services, scoring)
    if not projects:
        return None
    with services.sessions() as session:
        left = left_to_score(session, scoring, user_id)
        mine = {
            (s.project_id, s.criterion): s.value
            for s in session.exec(
                select(Score).where(Score.round_id == scoring.id).where(Score.user_id == user_id)
            )
        }
    ids = [p.id for p in projects]
    chosen = project_id if project_id in ids else next((i for i in left if i in ids), ids[0])
    return build_score_form(scoring, projects, mine, project_id=chosen or 0, left=left)


def round_projects(services: Services, scoring: ScoringRound) -> list[Project]:
    with services.sessions() as session:
        found = {
            p.id: p
            for p in session.exec(select(Project).where(col(Project.id).in_(project_ids(scoring))))
        }
    return [found[i] for i in project_ids(scoring) if i in found]


def read_scores(view: dict[str, Any]) -> dict[int, dict[str, object]]:
    """{project id: {criterion: value}} from the scoring form's state."""
    given: dict[int, dict[str, object]] = {}
    for block_id, fields in view["state"]["values"].items():
        project, _, criterion = block_id.partition(":")
        chosen = (fields.get("value") or {}).get("selected_option") or {}
        given.setdefault(int(project), {})[criterion] = chosen.get("value")
    return given


SUBCOMMANDS = (
    Subcommand(
        "prioritise",
        "prioritise @USER… [in PARTNERSHIP] | prioritise status | prioritise close",
        "a scoring round for a partnership's projects: private scores, one project at a time, "
        "medians, four ranges, the grid",
        "/partners prioritise @sam @priya @jo in Retrofit Partnership",
        run,
        aliases=("prioritize",),
    ),
)


def register(app: App, services: Services) -> None:
    def named(context: BoltContext, value: Any) -> ScoringRound | None:
        with services.sessions() as session:
            return team_row(session, ScoringRound, team_id=workspace_of(context), row_id=value)

    def score_pressed(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        scoring, user_id = named(context, action.get("value")), body["user"]["id"]
        if scoring is None:
            tell(respond, "That scoring round isn't in this workspace any more.")
            return
        if user_id not in invited(scoring):
            tell(
                respond,
                f"You weren't invited to score in this round; ask <@{scoring.facilitator_id}>.",
            )
            return
        form = score_form(services, scoring, user_id)
        if form is None:
            tell(respond, "This round has no projects left to score.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=form)

    def check_scores(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        try:
            given = read_scores(view)
        except (ValueError, KeyError, TypeError):
            refuse_field(ack, context, next(iter(view["state"]["values"]), "value"))
            return
        errors = {}
        for project_id, values in given.items():
            try:
                check_values(values)
            except ScoringError as error:
                errors[f"{project_id}:{error.field}"] = str(error)
        if errors:
            refuse(ack, context, response_action="errors", errors=errors)
            return
        ack(response_action="update", view=working_view("Score the projects", "Saving…"))

    def scores_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        round_id, _, project = str(view.get("private_metadata") or "").partition(":")
        scoring = named(context, round_id)
        if scoring is None:
            client.views_update(
                view_id=view["id"], view=done_view("Not saved", "That round is gone.")
            )
            return
        try:
            with services.sessions() as session:
                fresh = session.get(ScoringRound, scoring.id)
                assert fresh is not None
                record_scores(
                    session,
                    fresh,
                    user_id=user_id,
                    scores=dict(read_scores(view)),
                    now=services.clock(),
                )
                left = left_to_score(session, fresh, user_id)
        except ScoringError as error:
            client.views_update(view_id=view["id"], view=done_view("Not saved", str(error)))
            return
        following = [p for p in left if str(p) != project]
        form = score_form(services, scoring, user_id, following[0]) if following else None
        client.views_update(
            view_id=view["id"],
            view=form
            or done_view(
                "Scores saved",
                "✅ Saved: you have scored every project. Only medians and spreads will be shown.",
                "Press *Score the projects* again to revise them.",
            ),
        )
        refresh_message(services, client, scoring)

    def close_pressed(
        body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
        respond: Respond,
    ) -> None:  # fmt: skip
        scoring = named(context, action.get("value"))
        if scoring is None:
            tell(respond, "That scoring round isn't in this workspace any more.")
            return
        problem = close_and_post(services, client, scoring, body["user"]["id"])
        if problem:
            tell(respond, problem)

    listen(app.action(SCORE), score_pressed)
    listen(app.action(CLOSE_ROUND), close_pressed)
    listen(app.view(SCORE_VIEW), scores_submitted, check=check_scores)
