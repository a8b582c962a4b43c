"""`/partners partnership …`: the register (add, list, a card, edit, review, close) and the
add and edit form; the card's buttons and the other forms are in partnership_actions."""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.blockkit import escape, section
from handlers.forms import done_view, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse, workspace_of
from handlers.people import person
from handlers.register_blocks import build_list, channel_of, describe
from handlers.register_flow import (
    CLOSED,
    NOT_YOURS,
    card_of,
    lead_problem,
    lead_zone,
    may_manage,
    named,
    partnership_named,
)
from handlers.register_forms import (
    ADD_VIEW,
    CHANNEL_BLOCK,
    CHANNEL_INPUT,
    EDIT_VIEW,
    NAME_BLOCK,
    NAME_INPUT,
    block_of,
    build_close_form,
    build_partnership_form,
    build_review_form,
    read_partnership_form,
)
from handlers.services import Services
from handlers.subcommands import ANYONE, Invocation, Subcommand
from knowledge.nudges import policy_for
from knowledge.partnerships import (
    PartnershipError,
    add_partnership,
    channel_partnership,
    check_new_name,
    edit_partnership,
)
from knowledge.register import FILTERS, register_list
from knowledge.register_facts import FactError, Facts, check_facts
from knowledge.workdays import local_today
from storage.models import Partnership
from storage.rows import team_row

__all__ = ["ADD_VIEW", "CHANNEL_BLOCK", "CHANNEL_INPUT", "EDIT_VIEW", "NAME_BLOCK", "NAME_INPUT"]

USAGE = (
    "Try `/partners partnership add Retrofit Partnership`, `/partners partnership list` "
    "or `/partners partnership Retrofit Partnership`."
)
FORMS = {"edit": build_partnership_form, "review": build_review_form, "close": build_close_form}

# what an edit says it changed, in the form's words
CHANGED_WORDS = {
    "lead_id": "lead officer",
    "lsp_kind": "LSP kind",
    "channel_id": "channel",
    "kind": "type",
    "start_date": "start date",
    "next_review": "next review",
    "end_date": "end date",
    "funding_gbp": "funding",
    "budget_gbp": "budget",
    "risk_ref": "risk register reference",
    "reporting": "reporting arrangements",
}


ONLY_THIS_CHANNEL = (
    "You're from outside this council (or a guest here), so you see only the partnership of the "
    "channel you're in."
)


def run(call: Invocation) -> None:
    """`/partners partnership add NAME | list [FILTER] | edit|review|close NAME | NAME`."""
    verb, _, rest = call.args.partition(" ")
    verb, rest = verb.casefold(), rest.strip()
    if not call.viewer.full:
        _this_channels(call, verb)  # the register is the council's: only this channel's part
        return
    if verb == "add" and not rest:
        form = build_partnership_form(Facts(partners=[], channel_id=channel_of(call.channel_id)))
        call.client.views_open(trigger_id=call.trigger_id, view=form)
    elif verb == "add":
        _add_from_command(call, rest)
    elif verb in {"list", ""}:
        _list(call, rest.casefold())
    elif verb in FORMS and rest:
        _open_form(call, verb, rest)
    else:
        _show(call, call.args)


def _list(call: Invocation, which: str) -> None:
    if which not in ("", *FILTERS):
        call.reply(f"I can list `{'`, `'.join(FILTERS)}` or all. {USAGE}")
        return
    today = local_today(call.services.clock(), person(call.client, call.services, call.user_id)[0])
    with call.services.sessions() as session:
        found = register_list(
            session, team_id=call.team_id, today=today, which=which, user_id=call.user_id
        )
    call.reply(*build_list(found, today, which))


def _open_form(call: Invocation, verb: str, name: str) -> None:
    partnership = named(call, name, USAGE)
    if partnership is None:
        return
    if partnership.status != "open":
        call.reply(CLOSED)
        return
    if not may_manage(call.client, call.services, partnership, call.user_id):
        call.reply(NOT_YOURS)
        return
    if verb == "edit":
        form = build_partnership_form(
            Facts.of(partnership), name=partnership.name, editing=partnership
        )
    else:
        tz = person(call.client, call.services, call.user_id)[0]
        form = FORMS[verb](partnership, local_today(call.services.clock(), tz))  # type: ignore[operator]
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def _add_from_command(call: Invocation, name: str) -> None:
    try:
        with call.services.sessions() as session:
            partnership = add_partnership(
                session,
                team_id=call.team_id,
                name=name,
                channel_id=channel_of(call.channel_id),
                actor_id=call.user_id,
                now=call.services.clock(),
            )
    except PartnershipError as error:
        call.reply(f"{error} {USAGE}")
        return
    text = f"<@{call.user_id}> registered the partnership {partnership.name}."
    # Said in the channel: a partnership is the channel's business, not the caller's alone.
    call.respond(
        text=text,
        blocks=[
            section("🤝 " + describe(partnership)),
            section(
                f"Fill in its lead, review date and more: `/partners partnership edit {escape(partnership.name)}`"
            ),
        ],
        response_type="in_channel",
        replace_original=False,
    )


