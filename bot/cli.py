"""The `partnerbot` command line (DESIGN.md's contract)."""

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from bot.settings import ConfigError, Settings
from storage.db import NewerDatabase
from storage.keyring import SecretKeyError
from storage.version import release

NOT_YET: dict[str, str] = {}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnerbot",
        description="partnerbot: a Slack bot for "
        "council partnerships. Settings come from the environment or .env.",
    )
    parser.add_argument("--version", action="version", version=f"partnerbot {release()}")
    parser.add_argument(
        "--team",
        help="workspace (team) ID for commands that act on one; "
        "default SLACK_TEAM_ID, else the only one",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("start", help="serve if Slack tokens are set, else the local shell")
    commands.add_parser("shell", help="try the bot locally against the built-in Slack emulator")
    serve = commands.add_parser(
        "serve", help="HTTP mode (gunicorn): POST /slack/events, GET /healthz"
    )
    serve.add_argument("--port", type=int, help="port (default PORT, 3000)")
    commands.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)")
    commands.add_parser("worker", help="the scheduler alone (nudges, timers, digests)")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument(
        "action",
        choices=["upgrade", "revision", "check"],
        help="upgrade: run migrations to head; check: does the database take writes at this "
        "release's schema (exit 0), or not (exit 1, saying why); revision: write a new "
        "migration from the change in storage/models.py (developers)",
    )
    db.add_argument("-m", "--message", default="schema change", help="the revision's title")
    imports = commands.add_parser("import", help="bulk import notes or lessons (CSV or JSON Lines)")
    imports.add_argument("file")
    imports.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID")
    search = commands.add_parser("search", help="search the knowledge base")
    search.add_argument("query", nargs="+")
    search.add_argument("--json", action="store_true")
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID")
    export = commands.add_parser("export", help="export everything as one .xlsx workbook")
    export.add_argument("file")
    report = commands.add_parser("report", help="a partnership's committee report (.docx)")
    report.add_argument("partnership")
    report.add_argument("file")
    report.add_argument(
        "--answers",
        help="a YAML file of what only the officer writes (committee, meeting_date, author, "
        "recommendations, implications, final…); default: the last answers given",
    )
    report.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID")
    scoring = commands.add_parser("scoring", help="show or change how projects are scored")
    scoring.add_argument(
        "--weight", action="append", metavar="KEY=N", help="a criterion's weight, 0-10 (repeat)"
    )
    scoring.add_argument("--impact-threshold", type=float, help="impact this high or more is high")
    scoring.add_argument("--risk-threshold", type=float, help="risk this high or more is high")
    scoring.add_argument("--ranges", help='the four ranges\' names, "A;B;C;D"')
    scoring.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID")
    export_user = commands.add_parser("export-user", help="everything held about a person, as JSON")
    export_user.add_argument("user", help="their Slack user ID, U…")
    export_user.add_argument("file", nargs="?", help="the JSON file to write (default U….json)")
    export_user.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID")
    forget_user = commands.add_parser("forget-user", help="remove a person's identity everywhere")
    forget_user.add_argument("user", help="their Slack user ID, U…")
    forget_user.add_argument("--yes", action="store_true", help="go ahead: it cannot be undone")
    forget_user.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID")
    commands.add_parser(
        "rotate-keys",
        help="re-encrypt stored tokens and re-sign snapshots with the newest PARTNERBOT_SECRET_KEY",
    )
    purge = commands.add_parser("purge", help="remove an uninstalled workspace's data now")
    purge.add_argument("--team", required=True, help="workspace (team) ID")
    purge.add_argument("--force", action="store_true", help="even if it is still installed")
    nudges = commands.add_parser("nudges", help="send every nudge due now (or at --now)")
    nudges.add_argument(
        "action",
        choices=["run", "policy"],
        help="run: send what is due; policy: show or change the workspace's",
    )
    nudges.add_argument("--now", help="ISO-8601 instant (run)")
    nudges.add_argument("--team", default=argparse.SUPPRESS, help="workspace (team) ID (policy)")
    nudges.add_argument("--days-before", type=int, help="first reminder, working days before")
    nudges.add_argument("--overdue-every", type=int, help="working days between overdue ones")
    nudges.add_argument("--overdue-max", type=int, help="how many overdue reminders")
    nudges.add_argument("--region", choices=["ENG", "SCT", "NIR"], help="whose bank holidays")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        return _run(args, settings)
    except ConfigError as error:
        print(f"partnerbot: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"partnerbot: a setting is not valid:\n{error}", file=sys.stderr)
        return 2
    except NewerDatabase as error:
        print(f"partnerbot {release()}: {error}", file=sys.stderr)
        return 1
    except SecretKeyError as error:  # a stored token sealed with a key we no longer have
        print(f"partnerbot: {error}.", file=sys.stderr)
        return 1
    except DBAPIError as error:
        # the database refused (read-only, full disk, wrong password): say which, and where
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", error) or error).splitlines()[0]
        print(f"partnerbot: the database at {where} can't be used: {reason}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "start":
        args.command = "serve" if settings.has_slack_tokens else "shell"
        if args.command == "shell":
            print(
                "No SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set: starting the local shell.",
                file=sys.stderr,
            )
    if args.command == "shell":
        from bot.logs import configure_logging
        from bot.shell import run_shell

        configure_logging(level="WARNING")
        run_shell(settings)
    elif args.command == "serve":
        from bot.serve import serve

        serve(settings, args.port)
    elif args.command == "socket":
        from bot.serve import socket

        socket(settings)
    elif args.command == "worker":
        from bot.serve import worker

        worker(settings)
    elif args.command == "search":
        from bot.commands import search

        return search(settings, args.team, args.query, as_json=args.json, limit=args.limit)
    elif args.command == "import":
        from bot.commands import import_entries

        return import_entries(settings, args.team, args.file)
    elif args.command == "export":
        from bot.commands import export_workbook

        return export_workbook(settings, args.team, args.file)
    elif args.command == "report":
        from bot.performance import committee_report

        return committee_report(settings, args.team, args.partnership, args.file, args.answers)
    elif args.command == "purge":
        from bot.retention import purge_now

        return purge_now(settings, args.team, force=args.force)
    elif args.command == "rotate-keys":
        from bot.keys import rotate_keys

        return rotate_keys(settings)
    elif args.command == "export-user":
        from bot.rights import export_user

        return export_user(settings, args.team, args.user, args.file)
    elif args.command == "forget-user":
        from bot.rights import forget_user

        return forget_user(settings, args.team, args.user, yes=args.yes)
    elif args.command == "scoring":
        from bot.performance import scoring_rules

        return scoring_rules(settings, args)
    elif args.command == "nudges":
        from bot.commands import nudge_policy, run_nudges

        if args.action == "policy":
            return nudge_policy(settings, args)
        return run_nudges(settings, args.now)
    elif args.command == "db":
        from storage.db import make_engine, upgrade

        engine = make_engine(settings.database_url)
        if args.action == "check":  # a container's health check: changes nothing
            from storage.db import at_head, health

            problem = health(engine) or (None if at_head(engine) else "not at this schema")
            print(f"database: {problem or 'ok'}", file=sys.stderr if problem else sys.stdout)
            return 1 if problem else 0
        upgrade(engine)
        if args.action == "revision":
            from alembic import command

            from storage.db import alembic_config

            command.revision(alembic_config(engine), args.message, autogenerate=True)
        else:
            print("database is at the latest schema")
    else:
        print(
            f"partnerbot {args.command}: {NOT_YET[args.command]} is not available yet; it arrives "
            "in a coming release.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
