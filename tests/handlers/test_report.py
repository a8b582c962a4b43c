"""`/partners report NAME` through the signed Bolt path: a form for what only the officer can
write (filled in with the last report's answers), checked field by field before the ack; on
submit the Word document arrives by DM (with progress), names people and channels as Slack
knows them, says DRAFT until it is final, and goes only to those who may read it; and
`partnerbot report NAME FILE.docx [--answers FILE.yaml]` from the command line, naming people
from the directory without a Slack token."""

import io
import json

import pytest
from docx import Document

from bot.cli import main
from handlers.report_form import REPORT_VIEW
from knowledge.report import SECTIONS
from storage.directory import KnownName, ReportAnswers
from tests.handlers import register_kit
from tests.handlers.register_kit import opened_form, rows, run, uid

box, clock = register_kit.box, register_kit.clock  # the fixtures
NUMBERED = [f"{n}. {title}" for n, title in enumerate(SECTIONS, 1)]


def answers_state(**fields):
    """Slack's view state for the report form, from field values."""
    values = {}
    for block, value in fields.items():
        if block == "meeting_date":
            values[block] = {"value": {"type": "datepicker", "selected_date": value}}
        elif block in ("purpose", "marking"):
            values[block] = {
                "value": {"type": "static_select", "selected_option": {"value": value}}
            }
        elif block in ("final", "not_for_publication"):
            chosen = [{"value": "yes"}] if value else []
            values[block] = {"value": {"type": "checkboxes", "selected_options": chosen}}
        else:
            values[block] = {"value": {"type": "plain_text_input", "value": value}}
    return values


def submit(box, view, user, **fields):
    reply = box.driver.view_submission(view, answers_state(**fields), user=user)
    box.wait()
    assert reply.status == 200
    return reply.json() if reply.body else {}


def the_document(box):
    files = [f for f in box.emulator.workspace.files.values() if f["name"].endswith(".docx")]
    return files[-1]["name"], Document(io.BytesIO(files[-1]["content"]))


