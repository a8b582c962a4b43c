"""The one path out to Slack: every message the bot sends passes `quiet()`, so a mass mention
a person typed (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`) is never posted back
live, in blocks or in the plain `text` that notifications read; a labelled link
(`<https://evil.example|the council's site>`) shows the address it goes to, not only its label;
and someone whose data was erased (`partnerbot forget-user`) is named "a former member", not an
unknown user."""

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from handlers.metrics import SLACK_ERRORS

_MASS = re.compile(r"<!(channel|here|everyone|group)(?:\|[^<>]*)?>", re.IGNORECASE)
_SUBTEAM = re.compile(r"<!subteam\^[A-Za-z0-9]+(?:\|@?([^<>]*))?>")
_FORMER = re.compile(r"<@UFORMER[0-9A-F]*(?:\|[^<>]*)?>")  # knowledge.data_rights.FORMER
_LABELLED = re.compile(r"<((?:https?|mailto):[^|<>\s]+)\|([^<>]*)>", re.IGNORECASE)
_MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage")
_VIEW_METHODS = ("views.open", "views.update", "views.push", "views.publish")


logger = logging.getLogger("partnerbot.sending")

Clients = Callable[[str], WebClient | None]  # a workspace's own client (OAuth installs)


def for_team(client: "WebClient | Clients", team_id: str) -> WebClient | None:
    """The client for one workspace's scheduled work: a single-workspace bot's one client, or
    with OAuth installs that workspace's own (None once it has uninstalled the bot)."""
    return client if isinstance(client, WebClient) else client(team_id)


def quiet(text: str) -> str:
    """Mass mentions as plain words: "@here" reads the same and pings nobody (the bot never
    sends `link_names`, so plain text is never turned into a mention)."""
    if "<@UFORMER" in text:
        text = _FORMER.sub("a former member", text)
    if "|" in text and ("<http" in text.casefold() or "<mailto" in text.casefold()):
        text = _LABELLED.sub(_show_address, text)
    if "<!" not in text:
        return text
    text = _MASS.sub(lambda m: "@" + m.group(1).lower(), text)
    return _SUBTEAM.sub(lambda m: "@" + (m.group(1) or "group"), text)


def _show_address(link: re.Match[str]) -> str:
    """A link as its address, with its label beside it when the label says something else."""
    address, label = link[1], link[2].strip()
    if not label or label == address:
        return f"<{address}>"
    return f"{label} (<{address}>)"


def quiet_payload(value: Any) -> Any:
    """`quiet()` applied to every string in a message's text and blocks."""
    if isinstance(value, str):
        return quiet(value)
    if isinstance(value, list):
        return [quiet_payload(v) for v in value]
    if isinstance(value, dict):
        return {k: quiet_payload(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):  # a slack_sdk Block Kit model
        return quiet_payload(value.to_dict())
    return value


def links_shown(value: Any) -> Any:
    """A view with every labelled link in its mrkdwn showing its address (form fields, which
    hold what people typed and may save again, are left as they are)."""
    if isinstance(value, list):
        return [links_shown(v) for v in value]
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            return {**value, "text": _LABELLED.sub(_show_address, value["text"])}
        return {k: links_shown(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return links_shown(value.to_dict())
    return value


class QuietWebClient(WebClient):
    """slack_sdk's WebClient, with messages made quiet on their way out, and views' links
    showing where they go."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        for part in ("json", "params", "data"):
            payload = kwargs.get(part)
            if not isinstance(payload, dict):
                continue
            if api_method in _MESSAGE_METHODS:
                kwargs[part] = {
                    k: quiet_payload(v) if k in ("text", "blocks") else v
                    for k, v in payload.items()
                }
            elif api_method in _VIEW_METHODS and isinstance(payload.get("view"), dict):
                kwargs[part] = {**payload, "view": links_shown(payload["view"])}
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = str((error.response or {}).get("error") or "error")
            SLACK_ERRORS.labels(api_method, code).inc()
            raise

    @classmethod
    def like(cls, client: WebClient, *, timeout: int | None = None) -> "QuietWebClient":
        """A quiet copy of a client Bolt made for one request (same token and settings)."""
        return cls(
            token=client.token,
            base_url=client.base_url,
            timeout=timeout or client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=client.headers,
            team_id=getattr(client, "team_id", None),
            logger=client.logger,
            retry_handlers=list(client.retry_handlers or []),
        )


class QuietRespond(Respond):
    """Bolt's respond(), with the message made quiet on its way out."""

    def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", blocks: Any = None, **kwargs: Any
    ) -> Any:
        if isinstance(text, dict):
            return super().__call__(**quiet_payload(text))
        return super().__call__(
            text=quiet(text), blocks=quiet_payload(blocks) if blocks else blocks, **kwargs
        )


class DirectRespond:
    """respond() for an interaction Slack gave no response_url (a button in a modal or on the
    App Home): what would have been the reply goes to the person by DM instead, never lost and
    never an error."""

    def __init__(self, client: WebClient, user_id: str) -> None:
        self._client, self._user_id = client, user_id

    def __call__(self, text: str | dict[str, Any] = "", blocks: Any = None, **_: Any) -> Any:
        message = text if isinstance(text, dict) else {"text": text, "blocks": blocks}
        said = quiet(str(message.get("text") or "")) or " "
        return dm(self._client, self._user_id, said, quiet_payload(message.get("blocks")))


class Progress:
    """A DM that moves as long work goes on (a workbook, a report). Best effort: if Slack is
    rate-limiting, the work goes on without it, and what it makes is owed in the outbox."""

    def __init__(self, client: WebClient, user_id: str, text: str) -> None:
        self._client, self.channel, self.ts = client, None, None
        try:
            self.channel = client.conversations_open(users=user_id)["channel"]["id"]
            self.ts = client.chat_postMessage(channel=self.channel, text=text)["ts"]
        except SlackApiError as error:
            logger.info("no progress message", extra={"error": error.response.get("error")})

    def say(self, text: str) -> None:
        if self.channel and self.ts:
            try:
                self._client.chat_update(channel=self.channel, ts=self.ts, text=text)
            except SlackApiError:
                self.ts = None  # rate-limited or gone: no more progress, the work goes on


def tell(respond: Respond, text: str) -> None:
    """An ephemeral note to whoever pressed or typed, leaving their message as it was."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def dm(
    client: WebClient,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A direct message from the bot (posting to a user ID opens the DM)."""
    posted = client.chat_postMessage(channel=user_id, text=text, blocks=blocks, metadata=metadata)
    return posted.data  # type: ignore[return-value]
