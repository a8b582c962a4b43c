"""`partnerbot shell`: the real app, driven from a terminal or a pipe."""

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox import Sandbox
from bot.shell import Shell
from tests.conftest import Clock

ROOT = Path(__file__).resolve().parents[2]


def test_the_shell_answers_help_from_piped_stdin(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "shell"],
        input="/partners help\n",
        text=True,
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "(only you can see this)" in done.stdout
    assert "== partnerbot: /partners ==" in done.stdout
    assert "/partners commit @sam Share the supply-chain map by 12 Dec" in done.stdout


def run(box, script, files=None):
    out = io.StringIO()
    Shell(box, io.StringIO(script), out, **({"files": files} if files else {})).run()
    return out.getvalue()


def test_people_and_channels_can_be_switched(box):
    shown = run(
        box,
        "/as @sam\n/in #retrofit-partnership\n/partners partnership add Retrofit\n"
        "/as @nobody\n/in #nowhere\n",
    )
    assert "You are now @sam" in shown and "You are now in #retrofit-partnership" in shown
    assert "#retrofit-partnership  partnerbot:" in shown
    assert "*Retrofit* in #retrofit-partnership, added by @sam" in shown
    assert "no person called @nobody" in shown and "no channel called #nowhere" in shown


def test_a_form_is_filled_in_and_submitted_by_number(box: Sandbox):
    shown = run(
        box,
        "/partners partnership add Parks\n/partners partnership add\n1\nparks\n"
        + "\n" * 15
        + "2\nLSP Board\n#lsp-board\n"
        + "\n" * 14
        + "/partners partnership list\n",
    )
    assert "┌─ modal: Add a partnership ─" in shown
    # a refused form names the field as the form does, and keeps what was typed
    assert "(form) Name: There is already a partnership called “Parks”." in shown
    assert "(blank keeps what you typed)" in shown and "Name [parks]" in shown
    assert "┌─ modal: Partnership saved ─" in shown
    assert "• *LSP Board* in #lsp-board: no lead, type not set; no review date" in shown


def test_the_home_tab_and_unknown_input(box):
    shown = run(box, "/home\n/remind me\nhello\n7\n")
    assert "(App Home of @alex)" in shown and "== Your open commitments (0) ==" in shown
    assert "Only /partners is installed here" in shown
    assert "Type /partners … or a number" in shown
    assert "nothing is numbered 7" in shown


def test_the_shell_runs_the_nudges_due_at_a_chosen_instant(box):
    from datetime import date, timedelta

    from knowledge.workdays import previous_working_day

    due = previous_working_day(date.today() + timedelta(days=21))
    shown = run(
        box,
        f"/partners commit @sam Share the map by {due.isoformat()}\n"
        f"/nudges {due.isoformat()}T12:00Z\n/nudges soon\n",
    )
    assert "DM with @sam  partnerbot:" in shown and "⏰ *Due today*" in shown
    assert "is not an ISO-8601 time" in shown


@pytest.fixture
def monday_box(settings):
    """A sandbox whose clock says Monday 10:00 UTC: pulse DMs go out in working hours, whenever
    the test runs."""
    with Sandbox(settings, clock=Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))) as sandbox:
        yield sandbox


def test_a_health_pulse_is_run_answered_and_shown_from_the_shell(monday_box: Sandbox, tmp_path):
    """Three people answer by number (in a council whose admins show a pulse from three
    answers); a week on, the scheduler's job closes it and shows averages and says what the
    picture shows. DMs arrive in whichever order the senders finish, so each presses [1]: every
    DM's button opens the same pulse, and each person may answer it."""
    from knowledge.workspace_settings import Rules, save_rules

    with monday_box.bot.services.sessions() as session:
        save_rules(
            session,
            team_id=monday_box.emulator.workspace.team_id,
            rules=Rules(pulse_minimum=3),
            actor_id="U0SHELLALEX",
            now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        )
    shell_out = io.StringIO()
    shell = Shell(
        monday_box,
        io.StringIO("/in #retrofit-partnership\n/partners partnership add Retrofit\n"
                    "/partners pulse Retrofit\n/nudges\n"),
        shell_out,
        files=tmp_path,
    )  # fmt: skip
    shell.run()
    # each DM's button can be pressed only by the person it was sent to, as in Slack
    own = dict(
        re.findall(r"DM with @(\w+)  partnerbot:\n(?:  .*\n)*?  \[(\d+)\]", shell_out.getvalue())
    )
    script = f"/as @sam\n{own['priya']}\n"  # not his: refused
    # four DMs at 10:00 UTC (Jo, in New York, is asked at her 09:30): forms are [5], [6], [7]
    for number, who in enumerate(("priya", "sam", "alex"), start=5):
        script += f"/as @{who}\n{own[who]}\n{number}\n4\n3\n5\n2\n3\n4\n4\nMinutes come late\n"
    script += "/as @alex\n/partners pulse close Retrofit\n/pulses 2026-11-30T10:00Z\n"
    shell.source = io.StringIO(script)
    shell.run()
    shown = shell_out.getvalue()
    assert f"[{own['priya']}] was shown only to @priya: @sam cannot see it" in shown
    assert shown.count("✅ Your answer is in. Thank you.") == 3
    assert "or earlier once everyone asked has answered" in shown  # alex may not close it now
    assert "*Retrofit: health pulse* (3 answers, anonymous)" in shown
    assert "2.0  Leadership" in shown
    assert "picture: Health of Retrofit: average rating out of 5 over 1 pulse: " in shown


class Interrupting(io.StringIO):
    """Input whose Nth line is a Ctrl-C (KeyboardInterrupt), as a terminal delivers it."""

    def __init__(self, text: str, at: int) -> None:
        super().__init__(text)
        self.read_lines, self.at = 0, at

    def readline(self, *args):
        self.read_lines += 1
        if self.read_lines == self.at:
            raise KeyboardInterrupt
        return super().readline(*args)


def test_ctrl_c_cancels_a_form_and_files_are_saved_where_people_can_open_them(box, tmp_path):
    from storage.models import Partnership

    # Ctrl-C half-way through the partnership form: cancelled, nothing stored, the shell goes on
    out = io.StringIO()
    script = "/partners partnership add\n1\nParks\n\n\n/partners partnership list\n"
    files = tmp_path / "partnerbot-files"
    Shell(box, Interrupting(script, at=4), out, files=files).run()
    shown = out.getvalue()
    assert "(shell) cancelled: nothing was sent." in shown
    assert "No partnerships" in shown or "0 partnerships" in shown or "none" in shown.lower()
    with box.bot.services.sessions() as session:
        assert list(session.exec(select(Partnership))) == []
    # a file the bot sends is saved, and its path printed; a second never overwrites the first
    shown = run(box, "/partners export\n/partners export\n", files=files)
    saved = sorted(p.name for p in files.iterdir())
    assert len(saved) == 2 and all(name.endswith(".xlsx") for name in saved)
    assert f"saved as {files / saved[0]}" in shown and f"saved as {files / saved[1]}" in shown
