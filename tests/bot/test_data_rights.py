"""A council's data protection officer answers a subject-access request and an erasure request:
`partnerbot export-user` lists everything held about Sam (made through the signed Bolt path),
`partnerbot forget-user` removes his ID from every row and audit entry while the content stays,
his open commitments go back to whoever recorded them, and Slack then shows "a former member"."""

import json
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.cli import main
from knowledge.breakout import Plan, add_answer, start_round
from knowledge.data_rights import NEEDS_OWNER, PERSON
from knowledge.entries import vote
from storage.models import (
    AuditEntry,
    BreakoutAnswer,
    Commitment,
    CommitmentOwner,
    Entry,
    Partnership,
    Vote,
)
from tests.handlers import register_kit
from tests.handlers.register_kit import rows, run

box, clock = register_kit.box, register_kit.clock  # the fixtures


def everything(box):
    """Every value of every row of every table, as one string."""
    dump = []
    with box.bot.services.sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            dump += [str(tuple(r)) for r in session.execute(text(f'SELECT * FROM "{table.name}"'))]
    return "\n".join(dump)


def seed(box, people):
    """Sam's traces, made as people make them."""
    sam, alex = people.sam, people.alex
    run(box, "partnership add Retrofit Partnership", alex, people.retrofit)
    run(box, "lesson Early supplier days built trust #retrofit", sam, people.retrofit)
    run(box, f"lesson Thanks to <@{sam}|sam> for the supplier map", alex, people.retrofit)
    run(box, f"commit <@{sam}|sam> Share the supply-chain map by 12 Dec", alex, people.retrofit)
    run(box, f"commit <@{sam}|sam> Book the venue by 10 Dec", sam, people.retrofit)
    run(box, "away until 2 Jan", sam, people.retrofit)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with box.bot.services.sessions() as session:
        partnership = session.exec(select(Partnership)).one()
        partnership.lead_id = sam
        session.add(partnership)
        thanks = session.exec(select(Entry).where(Entry.author_id == alex)).one()
        vote(session, entry=thanks, user_id=sam, helpful=True, now=now)
        plan = Plan("What gets in the way", ("What gets in the way?",), None, None)
        round_, _ = start_round(
            session,
            team_id=people.team,
            channel_id=people.retrofit,
            facilitator_id=alex,
            plan=plan,
            now=now,
        )
        add_answer(
            session,
            round_,
            number=0,
            text="Slow sign-off",
            person_id=sam,
            anonymous=False,
            keyring=box.bot.services.keyring,
            now=now,
        )
        session.commit()


