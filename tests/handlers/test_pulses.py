"""Health pulses through the signed Bolt path, with a moved clock: the members' DMs, anonymous
answers (a second one replaces the first), a pulse below the threshold that shows nothing
anywhere (card, channel, App Home, audit, logs), one above it with averages, shuffled comments
and the trend picture, the monthly pulse, and bad input that changes nothing."""

import io
import json
import logging
from datetime import UTC, datetime, timedelta

from docx import Document
from openpyxl import load_workbook
from PIL import Image, ImageStat

from bot.nudging import send_due_nudges
from bot.pulsing import run_pulses
from handlers.pulse_blocks import ANSWER_PULSE, PULSE_VIEW
from knowledge.pulses import DIMENSIONS
from storage.models import AuditEntry, Nudge, Partnership, Pulse, PulseAnswer
from tests.handlers import register_kit
from tests.handlers.register_kit import opened_form, report_by_form, rows, run, uid

box, clock = register_kit.box, register_kit.clock  # the fixtures

PARTNER_ORG = "T0HOUSINGASSOC"  # Kim's own organisation: a Slack Connect partner


def members(box):
    return {name: uid(box, name) for name in ("alex", "sam", "priya", "jo")} | {
        "kim": box.emulator.workspace.user_named("kim").id
    }


def start(box, people, name="Retrofit Partnership", by=None):
    run(box, f"partnership add {name}", people.alex, people.retrofit)
    reply = run(box, f"pulse {name}", by or people.alex, people.retrofit)
    return reply.args["text"]


def deliver(box, clock):
    lines = send_due_nudges(box.bot.services, box.bot.app.client, clock.now)
    box.wait()
    return lines


