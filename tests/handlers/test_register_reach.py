"""How the register reaches people beyond its card: a partnership's lead hears about its overdue
commitments, the weekly digest names reviews due, and App Home follows what people do."""

from datetime import UTC, datetime

from bot.digesting import post_digests
from bot.nudging import send_due_nudges
from handlers.register_forms import EDIT_VIEW
from storage.models import Commitment, Nudge
from tests.handlers import register_kit
from tests.handlers.register_kit import FULL, add_by_form, opened_form, rows, run, state, uid

box, clock = register_kit.box, register_kit.clock  # the fixtures


def escalations_to(box, user_id):
    return [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == user_id and "Still open after three" in c.args["text"]
    ]


def ticks(box, clock, days):
    """The scheduler, at 09:30 and 15:00 UTC on each of those December days."""
    sent = []
    for day in days:
        for hour, minute in ((9, 30), (15, 0)):
            clock.now = datetime(2026, 12, day, hour, minute, tzinfo=UTC)
            sent += send_due_nudges(box.bot.services, box.bot.app.client, clock.now)
            box.wait()
    return sent


def test_an_overdue_commitment_escalates_to_the_partnerships_lead_as_well(box, people, clock):
    priya = uid(box, "priya")
    add_by_form(box, people, **{**FULL, "lead_id": priya})
    run(
        box,
        "commit @sam Share the map by 11 Dec in Retrofit Partnership",
        people.alex,
        people.retrofit,
    )
    [commitment] = rows(box, Commitment)
    assert commitment.partnership_id is not None
    sent = ticks(box, clock, range(1, 31))
    escalations = [line for line in sent if line.split()[3] == "escalation"]
    assert [line.split()[0] for line in escalations] == ["2026-12-23", "2026-12-23"]
    assert sorted(line.split()[-2] for line in escalations) == sorted([people.alex, priya])
    [to_lead] = escalations_to(box, priya)
    assert "Share the map" in to_lead.args["text"]
    assert "You hear this as lead of *Retrofit Partnership*" in str(to_lead.args["blocks"])
    [to_creator] = escalations_to(box, people.alex)
    assert "as lead of" not in str(to_creator.args["blocks"])


def test_the_escalation_follows_a_new_lead_and_never_doubles_the_creator(box, people, clock):
    priya, jo = uid(box, "priya"), uid(box, "jo")
    add_by_form(box, people, **{**FULL, "lead_id": priya})
    run(
        box,
        "commit @sam Share the map by 11 Dec in Retrofit Partnership",
        people.alex,
        people.retrofit,
    )
    ticks(box, clock, range(1, 20))  # overdue reminders sent; escalation to come
    run(box, "partnership edit Retrofit Partnership", people.alex, people.general)
    view = opened_form(box)
    assert view["callback_id"] == EDIT_VIEW
    box.driver.view_submission(view, state(**{**FULL, "lead_id": jo}), user=people.alex)
    box.wait()
    saved = str(box.emulator.calls_to("views.update", ok=True)[-1].args["view"]["blocks"])
    assert "lead officer changed" in saved
    escalations = [n for n in rows(box, Nudge) if n.kind == "escalation"]
    assert sorted(n.recipient_id for n in escalations) == sorted([people.alex, jo])
    sent = ticks(box, clock, range(20, 31))
    escalated = sorted(line.split()[-2] for line in sent if line.split()[3] == "escalation")
    assert escalated == sorted([people.alex, jo])
    # 23 Dec at 09:30 UTC is 04:30 in New York: Jo's was put off to her working morning
    when = {line.split()[-2]: line.split()[1] for line in sent if "escalation" in line}
    assert (when[people.alex], when[jo]) == ("09:30", "15:00")
    assert escalations_to(box, priya) == []


def test_no_second_escalation_when_the_lead_recorded_it_or_owns_it(box, people, clock):
    add_by_form(box, people, **{**FULL, "lead_id": people.alex})
    run(
        box,
        "commit @sam Share the map by 11 Dec in Retrofit Partnership",
        people.alex,
        people.retrofit,
    )
    run(
        box,
        "commit @alex Book the room by 11 Dec in Retrofit Partnership",
        people.sam,
        people.retrofit,
    )
    escalations = sorted(
        (n.commitment_id, n.recipient_id) for n in rows(box, Nudge) if n.kind == "escalation"
    )
    first, second = sorted(c.id for c in rows(box, Commitment))
    assert escalations == [(first, people.alex), (second, people.sam)]


