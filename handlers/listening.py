"""How every listener is bound, so none can ack late or lose its ack.

Slack waits 3 seconds for the HTTP answer and hears nothing until the listener returns. The app
runs with `process_before_response=True`, and each Slack ID is bound with `listen()` to two parts:

- a *check*, run before the answer: reads the payload, validates forms (answering with
  `errors`), never calls the Web API and never writes; it always acks;
- the *work*, a Bolt lazy listener run after the answer on the listener pool: records, posts,
  opens forms. If it fails, the person is told kindly; Slack already has its 200.

A check that refuses (`refuse()`) marks the request, and its work is skipped.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltRequest
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk.errors import SlackApiError

from handlers.sending import dm, tell

logger = logging.getLogger("partnerbot.listeners")

REFUSED = "partnerbot_refused"
SORRY = (
    "Sorry, something went wrong on our side and that didn't finish. "
    "Please try again in a minute; if it keeps happening, tell your Slack admin."
)
TOO_SLOW = "That took too long for Slack, so the form couldn't open. Please try again."

Listener = Callable[..., Any]


def just_ack(ack: Ack) -> None:
    """The check of a listener with nothing to validate."""
    ack()


def refuse(ack: Ack, context: BoltContext, **answer: Any) -> None:
    """Ack with what was wrong (`response_action="errors"`, …); the work is then skipped."""
    context[REFUSED] = True
    ack(**answer)


OUT_OF_DATE = "This form is out of date: close it and start again."


def refuse_field(ack: Ack, context: BoltContext, field: str, problem: str = OUT_OF_DATE) -> None:
    """Refuse a form, pointing at one field: what was wrong, or that the form is stale."""
    refuse(ack, context, response_action="errors", errors={field: problem})


def workspace_of(context: BoltContext) -> str:
    """The workspace a request belongs to: Bolt's context, never the payload's `team`, which in
    Slack Connect is the submitter's own organisation (the middleware has refused requests
    that name no workspace, so there always is one here)."""
    team_id = context.get("team_id")
    if not team_id:
        raise LookupError("a request with no workspace reached a listener")
    return str(team_id)


def listen(on: Callable[..., Any], work: Listener, *, check: Listener = just_ack) -> None:
    """Bind one Slack ID: `listen(app.action(DONE), partial(done, services))`, `check` first,
    `work` after. Bolt passes each the arguments it names (body, context, client…); a listener
    that needs the services is a module function given them with functools.partial."""
    on(ack=check, lazy=[after_ack(work)])


def after_ack(work: Listener) -> Callable[[BoltRequest], None]:
    """`work` as a lazy listener: skipped when its check refused, and never failing silently."""
    names = get_arg_names_of_callable(work)

    def run(request: BoltRequest) -> None:
        if request.context.get(REFUSED):
            return
        try:
            work(
                **build_required_kwargs(
                    logger=request.context.logger,
                    required_arg_names=names,
                    request=request,
                    response=None,
                    this_func=work,
                )
            )
        except SlackApiError as error:
            if error.response.get("error") == "expired_trigger_id":
                logger.info("trigger expired before a form opened", extra=_about(request))
                tell_failure(request, TOO_SLOW)
            else:
                logger.exception("listener failed after the ack", extra=_about(request))
                tell_failure(request, SORRY)
        except Exception:
            logger.exception("listener failed after the ack", extra=_about(request))
            tell_failure(request, SORRY)

    # Bolt finds a lazy listener by its name: the function's own, also when it is given with
    # its services bound (`partial(done, services)`)
    name = getattr(work, "func", work).__name__
    run.__name__ = run.__qualname__ = f"after_ack_{name}"
    return run


def _about(request: BoltRequest) -> dict[str, Any]:
    return {
        "team_id": request.context.get("team_id"),
        "request_id": request.context.get("request_id"),
    }


def tell_failure(request: BoltRequest, text: str) -> None:
    """Tell the person something did not finish: where they typed, or else by DM."""
    context = request.context
    try:
        if context.get("response_url"):
            tell(context.respond, text)  # type: ignore[arg-type]
        elif context.get("user_id"):
            dm(context.client, str(context["user_id"]), text)
    except Exception:  # the apology must never raise a second error
        logger.warning("could not tell the person about a failure", extra=_about(request))
