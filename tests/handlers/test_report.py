"""`/partners report NAME` through the signed Bolt path: the Word document arrives by DM (with
progress), names people as Slack knows them, and goes only to those who may read it; and
`partnerbot report NAME FILE.docx` from the command line."""

import io

from docx import Document

from bot.cli import main
from knowledge.report import SECTIONS
from tests.handlers import register_kit
from tests.handlers.register_kit import run, uid

box, clock = register_kit.box, register_kit.clock  # the fixtures


def test_the_committee_report_is_sent_by_dm_to_a_member(box, people):
    run(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    run(
        box,
        f"commit <@{people.sam}|sam> Share the supply-chain map by 12 Dec in Retrofit Partnership",
        people.alex,
        people.retrofit,
    )
    said = run(box, "report retrofit partnrship", people.sam, people.general).args["text"]
    assert said.startswith("Preparing the committee report for *Retrofit Partnership*")
    [upload] = box.emulator.calls_to("files.completeUploadExternal", ok=True)
    assert upload.args["channel_id"].startswith("D")
    [file] = [f for f in box.emulator.workspace.files.values() if f["name"].endswith(".docx")]
    document = Document(io.BytesIO(file["content"]))
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(SECTIONS)
    commitments = next(t for t in document.tables if t.rows[0].cells[0].text == "Commitment")
    owners = [r.cells[1].text for r in commitments.rows[1:]]
    assert owners == ["Sam Okafor"]  # a name, not a Slack ID, in a document read outside Slack
    progress = [c.args["text"] for c in box.emulator.calls_to("chat.update", ok=True)]
    assert "1 of 8 sections (The partnership)" in progress[0]
    assert progress[-1] == "✅ Report written: 8 sections."


def test_who_may_have_a_report_and_bad_names(box, people):
    assert "Which partnership?" in run(box, "report", people.sam, people.general).args["text"]
    unknown = run(box, "report Parks Trust", people.sam, people.general).args["text"]
    assert "no partnership called “Parks Trust”" in unknown
    # the board meets in a private channel Sam is not in, and he doesn't lead it
    run(box, "partnership add LSP Board", people.alex, people.board)
    refused = run(box, "report LSP Board", people.sam, people.general).args["text"]
    assert refused.startswith("Only its lead officer, the people in its channel")
    assert box.emulator.calls_to("files.getUploadURLExternal") == []
    # Priya is in the channel
    run(box, "report LSP Board", uid(box, "priya"), people.board)
    assert len(box.emulator.calls_to("files.completeUploadExternal", ok=True)) == 1


def test_the_command_line_writes_the_report(box, people, monkeypatch, capsys, tmp_path):
    run(box, "partnership add Retrofit Partnership", people.alex, people.retrofit)
    monkeypatch.setenv("DATABASE_URL", box.bot.settings.database_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    team = ["--team", people.team]
    assert main([*team, "report", "Retrofit Partnership", str(tmp_path / "r.pdf")]) == 2
    assert "must end in .docx" in capsys.readouterr().err
    assert main([*team, "report", "Retrofot", str(tmp_path / "r.docx")]) == 2
    assert "Did you mean 'Retrofit Partnership'?" in capsys.readouterr().err
    out = tmp_path / "report.docx"
    assert main([*team, "report", "retrofit partnership", str(out)]) == 0
    assert "the committee report for Retrofit Partnership" in capsys.readouterr().out
    document = Document(str(out))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == list(SECTIONS)
