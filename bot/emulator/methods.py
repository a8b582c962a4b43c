"""The Web API methods partnerbot calls, answered as Slack answers them."""

import json
import secrets
from collections.abc import Callable
from typing import Any

from bot.emulator.limits import MESSAGE_BLOCKS, MESSAGE_TEXT, block_errors, view_errors
from bot.emulator.workspace import Channel, Workspace, next_ts

SCHEDULE_HORIZON = 120 * 24 * 3600  # chat.scheduleMessage reaches only 120 days ahead
TRIGGER_LIFETIME = 3.0


class SlackError(Exception):
    """A Web API error answer: {"ok": false, "error": code, ...}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


def _required(args: dict[str, Any], *names: str) -> None:
    for name in names:
        if args.get(name) in (None, ""):
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": [f"missing {name}"]}
            )


def _channel(ws: Workspace, channel_id: str) -> Channel:
    if channel_id in ws.channels:
        return ws.channels[channel_id]
    if channel_id in ws.users:  # posting to a user ID lands in the bot's DM with them
        return _open_dm(ws, channel_id)
    raise SlackError("channel_not_found")


def _open_dm(ws: Workspace, user_id: str) -> Channel:
    user = ws.users.get(user_id)
    if user is None:
        raise SlackError("user_not_found")
    if user.is_bot:
        raise SlackError("cannot_dm_bot")
    if user.deleted:
        raise SlackError("account_inactive")
    if user.is_external:
        # a Slack Connect partner: the bot cannot see them to open a DM
        raise SlackError("user_not_visible")
    return ws.dm_with(user_id)


def _check_message(args: dict[str, Any]) -> None:
    blocks = args.get("blocks")
    if not args.get("text") and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if len(str(args.get("text") or "")) > MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        errors = block_errors(blocks, max_blocks=MESSAGE_BLOCKS)
        if errors:
            raise SlackError("invalid_blocks", errors=errors)


def _message(ws: Workspace, args: dict[str, Any], channel: Channel, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "ts": ts,
        "channel": channel.id,
        "user": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "text": args.get("text") or "",
        "blocks": args.get("blocks") or [],
        "thread_ts": args.get("thread_ts"),
    }


def auth_test(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.name,
        "user": "partnerbot",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
    }


def chat_post_message(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel")
    channel = _channel(ws, args["channel"])
    _check_message(args)
    thread_ts = args.get("thread_ts")
    if thread_ts and (channel.id, thread_ts) not in ws.messages:
        raise SlackError("thread_not_found")
    ts = next_ts(em.clock())
    message = _message(ws, args, channel, ts)
    message["metadata"] = _metadata(args)
    ws.messages[(channel.id, ts)] = message
    return {"channel": channel.id, "ts": ts, "message": _listed(message, True)}


def _metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    raw = args.get("metadata")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_metadata_format") from None
    if raw is not None and not (isinstance(raw, dict) and raw.get("event_type")):
        raise SlackError("invalid_metadata_format")
    return raw


def _listed(message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
    shown = {k: v for k, v in message.items() if k != "metadata" and v is not None}
    if with_metadata and message.get("metadata"):
        shown["metadata"] = message["metadata"]
    return shown


def _history(
    ws: Workspace, args: dict[str, Any], keep: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    channel = _channel(ws, args["channel"])
    oldest = float(args.get("oldest") or 0)
    with_metadata = str(args.get("include_all_metadata")).lower() in {"1", "true"}
    found = sorted(
        (
            m
            for (channel_id, ts), m in ws.messages.items()
            if channel_id == channel.id and float(ts) >= oldest and keep(m)
        ),
        key=lambda m: float(m["ts"]),
        reverse=True,
    )[: int(args.get("limit") or 100)]
    return {"messages": [_listed(m, with_metadata) for m in found], "has_more": False}


def conversations_history(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A channel's messages, newest first (thread replies stay in their threads)."""
    _required(args, "channel")
    return _history(ws, args, lambda m: not m.get("thread_ts") or m["thread_ts"] == m["ts"])


