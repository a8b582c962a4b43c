"""`/partners network …` (the programme networks a council belongs to), the form that shares an
entry with one, and Open on another council's shared entry."""

import re
from functools import partial

from slack_bolt import App

from handlers.blockkit import escape
from handlers.listening import listen
from handlers.network_blocks import (
    APPROVE,
    DECLINE,
    HELPFUL_SHARED,
    HIDE_SHARED,
    HIDE_VIEW,
    OPEN_SHARED,
    SHARE_VIEW,
    network_list,
    pending_list,
)
from handlers.network_sharing import (
    ADMINS_ONLY,
    check_hide,
    check_share,
    decided,
    helpful,
    hide_pressed,
    hide_submitted,
    open_shared,
    share_submitted,
)
from handlers.services import Services
from handlers.subcommands import MEMBERS, Invocation, Subcommand
from knowledge.network import (
    NetworkError,
    create_network,
    invite,
    join,
    leave,
    members_of,
    memberships,
    remove_member,
    set_digest_channel,
)
from knowledge.shared_entries import (
    pending_shares,
)

USAGE = (
    "Try `/partners network` (your networks), `/partners network join CODE`, "
    "`/partners network leave NAME`; hosts: `/partners network create NAME`, "
    "`/partners network invite NAME`, `/partners network remove COUNCIL from NAME`."
)
REMOVE = re.compile(r"(?P<council>.+?)\s+from\s+(?P<network>.+)", re.IGNORECASE | re.DOTALL)


def run(call: Invocation) -> None:
    """`/partners network [create NAME | invite NAME | join CODE | leave NAME | remove COUNCIL
    from NAME]`."""
    verb, _, rest = call.args.strip().partition(" ")
    verb, rest = verb.casefold(), rest.strip()
    if verb == "digest":
        _digest(call, rest)
        return
    if verb == "pending":
        if not call.viewer.admin:
            call.reply(ADMINS_ONLY.format(what="approve what is shared"))
            return
        with call.services.sessions() as session:
            call.reply(*pending_list(pending_shares(session, team_id=call.team_id)))
        return
    if verb in ("", "list"):
        with call.services.sessions() as session:
            held = [
                (m, members_of(session, m.network.id or 0))
                for m in memberships(session, call.team_id)
            ]
        call.reply(*network_list(held, admin=call.viewer.admin))
        return
    what = {
        "create": "start a network",
        "invite": "invite councils",
        "join": "join a network",
        "leave": "leave a network",
        "remove": "remove a council",
    }.get(verb)
    if what is None:
        call.reply(f"I don't know `network {escape(verb[:40])}`. {USAGE}")
        return
    if not call.viewer.admin:
        call.reply(ADMINS_ONLY.format(what=what))
        return
    if not rest:
        call.reply(f"`network {verb}` needs {'a code' if verb == 'join' else 'a name'}. {USAGE}")
        return
    now, by = call.services.clock(), call.user_id
    try:
        with call.services.sessions() as session:
            if verb == "create":
                network = create_network(session, team_id=call.team_id, name=rest, by=by, now=now)
                said = (
                    f"✅ *{escape(network.name)}* is started, hosted here. "
                    f"`/partners network invite {escape(network.name)}` makes a code for each "
                    "council to join with."
                )
            elif verb == "invite":
                network, code = invite(session, team_id=call.team_id, name=rest, by=by, now=now)
                said = (
                    f"A code for one council to join *{escape(network.name)}*: `{code}`\n"
                    f"Send it to that council's admin; they type `/partners network join {code}`. "
                    "It works once, within 14 days."
                )
            elif verb == "join":
                network = join(session, team_id=call.team_id, code=rest, by=by, now=now)
                said = (
                    f"✅ This workspace has joined *{escape(network.name)}*. Nothing of yours is "
                    "shared until someone shares it, entry by entry; `/partners ask "
                    "from:network …` finds what other councils shared."
                )
            elif verb == "leave":
                network, withdrawn = leave(session, team_id=call.team_id, name=rest, by=by, now=now)
                said = (
                    f"This workspace has left *{escape(network.name)}*; "
                    f"{withdrawn} shared entr{'y' if withdrawn == 1 else 'ies'} withdrawn."
                )
            else:
                parts = REMOVE.fullmatch(rest)
                if parts is None:
                    call.reply(f"Say which council, and from which network. {USAGE}")
                    return
                gone = remove_member(
                    session,
                    team_id=call.team_id,
                    name=parts["network"],
                    council=parts["council"].strip(),
                    by=by,
                    now=now,
                )
                said = f"*{escape(gone.council)}* is no longer in the network; all it shared there is withdrawn."
    except NetworkError as error:
        call.reply(str(error))
        return
    call.reply(said)


def _digest(call: Invocation, rest: str) -> None:
    """`network digest NAME` (here) or `network digest NAME off`: where the network's weekly
    digest of what other councils shared comes."""
    if not call.viewer.admin:
        call.reply(ADMINS_ONLY.format(what="choose where a network's digest goes"))
        return
    off = rest.casefold().endswith(" off")
    name = rest[: -len(" off")].strip() if off else rest
    if not name:
        call.reply("Say which network: `/partners network digest NAME` in the channel it goes to.")
        return
    try:
        with call.services.sessions() as session:
            network = set_digest_channel(
                session,
                team_id=call.team_id,
                name=name,
                channel_id=None if off else call.channel_id,
                by=call.user_id,
                now=call.services.clock(),
            )
    except NetworkError as error:
        call.reply(str(error))
        return
    call.reply(
        f"No weekly digest of *{escape(network.name)}* any more."
        if off
        else f"Every Monday, what other councils shared with *{escape(network.name)}* that week "
        f"comes to <#{call.channel_id}>. `/partners network digest {escape(network.name)} off` "
        "stops it."
    )


SUBCOMMANDS = (
    Subcommand(
        "network",
        "network | network join CODE | network leave NAME | network create NAME | "
        "network invite NAME | network pending | network digest NAME",
        "the programme networks this workspace belongs to: sharing lessons across councils, "
        "by consent",
        "/partners network",
        run,
        aliases=("networks",),
        open_to=MEMBERS,
    ),
)


def register(app: App, services: Services) -> None:
    """Bind the network's buttons and forms (handlers/network_sharing.py)."""
    listen(app.action(APPROVE), partial(decided, True, services))
    listen(app.action(DECLINE), partial(decided, False, services))
    listen(app.view(SHARE_VIEW), partial(share_submitted, services), check=check_share)
    listen(app.action(OPEN_SHARED), partial(open_shared, services))
    listen(app.action(HELPFUL_SHARED), partial(helpful, services))
    listen(app.action(HIDE_SHARED), partial(hide_pressed, services))
    listen(app.view(HIDE_VIEW), partial(hide_submitted, services), check=check_hide)
