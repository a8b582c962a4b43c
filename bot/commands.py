"""The command line's knowledge-base commands: `partnerbot search`, `partnerbot import` (notes
and lessons, or the register) and `partnerbot export`."""

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, col, select

from bot.services import open_services
from bot.settings import ConfigError, Settings
from handlers.services import Services
from knowledge.directory import namer
from knowledge.query import QueryError, parse_query
from knowledge.snippets import snippet
from storage.models import Entry, KnownName
from storage.teams import known_teams


def choose_team(services: Services, settings: Settings, team: str | None) -> str:
    """--team, else SLACK_TEAM_ID, else the only workspace the database holds."""
    if team or settings.slack_team_id:
        return str(team or settings.slack_team_id)
    with services.sessions() as session:
        teams = known_teams(session)
    if len(teams) == 1:
        return teams[0]
    held = ", ".join(teams) if teams else "none yet"
    raise ConfigError(
        f"Which workspace? Pass --team T… or set SLACK_TEAM_ID (this database holds: {held})."
    )


def search(
    settings: Settings, team: str | None, words: list[str], *, as_json: bool, limit: int
) -> int:
    """`partnerbot search QUERY [--json] [--limit N]`: what `/partners ask` finds, from outside
    any channel (so no private channel's entries)."""
    _, services = open_services(settings)
    team_id = choose_team(services, settings, team)
    raw = " ".join(words)
    try:
        results = services.search.search(
            team_id=team_id,
            query=parse_query(raw),
            channel_id=None,
            now=services.clock(),
            limit=max(1, min(limit, 50)),
        )
    except QueryError as error:
        print(f"partnerbot search: {error}", file=sys.stderr)
        return 2
    found = []
    with services.sessions() as session:
        names_of = namer(session, team_id)
        for hit in results.hits:
            entry = session.get(Entry, hit.entry_id)
            if entry is None:
                continue
            found.append(
                {
                    "id": entry.id,
                    "kind": entry.kind,
                    "title": entry.title,
                    "score": round(hit.score, 4),
                    "tags": entry.tags.split(),
                    "author": entry.author_id,
                    "author_name": names_of(entry.author_id) if entry.author_id else None,
                    "source": entry.source,
                    "created_at": entry.created_at.isoformat(),
                    "snippet": snippet(entry.body, hit.matched),
                }
            )
    if as_json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
    elif not found:
        hint = f" Did you mean {' or '.join(results.suggestions)}?" if results.suggestions else ""
        print(f"Nothing good found for “{raw}”.{hint}")
    else:
        for number, item in enumerate(found, 1):
            by = f", by {item['author_name']}" if item["author_name"] else ""
            print(f"{number}. {item['title']}  [{item['kind']}{by}, score {item['score']}]")
            print(f"   {str(item['snippet']).replace('*', '')}")
        if not results.close:
            print("(These only touch on the question: nothing answers it closely.)")
    return 0


def import_entries(settings: Settings, team: str | None, file: str) -> int:
    """`partnerbot import FILE`: lessons and notes from CSV or JSON Lines, all or nothing."""
    from tqdm import tqdm  # here, not at the top: `partnerbot search` starts without them

    from knowledge.importer import ImportProblem, import_file
    from knowledge.register_import import is_register

    path = Path(file)
    if not path.is_file():
        print(f"partnerbot import: no file at {path}", file=sys.stderr)
        return 2
    _, services = open_services(settings)
    team_id = choose_team(services, settings, team)
    if is_register(path):
        return _import_register(services, team_id, path)
    lines = max(
        0,
        len(path.read_text(encoding="utf-8-sig").splitlines())
        - (0 if path.suffix.lower() in {".jsonl", ".ndjson", ".json"} else 1),
    )
    with (
        tqdm(total=lines * 2, unit="row", desc=f"importing {path.name}", file=sys.stderr) as bar,
        services.sessions() as session,
    ):
        try:
            count = import_file(
                session,
                team_id=team_id,
                path=path,
                now=services.clock(),
                timezone=services.timezone,
                progress=bar.update,
            )
        except ImportProblem as problem:
            bar.close()
            print(
                f"partnerbot import: {path.name}, {problem}. Nothing was imported.", file=sys.stderr
            )
            return 2
    # the first search after a restart loads the index instead of building it (seconds at 100k)
    print("Indexing them for search…", file=sys.stderr, flush=True)
    size = services.search.keep(team_id)
    print(f"Imported {count} entries into {team_id}; search is ready ({size / 1e6:.1f} MB index).")
    return 0