def test_a_closed_partnerships_lead_hears_no_escalation(box, people, clock):
    priya = uid(box, "priya")
    add_by_form(box, people, **{**FULL, "lead_id": priya})
    run(
        box,
        "commit @sam Share the map by 11 Dec in Retrofit Partnership",
        people.alex,
        people.retrofit,
    )
    run(box, "partnership close Retrofit Partnership", people.alex, people.general)
    box.driver.view_submission(
        opened_form(box),
        {
            "end_date": {"value": {"type": "datepicker", "selected_date": "2026-11-30"}},
            "note": {"value": {"type": "plain_text_input", "value": "Funding ended"}},
        },
        user=people.alex,
    )
    box.wait()
    sent = ticks(box, clock, range(1, 31))
    escalated = [line.split()[-2] for line in sent if line.split()[3] == "escalation"]
    assert escalated == [people.alex]
    [cancelled] = [
        n for n in rows(box, Nudge) if n.kind == "escalation" and n.recipient_id == priya
    ]
    assert cancelled.status == "cancelled"


def digests_in(box, channel):
    return [
        c.args
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == channel and "review" in c.args["text"]
    ]


def test_the_weekly_digest_names_reviews_due_and_overdue_once_a_week(box, people, clock):
    sam = people.sam
    retrofit = {**FULL, "lead_id": sam, "partnership_channel": people.retrofit}
    add_by_form(box, people, **retrofit)  # review 9 Dec; no commitments in its channel
    add_by_form(
        box,
        people,
        **{
            **retrofit,
            "partnership_name": "Parks",
            "next_review": "2027-06-01",
            "partnership_channel": people.general,
        },
    )
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    [line] = post_digests(box.bot.services, box.bot.app.client, monday)
    assert line.startswith(f"digest → {people.retrofit}") and "1 reviews" in line
    [digest] = digests_in(box, people.retrofit)
    assert digest["text"] == "1 partnership review due or overdue."
    shown = str(digest["blocks"])
    assert f"*Retrofit Partnership*: review due Wed 09 Dec 2026 (in 9 days); lead <@{sam}>" in shown
    assert "Parks" not in shown and digests_in(box, people.general) == []
    assert "actions all" not in shown  # no commitments in this channel: no hint about them
    assert post_digests(box.bot.services, box.bot.app.client, monday) == []  # once a week
    later = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    post_digests(box.bot.services, box.bot.app.client, later)
    overdue = str(digests_in(box, people.retrofit)[-1]["blocks"])
    assert "review overdue, was due Wed 09 Dec 2026 (5 days ago)" in overdue


def test_the_digest_leaves_out_closed_partnerships_and_joins_commitments(box, people, clock):
    add_by_form(box, people, **{**FULL, "partnership_channel": people.retrofit})
    add_by_form(
        box,
        people,
        **{**FULL, "partnership_name": "Parks", "partnership_channel": people.retrofit},
    )
    run(box, "partnership close Parks", people.alex, people.general)
    box.driver.view_submission(
        opened_form(box),
        {
            "end_date": {"value": {"type": "datepicker", "selected_date": "2026-11-30"}},
            "note": {"value": {"type": "plain_text_input", "value": "Merged"}},
        },
        user=people.alex,
    )
    box.wait()
    run(box, "commit @sam Share the map by 2 Dec", people.alex, people.retrofit)
    post_digests(box.bot.services, box.bot.app.client, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    [digest] = digests_in(box, people.retrofit)
    assert digest["text"] == (
        "This week's commitments: 1 due this week, 0 overdue, 0 done last week; "
        "1 partnership review due or overdue."
    )
    shown = str(digest["blocks"])
    assert "Share the map" in shown and "*Retrofit Partnership*: review due" in shown
    assert "no lead officer named" in shown and "Parks" not in shown


def home_of(box, user_id):
    """The Home tab as last published for someone (without their opening it)."""
    published = [
        c for c in box.emulator.calls_to("views.publish", ok=True) if c.args["user_id"] == user_id
    ]
    return str(published[-1].args["view"]["blocks"]) if published else ""


def test_app_home_follows_lessons_and_commitments_made_elsewhere(box, people):
    sam = people.sam
    run(box, "lesson Start supplier days early #retrofit", sam, people.retrofit)
    assert "Start supplier days early" in home_of(box, sam)
    run(box, "commit @sam Share the map by 11 Dec", people.alex, people.retrofit)
    assert "Your open commitments (1)" in home_of(box, sam) and "Share the map" in home_of(box, sam)
    assert home_of(box, people.alex) == ""  # nothing on Alex's tab changed
    # Done pressed in the DM, not on the tab: the tab follows
    [dm] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == sam and "Share the map" in c.args["text"]
    ]
    done = next(
        e
        for b in dm.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("value") == str(rows(box, Commitment)[0].id) and "done" in e["action_id"]
    )
    box.driver.block_action(
        done, user=sam, channel=dm.result["channel"], message=dm.result["message"]
    )
    box.wait()
    assert rows(box, Commitment)[0].status == "done"
    assert "Your open commitments (0)" in home_of(box, sam)
