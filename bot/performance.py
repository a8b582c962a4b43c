"""The command line's performance-management commands: `partnerbot report NAME FILE.docx` (the
committee report) and `partnerbot scoring` (show or change how projects are scored)."""

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from slack_sdk import WebClient
from tqdm import tqdm

from bot.commands import choose_team
from bot.services import open_services
from bot.settings import Settings
from handlers.people import names
from handlers.services import Services
from knowledge.directory import namer
from knowledge.partnerships import resolve_partnership
from knowledge.report import SECTIONS, write_report
from knowledge.report_answers import Answers, AnswersError, keep_answers, last_answers, read_file
from knowledge.scoring_rules import KEYS, Rules, ScoringError, rules_for, set_rules
from knowledge.workdays import local_today


def _names(settings: Settings, services: Services, team_id: str) -> Callable[[str], str]:
    """People's and channels' names from the workspace's directory (kept as the bot met them
    in Slack); asked of Slack for anyone it does not hold when a bot token is set."""
    if settings.slack_bot_token:
        client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        return names(client, services, team_id)
    with services.sessions() as session:
        return namer(session, team_id)


def committee_report(
    settings: Settings, team: str | None, name: str, file: str, answers_file: str | None = None
) -> int:
    """`partnerbot report NAME FILE.docx [--answers answers.yaml]`: the committee report for
    one partnership, with the officer's answers from the YAML file (kept for next time) or
    else the last ones given."""
    path = Path(file)
    if path.suffix.lower() != ".docx":
        print("partnerbot report: the file must end in .docx", file=sys.stderr)
        return 2
    try:
        given = read_file(Path(answers_file)) if answers_file else None
    except AnswersError as error:
        print(f"partnerbot report: {error}", file=sys.stderr)
        return 2
    _, services = open_services(settings)
    team_id = choose_team(services, settings, team)
    now = services.clock()
    with services.sessions() as session:
        partnership, guess = resolve_partnership(session, team_id=team_id, name=name)
        if partnership is None:
            hint = f" Did you mean {guess!r}?" if guess else ""
            print(f"partnerbot report: no partnership called {name!r}.{hint}", file=sys.stderr)
            return 2
        if given is not None:
            keep_answers(session, partnership, given, by="partnerbot", now=now)
        answers = given or last_answers(session, partnership) or Answers()
        with tqdm(total=len(SECTIONS), unit="section", desc=path.name, file=sys.stderr) as bar:
            write_report(
                session,
                partnership,
                str(path),
                today=local_today(now, services.timezone),
                now=now,
                name_of=_names(settings, services, team_id),
                answers=answers,
                progress=lambda step: bar.update(1),
            )
    state = "final" if answers.final else "draft"
    print(f"Wrote {path}: the {state} committee report for {partnership.name} ({team_id}).")
    return 0


def scoring_rules(settings: Settings, args: argparse.Namespace) -> int:
    """`partnerbot scoring [--weight KEY=N …] [--impact-threshold X] [--risk-threshold X]
    [--ranges "A;B;C;D"]`: show a workspace's scoring rules, or change them."""
    _, services = open_services(settings)
    team_id = choose_team(services, settings, getattr(args, "team", None))
    with services.sessions() as session:
        rules = rules_for(session, team_id)
        try:
            changed = _changed(rules, args)
            if changed != rules:
                set_rules(
                    session,
                    team_id=team_id,
                    rules=changed,
                    actor_id="partnerbot-cli",
                    now=services.clock(),
                )
        except ScoringError as error:
            print(f"partnerbot scoring: {error}", file=sys.stderr)
            return 2
    print(f"{team_id}: {changed.explained()}")
    return 0


def _changed(rules: Rules, args: argparse.Namespace) -> Rules:
    weights = dict(rules.weights)
    for given in args.weight or []:
        key, _, value = given.partition("=")
        if key not in KEYS:
            raise ScoringError(f"{key!r} is not a criterion: use one of {', '.join(KEYS)}.")
        try:
            weights[key] = float(value)
        except ValueError:
            raise ScoringError(f"{given!r}: a weight is a number, like fit=2.") from None
    ranges = rules.ranges
    if args.ranges is not None:
        names = tuple(name.strip() for name in args.ranges.split(";"))
        if len(names) != 4:
            raise ScoringError('Name all four ranges, separated by ";".')
        ranges = names  # type: ignore[assignment]
    return replace(
        rules,
        weights=weights,
        impact_threshold=args.impact_threshold
        if args.impact_threshold is not None
        else rules.impact_threshold,
        risk_threshold=args.risk_threshold
        if args.risk_threshold is not None
        else rules.risk_threshold,
        ranges=ranges,
    )
