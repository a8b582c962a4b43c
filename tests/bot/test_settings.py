"""Settings: DESIGN.md's names, and messages that say what to set and where Slack shows it."""

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.settings import ConfigError, Settings

CONTRACT = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_TEAM_ID",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "PARTNERBOT_TIMEZONE",
    "PARTNERBOT_FACILITATORS",
    "SLACK_STATE_SECRET",
    "PARTNERBOT_RETENTION_DAYS",
    "PARTNERBOT_SECRET_KEY",
}


def test_distributed_installs_need_the_app_credentials_and_a_state_secret(monkeypatch):
    from bot.factory import create_app

    settings = Settings(_env_file=None, slack_client_id="1.2", slack_signing_secret="s" * 16)
    assert settings.oauth_enabled and settings.partnerbot_retention_days == 30
    with pytest.raises(ConfigError) as refused:
        create_app(settings, migrate=False)
    assert "SLACK_CLIENT_SECRET" in str(refused.value) and "SLACK_STATE_SECRET" in str(
        refused.value
    )
    with pytest.raises(ValidationError):
        Settings(_env_file=None, partnerbot_retention_days=-1)
    # a bot token means one workspace, whatever else is set
    assert not Settings(
        _env_file=None, slack_client_id="1.2", slack_bot_token="xoxb-1"
    ).oauth_enabled


def test_every_contract_name_is_a_setting():
    assert {name.upper() for name in Settings.model_fields} >= CONTRACT


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("PARTNERBOT_FACILITATORS", "U01AAA, U02BBB")
    monkeypatch.setenv("PORT", "8080")
    settings = Settings(_env_file=None)
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.partnerbot_facilitators == {"U01AAA", "U02BBB"}
    assert settings.port == 8080


def test_defaults_suit_a_single_council():
    settings = Settings(_env_file=None)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url.startswith("sqlite:///")
    assert (settings.port, settings.partnerbot_timezone) == (3000, "Europe/London")
    assert settings.scheduler_enabled and not settings.has_slack_tokens


def test_a_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("SLACK_TEAM_ID=T0DOTENV\n")
    assert Settings(_env_file=tmp_path / ".env").slack_team_id == "T0DOTENV"


def test_an_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("PARTNERBOT_TIMEZONE", "Europe/Lundun")
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(_env_file=None)


def test_missing_tokens_name_the_variable_and_where_to_find_it():
    with pytest.raises(ConfigError) as missing:
        Settings(_env_file=None).require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    message = str(missing.value)
    assert "SLACK_BOT_TOKEN" in message and "OAuth & Permissions" in message
    assert "SLACK_SIGNING_SECRET" in message and "Signing Secret" in message


@pytest.mark.parametrize(
    ("command", "needed"),
    [
        (["serve"], "SLACK_BOT_TOKEN"),
        (["socket"], "SLACK_APP_TOKEN"),
        (["worker"], "SLACK_BOT_TOKEN"),
    ],
)
def test_serve_socket_and_worker_refuse_to_start_without_tokens(capsys, command, needed):
    assert main(command) == 2
    error = capsys.readouterr().err
    assert needed in error and "api.slack.com" not in error and "Slack app settings" in error


def test_socket_names_the_app_token_even_with_a_bot_token(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["socket"]) == 2
    assert (
        "SLACK_APP_TOKEN: Slack app settings → Basic Information → App-Level Tokens"
        in capsys.readouterr().err
    )


def test_export_writes_a_workbook_and_refuses_other_files(
    database_url, monkeypatch, capsys, tmp_path
):
    from openpyxl import load_workbook

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["--team", "T0EMPTY", "export", str(tmp_path / "register.csv")]) == 2
    assert "must end in .xlsx" in capsys.readouterr().err
    out = tmp_path / "register.xlsx"
    assert main(["--team", "T0EMPTY", "export", str(out)]) == 0
    assert "0 partnerships" in capsys.readouterr().out
    book = load_workbook(out)
    assert book["Partnerships"].max_row == 1 and book["About"]["B3"].value.endswith("(T0EMPTY)")


def test_db_upgrade_migrates(database_url, monkeypatch, capsys):
    from sqlalchemy import inspect

    from storage.db import make_engine

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(database_url)
    assert "commitment" in inspect(engine).get_table_names()
    engine.dispose()


def test_socket_mode_needs_no_signing_secret(settings):
    from bot.emulator import Emulator
    from bot.factory import create_app

    emulator = Emulator().start()
    try:
        socket_settings = settings.model_copy(
            update={"slack_bot_token": emulator.workspace.bot_token, "slack_api_url": emulator.url}
        )
        bot = create_app(socket_settings, socket_mode=True)
        assert bot.app.client.base_url == emulator.url
        bot.engine.dispose()
    finally:
        emulator.stop()


@pytest.mark.parametrize(
    ("key", "said"),
    [
        (None, "PARTNERBOT_SECRET_KEY is not set"),
        ("", "PARTNERBOT_SECRET_KEY is not set"),
        ("too-short", "too short (it is under 32 characters)"),
        ("k" * 40 + ", short", "too short (key 2 of 2 is under 32 characters)"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["worker"], ["socket"], ["search", "trust"]])
def test_every_mode_but_the_shell_needs_the_deployments_own_key(
    monkeypatch, capsys, database_url, key, said, command
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name, value in (("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_SIGNING_SECRET", "s" * 32)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    if key is None:
        monkeypatch.delenv("PARTNERBOT_SECRET_KEY")
    else:
        monkeypatch.setenv("PARTNERBOT_SECRET_KEY", key)
    assert main(command) == 2  # and no server started: it would never return
    error = capsys.readouterr().err.strip()
    assert said in error and "openssl rand -hex 32" in error
    assert len(error.splitlines()) == 1  # one line, no traceback


def test_a_short_key_stops_the_app_factory_and_no_key_is_ever_printed(settings):
    from bot.factory import create_app

    key_settings = settings.model_copy(
        update={
            "partnerbot_secret_key": "short",
            "slack_bot_token": "xoxb-1",
            "slack_signing_secret": "s" * 32,
        }
    )
    with pytest.raises(ConfigError, match="too short"):
        create_app(key_settings, migrate=False)
    assert "k" * 40 not in repr(settings) and "k" * 40 not in repr(settings.keyring())
