"""What a closed breakout round's themes become, from the buttons under them: a briefing note
(Save as briefing note), a lesson for other councils too (Save to the network: the note, shared
with one of the workspace's networks), or commitments (Turn into commitments, then the form)."""

import copy
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.breakout_blocks import (
    build_commit_form,
    summary_text,
)
from handlers.breakout_flow import NOT_YOURS, in_thread, may_run, the_round
from handlers.commitment_flow import read_commit_form, record_form
from handlers.entry_menu import start_share
from handlers.forms import working_view
from handlers.listening import refuse
from handlers.people import is_private_channel
from handlers.sending import tell
from handlers.services import Services
from knowledge import breakout as rounds
from knowledge.entries import BRIEF, Draft, EntryError, save_entry
from storage.models import BreakoutRound


def save(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """Save as briefing note: the round's themes, as a note its channel can find."""
    round_ = _round_to_save(services, body, action, context, client, respond)
    if round_ is None:
        return
    if round_.note_id is not None:
        tell(respond, "This summary is already saved as a briefing note.")
        return
    _saved_note(services, client, round_, body["user"]["id"], respond)


def to_network(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """Save to the network: the themes saved as a briefing note (if they are not yet), then
    the form to share it with one of the workspace's networks, by the facilitator's choice."""
    round_ = _round_to_save(services, body, action, context, client, respond)
    if round_ is None:
        return
    note = (
        _saved_note(services, client, round_, body["user"]["id"], respond)
        if round_.note_id is None
        else round_.note_id
    )
    if note is not None:
        start_share(services, body, context, f"share:{note}", client, respond)


def _round_to_save(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> BreakoutRound | None:
    """The round a summary's button names, if the presser may run it."""
    round_ = the_round(services, context, action.get("value"))
    if round_ is None:
        tell(respond, "That round isn't here.")
        return None
    if not may_run(services, client, round_, body["user"]["id"]):
        tell(respond, NOT_YOURS)
        return None
    return round_


def _saved_note(
    services: Services, client: WebClient, round_: BreakoutRound, user_id: str, respond: Respond
) -> int | None:
    """The round's themes saved as a briefing note, said in its thread; the note's id."""
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
            return None
        rounds.save_note(session, round_, entry.id or 0)
    in_thread(
        services,
        client,
        round_,
        f"📄 Saved as a briefing note by <@{user_id}>: "
        f"`/partners ask {round_.title[:60]}` finds it.",
    )
    return entry.id


def to_commitment(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    round_ = the_round(services, context, action.get("value"))
    if round_ is None or not may_run(services, client, round_, body["user"]["id"]):
        tell(respond, NOT_YOURS if round_ else "That round isn't here.")
        return
    with services.sessions() as session:
        texts = _answer_texts(rounds.summary(session, round_))
    if not texts:
        tell(respond, "There are no answers to turn into commitments.")
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_commit_form(round_, texts))


def chosen_values(
    services: Services, view: dict[str, Any], round_: BreakoutRound
) -> dict[str, Any]:
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


def check_commitment(
    services: Services, ack: Ack, view: dict[str, Any], context: BoltContext
) -> None:
    round_ = the_round(services, context, view.get("private_metadata"))
    if round_ is None:
        refuse(
            ack,
            context,
            response_action="errors",
            errors={"answer": "That round isn't here any more."},
        )
        return
    form, errors = read_commit_form(chosen_values(services, view, round_), services.clock())
    if form is None:
        refuse(ack, context, response_action="errors", errors=errors)
        return
    ack(response_action="update", view=working_view("Turn into commitment", "Recording it…"))


def commitment_chosen(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    round_ = the_round(services, context, view.get("private_metadata"))
    assert round_ is not None  # the check refused anything else
    form, _ = read_commit_form(chosen_values(services, view, round_), services.clock())
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


def _answer_texts(parts: list[Any]) -> list[str]:
    texts: list[str] = []
    for _, themes, _ in parts:
        for theme in themes.themes:
            texts.extend(theme.answers)
        texts.extend(themes.unthemed)
    return texts
