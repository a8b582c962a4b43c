"""A mass mention a person typed (`<!here>`, `<!channel>`, `<!everyone>`, a user group) is
never posted back live: not in blocks, not in the plain text that notifications read.
The `box` fixture checks every message of every end-to-end test the same way."""

from sqlmodel import select

from handlers.breakout_blocks import ANSWER
from handlers.commitment_blocks import UPDATE
from handlers.sending import quiet
from storage.models import BreakoutRound, Commitment
from tests.conftest import MASS_MENTION


def texts_sent(box):
    return [
        str(c.args.get("text"))
        for c in box.emulator.calls
        if c.method in {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
    ]


def test_quiet_turns_every_mass_mention_into_plain_words():
    assert quiet("tell <!here> and <!channel|channel>, <!everyone>") == (
        "tell @here and @channel, @everyone"
    )
    assert quiet("ask <!subteam^S0123|@retrofit-team> or <!subteam^S0456>") == (
        "ask @retrofit-team or @group"
    )
    assert quiet("<@U123> on <!date^1392734382^{date}|Feb 18>") == (
        "<@U123> on <!date^1392734382^{date}|Feb 18>"  # mentions of one person and dates stay
    )


def test_mass_mentions_typed_into_commitments_answers_and_notes_ping_nobody(box, people):
    d = box.driver
    d.command(
        "commit @sam tell <!here> about the map by 11 Dec", user=people.alex, channel=people.general
    )
    d.command("lesson <!channel> supplier days work", user=people.sam, channel=people.general)
    d.command('breakout "Who should <!everyone> call?"', user=people.alex, channel=people.general)
    box.wait()
    with box.bot.services.sessions() as session:
        round_id = session.exec(select(BreakoutRound)).one().id
        commitment_id = session.exec(select(Commitment)).one().id
    d.block_action(
        {"action_id": ANSWER, "type": "button", "value": str(round_id)},
        user=people.sam,
        channel=people.general,
    )
    box.wait()
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    d.view_submission(
        view,
        {"answer": {"answer": {"type": "plain_text_input", "value": "<!everyone> at once"}}},
        user=people.sam,
    )
    d.block_action(
        {"action_id": UPDATE, "type": "button", "value": str(commitment_id)},
        user=people.sam,
        channel=people.general,
    )
    box.wait()
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    d.view_submission(
        view,
        {
            "note": {
                "note": {"type": "plain_text_input", "value": "<!subteam^S0123|@team> review"}
            },
            "due": {"due": {"type": "datepicker", "selected_date": "2026-12-11"}},
            "owners": {"owners": {"type": "multi_users_select", "selected_users": [people.sam]}},
        },
        user=people.sam,
    )
    box.wait()
    sent = texts_sent(box)
    assert any("tell @here about the map" in t for t in sent)  # the words are kept
    assert any("@everyone at once" in t for t in sent)
    assert any("@team review" in t for t in sent)
    assert [t for t in sent if MASS_MENTION.search(t)] == []