def pulse_dm(box, user_id):
    """The DM asking someone, or (a Slack Connect partner, whom the bot can't DM) the message
    only they see in the partnership's channel."""
    [dm] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        + box.emulator.calls_to("chat.postEphemeral", ok=True)
        if user_id in (c.args["channel"], c.args.get("user")) and "pulse" in c.args["text"]
    ]
    [button] = [e for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ANSWER_PULSE
    return dm, button


def ratings(values, comment=None):
    state = {
        key: {"value": {"type": "static_select", "selected_option": {"value": str(value)}}}
        for key, value in zip(DIMENSIONS, values, strict=False)
    }
    state["comment"] = {"value": {"type": "plain_text_input", "value": comment}}
    return state


def answer(box, people, user_id, values, comment=None, user_team=None):
    dm, button = pulse_dm(box, user_id)
    message = dm.result if dm.method == "chat.postMessage" else None
    box.driver.block_action(
        button, user=user_id, channel=dm.args["channel"], message=message, user_team=user_team
    )
    box.wait()
    form = opened_form(box)
    assert form["callback_id"] == PULSE_VIEW
    reply = box.driver.view_submission(
        form, ratings(values, comment), user=user_id, user_team=user_team
    )
    box.wait()
    return reply


def everything_said(box):
    """Every argument of every call the bot made to Slack, as one string."""
    return json.dumps([c.args for c in box.emulator.calls], default=str)


def card(box, people, user=None):
    return run(box, "partnership retrofit partnership", user or people.alex, people.retrofit).args


def test_below_the_threshold_a_pulse_shows_nothing_anywhere(box, people, clock, caplog):
    caplog.set_level(logging.INFO)
    said = start(box, people)
    assert "5 members will get a DM" in said  # alex, sam, priya, jo and kim (Slack Connect)
    [pulse] = rows(box, Pulse)
    assert sorted(pulse.invited.split()) == sorted(members(box).values())
    p = members(box)
    sent = deliver(box, clock)
    assert deliver(box, clock) == []
    # Jo in New York is asked at 09:30 hers; Kim, whom the bot can't DM, in the channel
    assert sorted(line.split(" → ")[1] for line in sent) == [
        f"{p['alex']} (DM)",
        f"{p['kim']} (in channel)",
        f"{p['priya']} (DM)",
        f"{p['sam']} (DM)",
    ]
    answer(box, people, p["sam"], [1, 1, 1, 1, 1, 1, 1], "SAM-FIRST-THOUGHT")
    reply = answer(box, people, p["sam"], [2, 2, 2, 2, 2, 2, 2], "SAM-SECOND-THOUGHT")
    assert reply.json()["response_action"] == "update"
    answer(box, people, p["kim"], [5, 4, 3, 2, 1, 2, 3], "KIM-CANDID-REMARK", user_team=PARTNER_ORG)
    # a second answer replaced the first: two answers, no author on either
    answers = rows(box, PulseAnswer)
    assert len(answers) == 2
    assert sorted((a.goals, a.comment) for a in answers) == [
        (2, "SAM-SECOND-THOUGHT"),
        (5, "KIM-CANDID-REMARK"),
    ]
    thanks = box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    assert "anonymous" in json.dumps(thanks)
    # while open: not how many, nor what; only that there are not enough yet
    shown = json.dumps(card(box, people))
    assert "answered so far" not in shown and "2 answer" not in shown and "Trust" not in shown
    assert "results when it closes, if enough people answer" in shown
    # its lead cannot close it early: not everyone asked has answered
    early = run(box, "pulse close retrofit partnership", people.alex, people.retrofit).args
    assert "closes on its own at its end" in early["text"] and rows(box, Pulse)[0].status == "open"
    # a week on, the scheduler closes it: the channel hears only that too few answered
    clock.now += timedelta(days=7)
    run_pulses(box.bot.services, box.bot.app.client, clock.now)
    box.wait()
    [told] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == people.retrofit and "pulse has closed" in c.args["text"]
    ]
    assert "closed with fewer than 5 answers, so nothing is shown" in told.args["text"]
    assert "2 answer" not in told.args["text"]
    shown = json.dumps(card(box, people))
    assert "too few people have answered" in shown and "Trust" not in shown
    assert box.emulator.calls_to("files.getUploadURLExternal") == []
    # nothing of what they said reached Slack, the audit or the logs, and nothing keeps who
    assert {a.voter_key for a in rows(box, PulseAnswer)} == {None}
    # nor in the committee report or the workbook
    report_by_form(box, "retrofit partnership", people.alex, people.retrofit)
    run(box, "export", people.alex, people.retrofit)
    files = {
        f["name"].rsplit(".", 1)[1]: f["content"] for f in box.emulator.workspace.files.values()
    }
    report = "\n".join(p.text for p in Document(io.BytesIO(files["docx"])).paragraphs)
    assert "No health pulse has closed with enough answers to show yet" in report
    [held] = load_workbook(io.BytesIO(files["xlsx"]))["Health pulses"].iter_rows(
        min_row=2, values_only=True
    )
    assert held[3:6] == (2, "fewer than 5 answered: not shown", None)
    for secret in ("SAM-FIRST-THOUGHT", "SAM-SECOND-THOUGHT", "KIM-CANDID-REMARK"):
        assert secret not in everything_said(box) and secret not in caplog.text
        assert secret not in report
    assert rows(box, Pulse)[0].salt is None
    audit = json.dumps([a.model_dump(mode="json") for a in rows(box, AuditEntry)])
    assert p["sam"] not in audit and p["kim"] not in audit
    answered_logs = [
        r for r in caplog.records if getattr(r, "slack_id", None) in (ANSWER_PULSE, PULSE_VIEW)
    ]
    assert len(answered_logs) == 6 and {r.user_id for r in answered_logs} == {None}
    for record in caplog.records:
        if getattr(record, "slack_id", None) in (ANSWER_PULSE, PULSE_VIEW):
            assert p["sam"] not in json.dumps(vars(record), default=str)


def set_pulse_minimum(box, people, minimum):
    """The workspace's admin sets the fewest answers a pulse shows from, in the settings form."""
    run(box, "settings", people.alex, people.general)
    form = opened_form(box)
    values = {"pulse_minimum": {"value": {"type": "number_input", "value": str(minimum)}}}
    reply = box.driver.view_submission(form, values, user=people.alex)
    box.wait()
    assert reply.status == 200 and "errors" not in reply.body


