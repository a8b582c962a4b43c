"""`partnerbot import` and `partnerbot search`, as the contract describes them."""

import json

import pytest
from sqlmodel import Session, select

from bot.cli import main
from storage.db import make_engine
from storage.models import AuditEntry, Entry

HEADER = "kind,title,body,tags,author,created_at\n"


@pytest.fixture
def database(database_url, monkeypatch):
    url = database_url
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SLACK_TEAM_ID", "T0CLI")
    return url


def entries(url, kind=None):
    with Session(make_engine(url)) as session:
        found = session.exec(select(Entry)).all()
    # the curated library is written into the workspace when its index is first made
    return [e for e in found if e.kind == kind or (kind is None and e.kind != "library")]


def test_a_csv_is_imported_with_tags_authors_and_dates(tmp_path, database, capsys):
    file = tmp_path / "lessons.csv"
    file.write_text(
        HEADER
        + 'lesson,Supplier days,"Forty firms came, all keen.","retrofit,supply-chain",U0SAM,2025-03-12\n'
        "brief,LAA refresh,Goes to cabinet in March.,lsp,,2025-03-12T09:30:00+00:00\n"
    )
    assert main(["import", str(file)]) == 0
    assert "Imported 2 entries into T0CLI; search is ready" in capsys.readouterr().out
    lesson, brief = entries(database)
    assert (lesson.tags, lesson.author_id, lesson.team_id) == (
        "retrofit supply-chain",
        "U0SAM",
        "T0CLI",
    )
    assert lesson.created_at.isoformat() == "2025-03-12T00:00:00+00:00"  # midnight in London (GMT)
    assert brief.author_id is None
    with Session(make_engine(database)) as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.actor_id == "import")).all()
        assert len(audited) == 2


def test_json_lines_import_with_tags_as_a_list(tmp_path, database):
    file = tmp_path / "notes.jsonl"
    rows = [
        {
            "kind": "brief",
            "title": f"Note {n}",
            "body": "Body text.",
            "tags": ["lsp", "laa"],
            "author": "U0SAM",
            "created_at": "2025-07-01",
        }
        for n in range(3)
    ]
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["import", str(file), "--team", "T0OTHER"]) == 0
    assert [(e.team_id, e.tags) for e in entries(database)] == [("T0OTHER", "lsp laa")] * 3
    # British Summer Time: midnight in London is 23:00 UTC the day before
    assert entries(database)[0].created_at.isoformat() == "2025-06-30T23:00:00+00:00"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            HEADER + "lesson,Fine,Fine body,,,\nmemo,Bad,Body,,,\n",
            "line 3: kind must be lesson or brief",
        ),
        (HEADER + "lesson,Fine,Fine body,,,\nlesson,,Body,,,\n", "line 3: title: Give it a title"),
        (HEADER + "lesson,Fine,Body,,Sam Okafor,\n", "line 2: author must be a Slack user ID"),
        (
            HEADER + "lesson,Fine,Body,,,12/03/2025\n",
            "line 2: created_at '12/03/2025' is not a date",
        ),
        (HEADER + "lesson,Fine,Body,,,,extra\n", "line 2: more cells than the 6 columns"),
        ("kind,title,text\nlesson,Fine,Body\n", "line 1: the header must be exactly"),
        (HEADER + "lesson,Fine," + "x" * 3001 + ",,,\n", "line 2: body: Keep this to 3,000"),
    ],
)
def test_a_bad_row_fails_the_whole_file_with_its_line_number(
    tmp_path, database, capsys, content, said
):
    file = tmp_path / "bad.csv"
    file.write_text(content)
    assert main(["import", str(file)]) == 2
    error = capsys.readouterr().err
    assert said in error and "Nothing was imported." in error
    assert entries(database) == []


def test_bad_json_names_its_line(tmp_path, database, capsys):
    file = tmp_path / "bad.jsonl"
    file.write_text('{"kind": "lesson", "title": "Fine", "body": "Body"}\n{not json}\n')
    assert main(["import", str(file)]) == 2
    assert "line 2: not valid JSON" in capsys.readouterr().err
    assert entries(database) == []


def test_search_json_lists_results_best_first(tmp_path, database, capsys):
    file = tmp_path / "lessons.csv"
    file.write_text(HEADER + "lesson,Supplier breakfasts,Forty contractors came to breakfast.,,,\n")
    main(["import", str(file)])
    capsys.readouterr()
    assert main(["search", "what", "derails", "a", "partnership", "--json", "--limit", "3"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert 1 <= len(found) <= 3
    assert set(found[0]) >= {"id", "kind", "title", "score", "snippet"}
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    assert main(["search", "contractors", "breakfast", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["title"] == "Supplier breakfasts"


def test_search_explains_a_bad_question_and_an_unknown_workspace(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["search", "trust"]) == 2
    assert "Which workspace?" in capsys.readouterr().err
    assert main(["search", "colour:red", "--team", "T1"]) == 2
    assert "I don't know the filter" in capsys.readouterr().err


def test_an_import_leaves_a_current_snapshot_so_the_next_process_loads_instead_of_building(
    tmp_path, database, monkeypatch
):
    from datetime import UTC, datetime

    from bot.services import open_services
    from bot.settings import Settings
    from knowledge.query import parse_query
    from storage.models import SearchSnapshot

    file = tmp_path / "lessons.csv"
    file.write_text(
        HEADER
        + "".join(
            f"lesson,Quorvane visit {n},Site visit number {n}.,,U0SAM,2025-03-12\n"
            for n in range(30)
        )
    )
    assert main(["import", str(file)]) == 0
    with Session(make_engine(database)) as session:
        snapshot = session.exec(
            select(SearchSnapshot).where(SearchSnapshot.team_id == "T0CLI")
        ).one()
        newest = max(e.changed_at for e in session.exec(select(Entry)).all())
    assert snapshot.seen_until == newest  # it holds every entry imported

    # a new process (a restart): its first search loads that snapshot, builds nothing
    _, services = open_services(Settings())
    results = services.search.search(
        team_id="T0CLI", query=parse_query("quorvane"), channel_id=None, now=datetime.now(UTC)
    )
    assert results.total == 30
    figures = services.search.figures()
    assert (figures.loads, figures.builds) == (1, 0)
