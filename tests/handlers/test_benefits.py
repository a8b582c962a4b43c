"""The benefits tracker through the signed Bolt path, with a moved clock: the form, the list,
the owner's reminder when a benefit falls due unupdated, the update from it with evidence, and
bad input that changes nothing."""

from datetime import UTC, datetime

from bot.nudging import send_due_nudges
from handlers.benefit_blocks import BENEFIT_UPDATE_VIEW, BENEFIT_VIEW, UPDATE_BENEFIT
from storage.models import Benefit, BenefitUpdate, Nudge, Project
from tests.handlers import register_kit
from tests.handlers.register_kit import opened_form, rows, run, uid

box, clock = register_kit.box, register_kit.clock  # the fixtures


def field(kind, value):
    if kind == "select":
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}
    if kind == "radio":
        return {"value": {"type": "radio_buttons", "selected_option": {"value": value}}}
    if kind == "user":
        return {"value": {"type": "users_select", "selected_user": value}}
    if kind == "date":
        return {"value": {"type": "datepicker", "selected_date": value}}
    if kind == "number":
        return {"value": {"type": "number_input", "value": value}}
    if kind == "url":
        return {"value": {"type": "url_text_input", "value": value}}
    return {"value": {"type": "plain_text_input", "value": value}}


def add_form(box, people, **overrides):
    run(box, "benefit add Fewer calls to the contact centre", people.alex, people.retrofit)
    form = opened_form(box)
    assert form["callback_id"] == BENEFIT_VIEW
    [project] = rows(box, Project)
    state = {
        "title": field("text", "Fewer calls to the contact centre"),
        "of": field("select", f"project:{project.id}"),
        "kind": field("radio", "financial"),
        "owner": field("user", people.sam),
        "due": field("date", "2026-12-09"),
        "planned": field("number", "120000"),
    }
    state.update(overrides)
    reply = box.driver.view_submission(form, state, user=people.alex)
    box.wait()
    return form, reply


def test_a_benefit_falls_due_its_owner_is_reminded_once_and_updates_it(box, people, clock):
    run(box, "project add Digital front door", people.alex, people.retrofit)
    form, reply = add_form(box, people)
    assert reply.json()["response_action"] == "update"
    [benefit] = rows(box, Benefit)
    assert (benefit.owner_id, str(benefit.planned_gbp)) == (people.sam, "120000.00")
    listed = run(box, "benefits digital front dor", people.sam, people.general).args
    assert (
        listed["text"] == "Digital front door: £0.00 realised of £120,000.00 planned; 1 on track."
    )
    # 9 Dec, 09:30 in London: the reminder, once
    at = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)
    clock.now = at
    sent = send_due_nudges(box.bot.services, box.bot.app.client, at)
    box.wait()
    assert [line.split()[3] for line in sent] == ["benefit_due"]
    assert send_due_nudges(box.bot.services, box.bot.app.client, at) == []
    [dm] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == people.sam and "due to be realised" in c.args["text"]
    ]
    assert "today: how has it gone?" in dm.args["text"]
    update = next(
        e
        for b in dm.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == UPDATE_BENEFIT
    )
    box.driver.block_action(
        update, user=people.sam, channel=dm.result["channel"], message=dm.result["message"]
    )
    box.wait()
    form = opened_form(box)
    assert form["callback_id"] == BENEFIT_UPDATE_VIEW
    # someone who neither owns nor added it, and is no admin: refused, nothing stored
    box.driver.view_submission(
        form, {"realised": field("number", "1"), "rag": field("select", "red")}, user=uid(box, "jo")
    )
    box.wait()
    assert "Only its owner" in str(box.emulator.calls_to("views.update", ok=True)[-1].args["view"])
    assert rows(box, BenefitUpdate) == []
    # a link that is not a web address: said, and the form comes back with it as typed
    box.driver.view_submission(
        form,
        {"rag": field("select", "amber"), "evidence": field("url", "ftp://council/q3")},
        user=people.sam,
    )
    box.wait()
    again = box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    assert "must be a web address" in str(again["blocks"])
    [evidence] = [b for b in again["blocks"] if b.get("block_id") == "evidence"]
    assert evidence["element"]["initial_value"] == "ftp://council/q3"
    assert rows(box, BenefitUpdate) == []
    # green with no evidence: said, nothing stored
    box.driver.view_submission(
        form,
        {"realised": field("number", "60000"), "rag": field("select", "green")},
        user=people.sam,
    )
    box.wait()
    assert "Green needs recent evidence" in str(
        box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    )
    assert rows(box, BenefitUpdate) == []
    box.driver.view_submission(
        form,
        {
            "realised": field("number", "60000"),
            "rag": field("select", "green"),
            "evidence": field("url", "https://council.example/finance/q3"),
        },
        user=people.sam,
    )
    box.wait()
    [stored] = rows(box, BenefitUpdate)
    assert (stored.updated_by, str(stored.realised_gbp), stored.rag) == (
        people.sam,
        "60000.00",
        "green",
    )
    # updated: the week-later reminder is dropped
    later = datetime(2026, 12, 16, 9, 30, tzinfo=UTC)
    clock.now = later
    assert send_due_nudges(box.bot.services, box.bot.app.client, later) == []
    assert {n.status for n in rows(box, Nudge) if n.benefit_id} == {"sent", "cancelled"}
    listed = run(box, "benefits", people.sam, people.general).args["text"]
    assert (
        listed == "Benefits: £60,000.00 realised of £120,000.00 planned; 1 missed."
    )  # past its date


def test_bad_benefits_are_refused_and_nothing_is_stored(box, people):
    run(box, "project add Digital front door", people.alex, people.retrofit)
    _, reply = add_form(box, people, planned=field("number", "-5"))
    assert "negative" in str(box.emulator.calls_to("views.update", ok=True)[-1].args["view"])
    _, reply = add_form(
        box,
        people,
        kind=field("radio", "non_financial"),
        planned=field("number", ""),
        target=field("number", "70"),
    )
    assert "A target needs a measure" in str(
        box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    )
    _, reply = add_form(box, people, due=field("date", None))
    assert reply.json()["response_action"] == "errors" and "due" in reply.json()["errors"]
    _, reply = add_form(box, people, of=field("select", "project:99999"))
    assert "isn't in this workspace" in str(
        box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    )
    assert rows(box, Benefit) == [] and rows(box, Nudge) == []
    box.driver.block_action(
        {"action_id": UPDATE_BENEFIT, "type": "button", "value": "99999"},
        user=people.sam,
        channel=people.general,
    )
    box.wait()
    assert "isn't in this workspace" in box.emulator.calls_to("response_url")[-1].args["text"]
    unknown = run(box, "benefits frobnicate", people.sam, people.general).args["text"]
    assert "No project or partnership is called “frobnicate”" in unknown
