"""Migrations: from an empty database to head, and the schema they make matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import HEAD, alembic_config, make_engine, upgrade
from tests.conftest import sqlite_only


def test_upgrade_from_empty_creates_every_table(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        "partnership",
        "audit_entry",
        "processed_event",
        "entry",
        "vote",
        "lesson_wanted",
        "alembic_version",
    } <= tables


def test_schema_after_migrations_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_upgrade_twice_is_harmless_and_lands_on_head(engine):
    upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head == HEAD  # storage.db.HEAD names the newest migration
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head


@sqlite_only
def test_sqlite_runs_with_wal_and_foreign_keys(engine):
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_processes_starting_together_migrate_once_and_none_fails(database_url):
    """Web workers and `partnerbot worker`s start together on a deploy: each runs upgrade()."""
    import subprocess
    import sys

    url = database_url
    code = (
        "import sys; from storage.db import make_engine, upgrade; upgrade(make_engine(sys.argv[1]))"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0, 0], errors


def test_a_percent_encoded_password_survives_alembics_config():
    from sqlalchemy import create_engine

    engine = create_engine("postgresql+psycopg://partnerbot:p%40ss%25word@db.example/partnerbot")
    config = alembic_config(engine)
    assert config.get_main_option("sqlalchemy.url") == (
        "postgresql+psycopg://partnerbot:p%40ss%25word@db.example/partnerbot"
    )