@pytest.fixture
def seeded(box, people):
    run(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    run(
        box,
        f"commit <@{people.sam}|sam> Share the supply-chain map by 12 Dec in Retrofit Partnership",
        people.alex,
        people.retrofit,
    )
    return people


def test_the_form_opens_and_the_report_comes_by_dm_with_names(box, seeded):
    people = seeded
    run(box, "report retrofit partnrship", people.sam, people.general)
    form = opened_form(box)
    assert form["callback_id"] == REPORT_VIEW
    blocks = {b.get("block_id") for b in form["blocks"]}
    assert {"committee", "meeting_date", "author", "recommendations", "legal", "final"} <= blocks
    assert box.emulator.calls_to("files.getUploadURLExternal") == []  # nothing until submitted
    answer = submit(
        box, form, people.sam,
        committee="Cabinet", meeting_date="2027-01-14", author="Sam Okafor",
        author_email="sam@hull.gov.uk", recommendations="Note the progress\nAgree the exit date",
        purpose="decision",
    )  # fmt: skip
    assert answer["response_action"] == "update"  # "Writing the report…" at once
    [upload] = box.emulator.calls_to("files.completeUploadExternal", ok=True)
    assert upload.args["channel_id"].startswith("D")
    name, document = the_document(box)
    assert name == "committee-report-draft-2026-11-23.docx"
    assert document.paragraphs[0].text == "DRAFT: Retrofit Partnership: progress report"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == NUMBERED
    cover = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert cover["Committee"] == "Cabinet" and cover["Purpose"] == "For decision"
    commitments = next(t for t in document.tables if t.rows[0].cells[0].text == "Commitment")
    owners = [r.cells[1].text for r in commitments.rows[1:]]
    assert owners == ["Sam Okafor"]  # a name, not a Slack ID, in a document read outside Slack
    facts = next(t for t in document.tables if t.rows[0].cells[0].text == "Fact")
    channel = {r.cells[0].text: r.cells[1].text for r in facts.rows}["Channel"]
    assert channel.startswith("#") and people.retrofit not in channel
    progress = [c.args["text"] for c in box.emulator.calls_to("chat.update", ok=True)]
    assert f"1 of {len(SECTIONS)} sections (Report summary)" in progress[0]
    assert progress[-1] == f"✅ Report written (draft): {len(SECTIONS)} sections."
    done = box.emulator.calls_to("views.update", ok=True)[-1].args["view"]
    assert "is in your DMs" in json.dumps(done)
    # the answers are kept, and the next form starts from them
    [kept] = rows(box, ReportAnswers)
    assert json.loads(kept.answers)["recommendations"] == [
        "Note the progress",
        "Agree the exit date",
    ]
    run(box, "report Retrofit Partnership", people.alex, people.retrofit)
    again = {b["block_id"]: b for b in opened_form(box)["blocks"] if b.get("block_id")}
    assert again["committee"]["element"]["initial_value"] == "Cabinet"
    assert again["meeting_date"]["element"]["initial_date"] == "2027-01-14"
    assert (
        again["recommendations"]["element"]["initial_value"]
        == "Note the progress\nAgree the exit date"
    )
    assert "last report" in json.dumps(opened_form(box)["blocks"][0])
    # the directory kept the names Slack gave, for the command line
    names = {r.slack_id: r.name for r in rows(box, KnownName)}
    assert names[people.sam] == "Sam Okafor" and names[people.retrofit] == "retrofit-partnership"


def test_a_refused_form_says_what_is_wrong_under_each_field_and_changes_nothing(box, seeded):
    people = seeded
    run(box, "report Retrofit Partnership", people.alex, people.retrofit)
    form = opened_form(box)
    refused = submit(box, form, people.alex, author_email="not an email", final=True)
    assert refused["response_action"] == "errors"
    assert "not an email address" in refused["errors"]["author_email"]
    refused = submit(box, form, people.alex, committee="Cabinet", final=True)
    assert refused["response_action"] == "errors"
    assert refused["errors"]["final"].startswith("A final report needs the date of the meeting")
    refused = submit(box, form, people.alex, committee="x" * 300)
    assert "200 characters" in refused["errors"]["committee"]
    # a form naming another workspace's (or a deleted) partnership
    stale = dict(form, private_metadata="999999")
    assert submit(box, stale, people.alex, committee="Cabinet")["response_action"] == "errors"
    assert rows(box, ReportAnswers) == []
    assert box.emulator.calls_to("files.getUploadURLExternal") == []
    # a final report, once it has what it needs: no DRAFT anywhere
    submit(
        box, form, people.alex, committee="Cabinet", meeting_date="2027-01-14",
        author="Alex Morgan", recommendations="Note the progress", final=True,
    )  # fmt: skip
    name, document = the_document(box)
    assert name.startswith("committee-report-final-")
    assert not document.paragraphs[0].text.startswith("DRAFT")
    assert "DRAFT" not in document.sections[0].header.paragraphs[0].text


def test_who_may_have_a_report_and_bad_names(box, people):
    assert "Which partnership?" in run(box, "report", people.sam, people.general).args["text"]
    unknown = run(box, "report Parks Trust", people.sam, people.general).args["text"]
    assert "no partnership called “Parks Trust”" in unknown
    # the board meets in a private channel Sam is not in, and he doesn't lead it
    run(box, "partnership add LSP Board", people.alex, people.board)
    refused = run(box, "report LSP Board", people.sam, people.general).args["text"]
    assert refused.startswith("Only its lead officer, the people in its channel")
    assert box.emulator.calls_to("views.open", ok=True) == []
    # Priya is in the channel
    run(box, "report LSP Board", uid(box, "priya"), people.board)
    form = opened_form(box)
    # a form passed to someone who may not read the report writes nothing for them
    submit(box, form, people.sam, committee="Cabinet")
    assert box.emulator.calls_to("files.getUploadURLExternal") == []
    assert "Only its lead officer" in json.dumps(box.emulator.calls_to("views.update")[-1].args)
    submit(box, form, uid(box, "priya"), committee="Cabinet")
    assert len(box.emulator.calls_to("files.completeUploadExternal", ok=True)) == 1


def test_the_command_line_writes_the_report(box, seeded, monkeypatch, capsys, tmp_path):
    people = seeded
    run(box, "report Retrofit Partnership", people.sam, people.retrofit)  # Slack named Sam
    monkeypatch.setenv("DATABASE_URL", box.bot.settings.database_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    team = ["--team", people.team]
    assert main([*team, "report", "Retrofit Partnership", str(tmp_path / "r.pdf")]) == 2
    assert "must end in .docx" in capsys.readouterr().err
    assert main([*team, "report", "Retrofot", str(tmp_path / "r.docx")]) == 2
    assert "Did you mean 'Retrofit Partnership'?" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("committee: Cabinet\nfinal: true\ncolour: blue\n")
    assert (
        main(
            [
                *team,
                "report",
                "Retrofit Partnership",
                str(tmp_path / "r.docx"),
                "--answers",
                str(bad),
            ]
        )
        == 2
    )
    assert "colour: is not something a report asks for" in capsys.readouterr().err
    bad.write_text("- just\n- a list\n")
    assert (
        main(
            [
                *team,
                "report",
                "Retrofit Partnership",
                str(tmp_path / "r.docx"),
                "--answers",
                str(bad),
            ]
        )
        == 2
    )
    assert "must be a mapping" in capsys.readouterr().err
    given = tmp_path / "answers.yaml"
    given.write_text(
        "committee: Partnerships Scrutiny Committee\nmeeting_date: 2027-01-14\n"
        "author: Alex Morgan\nauthor_email: alex@hull.gov.uk\n"
        "recommendations:\n  - Note the progress\nlegal: None.\nfinal: true\n"
    )
    out = tmp_path / "report.docx"
    assert main([*team, "report", "retrofit partnership", str(out), "--answers", str(given)]) == 0
    assert "the final committee report for Retrofit Partnership" in capsys.readouterr().out
    document = Document(str(out))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == NUMBERED
    commitments = next(t for t in document.tables if t.rows[0].cells[0].text == "Commitment")
    assert [r.cells[1].text for r in commitments.rows[1:]] == ["Sam Okafor"]  # no Slack asked
    # without --answers, the last ones given
    assert main([*team, "report", "Retrofit Partnership", str(out)]) == 0
    cover = {r.cells[0].text: r.cells[1].text for r in Document(str(out)).tables[0].rows}
    assert cover["Committee"] == "Partnerships Scrutiny Committee"
