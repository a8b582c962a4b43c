"""Logs: one JSON line per request with its ids; no tokens, secrets or what people typed."""

import io
import json
import logging

import pytest
from sqlmodel import select

from bot.logs import RedactSecrets, configure_logging


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    yield stream
    logging.getLogger().handlers.clear()


def test_each_request_is_one_json_line_with_team_and_request_ids(box, people, log_stream):
    configure_logging(secrets=[box.settings.slack_bot_token, box.signing_secret], stream=log_stream)
    box.driver.command(
        "partnership add Secret Anonymous Answer", user=people.sam, channel=people.general
    )
    box.wait()
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    [request] = [line for line in lines if line["message"] == "slack request"]
    assert request["team_id"] == people.team and len(request["request_id"]) == 12
    assert (request["kind"], request["slack_id"], request["user_id"]) == (
        "command",
        "/partners",
        people.sam,
    )
    assert "Secret Anonymous Answer" not in log_stream.getvalue()


def test_tokens_and_secrets_are_redacted_wherever_they_appear(log_stream):
    configure_logging(secrets=["s3cr3t-signing"], stream=log_stream)
    log = logging.getLogger("partnerbot.test")
    log.warning("token %s and secret %s", "xoxb-123-456-abc", "s3cr3t-signing")
    try:
        raise RuntimeError("failed with xapp-1-A0-xyz")
    except RuntimeError:
        log.exception("boom")
    text = log_stream.getvalue()
    assert "xoxb-123" not in text and "s3cr3t-signing" not in text and "xapp-1" not in text
    assert "token [redacted] and secret [redacted]" in text
    assert "RuntimeError: failed with [redacted]" in text


def test_short_secrets_are_not_used_to_redact():
    # a one-letter "secret" would shred every log line
    assert RedactSecrets(["x"])._secrets == []


def refuse_inserts(engine, table):
    """Make every insert into `table` fail, as a full disk or a broken constraint would."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'no room'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'no room'; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )


def test_a_failed_insert_never_logs_what_someone_wrote(box, people, log_stream):
    from handlers.breakout_blocks import ANONYMOUS
    from storage.models import BreakoutRound

    configure_logging(secrets=box.settings.secrets, stream=log_stream)
    box.driver.command('breakout "What gets in the way?"', user=people.alex, channel=people.general)
    box.wait()
    with box.bot.services.sessions() as session:
        [round_] = session.exec(select(BreakoutRound)).all()
    refuse_inserts(box.bot.engine, "breakout_answer")
    box.driver.block_action(
        {"action_id": ANONYMOUS, "type": "button", "value": str(round_.id)},
        user=people.sam,
        channel=people.general,
    )
    box.wait()
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    reply = box.driver.view_submission(
        view,
        {
            "answer": {
                "answer": {"type": "plain_text_input", "value": "My manager Dave is the problem"}
            }
        },
        user=people.sam,
    )
    box.wait()
    assert reply.status == 200
    logged = log_stream.getvalue()
    assert "listener failed after the ack" in logged and "no room" in logged  # it was logged
    assert "parameters hidden" in logged  # SQLAlchemy was told to leave the values out
    assert "Dave" not in logged and people.sam not in logged


def test_every_secret_in_the_settings_is_redacted(settings, log_stream):
    full = settings.model_copy(
        update={
            "slack_state_secret": "state-secret-of-our-own",
            "slack_client_secret": "client-secret-from-slack",
            "partnerbot_secret_key": "first-key-" + "a" * 30 + ",second-key-" + "b" * 30,
            "database_url": "postgresql+psycopg://bot:pa55w0rd-db@db.internal/partnerbot",
        }
    )
    configure_logging(secrets=full.secrets, stream=log_stream)
    for secret in (
        "state-secret-of-our-own",
        "client-secret-from-slack",
        "first-key-" + "a" * 30,
        "second-key-" + "b" * 30,
        "pa55w0rd-db",
    ):
        logging.getLogger("partnerbot.test").warning("leaked %s", secret)
        assert secret not in log_stream.getvalue()
    assert log_stream.getvalue().count("[redacted]") == 5


def test_gunicorns_own_loggers_are_redacted_too(settings):
    import logging.config

    from bot.serve import gunicorn_logging

    stream = io.StringIO()
    config = gunicorn_logging(["signing-secret-value"])
    config["handlers"]["stderr"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        logging.getLogger("gunicorn.error").error(
            "worker died holding xoxb-1-2-abc and %s", "signing-secret-value"
        )
    finally:
        logging.getLogger("gunicorn.error").handlers.clear()
        logging.getLogger().handlers.clear()
    written = stream.getvalue()
    assert "worker died" in written and "xoxb-1" not in written
    assert "signing-secret-value" not in written
