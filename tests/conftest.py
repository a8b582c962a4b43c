"""Fixtures: settings with no .env, a migrated database, and a whole local Slack.

The database is SQLite in a temporary folder, or, when PARTNERBOT_TEST_DATABASE_URL names a
PostgreSQL server (`.ci/run` sets it for its second pass), a fresh schema of it for each test.
"""

import json
import os
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.sandbox import Sandbox
from bot.settings import Settings
from storage.db import make_engine, upgrade
from storage.keyring import Keyring

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TEST_DATABASE = os.environ.get("PARTNERBOT_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE.startswith("postgresql")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about SQLite itself (file, WAL, pragmas)")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: set PARTNERBOT_TEST_DATABASE_URL (.ci/run does)"
)


class Clock:
    """A clock a test moves by hand: `clock.now = …`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: an SQLite file, or a fresh PostgreSQL schema."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'partnerbot.db'}"
        return
    schema = "test_" + secrets.token_hex(6)
    admin = create_engine(TEST_DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(TEST_DATABASE).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# the deployment's own key in every test, as PARTNERBOT_SECRET_KEY (a test that needs it
# missing deletes it)
TEST_KEY = "test-only-" + "k" * 40
TEST_KEYRING = Keyring((TEST_KEY,))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's Slack settings or .env."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("PARTNERBOT_SECRET_KEY", TEST_KEY)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


MESSAGES = {
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "chat.scheduleMessage",
    "response_url",
}
MASS_MENTION = re.compile(r"<!(?:channel|here|everyone|group)\b|<!subteam\^", re.IGNORECASE)
LABELLED_LINK = re.compile(r"<(?:https?|mailto):[^|<>]+\|", re.IGNORECASE)


def assert_messages_are_safe(sandbox: Sandbox) -> None:
    """Every message the bot sent carries a plain-text fallback (notifications and screen
    readers use it), no live mass mention, and no link whose label hides its address, in its
    text or its blocks."""
    sent = [call for call in sandbox.emulator.calls if call.method in MESSAGES]
    bare = [c.method for c in sent if c.args.get("blocks") and not c.args.get("text")]
    assert bare == []
    loud = [
        (c.method, c.args.get("text"))
        for c in sent
        if MASS_MENTION.search(json.dumps([c.args.get("text"), c.args.get("blocks")]))
    ]
    assert loud == []
    disguised = [
        (c.method, c.args.get("text"))
        for c in sent
        if LABELLED_LINK.search(json.dumps([c.args.get("text"), c.args.get("blocks")]))
    ]
    assert disguised == []


@pytest.fixture
def box(settings: Settings) -> Iterator[Sandbox]:
    with Sandbox(settings) as sandbox:
        yield sandbox
        assert_messages_are_safe(sandbox)


class People:
    """Handy IDs from the demo workspace."""

    def __init__(self, box: Sandbox) -> None:
        ws = box.emulator.workspace
        self.team = ws.team_id
        self.alex = ws.user_named("alex").id  # type: ignore[union-attr]  (admin)
        self.sam = ws.user_named("sam").id  # type: ignore[union-attr]
        self.general = ws.channel_named("general").id  # type: ignore[union-attr]
        self.retrofit = ws.channel_named("retrofit-partnership").id  # type: ignore[union-attr]
        self.board = ws.channel_named("lsp-board").id  # type: ignore[union-attr]

    @staticmethod
    def priya(box: Sandbox) -> str:
        return box.emulator.workspace.user_named("priya").id  # type: ignore[union-attr]


@pytest.fixture
def people(box: Sandbox) -> People:
    return People(box)