def test_a_person_is_exported_then_forgotten_and_their_content_stays(
    box, people, monkeypatch, capsys, tmp_path
):
    seed(box, people)
    sam, alex = people.sam, people.alex
    monkeypatch.setenv("DATABASE_URL", box.bot.settings.database_url)
    team = ["--team", people.team]
    # the subject-access request
    out = tmp_path / "sam.json"
    assert main([*team, "export-user", sam, str(out)]) == 0
    assert f"held about {sam} in {people.team}" in capsys.readouterr().out
    held = json.loads(out.read_text())
    assert held["person"] == sam
    tables = held["tables"]
    assert {"entry", "commitment", "commitment_owner", "away", "vote", "breakout_answer"} <= set(
        tables
    )
    titles = {e["title"] for e in tables["entry"]}
    assert titles == {
        "Early supplier days built trust",
        f"Thanks to <@{sam}|sam> for the supplier map",
    }
    assert {c["action"] for c in tables["commitment"]} == {"Book the venue"}  # he recorded it
    assert any(a["actor_id"] == sam for a in tables["audit_entry"])
    assert tables["partnership"][0]["lead_id"] == sam
    # erasure needs --yes, and changes nothing without it
    assert main([*team, "forget-user", sam]) == 2
    assert "--yes" in capsys.readouterr().err and sam in everything(box)
    assert main([*team, "forget-user", sam, "--yes"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Forgot {sam} in {people.team}:") and "entry" in said
    # no row and no audit entry keeps his ID, in any column
    assert [line for line in everything(box).splitlines() if sam in line] == []
    # his content stays, as a former member's; votes stay as counts; named answers lose the name
    entries = {e.title: e for e in rows(box, Entry) if e.kind == "lesson"}
    assert entries["Early supplier days built trust"].author_id == "UFORMER"
    thanks = entries["Thanks to a former member for the supplier map"]
    assert thanks.helpful == 1 and rows(box, Vote) == []
    # the running bot's search index picks up the new text (the entry's version moved on)
    found = run(box, "ask supplier map", alex, people.retrofit).args
    assert "a former member" in json.dumps(found) and sam not in json.dumps(found)
    [answer] = rows(box, BreakoutAnswer)
    assert (answer.text, answer.author_id) == ("Slow sign-off", None)
    assert rows(box, Partnership)[0].lead_id is None
    # his open commitments: back to the creator, or flagged when he had recorded it himself
    by_action = {c.action: c for c in rows(box, Commitment)}
    owners = {o.commitment_id: o.user_id for o in rows(box, CommitmentOwner)}
    assert owners[by_action["Share the supply-chain map"].id] == alex
    venue = by_action["Book the venue"]
    assert owners[venue.id].startswith("UFORMER") and venue.progress_note == NEEDS_OWNER
    # the erasure is audited without naming him
    [erased] = [a for a in rows(box, AuditEntry) if a.entity == "person"]
    assert erased.entity_id == "erased" and sam not in erased.detail
    # Slack shows a former member, never an unknown user
    listed = run(box, "actions all", alex, people.retrofit).args
    assert "a former member" in json.dumps(listed) and "UFORMER" not in json.dumps(listed)


def test_an_export_never_carries_a_token(box, people, monkeypatch, tmp_path):
    """The person who installed the bot is named in slack_sdk's installation row, beside the
    workspace's tokens: the row is theirs to see, the tokens are not."""
    from storage.installations import installations

    with box.bot.services.sessions() as session:
        session.execute(
            installations.insert().values(
                client_id="1.2",
                app_id="A1",
                team_id=people.team,
                user_id=people.sam,
                bot_token="xoxb-very-secret",
                bot_refresh_token="xoxe-1-also-secret",
                is_enterprise_install=False,
                installed_at=datetime(2026, 11, 23, 10, 0),
            )
        )
        session.commit()
    monkeypatch.setenv("DATABASE_URL", box.bot.settings.database_url)
    out = tmp_path / "sam.json"
    assert main(["--team", people.team, "export-user", people.sam, str(out)]) == 0
    written = out.read_text()
    [row] = json.loads(written)["tables"]["slack_installations"]
    assert row["user_id"] == people.sam and row["bot_token"].startswith("[withheld")
    assert "very-secret" not in written and "also-secret" not in written


def test_bad_requests_change_nothing(box, people, monkeypatch, capsys, tmp_path):
    seed(box, people)
    monkeypatch.setenv("DATABASE_URL", box.bot.settings.database_url)
    team = ["--team", people.team]
    before = everything(box)
    assert main([*team, "export-user", "sam"]) == 2
    assert "not a Slack user ID" in capsys.readouterr().err
    assert main([*team, "export-user", people.sam, str(tmp_path / "sam.csv")]) == 2
    assert main([*team, "forget-user", "UFORMER", "--yes"]) == 2
    assert main(["--team", "T0ELSEWHERE", "forget-user", people.sam, "--yes"]) == 0
    assert "nothing" in capsys.readouterr().out  # another workspace holds nothing of his
    assert everything(box).count(people.sam) == before.count(people.sam)


def test_every_table_names_its_people_in_columns_the_erasure_knows():
    """A column holding a user ID under another name would escape forget-user."""
    suspicious = {
        f"{t.name}.{c.name}"
        for t in SQLModel.metadata.sorted_tables
        for c in t.columns
        if (c.name.endswith(("_by", "user_id")) or c.name in {"recipient_id", "actor_id"})
        and c.name not in PERSON
        and c.name != "bot_user_id"  # the bot's own, in slack_sdk's installation tables
    }
    assert suspicious == set()


def test_forgetting_leaves_no_trace_in_the_search_index_or_the_database_files(
    box, people, monkeypatch, capsys
):
    """After forget-user the person's ID is in no row, in no search snapshot, in no running
    process's index once it next looks (every ERASURE_CHECK; no wait here), and, on SQLite, in no
    byte of the database's files (its log checkpointed and emptied, the file rebuilt)."""
    import knowledge.search as search_module
    from knowledge.snapshots import load_snapshot
    from storage.db import sqlite_path
    from storage.models import SearchSnapshot

    seed(box, people)
    sam = people.sam
    run(box, "ask supplier map", people.alex, people.retrofit)  # the running index is built
    before = box.bot.services.search.index(people.team)
    assert sam in before.state()[0]["codes"]  # his lessons' author, for `from:@sam`
    monkeypatch.setenv("DATABASE_URL", box.bot.settings.database_url)
    assert main(["--team", people.team, "forget-user", sam, "--yes"]) == 0
    said = capsys.readouterr().out
    assert "The search index was rebuilt without them." in said
    with box.bot.services.sessions() as session:
        row = session.get(SearchSnapshot, people.team)
        assert row.erased_at is not None and sam.encode() not in row.data
        kept = load_snapshot(session, team_id=people.team, keyring=box.bot.services.keyring)
    assert kept is not None and sam not in json.dumps(kept.index.state()[0])
    # the running bot's index held his ID: it is thrown away at its next look
    monkeypatch.setattr(search_module, "ERASURE_CHECK", search_module.timedelta(0))
    found = run(box, "ask supplier map", people.alex, people.retrofit).args
    assert "a former member" in json.dumps(found)
    after = box.bot.services.search.index(people.team)
    assert after is not before and sam not in json.dumps(after.state()[0])
    path = sqlite_path(box.bot.engine)
    if path is not None:
        box.bot.engine.dispose()  # the running bot's pooled connections, as at its next restart
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        held = [p.name for p in files if sam.encode() in p.read_bytes()]
        assert held == []
        assert "The SQLite file was rebuilt and its log emptied" in said
    else:
        assert "PostgreSQL vacuumed" in said