def _import_register(services: Services, team_id: str, path: Path) -> int:
    from knowledge.importer import ImportProblem
    from knowledge.register_import import import_register

    with services.sessions() as session:
        try:
            count = import_register(
                session,
                team_id=team_id,
                path=path,
                now=services.clock(),
                timezone=services.timezone,
            )
        except ImportProblem as problem:
            print(
                f"partnerbot import: {path.name}, {problem}. Nothing was imported.", file=sys.stderr
            )
            return 2
    print(f"Imported {count} partnerships into {team_id}.")
    return 0


def export_workbook(settings: Settings, team: str | None, file: str) -> int:
    """`partnerbot export FILE.xlsx`: the register, commitments, lessons and notes as one
    workbook, everything the workspace holds (an operator's export, private channels too)."""
    from tqdm import tqdm

    from knowledge.workbook import SHEETS, write_workbook

    path = Path(file)
    if path.suffix.lower() != ".xlsx":
        print("partnerbot export: the file must end in .xlsx", file=sys.stderr)
        return 2
    _, services = open_services(settings)
    team_id = choose_team(services, settings, team)
    with (
        tqdm(
            total=len(SHEETS), unit="sheet", desc=f"exporting {path.name}", file=sys.stderr
        ) as bar,
        services.sessions() as session,
    ):
        counts = write_workbook(
            session,
            str(path),
            team_id=team_id,
            workspace=team_id,
            now=services.clock(),
            progress=lambda sheet, n: bar.update(1),
            name_of=namer(session, team_id),
        )
    rows = ", ".join(f"{n} {sheet.lower()}" for sheet, n in counts.items())
    print(f"Wrote {path} for {team_id}: {rows}.")
    return 0


def named_ids(session: Session, lines: list[str]) -> Callable[[str], str]:
    """A line of the scheduler's with each "→ U…" followed by the person's name, as the
    workspace's directory knows it: "→ Sam Okafor (U0SAM)"."""
    ids = {found for line in lines for found in _TO_PERSON.findall(line)}
    names = {
        row.slack_id: row.name
        for row in session.exec(select(KnownName).where(col(KnownName.slack_id).in_(sorted(ids))))
    } if ids else {}  # fmt: skip

    def named(line: str) -> str:
        return _TO_PERSON.sub(
            lambda m: f"→ {names[m[1]]} ({m[1]})" if m[1] in names else m[0], line
        )

    return named


_TO_PERSON = re.compile(r"→ ([UW][A-Z0-9]{2,31})\b")


def run_nudges(settings: Settings, when: str | None) -> int:
    """`partnerbot nudges run [--now ISO-8601]`: send what is due at that instant, and say so."""
    from datetime import UTC, datetime

    from bot.nudging import send_due_nudges
    from bot.scheduler import scheduler_client

    _, services = open_services(settings)
    if when:
        try:
            now = datetime.fromisoformat(when)
        except ValueError:
            print(
                f"partnerbot nudges run: --now {when!r} is not ISO-8601, like "
                "2026-12-11T09:30:00+00:00",
                file=sys.stderr,
            )
            return 2
        now = now if now.tzinfo else now.replace(tzinfo=UTC)  # a bare time is UTC
    else:
        now = services.clock()
    lines = send_due_nudges(services, scheduler_client(settings), now)
    with services.sessions() as session:
        named = named_ids(session, lines)
    for line in lines:
        print(named(line))
    print(f"{len(lines)} nudge{'s' if len(lines) != 1 else ''} sent for {now.isoformat()}.")
    return 0


def nudge_policy(settings: Settings, args: "argparse.Namespace") -> int:
    """`partnerbot nudges policy [--days-before N] [--overdue-every N] [--overdue-max N]
    [--region ENG|SCT|NIR]`: show a workspace's nudge policy, or change it."""
    from dataclasses import replace

    from knowledge.nudges import policy_for, set_policy

    _, services = open_services(settings)
    team_id = choose_team(services, settings, getattr(args, "team", None))
    changes = {
        key: value
        for key in ("days_before", "overdue_every", "overdue_max", "region")
        if (value := getattr(args, key)) is not None
    }
    with services.sessions() as session:
        policy = replace(policy_for(session, team_id), **changes)
        if changes:
            try:
                set_policy(session, team_id, policy)
            except ValueError as error:
                print(f"partnerbot nudges policy: {error}", file=sys.stderr)
                return 2
    print(
        f"{team_id}: first reminder {policy.days_before} working days before the due date, "
        f"then on it; overdue every {policy.overdue_every} working days, {policy.overdue_max} "
        f"times; then the creator hears. Bank holidays: {policy.region}."
    )
    return 0