def test_above_the_threshold_averages_comments_and_the_trend_are_shown(box, people, clock):
    set_pulse_minimum(box, people, 4)  # this council shows a pulse from four answers
    start(box, people)
    deliver(box, clock)
    p = members(box)
    given = {
        "alex": ([4, 4, 5, 3, 2, 4, 3], "Clearer minutes would help"),
        "sam": ([3, 2, 4, 3, 2, 5, 3], None),
        "priya": ([5, 3, 3, 4, 3, 4, 2], "Trust is growing"),
        "kim": ([4, 3, 4, 2, 1, 3, 4], "Decisions take too long"),
    }
    for name, (values, comment) in given.items():
        answer(box, people, p[name], values, comment, PARTNER_ORG if name == "kim" else None)
    # a week later the scheduler closes it and tells the channel
    clock.now += timedelta(days=7)
    lines = run_pulses(box.bot.services, box.bot.app.client, clock.now)
    box.wait()
    assert lines[0] == f"pulse {rows(box, Pulse)[0].id} closed: 4 answers, shown"
    [told] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == people.retrofit and "pulse" in c.args["text"]
    ]
    # averages worked by hand: goals (4+3+5+4)/4 = 4.0, governance (2+2+3+1)/4 = 2.0, overall
    # the mean of 4.0, 3.0, 4.0, 3.0, 2.0, 4.0, 3.0 = 3.29 → 3.3
    assert told.args["text"] == "Retrofit Partnership pulse: 4 answers, overall 3.3 out of 5."
    body = json.dumps(told.args["blocks"])
    assert "4.0  Shared goals" in body and "2.0  Clarity of governance" in body
    assert "3.0  Delivering what was promised" in body
    for comment in ("Clearer minutes would help", "Trust is growing", "Decisions take too long"):
        assert comment in body
    # the trend picture: a real PNG, not blank, described in words
    [upload] = box.emulator.calls_to("files.getUploadURLExternal", ok=True)
    assert upload.args["alt_txt"].startswith("Health of Retrofit Partnership: average rating")
    assert "weakest: Clarity of governance 2.0" in upload.args["alt_txt"]
    stored = box.emulator.workspace.files[upload.result["file_id"]]
    assert stored["shared_in"] == people.retrofit
    image = Image.open(io.BytesIO(stored["content"]))
    assert image.size == (900, 500)
    assert max(hi - lo for lo, hi in ImageStat.Stat(image.convert("L")).extrema) > 100
    # the card and the lead's App Home show the averages and the picture
    [partnership] = rows(box, Partnership)
    with box.bot.services.sessions() as session:
        fresh = session.get(Partnership, partnership.id)
        fresh.lead_id = p["alex"]
        session.add(fresh)
        session.commit()
    shown = card(box, people)
    images = [b for b in shown["blocks"] if b["type"] == "image"]
    assert images[0]["slack_file"] == {"id": upload.result["file_id"]}
    assert "Clarity of governance 2.0" in images[0]["alt_text"]
    box.driver.event({"type": "app_home_opened", "user": p["alex"], "tab": "home"})
    box.wait()
    home = box.emulator.workspace.home[p["alex"]]
    assert "Health pulse: Retrofit Partnership" in json.dumps(home)
    assert any(b["type"] == "image" for b in home["blocks"])
    # a closed pulse takes no more answers
    dm, button = pulse_dm(box, p["sam"])
    box.driver.block_action(button, user=p["sam"], channel=dm.args["channel"], message=dm.result)
    box.wait()
    assert "has closed" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert len(rows(box, PulseAnswer)) == 4


def test_the_monthly_pulse_starts_once_and_asks_in_working_hours(box, people, clock):
    run(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    run(box, "partnership add LSP Board", people.alex, people.board)
    night = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert run_pulses(box.bot.services, box.bot.app.client, night) == []
    morning = datetime(2026, 12, 1, 9, 45, tzinfo=UTC)
    clock.now = morning
    lines = run_pulses(box.bot.services, box.bot.app.client, morning)
    assert len(lines) == 2 and all("started" in line for line in lines)
    assert run_pulses(box.bot.services, box.bot.app.client, morning) == []
    pulses = sorted(rows(box, Pulse), key=lambda p: p.id)
    assert [p.period for p in pulses] == ["2026-12", "2026-12"]
    # the private board's pulse asks only its people (the bot is not one)
    assert sorted(pulses[1].invited.split()) == sorted([people.alex, uid(box, "priya")])
    sent = deliver(box, clock)
    assert len(sent) == 4 + 2  # Jo's waits for her morning
    # Jo in New York is asked at 09:30 hers, not at 04:45
    jo = [n for n in rows(box, Nudge) if n.recipient_id == uid(box, "jo")]
    assert jo[0].status == "pending" and jo[0].due_at == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)