def conversations_replies(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A thread: its parent and replies."""
    _required(args, "channel", "ts")
    if (_channel(ws, args["channel"]).id, args["ts"]) not in ws.messages:
        raise SlackError("thread_not_found")
    return _history(ws, args, lambda m: args["ts"] in (m["ts"], m.get("thread_ts")))


def chat_post_ephemeral(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel", "user")
    channel = _channel(ws, args["channel"])
    if args["user"] not in ws.users:
        raise SlackError("user_not_found")
    _check_message(args)
    return {"message_ts": next_ts(em.clock()), "channel": channel.id}


def chat_update(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel", "ts")
    channel = _channel(ws, args["channel"])
    message = ws.messages.get((channel.id, args["ts"]))
    if message is None:
        raise SlackError("message_not_found")
    _check_message(args)
    message.update(text=args.get("text") or "", blocks=args.get("blocks") or [])
    return {"channel": channel.id, "ts": args["ts"], "text": message["text"]}


def chat_delete(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel", "ts")
    channel = _channel(ws, args["channel"])
    if ws.messages.pop((channel.id, args["ts"]), None) is None:
        raise SlackError("message_not_found")
    return {"channel": channel.id, "ts": args["ts"]}


def chat_get_permalink(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel", "message_ts")
    channel = _channel(ws, args["channel"])
    if (channel.id, args["message_ts"]) not in ws.messages:
        raise SlackError("message_not_found")
    ts = str(args["message_ts"]).replace(".", "")
    return {
        "channel": channel.id,
        "permalink": f"https://{ws.domain}.slack.com/archives/{channel.id}/p{ts}",
    }


def chat_schedule_message(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel", "post_at")
    channel = _channel(ws, args["channel"])
    _check_message(args)
    post_at, now = int(args["post_at"]), em.clock()
    if post_at <= now:
        raise SlackError("time_in_past")
    if post_at > now + SCHEDULE_HORIZON:
        raise SlackError("time_too_far")
    scheduled_id = "Q" + secrets.token_hex(5).upper()
    ws.scheduled[scheduled_id] = {"channel": channel.id, "post_at": post_at, **args}
    return {"channel": channel.id, "scheduled_message_id": scheduled_id, "post_at": post_at}


def conversations_open(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "users")
    users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
    if len(users) != 1:
        raise SlackError("not_supported")  # group DMs are not something the bot opens
    channel = _open_dm(ws, users[0])
    return {"channel": {"id": channel.id, "is_im": True, "user": users[0]}}


def conversations_info(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel")
    channel = _channel(ws, args["channel"])
    return {
        "channel": {
            "id": channel.id,
            "name": channel.name,
            "is_private": channel.is_private,
            "is_im": channel.is_im,
            "is_channel": not channel.is_im,
            "is_shared": channel.is_ext_shared,
            "is_ext_shared": channel.is_ext_shared,
        }
    }


def conversations_members(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel")
    channel = _channel(ws, args["channel"])
    if channel.is_im:
        members = [ws.bot_user_id, channel.user or ""]
    elif channel.members is None:
        members = list(ws.users)
    else:
        members = list(channel.members)
    return {"members": members, "response_metadata": {"next_cursor": ""}}


def users_info(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "user")
    user = ws.users.get(args["user"])
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user.described(ws.team_id)}


def _use_trigger(em: Any, args: dict[str, Any]) -> str:
    _required(args, "trigger_id")
    issued = em.triggers.pop(args["trigger_id"], None)
    if issued is None:
        raise SlackError("invalid_trigger_id")
    user_id, at = issued
    if em.clock() - at > TRIGGER_LIFETIME:
        raise SlackError("expired_trigger_id")
    return str(user_id)


def _store_view(
    em: Any, ws: Workspace, view: Any, user_id: str, view_id: str | None = None
) -> dict[str, Any]:
    errors = view_errors(view)
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": errors})
    view_id = view_id or "V" + secrets.token_hex(5).upper()
    stored = {
        **view,
        "id": view_id,
        "team_id": ws.team_id,
        "user": user_id,
        "hash": secrets.token_hex(6),
        "state": {"values": {}},
    }
    ws.views[view_id] = stored
    return stored


def views_open(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user_id = _use_trigger(em, args)
    return {"view": _store_view(em, ws, args.get("view"), user_id)}


def views_push(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user_id = _use_trigger(em, args)
    return {"view": _store_view(em, ws, args.get("view"), user_id)}


def views_update(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and args.get("external_id"):
        view_id = next(
            (v["id"] for v in ws.views.values() if v.get("external_id") == args["external_id"]),
            None,
        )
    if not view_id or view_id not in ws.views:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != ws.views[view_id]["hash"]:
        raise SlackError("hash_conflict")
    return {"view": _store_view(em, ws, args.get("view"), ws.views[view_id]["user"], view_id)}


def views_publish(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "user_id", "view")
    if args["user_id"] not in ws.users:
        raise SlackError("user_not_found")
    view = args["view"]
    if not isinstance(view, dict) or view.get("type") != "home":
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": ["view type must be home"]}
        )
    errors = view_errors(view)
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": errors})
    ws.home[args["user_id"]] = view
    return {"view": {**view, "id": "VHOME" + args["user_id"]}}


def files_get_upload_url(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "filename", "length")
    if len(alt := args.get("alt_txt") or "") > 1000:  # Slack's limit on an image's description
        raise SlackError("alt_txt_too_large")
    file_id = "F" + secrets.token_hex(5).upper()
    name, length = args["filename"], int(args["length"])
    ws.files[file_id] = dict(id=file_id, name=name, length=length, alt_txt=alt or None)
    ws.files[file_id].update(content=None, shared_in=None)
    return {"upload_url": f"{em.base}upload/{ws.team_id}/{file_id}", "file_id": file_id}


def files_complete_upload(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "files")
    files = args["files"]
    done = []
    for item in files if isinstance(files, list) else []:
        record = ws.files.get(item.get("id"))
        if record is None or record["content"] is None:
            raise SlackError("file_not_found")
        record["title"] = item.get("title") or record["name"]
        if args.get("channel_id"):
            record["shared_in"] = _channel(ws, args["channel_id"]).id
        record["initial_comment"] = args.get("initial_comment")
        done.append({"id": record["id"], "name": record["name"], "title": record["title"]})
    if not done:
        raise SlackError("invalid_arguments")
    return {"files": done}


def reactions_add(em: Any, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "channel", "timestamp", "name")
    channel = _channel(ws, args["channel"])
    if (channel.id, args["timestamp"]) not in ws.messages:
        raise SlackError("message_not_found")
    key = (channel.id, args["timestamp"], args["name"], ws.bot_user_id)
    if key in ws.reactions:
        raise SlackError("already_reacted")
    ws.reactions.add(key)
    return {}


METHODS: dict[str, Callable[[Any, Workspace, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "chat.scheduleMessage": chat_schedule_message,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "users.info": users_info,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
    "reactions.add": reactions_add,
}