def _this_channels(call: Invocation, verb: str) -> None:
    """Someone from outside the council (or a guest) sees the card of the partnership whose
    channel this is, and nothing else of the register; they change nothing in it but what its
    lead or the council lets them."""
    with call.services.sessions() as session:
        here = channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
    if here is None:
        call.reply(f"{ONLY_THIS_CHANNEL} This channel isn't any partnership's.")
        return
    if verb in FORMS and here.lead_id == call.user_id:
        _open_form(call, verb, here.name)
        return
    text, blocks = card_of(
        call.services, call.client, here, user_id=call.user_id, channel_id=call.channel_id
    )
    call.reply(text, [section(ONLY_THIS_CHANNEL), *blocks])


def _show(call: Invocation, name: str) -> None:
    partnership = named(call, name, USAGE)
    if partnership is not None:
        call.reply(
            *card_of(
                call.services,
                call.client,
                partnership,
                user_id=call.user_id,
                channel_id=call.channel_id,
            )
        )


SUBCOMMANDS = (
    Subcommand(
        "partnership",
        "partnership add NAME | list [mine|significant|due|overdue] | NAME | edit NAME | "
        "review NAME | close NAME",
        "the partnership register",
        "/partners partnership add Retrofit Partnership",
        run=run,
        open_to=ANYONE,  # guests and partners see their channel's partnership only (run)
    ),
)


def register(app: App, services: Services) -> None:
    def check_form(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Before the answer: the form reads, its facts keep the rules, the name is free."""
        team_id = workspace_of(context)
        editing = None
        if view["callback_id"] == EDIT_VIEW:
            editing = partnership_named(services, team_id, view.get("private_metadata"))
            if editing is None or editing.status != "open":
                refuse(ack, context, response_action="errors", errors={NAME_BLOCK: CLOSED})
                return
        try:
            name, facts = read_partnership_form(view)
            check_facts(facts)
            with services.sessions() as session:
                check_new_name(
                    session, team_id=team_id, raw=name, renaming=editing.id if editing else None
                )
        except (FactError, PartnershipError) as error:
            field = getattr(error, "field", None)
            refuse(ack, context, response_action="errors", errors={block_of(field): str(error)})
            return
        title = "Edit partnership" if editing else "Add a partnership"
        ack(response_action="update", view=working_view(title, "Saving…"))

    def form_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        name, facts = read_partnership_form(view)
        problem = lead_problem(client, services, facts.lead_id)
        if problem is not None:
            client.views_update(view_id=view["id"], view=refilled(view, problem))
            return
        tz = lead_zone(client, services, facts.lead_id)
        try:
            with services.sessions() as session:
                region = policy_for(session, team_id).region
                if view["callback_id"] == EDIT_VIEW:
                    partnership = team_row(
                        session, Partnership, team_id=team_id, row_id=view.get("private_metadata")
                    )
                    if partnership is None or partnership.status != "open":
                        raise PartnershipError(CLOSED)
                    if not may_manage(client, services, partnership, user_id):
                        raise PartnershipError(NOT_YOURS)
                    before_lead = partnership.lead_id
                    changed = edit_partnership(
                        session,
                        partnership,
                        name=name,
                        facts=facts,
                        actor_id=user_id,
                        now=services.clock(),
                        lead_tz=tz,
                        region=region,
                    )
                    said = f"✅ Saved *{escape(partnership.name)}*" + (
                        f": {', '.join(CHANGED_WORDS.get(c, c.replace('_', ' ')) for c in changed)} changed."
                        if changed
                        else ": nothing had changed."
                    )
                else:
                    before_lead = None
                    partnership = add_partnership(
                        session,
                        team_id=team_id,
                        name=name,
                        channel_id=facts.channel_id,
                        actor_id=user_id,
                        now=services.clock(),
                        facts=facts,
                        lead_tz=tz,
                        region=region,
                    )
                    said = "✅ " + describe(partnership)
        except PartnershipError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Partnership saved",
                said,
                f"`/partners partnership {partnership.name}` shows its card.",
            ),
        )
        refresh_homes(client, services, team_id, user_id, partnership.lead_id, before_lead)

    listen(app.view(ADD_VIEW), form_submitted, check=check_form)
    listen(app.view(EDIT_VIEW), form_submitted, check=check_form)
