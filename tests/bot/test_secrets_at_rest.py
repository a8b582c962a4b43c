"""A stolen database gives away no tokens: every bot and refresh token is sealed with the
deployment's own key, a reinstall or a refreshed token leaves no old row behind, the install
page cannot be used to fill the state table, and `partnerbot rotate-keys` moves everything to a
new key."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from bot.emulator import demo_workspace
from bot.sandbox import Sandbox
from storage.db import sqlite_path
from storage.installations import bots, installations, oauth_states
from storage.models import Entry
from tests.conftest import TEST_KEY

OTHER = "T0OTHER"
TOKEN_PREFIXES = (b"xoxb-", b"xoxe", b"xapp-", b"xoxp-")


@pytest.fixture
def many(settings):
    with Sandbox(
        settings, demo_workspace(), demo_workspace(OTHER, "Other Borough Council"), oauth=True
    ) as sandbox:
        sandbox.emulator.installs.rotating = True  # refresh tokens too
        yield sandbox


def alex(box, team_id):
    ws = box.emulator.workspaces[team_id]
    return ws.user_named("alex").id, ws.channel_named("general").id


def lesson(box, team_id, text):
    user, channel = alex(box, team_id)
    reply = box.driver.command(f"lesson {text}", user=user, channel=channel, team_id=team_id)
    box.wait()
    assert reply.status == 200


def stored_tokens(box):
    with box.bot.engine.connect() as connection:
        rows = [
            *connection.execute(select(bots.c.bot_token, bots.c.bot_refresh_token)),
            *connection.execute(
                select(installations.c.bot_token, installations.c.bot_refresh_token)
            ),
        ]
    return [value for row in rows for value in row if value]


def database_bytes(box):
    """Every file the database keeps on disk (SQLite: the file, its WAL and journal), or on
    PostgreSQL every row of the token tables as text."""
    path = sqlite_path(box.bot.engine)
    if path is None:
        with box.bot.engine.connect() as connection:
            found = [
                str(row)
                for table in ("slack_bots", "slack_installations")
                for row in connection.execute(text(f"SELECT * FROM {table}"))
            ]
        return "\n".join(found).encode()
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-journal", "-shm")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_no_token_is_readable_in_the_database_after_installs_and_a_refresh(many):
    for team_id in ("T0SHELL", OTHER):
        assert many.install(team_id, alex(many, team_id)[0]) == 200
    assert many.install("T0SHELL", many.emulator.workspace.user_named("sam").id) == 200  # again
    lesson(many, "T0SHELL", "Sealed tokens still work")  # its token expires soon: refreshed
    lesson(many, OTHER, "And for the other council")
    with many.bot.services.sessions() as session:
        saved = {e.title for e in session.exec(select(Entry)).scalars() if e.kind == "lesson"}
    assert saved == {"Sealed tokens still work", "And for the other council"}
    tokens = stored_tokens(many)
    assert tokens and all(t.startswith("pbk1:") for t in tokens)
    assert not any(prefix in database_bytes(many) for prefix in TOKEN_PREFIXES)
    # only the newest row of each workspace is kept: the others held replaced tokens
    with many.bot.engine.connect() as connection:
        per_team = dict(
            connection.execute(select(bots.c.team_id, func.count()).group_by(bots.c.team_id)).all()
        )
        installs = dict(
            connection.execute(
                select(installations.c.team_id, func.count()).group_by(installations.c.team_id)
            ).all()
        )
    assert per_team == {"T0SHELL": 1, OTHER: 1} and installs == {"T0SHELL": 1, OTHER: 1}


def test_tokens_stored_before_encryption_are_sealed_at_the_next_start(many, settings):
    from bot.factory import create_app

    many.install("T0SHELL", alex(many, "T0SHELL")[0])
    plain = many.emulator.workspace.bot_token
    with many.bot.engine.begin() as connection:  # as an earlier release left it
        connection.execute(update(bots).values(bot_token=plain, bot_refresh_token=None))
    restarted = create_app(many.settings, migrate=False)
    restarted.engine.dispose()
    assert stored_tokens(many) and all(t.startswith("pbk1:") for t in stored_tokens(many))
    lesson(many, "T0SHELL", "Still served after the sealing")


def test_the_install_page_cannot_fill_the_state_table(many):
    for _ in range(30):
        many.start_install()
    with many.bot.engine.begin() as connection:
        assert connection.execute(select(func.count()).select_from(oauth_states)).scalar() == 30
        # ten minutes on, those have all expired; the next visit clears them
        connection.execute(
            update(oauth_states).values(expire_at=datetime.now(UTC).replace(tzinfo=None))
        )
    state, cookie = many.start_install()
    with many.bot.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(oauth_states)).scalar() == 1
    code = many.emulator.installs.consent("T0SHELL", alex(many, "T0SHELL")[0])
    assert many.come_back(code, state, cookie) == 200  # the live one still works


def test_rotate_keys_moves_tokens_and_snapshots_to_the_new_key(many, monkeypatch, capsys):
    from bot.cli import main
    from bot.factory import create_app
    from storage.models import SearchSnapshot

    many.install("T0SHELL", alex(many, "T0SHELL")[0])
    lesson(many, "T0SHELL", "Snapshots are signed")
    many.bot.services.search.index("T0SHELL")  # a first build writes the snapshot
    before = stored_tokens(many)
    new = "a-brand-new-key-" + "n" * 40
    monkeypatch.setenv("DATABASE_URL", many.settings.database_url)
    monkeypatch.setenv("PARTNERBOT_SECRET_KEY", f"{new},{TEST_KEY}")
    assert main(["rotate-keys"]) == 0
    said = capsys.readouterr()
    assert "re-encrypted" in said.out and "1 search snapshot re-signed" in said.out
    assert "keep the old key until they have closed" in said.err
    after = stored_tokens(many)
    assert len(after) == len(before) and set(after).isdisjoint(before)
    # the old key can go now: a process with only the new key is served and loads the snapshot
    only_new = many.settings.model_copy(update={"partnerbot_secret_key": new})
    restarted = create_app(only_new, migrate=False)
    try:
        from knowledge.snapshots import load_snapshot

        with restarted.services.sessions() as session:
            assert load_snapshot(session, team_id="T0SHELL", keyring=restarted.services.keyring)
            assert session.get(SearchSnapshot, "T0SHELL") is not None
        from bot.installs import installation_store

        bot = installation_store(only_new, restarted.engine).find_bot(
            enterprise_id=None, team_id="T0SHELL"
        )
        assert bot is not None and bot.bot_token == many.emulator.workspace.bot_token
    finally:
        restarted.engine.dispose()
    # and a process that has lost every key that sealed them says what to do, in one line
    monkeypatch.setenv("PARTNERBOT_SECRET_KEY", "z" * 40)
    assert main(["rotate-keys"]) == 1
    error = capsys.readouterr().err.strip()
    assert "put the old key back" in error and len(error.splitlines()) == 1


def test_export_user_shows_no_token(many, monkeypatch, tmp_path):
    from bot.cli import main

    installer = alex(many, "T0SHELL")[0]
    many.install("T0SHELL", installer)
    monkeypatch.setenv("DATABASE_URL", many.settings.database_url)
    out = tmp_path / "alex.json"
    assert main(["--team", "T0SHELL", "export-user", installer, str(out)]) == 0
    written = out.read_text()
    assert "pbk1:" not in written and "xox" not in written
    assert json.loads(written)["person"] == installer
