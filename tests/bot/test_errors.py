"""A listener that fails tells the person kindly, logs the story, and Slack still gets its 200."""

import logging

from sqlalchemy import text

from handlers.listening import SORRY


def test_a_failing_listener_apologises_to_the_person(box, people, caplog):
    with box.bot.engine.begin() as connection:
        cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
        connection.execute(text("DROP TABLE partnership" + cascade))  # the database loses a table
    with caplog.at_level(logging.ERROR, logger="partnerbot.listeners"):
        reply = box.driver.command("partnership list", user=people.sam, channel=people.general)
        box.wait()
    assert reply.status == 200 and reply.seconds < 1
    [call] = box.emulator.calls_to("response_url")
    assert call.args["text"] == SORRY and call.args["response_type"] == "ephemeral"
    assert any(r.message == "listener failed after the ack" and r.exc_info for r in caplog.records)