def test_bad_input_changes_nothing(box, people, clock):
    # no name, an unknown one, someone who may not run it
    assert "Which partnership?" in run(box, "pulse", people.alex, people.retrofit).args["text"]
    run(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    unknown = run(box, "pulse Parks Trust", people.alex, people.retrofit).args["text"]
    assert "no partnership called “Parks Trust”" in unknown
    refused = run(box, "pulse Retrofit Partnership", people.sam, people.retrofit).args["text"]
    assert refused.startswith("Only its lead officer")
    assert rows(box, Pulse) == []
    # one open at a time
    run(box, "pulse Retrofit Partnership", people.alex, people.retrofit)
    again = run(box, "pulse Retrofit Partnership", people.alex, people.retrofit).args["text"]
    assert "already open" in again and len(rows(box, Pulse)) == 1
    deliver(box, clock)
    [pulse] = rows(box, Pulse)
    # a form without every rating: Slack shows the missing ones, nothing stored
    dm, button = pulse_dm(box, people.sam)
    box.driver.block_action(button, user=people.sam, channel=dm.args["channel"], message=dm.result)
    box.wait()
    form = opened_form(box)
    reply = box.driver.view_submission(form, ratings([3, 3, 3]), user=people.sam)
    assert set(reply.json()["errors"]) == {"leadership", "governance", "benefit", "delivery"}
    # a rating outside 1-5 (a forged option)
    reply = box.driver.view_submission(form, ratings([3, 3, 3, 3, 3, 3, 9]), user=people.sam)
    box.wait()
    assert rows(box, PulseAnswer) == []
    # someone who was not asked (a forged form naming the pulse)
    outsider = box.emulator.workspace.users["U0PARTNERBOT"].id
    reply = box.driver.view_submission(form, ratings([3] * 7), user=outsider)
    assert reply.json()["view"]["title"]["text"] == "Not sent"
    # another workspace's pulse, named by a correctly signed request of this one
    with box.bot.services.sessions() as session:
        theirs = Pulse(**{**pulse.model_dump(), "id": None, "team_id": "T0OTHERCOUNCIL"})
        session.add(theirs)
        session.commit()
        session.refresh(theirs)
    forged = {**form, "private_metadata": str(theirs.id)}
    reply = box.driver.view_submission(forged, ratings([3] * 7), user=people.sam)
    assert "isn't in this workspace" in json.dumps(reply.json())
    assert rows(box, PulseAnswer) == []
    # the button from a message naming a pulse that is not ours
    box.driver.block_action(
        {**button, "value": "999"}, user=people.sam, channel=dm.args["channel"], message=dm.result
    )
    box.wait()
    assert "isn't in this workspace" in box.emulator.calls_to("response_url")[-1].args["text"]


def test_a_pulse_restarted_before_its_dms_went_out_sends_its_own(box, people, clock):
    """Started at night, its DMs wait for 09:30; it is closed before then (as the scheduler may
    close one, or as its lead once could) and a new one started: the new pulse's DMs, owed at
    the same 09:30 to the same people, are sent, not dropped as repeats of the old ones."""
    from handlers.pulse_flow import close_and_tell

    clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # night in London and New York
    start(box, people)
    assert [line for line in deliver(box, clock) if "(DM)" in line] == []  # put off to 09:30
    [first] = rows(box, Pulse)
    clock.now += timedelta(minutes=10)
    close_and_tell(box.bot.app.client, box.bot.services, first, by=None)
    box.wait()
    run(box, "pulse Retrofit Partnership", people.alex, people.retrofit)
    second = max(rows(box, Pulse), key=lambda p: p.id)
    assert second.status == "open" and second.id != first.id
    clock.now += timedelta(minutes=5)
    assert [line for line in deliver(box, clock) if "(DM)" in line] == []  # put off to 09:30 too
    clock.now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    sent = deliver(box, clock)
    told = sorted(line.split(" → ")[1] for line in sent if "(DM)" in line)
    p = members(box)
    assert told == sorted(f"{p[name]} (DM)" for name in ("alex", "priya", "sam"))
    dm, button = pulse_dm(box, p["sam"])
    assert button["value"] == str(second.id)  # the DM asks about the new pulse


def test_an_answers_key_is_the_deployments_own_not_slacks_signing_secret(box, people, clock):
    """Someone who reads the database and the Slack app's signing secret (every collaborator on
    the app can) cannot link an open pulse's answer to its author."""
    import hashlib
    import hmac

    from knowledge.pulses import voter_keys

    start(box, people)
    deliver(box, clock)
    p = members(box)
    answer(box, people, p["sam"], [3] * 7)
    [pulse] = rows(box, Pulse)
    [stored] = [a.voter_key for a in rows(box, PulseAnswer)]
    old_style = {
        hmac.new(
            secret.encode(), f"{pulse.id}:{pulse.salt}:{p['sam']}".encode(), hashlib.sha256
        ).hexdigest()
        for secret in (box.signing_secret, "")
    }
    assert stored not in old_style
    assert stored == voter_keys(box.bot.services.keyring, pulse, p["sam"])[0]
