"""One version, from the package metadata, everywhere it is shown; a database a newer release
upgraded refuses an older one; SQLite refused where the disk is thrown away."""

import os
import subprocess
import sys
from importlib.metadata import version

import pytest
from sqlalchemy import text

from bot.cli import main
from storage.db import HEAD, NewerDatabase, make_engine, upgrade
from storage.version import release
from tests.conftest import ON_POSTGRES, TEST_KEY


def test_partnerbot_version_is_the_packages(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"partnerbot {version('partnerbot')}"
    assert release() == version("partnerbot") != "unknown"


@pytest.mark.skipif(ON_POSTGRES, reason="one database's own table, rewritten here: SQLite's")
def test_a_database_a_newer_release_upgraded_refuses_this_one(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(NewerDatabase, match=f"schema 0099, from a newer partnerbot.*up to {HEAD}"):
        upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 1
    said = capsys.readouterr().err.strip()
    assert said.startswith(f"partnerbot {release()}: the database is at schema 0099")
    assert "restore the backup" in said and len(said.splitlines()) == 1


def test_serve_refuses_sqlite_where_the_disk_is_thrown_away(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env.update(
        DYNO="web.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'gone.db'}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="a-signing-secret",
        PARTNERBOT_SECRET_KEY=TEST_KEY,
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().startswith("partnerbot: DYNO is set, so this host's disk")
    assert "DATABASE_URL" in done.stderr and not (tmp_path / "gone.db").exists()


@pytest.mark.skipif(ON_POSTGRES, reason="a file database made for the test")
def test_db_check_says_whether_the_database_is_usable_at_this_schema(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'check.db'}")
    assert main(["db", "check"]) == 1  # nothing migrated yet: the check changes nothing
    assert capsys.readouterr().err.startswith("database: ")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["db", "check"]) == 0
    assert capsys.readouterr().out.strip() == "database: ok"
