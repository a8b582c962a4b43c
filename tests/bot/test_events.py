"""Events: the App Home, and Slack's retries acted on once."""

from sqlmodel import select

from storage.models import ProcessedEvent


def home_opened(people):
    return {"type": "app_home_opened", "user": people.sam, "tab": "home", "channel": "D0SAM"}


def test_opening_the_home_tab_publishes_it(box, people):
    box.driver.command(
        "partnership add Retrofit Partnership", user=people.alex, channel=people.retrofit
    )
    box.wait()
    reply = box.driver.event(home_opened(people))
    box.wait()
    assert reply.status == 200
    [published] = box.emulator.calls_to("views.publish", ok=True)
    assert published.args["user_id"] == people.sam
    assert "Retrofit Partnership" in str(published.args["view"]["blocks"])


def test_a_retried_event_is_acted_on_once_and_still_answered_200(box, people):
    first = box.driver.event(home_opened(people), event_id="Ev0RETRY")
    box.wait()
    again = box.driver.event(home_opened(people), event_id="Ev0RETRY", retry_num=1)
    twice = box.driver.event(home_opened(people), event_id="Ev0RETRY", retry_num=2)
    box.wait()
    assert (first.status, again.status, twice.status) == (200, 200, 200)
    assert len(box.emulator.calls_to("views.publish")) == 1
    with box.bot.services.sessions() as session:
        assert [e.event_id for e in session.exec(select(ProcessedEvent))] == ["Ev0RETRY"]


def test_distinct_events_each_act(box, people):
    box.driver.event(home_opened(people))
    box.driver.event(home_opened(people))
    box.wait()
    assert len(box.emulator.calls_to("views.publish")) == 2


def test_the_messages_tab_publishes_nothing(box, people):
    box.driver.event({**home_opened(people), "tab": "messages"})
    box.wait()
    assert box.emulator.calls_to("views.publish") == []


def test_the_home_tab_shows_my_entries_with_votes_and_public_lessons_wanted(box, people):
    from handlers.results import WANTED

    for text, user, channel in [
        ("lesson Supplier days won contractors over", people.sam, people.general),
        ("ask zzqx frobnicate", people.alex, people.general),
        ("ask qqzx wwkjv", people.alex, people.board),
    ]:
        box.driver.command(text, user=user, channel=channel)
        box.wait()  # one at a time: the answers' order is then the commands' order
    nothing_found = [c for c in box.emulator.calls_to("response_url") if WANTED in str(c.args)]
    assert len(nothing_found) == 2
    for call in nothing_found:
        value = call.args["blocks"][1]["elements"][0]["value"]
        box.driver.block_action(
            {"action_id": WANTED, "type": "button", "value": value},
            user=people.alex,
            channel=call.args["channel"],
        )
    box.wait()
    box.driver.event(home_opened(people))
    box.wait()
    shown = str(box.emulator.calls_to("views.publish", ok=True)[-1].args["view"]["blocks"])
    assert "*Supplier days won contractors over* (lesson learnt" in shown and "👍 0" in shown
    assert "zzqx frobnicate" in shown
    assert "Your open commitments" in shown
    assert "qqzx wwkjv" not in shown  # asked in a private channel
